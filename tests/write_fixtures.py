"""Helpers for the write-side store tests: raw dumps of the log, typed event facts, a capturing Ledger.

Nothing here mocks the store: the dumps read the real tables with raw SQL, and the capturing Ledger
only remembers the events it handed to the real ``save``.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, timedelta
from typing import Any

import psycopg
from psycopg import sql

from ledger.application import Ledger
from ledger.domain.catalog import Employment, Gender
from ledger.service import WriteResult
from ledger.staff import StaffEvent
from ledger.store.config import StoreConfig

BORN = date(1980, 5, 17)
JOINED = date(2005, 3, 1)
REGISTRAR = "to-chuc-can-bo"
# Recording times start here and move forward, so known_at questions have clear answers.
EPOCH = datetime(2025, 1, 6, 8, 0, tzinfo=UTC)

LogDump = tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]


def dump_log(store: StoreConfig) -> LogDump:
    """Every row of the events table and of the chain table, in order, read with raw SQL."""
    env = store.application_env()
    if store.kind == "sqlite":
        with sqlite3.connect(env["SQLITE_DBNAME"]) as conn:
            events = conn.execute(
                "SELECT rowid, originator_id, originator_version, topic, state "
                "FROM stored_events ORDER BY rowid"
            ).fetchall()
            chain = conn.execute("SELECT * FROM stored_events_chain ORDER BY seq").fetchall()
        conn.close()
        return events, chain
    conninfo = {
        "dbname": env["POSTGRES_DBNAME"],
        "host": env["POSTGRES_HOST"],
        "port": env["POSTGRES_PORT"],
        "user": env["POSTGRES_USER"],
    }
    schema = env["POSTGRES_SCHEMA"]
    with psycopg.connect(**conninfo) as conn:
        events = conn.execute(
            sql.SQL(
                "SELECT notification_id, originator_id, originator_version, topic, state "
                "FROM {0}.ledger_events ORDER BY notification_id"
            ).format(sql.Identifier(schema))
        ).fetchall()
        chain = conn.execute(
            sql.SQL("SELECT * FROM {0}.ledger_events_chain ORDER BY seq").format(sql.Identifier(schema))
        ).fetchall()
    return [tuple(r) for r in events], [tuple(r) for r in chain]


def typed_facts(event: StaffEvent) -> dict[str, tuple[type, str]]:
    """An event's attributes as (exact type, repr): equal only if types, enum members, Decimal
    exponents, dates, time zones and strings all survived exactly."""
    return {name: (type(value), repr(value)) for name, value in sorted(vars(event).items())}


def event_summary(event: StaffEvent) -> tuple[str, int, dict[str, tuple[type, str]]]:
    return type(event).__name__, event.originator_version, typed_facts(event)


class CapturingLedger(Ledger):
    """A real Ledger that also keeps, in memory, the events it saved successfully."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.saved: list[StaffEvent] = []

    def save(self, *objs: Any, **kwargs: Any) -> Any:
        pending = [event for obj in objs for event in getattr(obj, "pending_events", ())]
        recordings = super().save(*objs, **kwargs)
        self.saved.extend(pending)
        return recordings


class Ticker:
    """Recording times one minute apart, from EPOCH."""

    def __init__(self, start: datetime = EPOCH) -> None:
        self.now = start

    def __call__(self) -> datetime:
        self.now += timedelta(minutes=1)
        return self.now


def register(ledger: Ledger, staff_id: str = "NV001", **overrides: Any) -> WriteResult:
    fields: dict[str, Any] = {
        "staff_id": staff_id,
        "full_name": "Nguyễn Thị Hồng Nhung",
        "gender": Gender.FEMALE,
        "birth_date": BORN,
        "unit": "Phòng Tổ chức cán bộ",
        "joined_on": JOINED,
        "position": "Chuyên viên",
        "rank": "01.003",
        "employment": Employment.CIVIL_SERVANT,
        "recorded_by": REGISTRAR,
    }
    fields.update(overrides)
    return ledger.register(**fields)
