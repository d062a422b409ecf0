"""Which store the ledger uses, chosen by ``LEDGER_DATABASE_URL``.

``sqlite:///PATH`` (the default, ``sqlite:///./ledger.db``) or
``postgresql://USER[:PASSWORD]@HOST[:PORT]/DBNAME[?schema=NAME]``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit, urlunsplit

from ledger.store.postgres import ChainedPostgresRecorder
from ledger.store.sqlite import ChainedSQLiteRecorder

DEFAULT_DATABASE_URL = "sqlite:///./ledger.db"
DATABASE_URL_VARIABLE = "LEDGER_DATABASE_URL"


class StoreConfigError(ValueError):
    pass


def _topic(cls: type) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"


@dataclass(frozen=True)
class StoreConfig:
    url: str

    @property
    def kind(self) -> str:
        return "postgresql" if self.url.startswith(("postgresql:", "postgres:")) else "sqlite"

    @property
    def sqlite_path(self) -> str:
        if self.kind != "sqlite":
            raise StoreConfigError("Not an SQLite store.")
        path = self.url.removeprefix("sqlite://")
        # sqlite:///rel.db → "/rel.db" would be absolute; sqlite:///./x and sqlite:////abs follow
        # the SQLAlchemy convention: three slashes then the path.
        return path[1:] if path.startswith("/") else path

    def application_env(self) -> dict[str, str]:
        """Environment for the library's infrastructure factory."""
        if self.kind == "sqlite":
            path = self.sqlite_path
            if not path or path == ":memory:" or "mode=memory" in path:
                raise StoreConfigError(
                    "The ledger needs an SQLite file: in-memory databases break under threads."
                )
            return {
                "PERSISTENCE_MODULE": "eventsourcing.sqlite",
                "SQLITE_DBNAME": path,
                "SQLITE_LOCK_TIMEOUT": "30",
                "APPLICATION_RECORDER_TOPIC": _topic(ChainedSQLiteRecorder),
            }
        parts = urlsplit(self.url)
        if not parts.hostname or not parts.path.strip("/"):
            raise StoreConfigError(
                f"'{self.url}' is not postgresql://USER@HOST:PORT/DBNAME."
            )
        query = parse_qs(parts.query)
        env = {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": unquote(parts.path.strip("/")),
            "POSTGRES_HOST": parts.hostname,
            "POSTGRES_PORT": str(parts.port or 5432),
            "POSTGRES_USER": unquote(parts.username or "postgres"),
            "POSTGRES_PASSWORD": unquote(parts.password or ""),
            "POSTGRES_SCHEMA": query.get("schema", ["public"])[0],
            "POSTGRES_LOCK_TIMEOUT": "30",
            "APPLICATION_RECORDER_TOPIC": _topic(ChainedPostgresRecorder),
        }
        return env


def safe_url(url: str) -> str:
    """The store's URL without its password (for messages)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def store_from_environment(environ: Mapping[str, str] | None = None) -> StoreConfig:
    environ = os.environ if environ is None else environ
    url = environ.get(DATABASE_URL_VARIABLE) or DEFAULT_DATABASE_URL
    if not url.startswith(("sqlite:", "postgresql:", "postgres:")):
        raise StoreConfigError(
            f"{DATABASE_URL_VARIABLE}='{safe_url(url)}': expected sqlite:///PATH or postgresql://..."
        )
    return StoreConfig(url)
