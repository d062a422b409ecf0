"""The database the views live in: the log's own database, through connections of our own.

The views sit beside the log (same SQLite file, same PostgreSQL schema) in tables of their own,
so a view can be rebuilt from the log at any time and read with plain SQL. This module hides the
two drivers behind one small interface: a :class:`Connection` that opens transactions, and a
:class:`Tx` (a cursor) that runs SQL written once with ``?`` placeholders.

Write transactions take the write lock up front (SQLite ``BEGIN IMMEDIATE``; PostgreSQL row
locks taken by the engine), so two engines never interleave their writes to one view.
"""

from __future__ import annotations

import asyncio
import collections
import re
import sqlite3
import threading
from collections.abc import Callable, Coroutine, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import parse_qs, unquote, urlsplit

import psycopg
from psycopg import pq
from psycopg import sql as pgsql
from psycopg_pool import ConnectionPool

from ledger.store.config import StoreConfig

Row = tuple[Any, ...]
Record = dict[str, Any]
"""A row by column name (for the service's own tables, whose readers name what they read)."""
Params = Sequence[Any]

SQLITE_BUSY_TIMEOUT_MS = 30_000
ASYNC_CONNECTIONS = 16  # PostgreSQL connections of one event loop's single-statement reads


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


class _SQLiteTx:
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


class _PostgresTx:
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
                yield _SQLiteTx(cursor)
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
                    yield _PostgresTx(cursor)
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

    def readers(self) -> Readers:
        return Readers(self)


class Readers:
    """Connections for queries, shared by the threads of a server.

    SQLite: one connection per thread (cheap, and a connection must not run two transactions at
    once). PostgreSQL: two small psycopg pools, one for read transactions (:meth:`read`) and one
    in autocommit mode for reads that are a single statement (:meth:`one`).
    """

    def __init__(self, database: Database) -> None:
        self.database = database
        self.dialect = database.dialect
        self._local = threading.local()
        self._all: list[SQLiteConnection] = []
        self._all_lock = threading.Lock()
        self._pool: ConnectionPool[Any] | None = None
        self._single: ConnectionPool[Any] | None = None
        if self.dialect == "postgresql":
            self._pool = ConnectionPool(
                database.conninfo,
                min_size=1,
                max_size=8,
                open=True,
                name="ledger-views",
                configure=_configure_reader,
            )
            # A single statement needs no transaction block: in autocommit mode it is one round
            # trip (no BEGIN, no COMMIT), and it still reads one snapshot.
            self._single = ConnectionPool(
                database.conninfo,
                min_size=1,
                max_size=8,
                open=True,
                name="ledger-views-single",
                kwargs={"autocommit": True},
                configure=_configure_single,
            )
        self._pg_sql: dict[str, str] = {}

    @contextmanager
    def read(self) -> Iterator[Tx]:
        """A read-only transaction: one consistent snapshot for everything read inside it."""
        if self._pool is not None:
            with self._pool.connection() as conn, conn.transaction(), conn.cursor() as cursor:
                yield _PostgresTx(cursor)
            return
        with self._sqlite().transaction(write=False) as tx:
            yield tx

    def one(self, sql: str, params: Params = ()) -> Row | None:
        """The first row of one read-only statement, run on its own (no BEGIN/COMMIT around it):
        one round trip to PostgreSQL, one statement on SQLite. A single statement sees one
        snapshot of the database on both stores."""
        if self._single is not None:
            statement = self._pg_sql.get(sql)
            if statement is None:
                statement = self._pg_sql[sql] = sql.replace("?", "%s")
            with self._single.connection() as conn, conn.cursor() as cursor:
                cursor.execute(statement, tuple(pg_text_safe(params)))
                row: Row | None = cursor.fetchone()
                return row
        return self._sqlite().one(sql, params)

    def _sqlite(self) -> SQLiteConnection:
        conn: SQLiteConnection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = SQLiteConnection(self.database.store.sqlite_path)
            self._local.conn = conn
            with self._all_lock:
                self._all.append(conn)
        return conn

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
        if self._single is not None:
            self._single.close()
        with self._all_lock:
            for conn in self._all:
                conn.close()
            self._all.clear()


def _configure_reader(conn: psycopg.Connection[Any]) -> None:
    # One snapshot per read, so the generation pointer and the rows read agree.
    conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
    conn.read_only = True
    # Reads are small and frequent: compiling a plan just in time costs more than it saves.
    conn.execute("SET jit = off")
    conn.commit()


