"""The write-side benchmark's stores: the baseline aggregates beside the ledger's, the store factory
per backend (SQLite, PostgreSQL), and the calibration of state sizes."""

from __future__ import annotations

import os
import sqlite3
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from uuid import UUID

import psycopg
from append_plan import Plan, run_ledger_step
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, DomainEventProtocol, event
from eventsourcing.sqlite import SQLiteConnection, SQLiteConnectionPool

from ledger.application import Ledger
from ledger.store.config import StoreConfig


class Item(Aggregate):
    """The bare library's minimal aggregate: one padded payload per event, nothing else."""

    @event("Created")
    def __init__(self, payload: str) -> None:
        self.payload = payload

    @event("Touched")
    def touch(self, payload: str) -> None:
        self.payload = payload


class Bare(Application[UUID]):
    """The bare library application: default mapper, transcoder and recorder."""

    name = "Bare"


def padding_for(app: Bare, target_size: float, make: Callable[[str], DomainEventProtocol[UUID]]) -> str:
    """A payload that makes the stored state of ``make(payload)`` ``target_size`` bytes long."""
    empty = len(app.mapper.to_stored_event(make("")).state)
    return "x" * max(0, round(target_size) - empty)


def created_event(payload: str) -> DomainEventProtocol[UUID]:
    return Item(payload=payload).collect_events()[0]


def touched_event(payload: str) -> DomainEventProtocol[UUID]:
    item = Item(payload="")
    item.touch(payload)
    return item.collect_events()[1]


