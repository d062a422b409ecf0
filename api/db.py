"""The service's own small tables (API keys, idempotency records), kept in the log's database.

They live beside the event log so a backup of the store carries them, and so the same SQLite file
or PostgreSQL schema is the whole state of a deployment. The library's recorders are not used for
them: these are plain mutable tables, reached through a tiny connection helper that speaks both
dialects (statements are written with ``?`` placeholders and ``{table}`` names).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Protocol

from psycopg import sql as pgsql
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

from ledger.config import StoreConfig


class Cursor(Protocol):
    @property
    def rowcount(self) -> int: ...

    def execute(self, query: Any, params: Sequence[Any] = ..., /) -> Any: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...


class SqlStore:
    """Short transactions on the store's database, for either SQLite or PostgreSQL."""

    def __init__(self, store: StoreConfig) -> None:
        self.kind = store.kind
        self._local = threading.local()
        self._sqlite_connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._pool: ConnectionPool[Any] | None = None
        if self.kind == "sqlite":
            self._path = store.sqlite_path
            self.schema = ""
        else:
            env = store.application_env()
            self.schema = env["POSTGRES_SCHEMA"]
            self._pool = ConnectionPool(
                kwargs={
                    "dbname": env["POSTGRES_DBNAME"],
                    "host": env["POSTGRES_HOST"],
                    "port": env["POSTGRES_PORT"],
                    "user": env["POSTGRES_USER"],
                    "password": env["POSTGRES_PASSWORD"],
                    "row_factory": dict_row,
                    "autocommit": True,
                },
                min_size=1,
                max_size=8,
                open=True,
                timeout=30,
            )

    def table(self, name: str) -> str:
        """The name to write in a statement: schema-qualified and quoted on PostgreSQL."""
        if self.kind == "sqlite":
            return name
        return f'"{self.schema}"."{name}"'

    def statement(self, text: str, **tables: str) -> str:
        """Fill in table names and turn ``?`` placeholders into the dialect's own."""
        filled = text.format(**{key: self.table(value) for key, value in tables.items()})
        return filled if self.kind == "sqlite" else filled.replace("?", "%s")

    @contextmanager
    def transaction(self) -> Iterator[Cursor]:
        """One short read-write transaction; committed when the block ends without error."""
        if self.kind == "sqlite":
            conn = self._sqlite_connection()
            cursor = conn.cursor()
            # Take the write lock up front: a deferred transaction that later writes can fail
            # with "database is locked" instead of waiting its turn.
            cursor.execute("BEGIN IMMEDIATE")
            try:
                yield cursor
            except BaseException:
                conn.rollback()
                raise
            else:
                conn.commit()
            finally:
                cursor.close()
            return
        assert self._pool is not None
        with self._pool.connection() as pg, pg.transaction(), pg.cursor() as pg_cursor:
            yield pg_cursor

    @contextmanager
    def reading(self) -> Iterator[Cursor]:
        """A read-only query outside any explicit transaction."""
        if self.kind == "sqlite":
            cursor = self._sqlite_connection().cursor()
            try:
                yield cursor
            finally:
                cursor.close()
            return
        assert self._pool is not None
        with self._pool.connection() as pg, pg.cursor() as pg_cursor:
            yield pg_cursor

    def create_schema(self) -> None:
        if self.kind == "postgresql":
            assert self._pool is not None
            with self._pool.connection() as pg:
                pg.execute(pgsql.SQL("CREATE SCHEMA IF NOT EXISTS {0}").format(pgsql.Identifier(self.schema)))

    def close(self) -> None:
        with self._lock:
            for conn in self._sqlite_connections:
                conn.close()
            self._sqlite_connections.clear()
        if self._pool is not None:
            self._pool.close()

    def _sqlite_connection(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self._path, timeout=30, isolation_level=None, check_same_thread=False)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            self._local.conn = conn
            with self._lock:
                self._sqlite_connections.append(conn)
        return conn