class AsyncReaders:
    """Single-statement reads for code running in an event loop (the HTTP server's hottest
    read), so that it needs no worker thread.

    PostgreSQL: connections in autocommit mode, the statement awaited: one round trip. The
    statement is prepared once per connection and then sent straight through libpq (psycopg's
    ``pgconn``) with the event loop waiting on the socket: for one small statement, psycopg's
    asyncio cursor costs about 75 µs of CPU, this about 15 (measured; the GIL is what a busy
    server runs out of). Parameters and results are text: ``str``, ``int`` and ``None`` in,
    integers and text out. Connections are pooled here rather than by ``psycopg_pool``: all
    users run in one event loop, so a list of idle connections and a queue of waiters, with no
    lock, is enough, and costs a fraction of the general pool's bookkeeping. SQLite: the statement runs in the
    loop's thread on that thread's connection of ``readers``: a read of a row by key takes
    microseconds and, in WAL mode, never waits for a writer, which is cheaper than handing it to
    a thread and back.

    Open it in the loop that will use it (:meth:`open`), close it there (:meth:`close`).
    """

    def __init__(self, readers: Readers, *, max_size: int = ASYNC_CONNECTIONS) -> None:
        self.readers = readers
        self.max_size = max_size
        self._idle: list[psycopg.AsyncConnection[Any]] = []
        self._waiting: collections.deque[asyncio.Future[psycopg.AsyncConnection[Any]]] = (
            collections.deque()
        )
        self._count = 0
        self._open = False
        self._pg_sql: dict[str, bytes] = {}
        self._prepared: dict[int, dict[bytes, bytes]] = {}  # per connection: statement -> name
        self._tasks: set[asyncio.Future[None]] = set()

    async def open(self) -> None:
        self._open = True

    async def one(self, sql: str, params: Params = ()) -> Row | None:
        """As :meth:`Readers.one`, awaited."""
        if self.readers.dialect != "postgresql":
            return self.readers.one(sql, params)
        if not self._open:
            raise RuntimeError("AsyncReaders.open() was not awaited.")
        statement = self._pg_sql.get(sql)
        if statement is None:
            statement = self._pg_sql[sql] = _numbered_placeholders(sql).encode()
        values = [_text_param(value) for value in pg_text_safe(params)]
        conn = await self._acquire()
        try:
            prepared = self._prepared.setdefault(id(conn), {})
            name = prepared.get(statement)
            if name is None:
                name = f"ledger_{len(prepared)}".encode()
                await self._request(conn, lambda pg: pg.send_prepare(name, statement))
                prepared[statement] = name
            result = await self._request(conn, lambda pg: pg.send_query_prepared(name, values))
            if result.ntuples == 0:
                return None
            return tuple(_text_value(result, column) for column in range(result.nfields))
        finally:
            self._release(conn)

    @staticmethod
    async def _request(conn: psycopg.AsyncConnection[Any], send: Callable[[Any], None]) -> Any:
        """Send one request on ``conn``'s libpq connection and await its one result (raised as
        the psycopg error of its SQLSTATE if it failed)."""
        pg = conn.pgconn
        loop = asyncio.get_running_loop()
        send(pg)
        while pg.flush():
            await _ready(loop, pg.socket, write=True)
        while True:
            pg.consume_input()
            if not pg.is_busy():
                break
            await _ready(loop, pg.socket, write=False)
        result = None
        while (next_result := pg.get_result()) is not None:
            result = result or next_result
        if result is None:
            raise psycopg.OperationalError("The server sent no result.")
        if result.status not in (pq.ExecStatus.TUPLES_OK, pq.ExecStatus.COMMAND_OK):
            state = (result.error_field(pq.DiagnosticField.SQLSTATE) or b"").decode()
            message = (result.error_message or b"").decode(errors="replace").strip()
            try:
                error_class = psycopg.errors.lookup(state)
            except KeyError:
                error_class = psycopg.DatabaseError
            raise error_class(message)
        return result

    async def _acquire(self) -> psycopg.AsyncConnection[Any]:
        if self._idle:
            return self._idle.pop()
        if self._count < self.max_size:
            self._count += 1
            try:
                conn = await psycopg.AsyncConnection.connect(self._conninfo(), autocommit=True)
                conn.pgconn.nonblocking = 1
                return conn
            except BaseException:
                self._count -= 1
                raise
        waiter: asyncio.Future[psycopg.AsyncConnection[Any]] = asyncio.get_running_loop().create_future()
        self._waiting.append(waiter)
        try:
            return await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self._release(waiter.result())  # handed over just as the request was cancelled
            raise

    def _conninfo(self) -> str:
        # Autocommit: psycopg's read_only applies only to transactions it opens; tell the session.
        info = psycopg.conninfo.conninfo_to_dict(self.readers.database.conninfo)
        info["options"] = f"{info.get('options', '')} -c default_transaction_read_only=on -c jit=off"
        return psycopg.conninfo.make_conninfo(**{k: str(v) for k, v in info.items() if v is not None})

    def _release(self, conn: psycopg.AsyncConnection[Any]) -> None:
        if (
            conn.closed
            or conn.pgconn.status != pq.ConnStatus.OK
            or conn.pgconn.transaction_status != pq.TransactionStatus.IDLE
            or not self._open
        ):
            # Broken (the server went away), interrupted mid-statement, or closing: drop it and
            # make room for a new one, for the first waiter if there is one.
            self._count -= 1
            self._prepared.pop(id(conn), None)
            self._background(conn.close())
            if self._waiting and self._open:
                self._background(self._hand_new(self._waiting.popleft()))
            return
        while self._waiting:
            waiter = self._waiting.popleft()
            if not waiter.done():  # a waiter whose request was cancelled is skipped
                waiter.set_result(conn)
                return
        self._idle.append(conn)

    async def _hand_new(self, waiter: asyncio.Future[psycopg.AsyncConnection[Any]]) -> None:
        try:
            conn = await self._acquire()
        except Exception as error:
            if not waiter.done():
                waiter.set_exception(error)
            return
        if waiter.done():
            self._release(conn)
        else:
            waiter.set_result(conn)

    def _background(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def close(self) -> None:
        self._open = False
        idle, self._idle = self._idle, []
        for conn in idle:
            self._prepared.pop(id(conn), None)
            await conn.close()
        self._count -= len(idle)
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)


