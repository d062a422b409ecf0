"""The service's own tables beside the views (not rebuilt from the log), read and written through one
small interface."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qs, urlsplit

from psycopg import sql as pgsql
from psycopg_pool import ConnectionPool

from ledger.store.config import StoreConfig
from projections.store import Database, PostgresTx, SQLiteTx, Tx


class ServiceTables:
    """Short transactions on the service's own small tables (API keys, idempotency records,
    stored scans, page sessions), in the log's database beside the views.

    They live beside the event log so a backup of the store carries them, and the same SQLite
    file or PostgreSQL schema is the whole state of a deployment. They are plain mutable tables,
    written with the same ``?`` SQL as the views (:class:`Tx`); rows come back by column name
    with :meth:`Tx.record` / :meth:`Tx.records`. Table names are written bare: on PostgreSQL the
    connections' ``search_path`` is the store's schema, so a name means the same table that a
    schema-qualified one did.

    SQLite: one connection per thread (WAL, 30 s busy timeout). PostgreSQL: a small pool of
    autocommit connections, each write in its own transaction.
    """

    def __init__(self, store: StoreConfig) -> None:
        self.database = Database(store)
        self.dialect = self.database.dialect
        self._local = threading.local()
        self._sqlite: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._pool: ConnectionPool[Any] | None = None
        if self.dialect == "postgresql":
            self._pool = ConnectionPool(
                self.database.conninfo,
                kwargs={"autocommit": True},
                min_size=1,
                max_size=8,
                open=True,
                timeout=30,
                name="ledger-service",
            )

    @property
    def schema(self) -> str:
        """The PostgreSQL schema the tables live in ("" on SQLite)."""
        if self.dialect == "sqlite":
            return ""
        return parse_qs(urlsplit(self.database.store.url).query).get("schema", ["public"])[0]

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        """One short read-write transaction, committed when the block ends without error."""
        if self._pool is None:
            conn = self._sqlite_connection()
            cursor = conn.cursor()
            # Take the write lock up front: a deferred transaction that later writes can fail
            # with "database is locked" instead of waiting its turn.
            cursor.execute("BEGIN IMMEDIATE")
            try:
                yield SQLiteTx(cursor)
            except BaseException:
                conn.rollback()
                raise
            else:
                conn.commit()
            finally:
                cursor.close()
            return
        with self._pool.connection() as pg, pg.transaction(), pg.cursor() as pg_cursor:
            yield PostgresTx(pg_cursor)

    @contextmanager
    def reading(self) -> Iterator[Tx]:
        """Read-only statements outside any explicit transaction (each sees the latest commit)."""
        if self._pool is None:
            cursor = self._sqlite_connection().cursor()
            try:
                yield SQLiteTx(cursor)
            finally:
                cursor.close()
            return
        with self._pool.connection() as pg, pg.cursor() as pg_cursor:
            yield PostgresTx(pg_cursor)

    def create_schema(self) -> None:
        """Make the store's PostgreSQL schema if it is missing (nothing to do on SQLite)."""
        if self._pool is not None:
            with self._pool.connection() as pg:
                pg.execute(
                    pgsql.SQL("CREATE SCHEMA IF NOT EXISTS {0}").format(pgsql.Identifier(self.schema))
                )

    def close(self) -> None:
        with self._lock:
            for conn in self._sqlite:
                conn.close()
            self._sqlite.clear()
        if self._pool is not None:
            self._pool.close()

    def _sqlite_connection(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(
                self.database.store.sqlite_path, timeout=30, isolation_level=None, check_same_thread=False
            )
            conn.execute("PRAGMA journal_mode=WAL")
            self._local.conn = conn
            with self._lock:
                self._sqlite.append(conn)
        return conn
