"""The database the views live in: the log's own database, through connections of our own.

The views sit beside the log (same SQLite file, same PostgreSQL schema) in tables of their own,
so a view can be rebuilt from the log at any time and read with plain SQL. This module hides the
two drivers behind one small interface: a :class:`Connection` that opens transactions, and a
:class:`Tx` (a cursor) that runs SQL written once with ``?`` placeholders.

Write transactions take the write lock up front (SQLite ``BEGIN IMMEDIATE``; PostgreSQL row
locks taken by the engine), so two engines never interleave their writes to one view.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import parse_qs, unquote, urlsplit

import psycopg

from ledger.store.config import StoreConfig

Row = tuple[Any, ...]
Record = dict[str, Any]
"""A row by column name (for the service's own tables, whose readers name what they read)."""
Params = Sequence[Any]

SQLITE_BUSY_TIMEOUT_MS = 30_000


class Tx(Protocol):
    """A cursor inside one transaction; SQL uses ``?`` placeholders on both stores."""

    dialect: str

    def execute(self, sql: str, params: Params = ()) -> None: ...

    def executemany(self, sql: str, rows: Sequence[Params]) -> None: ...

    def fetchall(self) -> list[Row]: ...

    def fetchone(self) -> Row | None: ...

    @property
    def rowcount(self) -> int: ...

    def query(self, sql: str, params: Params = ()) -> list[Row]: ...

    def scalar(self, sql: str, params: Params = ()) -> Any: ...

    def record(self, sql: str, params: Params = ()) -> Record | None: ...

    def records(self, sql: str, params: Params = ()) -> list[Record]: ...

    def for_update(self) -> str: ...


class SQLiteTx:
    dialect = "sqlite"

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    def execute(self, sql: str, params: Params = ()) -> None:
        self._cursor.execute(sql, tuple(params))

    def executemany(self, sql: str, rows: Sequence[Params]) -> None:
        if rows:
            self._cursor.executemany(sql, rows)

    def fetchall(self) -> list[Row]:
        return self._cursor.fetchall()

    def fetchone(self) -> Row | None:
        row: Row | None = self._cursor.fetchone()
        return row

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    def query(self, sql: str, params: Params = ()) -> list[Row]:
        self.execute(sql, params)
        return self.fetchall()

    def scalar(self, sql: str, params: Params = ()) -> Any:
        self.execute(sql, params)
        row = self.fetchone()
        return None if row is None else row[0]

    def record(self, sql: str, params: Params = ()) -> Record | None:
        self.execute(sql, params)
        row = self.fetchone()
        return None if row is None else dict(zip(_names(self._cursor.description), row, strict=True))

    def records(self, sql: str, params: Params = ()) -> list[Record]:
        self.execute(sql, params)
        names = _names(self._cursor.description)
        return [dict(zip(names, row, strict=True)) for row in self.fetchall()]

    def for_update(self) -> str:
        return ""  # BEGIN IMMEDIATE already holds the database's write lock


NUL = "\x00"
NUL_STAND_IN = "\ufffd"


def pg_text_safe(params: Params) -> Params:
    """``params`` with NUL replaced in every string: PostgreSQL's text cannot hold U+0000, and a
    view must be able to write any text the log holds (the domain refuses control characters,
    but events are immutable and older ones, or a future policy, may still carry one). The view
    shows U+FFFD where the log has NUL; the log itself is untouched."""
    for value in params:
        if value.__class__ is str and NUL in value:
            return tuple(
                value.replace(NUL, NUL_STAND_IN) if value.__class__ is str else value for value in params
            )
    return params


def pg_rows_safe(rows: Sequence[Params]) -> Sequence[Params]:
    """:func:`pg_text_safe` over many rows, copying only when some row needs it (a bulk load
    passes here: the check is one loop with no call per row, about 0.3 µs a row)."""
    for row in rows:
        for value in row:
            if value.__class__ is str and NUL in value:
                return [pg_text_safe(r) for r in rows]
    return rows


class PostgresTx:
    dialect = "postgresql"

    def __init__(self, cursor: psycopg.Cursor[Any]) -> None:
        self._cursor = cursor

    @staticmethod
    def _sql(sql: str) -> Any:
        # Our SQL never contains a literal '?' or '%': both only appear in parameters.
        return sql.replace("?", "%s")

    def execute(self, sql: str, params: Params = ()) -> None:
        self._cursor.execute(self._sql(sql), tuple(pg_text_safe(params)))

    def executemany(self, sql: str, rows: Sequence[Params]) -> None:
        if not rows:
            return
        rows = pg_rows_safe(rows)
        values = _MULTI_ROW.match(sql)
        if values is None or len(rows) == 1:
            self._cursor.executemany(self._sql(sql), rows)
            return
        if not values.group(3):
            # A plain insert of many rows: COPY, about five times faster than anything else.
            target = values.group(1).removeprefix("INSERT INTO ")
            with self._cursor.copy(f"COPY {target}FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        # DO NOTHING inserts: many rows per statement (rows of one statement cannot trip over
        # each other with DO NOTHING), one round of parse/plan/execute per few hundred rows.
        head, marks, tail = values.group(1), values.group(2), values.group(3)
        width = marks.count("?")
        per = max(1, min(1000, 60000 // max(width, 1)))
        group = "(" + ", ".join(["%s"] * width) + ")"
        for start in range(0, len(rows), per):
            chunk = rows[start : start + per]
            statement = f"{head}VALUES {', '.join([group] * len(chunk))}{tail}"
            self._cursor.execute(statement, [value for row in chunk for value in row])

    def fetchall(self) -> list[Row]:
        return self._cursor.fetchall()

    def fetchone(self) -> Row | None:
        row: Row | None = self._cursor.fetchone()
        return row

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    def query(self, sql: str, params: Params = ()) -> list[Row]:
        self.execute(sql, params)
        return self.fetchall()

    def scalar(self, sql: str, params: Params = ()) -> Any:
        self.execute(sql, params)
        row = self.fetchone()
        return None if row is None else row[0]

    def record(self, sql: str, params: Params = ()) -> Record | None:
        self.execute(sql, params)
        row = self.fetchone()
        return None if row is None else dict(zip(_names(self._cursor.description), row, strict=True))

    def records(self, sql: str, params: Params = ()) -> list[Record]:
        self.execute(sql, params)
        names = _names(self._cursor.description)
        return [dict(zip(names, row, strict=True)) for row in self.fetchall()]

    def for_update(self) -> str:
        return " FOR UPDATE"


def _names(description: Any) -> list[str]:
    # Both drivers describe a column by a sequence whose first item is its name.
    return [column[0] for column in description or ()]


_MULTI_ROW = re.compile(
    r"^(INSERT INTO \S+ \([^)]*\) )VALUES (\((?:\?, )*\?\))((?: ON CONFLICT \([^)]*\) DO NOTHING)?)$"
)


class ReadAttempted(Exception):
    """A view tried to read while its writes were being recorded for later."""


class RecordingTx:
    """A stand-in transaction that records writes to replay later in a short real transaction.

    A bulk load computes a batch's rows with no lock held, then writes them in one go, so that
    loaders running in parallel on SQLite (one writer at a time) wait only for each other's
    writes. A view that reads while being recorded raises :class:`ReadAttempted`; the caller
    then applies the batch inside a real transaction instead.
    """

    def __init__(self, dialect: str) -> None:
        self.dialect = dialect
        self.writes: list[tuple[str, Sequence[Params] | None, Params]] = []

    def execute(self, sql: str, params: Params = ()) -> None:
        if sql.lstrip().upper().startswith("SELECT"):
            raise ReadAttempted(sql)
        self.writes.append((sql, None, params))

    def executemany(self, sql: str, rows: Sequence[Params]) -> None:
        if rows:
            self.writes.append((sql, rows, ()))

    def fetchall(self) -> list[Row]:
        raise ReadAttempted("fetchall")

    def fetchone(self) -> Row | None:
        raise ReadAttempted("fetchone")

    @property
    def rowcount(self) -> int:
        raise ReadAttempted("rowcount")

    def query(self, sql: str, params: Params = ()) -> list[Row]:
        raise ReadAttempted(sql)

    def scalar(self, sql: str, params: Params = ()) -> Any:
        raise ReadAttempted(sql)

    def record(self, sql: str, params: Params = ()) -> Record | None:
        raise ReadAttempted(sql)

    def records(self, sql: str, params: Params = ()) -> list[Record]:
        raise ReadAttempted(sql)

    def for_update(self) -> str:
        return ""

    def replay(self, tx: Tx) -> None:
        for sql, rows, params in self.writes:
            if rows is None:
                tx.execute(sql, params)
            else:
                tx.executemany(sql, rows)


class Connection(Protocol):
    dialect: str

    def transaction(self, *, write: bool = False, snapshot: bool = False) -> Any: ...

    def close(self) -> None: ...


class SQLiteConnection:
    """One sqlite3 connection to the log's file, in autocommit mode with explicit transactions."""

    dialect = "sqlite"

    def __init__(self, path: str) -> None:
        self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._conn.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        self._conn.execute("PRAGMA journal_mode=WAL")
        # Views commit with the tracking row, so losing the last commits on power loss only
        # rolls a view back to an earlier consistent position; FULL sync buys nothing here.
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute("PRAGMA cache_size=-65536")  # 64 MiB: bulk loads touch big indexes
        self._lock = threading.Lock()

    @contextmanager
    def transaction(self, *, write: bool = False, snapshot: bool = False) -> Iterator[Tx]:
        """A transaction; in WAL mode a read transaction always sees one snapshot."""
        with self._lock:
            cursor = self._conn.cursor()
            cursor.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield SQLiteTx(cursor)
            except BaseException:
                self._conn.rollback()
                raise
            else:
                self._conn.commit()
            finally:
                cursor.close()

    def one(self, sql: str, params: Params = ()) -> Row | None:
        """The first row of one statement run outside any explicit transaction (the connection
        is in autocommit mode: SQLite wraps the statement in a read transaction of its own)."""
        with self._lock:
            cursor = self._conn.execute(sql, tuple(params))
            try:
                row: Row | None = cursor.fetchone()
                return row
            finally:
                cursor.close()

    def interrupt(self) -> None:
        self._conn.interrupt()

    def close(self) -> None:
        self._conn.close()


class PostgresConnection:
    """One psycopg connection whose search_path is the store's schema."""

    dialect = "postgresql"

    def __init__(self, conninfo: str, *, autocommit: bool = False) -> None:
        self._conn = psycopg.connect(conninfo, autocommit=autocommit)
        self._lock = threading.Lock()

    @property
    def raw(self) -> psycopg.Connection[Any]:
        return self._conn

    @contextmanager
    def transaction(self, *, write: bool = False, snapshot: bool = False) -> Iterator[Tx]:
        """A transaction; ``snapshot`` makes every statement in it see the same snapshot."""
        with self._lock:
            if snapshot:
                self._conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            try:
                with self._conn.transaction(), self._conn.cursor() as cursor:
                    yield PostgresTx(cursor)
            finally:
                if snapshot:
                    self._conn.isolation_level = None

    def close(self) -> None:
        self._conn.close()


@dataclass(frozen=True)
class Database:
    """Where the views are: derived from the ledger's :class:`StoreConfig`."""

    store: StoreConfig

    @property
    def dialect(self) -> str:
        return self.store.kind

    @property
    def conninfo(self) -> str:
        """libpq connection string for PostgreSQL, with search_path set to the store's schema."""
        parts = urlsplit(self.store.url)
        schema = parse_qs(parts.query).get("schema", ["public"])[0]
        info = {
            "host": parts.hostname or "localhost",
            "port": str(parts.port or 5432),
            "dbname": unquote(parts.path.strip("/")),
            "user": unquote(parts.username or "postgres"),
            "options": f"-c search_path={schema}",
        }
        if parts.password:
            info["password"] = unquote(parts.password)
        return psycopg.conninfo.make_conninfo(**info)

    def connect(self) -> SQLiteConnection | PostgresConnection:
        if self.dialect == "sqlite":
            return SQLiteConnection(self.store.sqlite_path)
        return PostgresConnection(self.conninfo)


def is_missing_table(error: BaseException) -> bool:
    """Whether a query failed because a view's tables were dropped under it (a rebuild)."""
    if isinstance(error, psycopg.errors.UndefinedTable):
        return True
    return isinstance(error, sqlite3.OperationalError) and "no such table" in str(error)


