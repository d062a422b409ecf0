"""Pools of read connections for the read model: synchronous (Readers) and asyncio (AsyncReaders), each
a read-only transaction per read over the views' tables."""

from __future__ import annotations

import asyncio
import collections
import threading
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import pq
from psycopg_pool import ConnectionPool

from projections.store import Database, Params, PostgresTx, Row, SQLiteConnection, Tx, pg_text_safe

ASYNC_CONNECTIONS = 16  # PostgreSQL connections of one event loop's single-statement reads


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
                yield PostgresTx(cursor)
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
