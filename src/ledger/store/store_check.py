"""Is the configured store there? Checked once, before any command opens it.

A wrong ``LEDGER_DATABASE_URL`` (a bad scheme, a missing folder, an unreachable server, an unknown
role, database or schema) must be one clear line, not a traceback from deep inside the library,
and a command that only reads must not create an empty SQLite file where a ledger was expected.
"""

from __future__ import annotations

from pathlib import Path

import psycopg

from ledger.store.config import DATABASE_URL_VARIABLE, StoreConfig, StoreConfigError, safe_url

CONNECT_TIMEOUT_SECONDS = 5


class StoreUnavailable(StoreConfigError):
    """The store's URL is well formed but the store cannot be used as it stands."""


def check_store(store: StoreConfig, *, must_exist: bool = False) -> None:
    """Raise :class:`StoreConfigError` (one line) unless ``store`` can be opened.

    ``must_exist``: the command only reads, so a missing SQLite file is an error rather than a new
    empty store. On PostgreSQL the database and the schema must exist in any case: the ledger
    creates its tables, never a database or a schema.
    """
    env = store.application_env()  # raises StoreConfigError for a malformed URL
    if store.kind == "sqlite":
        _check_sqlite(store, Path(env["SQLITE_DBNAME"]), must_exist=must_exist)
    else:
        _check_postgres(store, env)


def _check_sqlite(store: StoreConfig, path: Path, *, must_exist: bool) -> None:
    where = f"{DATABASE_URL_VARIABLE}={safe_url(store.url)}"
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise StoreUnavailable(f"{where}: the folder '{folder}' does not exist.")
    if path.is_dir():
        raise StoreUnavailable(f"{where}: '{path}' is a folder, not a ledger file.")
    if must_exist and not path.exists():
        raise StoreUnavailable(
            f"{where}: there is no ledger at '{path}' (this command only reads, so it does not "
            "create one)."
        )


def _check_postgres(store: StoreConfig, env: dict[str, str]) -> None:
    where = f"{DATABASE_URL_VARIABLE}={safe_url(store.url)}"
    schema = env["POSTGRES_SCHEMA"]
    try:
        with psycopg.connect(
            dbname=env["POSTGRES_DBNAME"],
            host=env["POSTGRES_HOST"],
            port=int(env["POSTGRES_PORT"]),
            user=env["POSTGRES_USER"],
            password=env["POSTGRES_PASSWORD"],
            connect_timeout=CONNECT_TIMEOUT_SECONDS,
        ) as conn:
            found = conn.execute(
                "SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,)
            ).fetchone()
    except psycopg.Error as error:
        raise StoreUnavailable(f"{where}: cannot connect: {_one_line(error)}") from None
    except ValueError as error:  # e.g. a port out of range
        raise StoreUnavailable(f"{where}: {error}") from None
    if found is None:
        raise StoreUnavailable(
            f"{where}: the schema '{schema}' does not exist in database "
            f"'{env['POSTGRES_DBNAME']}' (create it first: CREATE SCHEMA \"{schema}\")."
        )


def _one_line(error: BaseException) -> str:
    """psycopg's message, first line only, without libpq's "connection failed:"/"FATAL:" noise."""
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    text = text.removeprefix("connection failed: ")
    return " ".join(text.replace("FATAL:", "").split())