async def _ready(loop: asyncio.AbstractEventLoop, fd: int, *, write: bool) -> None:
    """Wait until the socket ``fd`` is readable (or writable)."""
    ready: asyncio.Future[None] = loop.create_future()

    def wake() -> None:
        if not ready.done():
            ready.set_result(None)

    if write:
        loop.add_writer(fd, wake)
    else:
        loop.add_reader(fd, wake)
    try:
        await ready
    finally:
        if write:
            loop.remove_writer(fd)
        else:
            loop.remove_reader(fd)


def _numbered_placeholders(sql: str) -> str:
    """``?`` placeholders as PostgreSQL's own ``$1``, ``$2``… (our SQL has no literal ``?``)."""
    parts = sql.split("?")
    return "".join(f"{part}${n}" for n, part in enumerate(parts[:-1], start=1)) + parts[-1]


_INTEGER_TYPES = frozenset({20, 21, 23})  # int8, int2, int4


def _text_param(value: Any) -> bytes | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise TypeError(f"AsyncReaders takes str, int or None parameters, not {type(value).__name__}.")
    return str(value).encode()


def _text_value(result: Any, column: int) -> Any:
    raw = result.get_value(0, column)
    if raw is None:
        return None
    if result.ftype(column) in _INTEGER_TYPES:
        return int(raw)
    return bytes(raw).decode()


def _configure_single(conn: psycopg.Connection[Any]) -> None:
    # Autocommit: read_only would only apply to transactions psycopg opens; say it to the session.
    conn.execute("SET default_transaction_read_only = on")
    conn.execute("SET jit = off")


def is_missing_table(error: BaseException) -> bool:
    """Whether a query failed because a view's tables were dropped under it (a rebuild)."""
    if isinstance(error, psycopg.errors.UndefinedTable):
        return True
    return isinstance(error, sqlite3.OperationalError) and "no such table" in str(error)


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
                yield _SQLiteTx(cursor)
            except BaseException:
                conn.rollback()
                raise
            else:
                conn.commit()
            finally:
                cursor.close()
            return
        with self._pool.connection() as pg, pg.transaction(), pg.cursor() as pg_cursor:
            yield _PostgresTx(pg_cursor)

    @contextmanager
    def reading(self) -> Iterator[Tx]:
        """Read-only statements outside any explicit transaction (each sees the latest commit)."""
        if self._pool is None:
            cursor = self._sqlite_connection().cursor()
            try:
                yield _SQLiteTx(cursor)
            finally:
                cursor.close()
            return
        with self._pool.connection() as pg, pg.cursor() as pg_cursor:
            yield _PostgresTx(pg_cursor)

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