@dataclass
class StoreFactory:
    """Fresh, isolated stores for one benchmark pass; everything is removed by ``cleanup``."""

    kind: str
    postgres_url: str
    ledger_env: dict[str, str] = field(default_factory=dict)
    _tmp: tempfile.TemporaryDirectory[str] | None = None
    _schemas: list[str] = field(default_factory=list)
    _count: int = 0

    def _fresh_name(self, prefix: str) -> str:
        self._count += 1
        return f"{prefix}_{self._count}_{uuid.uuid4().hex[:8]}"

    def _fresh_sqlite_path(self, prefix: str) -> str:
        if self._tmp is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="bench-append-")
        return str(Path(self._tmp.name) / f"{self._fresh_name(prefix)}.db")

    def _fresh_schema(self, prefix: str) -> str:
        schema = self._fresh_name(f"bench_{prefix}")
        with psycopg.connect(self.postgres_url, autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
        self._schemas.append(schema)
        return schema

    def ledger(self) -> Ledger:
        if self.kind == "sqlite":
            store = StoreConfig(f"sqlite:///{self._fresh_sqlite_path('ledger')}")
        else:
            store = StoreConfig(f"{self.postgres_url}?schema={self._fresh_schema('ledger')}")
        return Ledger(store, env=self.ledger_env)

    def bare(self) -> Bare:
        if self.kind == "sqlite":
            env = {
                "PERSISTENCE_MODULE": "eventsourcing.sqlite",
                "SQLITE_DBNAME": self._fresh_sqlite_path("bare"),
                "SQLITE_LOCK_TIMEOUT": "30",
            }
        else:
            parts = psycopg.conninfo.conninfo_to_dict(self.postgres_url)
            env = {
                "PERSISTENCE_MODULE": "eventsourcing.postgres",
                "POSTGRES_DBNAME": str(parts.get("dbname", "test")),
                "POSTGRES_HOST": str(parts.get("host", "127.0.0.1")),
                "POSTGRES_PORT": str(parts.get("port", 5432)),
                "POSTGRES_USER": str(parts.get("user", "postgres")),
                "POSTGRES_PASSWORD": str(parts.get("password", "")),
                "POSTGRES_SCHEMA": self._fresh_schema("bare"),
                "POSTGRES_LOCK_TIMEOUT": "30",
            }
        return Bare(env=env)

    def raw_one_commit_per_row(self, rows: int, state_size: int) -> float:
        """Rows/s inserting events-table-shaped rows with the raw driver, one commit per row."""
        if self.kind == "sqlite":
            return self._raw_sqlite(rows, b"x" * state_size)
        return self._raw_postgres(rows, b"x" * state_size)

    def _raw_sqlite(self, rows: int, state: bytes) -> float:
        oid = uuid.uuid4().hex
        conn = sqlite3.connect(self._fresh_sqlite_path("raw"), isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(f"PRAGMA synchronous={_SYNCHRONOUS}")
            conn.execute(
                "CREATE TABLE stored_events (originator_id TEXT, originator_version INTEGER, "
                "topic TEXT, state BLOB, PRIMARY KEY (originator_id, originator_version))"
            )
            started = time.perf_counter()
            for version in range(1, rows + 1):
                conn.execute("BEGIN")
                conn.execute("INSERT INTO stored_events VALUES (?,?,?,?)", (oid, version, "t", state))
                conn.execute("COMMIT")
            return rows / (time.perf_counter() - started)
        finally:
            conn.close()

    def _raw_postgres(self, rows: int, state: bytes) -> float:
        oid = uuid.uuid4()
        schema = self._fresh_schema("raw")
        with psycopg.connect(self.postgres_url) as conn:
            conn.execute(
                f'CREATE TABLE "{schema}".events (notification_id bigserial UNIQUE, '
                "originator_id uuid, originator_version bigint, topic text, state bytea, "
                "PRIMARY KEY (originator_id, originator_version))"
            )
            conn.commit()
            insert = f'INSERT INTO "{schema}".events VALUES (DEFAULT,%s,%s,%s,%s)'
            started = time.perf_counter()
            for version in range(1, rows + 1):
                conn.execute(insert, (oid, version, "t", state))
                conn.commit()
            return rows / (time.perf_counter() - started)

    def cleanup(self) -> None:
        if self._schemas:
            with psycopg.connect(self.postgres_url, autocommit=True) as conn:
                for schema in self._schemas:
                    conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
            self._schemas.clear()
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None


_SYNCHRONOUS = "FULL"


def disable_fsync() -> None:
    """For diagnosis only: make every commit skip the disk flush, on both sides alike."""
    global _SYNCHRONOUS
    _SYNCHRONOUS = "OFF"
    original = SQLiteConnectionPool._create_connection

    def create_connection(pool: SQLiteConnectionPool) -> SQLiteConnection:
        connection = original(pool)
        connection._sqlite_conn.execute("PRAGMA synchronous=OFF")
        return connection

    SQLiteConnectionPool._create_connection = create_connection  # type: ignore[method-assign,assignment]
    # libpq reads PGOPTIONS for every new connection: the ledger's, the library's and the raw ones.
    os.environ["PGOPTIONS"] = f"{os.environ.get('PGOPTIONS', '')} -c synchronous_commit=off".strip()


def average_state_sizes(ledger: Ledger) -> tuple[float, float]:
    """Average stored state size (bytes) of the registrations and of the other events."""
    sizes: dict[bool, list[int]] = {True: [], False: []}
    after = 0
    while True:
        page = ledger.chained_recorder.select_notifications(after, 1000, inclusive_of_start=False)
        for n in page:
            sizes[n.topic == "staff.registered.v1"].append(len(n.state))
        if len(page) < 1000:
            break
        after = page[-1].id
    return statistics.fmean(sizes[True]), statistics.fmean(sizes[False])


def events_per_aggregate(ledger: Ledger, plan: Plan) -> list[int]:
    active = sorted({s.staff_index for s in plan.commands})
    return [ledger.get_member(plan.registrations[i].kwargs["staff_id"]).version for i in active]


@dataclass
class Sizes:
    registered: float
    command: float


def calibrate(plan: Plan, store: str, postgres_url: str, ledger_env: dict[str, str]) -> Sizes:
    """Run the plan once, untimed, on a scratch store and measure the stored state sizes (the
    bytes are the same on either store: same mapper, same transcoder)."""
    with factory_for(store, postgres_url, ledger_env) as factory:
        ledger = factory.ledger()
        try:
            for step in [*plan.registrations, *plan.commands]:
                run_ledger_step(ledger, step)
            return Sizes(*average_state_sizes(ledger))
        finally:
            ledger.close()


@contextmanager
def factory_for(kind: str, postgres_url: str, ledger_env: dict[str, str]) -> Iterator[StoreFactory]:
    factory = StoreFactory(kind, postgres_url, dict(ledger_env))
    try:
        yield factory
    finally:
        factory.cleanup()
