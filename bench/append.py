"""Write-side benchmark: ledger commands beside the bare ``eventsourcing`` library, in one run.

Run by hand (not in CI), from the repository root::

    /work/venv/bin/python bench/append.py                          # 3 runs x 2,000 commands, both stores
    /work/venv/bin/python bench/append.py --quick --stores sqlite  # smoke run, a few seconds

Each run, on each store (a fresh SQLite file in a temp dir; a fresh PostgreSQL schema, dropped
afterwards), measures two scenarios, one event per save:

* ``register``: ``Ledger.register`` of new staff, beside the bare library saving one event on a
  new aggregate.
* ``command``: ledger commands (enroll, complete, evaluate, rotate, appoint, recognize, withdraw,
  correct) spread over some of those staff, through the whole application (load and replay the
  staff member, check the rules, trigger, save with hash chaining), beside the bare library doing
  the same load + trigger + save on a minimal aggregate whose one ``@event`` method carries a
  payload padded to the ledger's average stored state size. The aggregates grow alike on both
  sides (same sequence of aggregate indices), to ~15-50 events.

The two sides run in lock-step, step by step, on their own stores (ledger step i, then library
step i; the order flips every run), so a busy disk or a neighbour's test run slows both alike and
the ratio stays meaningful on a shared 2-core machine. The state size to pad to is measured from
an untimed ledger pass (calibration) and again from each timed ledger store.

Printed: events/s per side as the median of the runs with min..max, the ratio ledger / library
(median of the per-run ratios), the CPU time per event of each side (this process: Python,
drivers, SQLite itself; not the PostgreSQL server), the measured sizes, and the raw-driver
ceiling (one commit per row). Diagnostics: ``--profile`` (cProfile of one ledger command pass),
``--no-fsync`` (commits skip the disk flush, to see the software's own cost), ``--ledger-env``
(try the ledger with another recorder or mapper, e.g. a candidate optimisation).
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import io
import os
import pstats
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, DomainEventProtocol, event
from eventsourcing.sqlite import SQLiteConnection, SQLiteConnectionPool

from ledger.application import Ledger
from ledger.domain.catalog import (
    TRACKS,
    EvaluationKind,
    Funding,
    Gender,
    Mode,
    Outcome,
    Rating,
    RotationKind,
    Track,
)
from ledger.domain.record import Evidence, Waiver
from ledger.service import CredentialDetails
from ledger.store.config import StoreConfig

DEFAULT_POSTGRES_URL = os.environ.get(
    "LEDGER_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
COMMANDS_PER_STAFF = 30  # average; with uniform spreading, staff end at ~15-50 events
STORES = ("sqlite", "postgresql")


# --------------------------------------------------------------------------- the workload


@dataclass(frozen=True)
class Step:
    """One write: a ``Ledger`` method, the staff member it targets, its arguments."""

    method: str
    staff_index: int
    kwargs: dict[str, Any]


@dataclass
class _Person:
    """What the planner knows of a staff member, so that every planned command is valid."""

    staff_id: str
    joined_on: date
    today: date
    version: int = 1
    open_enrollments: dict[str, date] = field(default_factory=dict)
    completed: dict[str, date] = field(default_factory=dict)  # passed, not yet evaluated
    rated_years: dict[int, int] = field(default_factory=dict)  # year -> version of the rating
    credentials: int = 0


@dataclass(frozen=True)
class Plan:
    registrations: list[Step]
    commands: list[Step]


UNITS = ("Phòng Tổ chức cán bộ", "Văn phòng Sở", "Phòng Kế hoạch – Tài chính", "Thanh tra Sở",
         "Chi cục Thủy lợi", "Trung tâm Khuyến nông")
POSITIONS = ("Chuyên viên", "Phó Trưởng phòng", "Trưởng phòng", "Phó Chánh Văn phòng")
NAMES = ("Nguyễn Thị Hương", "Trần Văn Đức", "Lê Thị Ánh Tuyết", "Phạm Quốc Việt", "Hoàng Minh Châu",
         "Võ Thị Thanh Hằng", "Đặng Hữu Phước", "Bùi Thị Ngọc Lan")
COURSES = (
    (Track.STATE_MANAGEMENT, "principal", "Bồi dưỡng ngạch chuyên viên chính",
     "Học viện Hành chính Quốc gia"),
    (Track.STATE_MANAGEMENT, "specialist", "Bồi dưỡng ngạch chuyên viên", "Trường Chính trị tỉnh"),
    (Track.POLITICAL_THEORY, "intermediate", "Trung cấp lý luận chính trị – hành chính",
     "Trường Chính trị tỉnh"),
    (Track.IT, "basic", "Ứng dụng công nghệ thông tin cơ bản", "Trung tâm Tin học – Ngoại ngữ"),
    (Track.FOREIGN_LANGUAGE, "level3", "Tiếng Anh bậc 3 (B1)", "Đại học Ngoại ngữ"),
    (Track.LEADERSHIP, "division", "Bồi dưỡng lãnh đạo cấp phòng", "Học viện Hành chính Quốc gia"),
    (Track.DEFENSE_SECURITY, "group4", "Kiến thức quốc phòng và an ninh đối tượng 4",
     "Trường Quân sự tỉnh"),
    (Track.OTHER, None, "Kỹ năng soạn thảo văn bản hành chính", "Sở Nội vụ"),
)


def make_plan(registrations: int, commands: int, *, seed: int = 2024) -> Plan:
    """Register ``registrations`` staff, then ``commands`` valid commands spread uniformly over
    the first ``commands // COMMANDS_PER_STAFF`` of them (deterministic for a given seed)."""
    rng = random.Random(seed)
    people: list[_Person] = []
    regs: list[Step] = []
    for i in range(registrations):
        staff_id = f"CB{i + 1:05d}"
        birth = date(1965 + rng.randrange(30), 1 + rng.randrange(12), 1 + rng.randrange(28))
        joined = date(birth.year + 22 + rng.randrange(8), 1 + rng.randrange(12), 1 + rng.randrange(28))
        people.append(_Person(staff_id, joined, joined))
        regs.append(
            Step(
                "register",
                i,
                {
                    "staff_id": staff_id,
                    "full_name": rng.choice(NAMES),
                    "gender": rng.choice(list(Gender)),
                    "birth_date": birth,
                    "unit": rng.choice(UNITS),
                    "joined_on": joined,
                    "position": "Chuyên viên",
                    "rank": "01.003",
                    "recorded_by": "hr-officer",
                },
            )
        )
    active = max(1, min(registrations, commands // COMMANDS_PER_STAFF))
    steps = [_next_command(rng, people[index], index) for index in
             (rng.randrange(active) for _ in range(commands))]
    return Plan(regs, steps)


def _next_command(rng: random.Random, p: _Person, index: int) -> Step:
    """A command valid for ``p`` in its current state; updates the planner's copy of that state."""
    p.today += timedelta(days=5 + rng.randrange(40))
    p.version += 1
    options: list[tuple[str, int]] = [("rotate", 4), ("appoint", 3), ("recognize", 5)]
    if len(p.open_enrollments) < 2:
        options.append(("enroll", 30))
    if p.open_enrollments:
        options += [("complete", 28), ("fail", 3), ("withdraw", 3)]
    if p.completed:
        options.append(("evaluate_course", 10))
    if p.today.year not in p.rated_years:
        options.append(("evaluate_year", 8))
    if p.rated_years:
        options.append(("correct", 2))
    kind = rng.choices([o[0] for o in options], weights=[o[1] for o in options])[0]
    by = {"recorded_by": "hr-officer"}
    sid = p.staff_id
    if kind == "enroll":
        track, level, title, provider = rng.choice(COURSES)
        eid = f"{sid}-E{p.version}"
        p.open_enrollments[eid] = p.today
        return Step("enroll", index, {
            "staff_id": sid, "enrollment_id": eid, "course_code": f"BD-{rng.randrange(100, 999)}",
            "course_title": title, "track": track, "level": level, "provider": provider,
            "mode": rng.choice(list(Mode)), "starts_on": p.today,
            "ends_on": p.today + timedelta(days=60), "decision_ref": f"{rng.randrange(100, 999)}/QĐ-SNV",
            "funding": Funding.STATE_BUDGET, "cost": Decimal(rng.randrange(500, 9000)) * 1000, **by,
        })
    if kind in ("complete", "fail", "withdraw"):
        eid = rng.choice(sorted(p.open_enrollments))
        del p.open_enrollments[eid]
        if kind == "withdraw":
            return Step("withdraw", index, {
                "staff_id": sid, "enrollment_id": eid, "on": p.today,
                "reason": "Được cử đi công tác đột xuất", **by,
            })
        if kind == "complete":
            p.completed[eid] = p.today
        return Step("complete", index, {
            "staff_id": sid, "enrollment_id": eid, "completed_on": p.today,
            "outcome": Outcome.PASSED if kind == "complete" else Outcome.FAILED,
            "credential": CredentialDetails(number=f"GCN-{rng.randrange(10**5, 10**6)}")
            if kind == "complete" else None,
            "score": Decimal(rng.randrange(50, 100)) / 10, **by,
        })
    if kind == "evaluate_course":
        eid = rng.choice(sorted(p.completed))
        del p.completed[eid]
        return Step("evaluate", index, {
            "staff_id": sid, "kind": EvaluationKind.POST_TRAINING, "rating": rng.choice(list(Rating)),
            "evaluator": "Trưởng phòng", "enrollment_id": eid, "on": p.today,
            "notes": "Vận dụng tốt kiến thức vào công việc", **by,
        })
    if kind == "evaluate_year":
        p.rated_years[p.today.year] = p.version
        return Step("evaluate", index, {
            "staff_id": sid, "kind": EvaluationKind.ANNUAL, "rating": rng.choice(list(Rating)),
            "evaluator": "Giám đốc Sở", "year": p.today.year, **by,
        })
    if kind == "correct":
        year = rng.choice(sorted(p.rated_years))
        voided = p.rated_years.pop(year)
        return Step("correct", index, {
            "staff_id": sid, "event_id": f"{sid}:{voided}", "reason": "Nhập nhầm xếp loại", **by,
        })
    if kind == "rotate":
        return Step("rotate", index, {
            "staff_id": sid, "to_unit": rng.choice(UNITS), "kind": RotationKind.ROTATION,
            "starts_on": p.today, "ends_on": p.today + timedelta(days=365),
            "decision_ref": f"{rng.randrange(100, 999)}/QĐ-UBND", **by,
        })
    if kind == "appoint":
        # With a waiver, so that the appointment stands whatever the position standard asks.
        return Step("appoint", index, {
            "staff_id": sid, "position": rng.choice(POSITIONS), "effective_on": p.today,
            "decision_ref": f"{rng.randrange(100, 999)}/QĐ-UBND",
            "waiver": Waiver(legal_basis="Quyết định 27/2023/QĐ-UBND", deadline=p.today + timedelta(days=730),
                             reason="Bổ nhiệm có thời hạn, cam kết hoàn thiện tiêu chuẩn"), **by,
        })
    p.credentials += 1
    track = rng.choice([Track.IT, Track.FOREIGN_LANGUAGE])
    return Step("recognize_credential", index, {
        "staff_id": sid, "credential_id": f"{sid}-C{p.credentials}", "track": track,
        "level": TRACKS[track].levels[0].code, "title": "Chứng chỉ ngoài kế hoạch",
        "issuer": "Đại học Sư phạm", "issued_on": p.today, "number": f"CC-{rng.randrange(10**5, 10**6)}",
        "evidence": Evidence(document_ref=f"Bản sao chứng thực số {rng.randrange(1000, 9999)}"), **by,
    })


def run_ledger_step(ledger: Ledger, step: Step) -> None:
    try:
        _run(ledger, step)
    except Exception as error:
        error.add_note(f"bench/append.py: the ledger refused planned step {step.method} on staff #"
                       f"{step.staff_index}; the planner is out of step with the domain's rules")
        raise


def _run(ledger: Ledger, step: Step) -> None:
    kwargs = dict(step.kwargs)
    if step.method == "register":
        ledger.register(**kwargs)
        return
    staff_id = kwargs.pop("staff_id")
    if step.method in ("complete", "withdraw"):
        getattr(ledger, step.method)(staff_id, kwargs.pop("enrollment_id"), **kwargs)
    else:
        getattr(ledger, step.method)(staff_id, **kwargs)


# --------------------------------------------------------------------------- the baseline


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


def _created_event(payload: str) -> DomainEventProtocol[UUID]:
    return Item(payload=payload).collect_events()[0]


def _touched_event(payload: str) -> DomainEventProtocol[UUID]:
    item = Item(payload="")
    item.touch(payload)
    return item.collect_events()[1]


# --------------------------------------------------------------------------- stores


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


# --------------------------------------------------------------------------- one pass


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


@dataclass
class Clock:
    """Wall and CPU time spent in the timed calls of one side."""

    wall: float = 0.0
    cpu: float = 0.0
    count: int = 0

    def time(self, call: Callable[[], None]) -> None:
        wall, cpu = time.perf_counter(), time.process_time()
        call()
        self.cpu += time.process_time() - cpu
        self.wall += time.perf_counter() - wall
        self.count += 1

    @property
    def rate(self) -> float:
        return self.count / self.wall

    @property
    def cpu_us(self) -> float:
        return self.cpu / self.count * 1e6


@dataclass
class PassResult:
    ledger: dict[str, Clock]
    bare: dict[str, Clock]
    sizes: Sizes
    lengths: list[int]


def paired_pass(factory: StoreFactory, plan: Plan, sizes: Sizes, *, ledger_first: bool) -> PassResult:
    """Both sides on fresh stores, step by step in lock-step (ledger step i, then library step i,
    or the other way round), so that a slow disk or a busy neighbour slows both alike."""
    ledger = factory.ledger()
    app = factory.bare()
    try:
        created_payload = padding_for(app, sizes.registered, _created_event)
        touched_payload = padding_for(app, sizes.command, _touched_event)
        ids: list[UUID] = []

        def create() -> None:
            item = Item(payload=created_payload)
            app.save(item)
            ids.append(item.id)

        def touch(index: int) -> None:
            item: Item = app.repository.get(ids[index])
            item.touch(touched_payload)
            app.save(item)

        bare_call: dict[str, Callable[[Step], Callable[[], None]]] = {
            "register": lambda step: create,
            "command": lambda step: functools.partial(touch, step.staff_index),
        }
        result = PassResult({}, {}, sizes, [])
        for scenario, steps in (("register", plan.registrations), ("command", plan.commands)):
            mine = result.ledger[scenario] = Clock()
            theirs = result.bare[scenario] = Clock()
            for step in steps:
                pair: list[tuple[Clock, Callable[[], None]]] = [
                    (mine, functools.partial(run_ledger_step, ledger, step)),
                    (theirs, bare_call[scenario](step)),
                ]
                for clock, call in pair if ledger_first else reversed(pair):
                    clock.time(call)
        result.sizes = Sizes(*average_state_sizes(ledger))
        result.lengths = events_per_aggregate(ledger, plan)
        return result
    finally:
        ledger.close()
        app.close()


def profile_ledger_commands(factory: StoreFactory, plan: Plan, top: int = 30) -> str:
    ledger = factory.ledger()
    try:
        for step in plan.registrations:
            run_ledger_step(ledger, step)
        profiler = cProfile.Profile()
        profiler.enable()
        for step in plan.commands:
            run_ledger_step(ledger, step)
        profiler.disable()
    finally:
        ledger.close()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    return out.getvalue()


# --------------------------------------------------------------------------- report


@dataclass
class Samples:
    ledger: list[Clock] = field(default_factory=list)
    bare: list[Clock] = field(default_factory=list)

    def ratios(self) -> list[float]:
        return [a.rate / b.rate for a, b in zip(self.ledger, self.bare, strict=True)]


def spread(values: Sequence[float], fmt: str = "{:,.0f}") -> str:
    median = fmt.format(statistics.median(values))
    if len(values) == 1:
        return median
    return f"{median} ({fmt.format(min(values))}..{fmt.format(max(values))})"


SCENARIO_LABELS = {
    "register": "register (new aggregate, 1 event/save)",
    "command": "command (load + rules + 1 event + save)",
}


def table(rows: Sequence[Sequence[str]], left: int = 2) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = [
        " | ".join(
            c.ljust(w) if i < left else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True))
        )
        for r in rows
    ]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines)


def results_table(samples: dict[tuple[str, str], Samples]) -> str:
    rows = [("scenario", "store", "events/s ledger", "events/s baseline", "ratio")]
    for (scenario, store), s in samples.items():
        rows.append((
            SCENARIO_LABELS[scenario],
            store,
            spread([c.rate for c in s.ledger]),
            spread([c.rate for c in s.bare]),
            spread(s.ratios(), "{:.2f}"),
        ))
    return table(rows)


def cpu_table(samples: dict[tuple[str, str], Samples]) -> str:
    rows = [("scenario", "store", "CPU us/event ledger", "CPU us/event baseline", "extra CPU us")]
    for (scenario, store), s in samples.items():
        mine = statistics.median(c.cpu_us for c in s.ledger)
        theirs = statistics.median(c.cpu_us for c in s.bare)
        rows.append((scenario, store, f"{mine:,.0f}", f"{theirs:,.0f}", f"{mine - theirs:+,.0f}"))
    return table(rows)


# --------------------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per store (median reported)")
    parser.add_argument("--events", type=int, default=2000, help="ledger commands per run")
    parser.add_argument("--registrations", type=int, default=None,
                        help="staff registered per run (default: events / 4)")
    parser.add_argument("--stores", default=",".join(STORES), help="comma-separated: sqlite,postgresql")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--quick", action="store_true", help="smoke run: 1 run, 150 commands")
    parser.add_argument("--ledger-env", action="append", default=[], metavar="KEY=VALUE",
                        help="extra environment for the Ledger (repeatable), e.g. to try another "
                        "recorder with APPLICATION_RECORDER_TOPIC=module:Class")
    parser.add_argument("--no-fsync", action="store_true",
                        help="diagnostic: commit without waiting for the disk (SQLite synchronous=OFF, "
                        "PostgreSQL synchronous_commit=off) to see the software's own cost")
    parser.add_argument("--profile", action="store_true",
                        help="after the runs, cProfile one ledger command pass per store")
    args = parser.parse_args(argv)
    if args.quick:
        args.runs, args.events = 1, 150
    args.stores = [s.strip() for s in args.stores.split(",") if s.strip()]
    unknown = [s for s in args.stores if s not in STORES]
    if unknown:
        parser.error(f"unknown store(s) {', '.join(unknown)}; choose from {', '.join(STORES)}")
    if args.registrations is None:
        args.registrations = max(args.events // 4, args.events // COMMANDS_PER_STAFF, 1)
    if args.runs < 1 or args.events < 1:
        parser.error("--runs and --events must be at least 1")
    env: dict[str, str] = {}
    for item in args.ledger_env:
        key, sep, value = item.partition("=")
        if not sep or not key:
            parser.error(f"--ledger-env expects KEY=VALUE, not '{item}'")
        env[key] = value
    args.ledger_env = env
    return args


@contextmanager
def factory_for(kind: str, postgres_url: str, ledger_env: dict[str, str]) -> Iterator[StoreFactory]:
    factory = StoreFactory(kind, postgres_url, dict(ledger_env))
    try:
        yield factory
    finally:
        factory.cleanup()


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.no_fsync:
        disable_fsync()
    plan = make_plan(args.registrations, args.events, seed=args.seed)
    mix: dict[str, int] = {}
    for step in plan.commands:
        mix[step.method] = mix.get(step.method, 0) + 1
    print(f"bench/append.py: {args.runs} run(s); per run {len(plan.registrations)} registrations, "
          f"{len(plan.commands)} commands; stores: {', '.join(args.stores)}; "
          f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
    print("command mix: " + ", ".join(f"{k} {v}" for k, v in sorted(mix.items(), key=lambda kv: -kv[1])))
    if args.no_fsync:
        print("NO FSYNC (diagnostic): commits do not wait for the disk; not the figures to publish")
    if args.ledger_env:
        print("ledger env: " + ", ".join(f"{k}={v}" for k, v in args.ledger_env.items()))
    sizes = calibrate(plan, args.stores[0], args.postgres_url, args.ledger_env)
    print(f"calibration ({args.stores[0]} ledger store, untimed): average stored state "
          f"{sizes.registered:,.0f} B per registration, {sizes.command:,.0f} B per command event; "
          "baseline payloads padded to match")
    samples: dict[tuple[str, str], Samples] = {}
    last: dict[str, PassResult] = {}
    raw: dict[str, list[float]] = {}
    for run in range(args.runs):
        for store in args.stores:
            with factory_for(store, args.postgres_url, args.ledger_env) as factory:
                # Alternate which side goes first in each pair, in case going first matters.
                result = paired_pass(factory, plan, sizes, ledger_first=run % 2 == 0)
                raw.setdefault(store, []).append(
                    factory.raw_one_commit_per_row(min(args.events, 2000), round(sizes.command))
                )
            last[store] = result
            for scenario in ("register", "command"):
                s = samples.setdefault((scenario, store), Samples())
                s.ledger.append(result.ledger[scenario])
                s.bare.append(result.bare[scenario])
            print(f"  run {run + 1}/{args.runs} {store}: command ledger "
                  f"{result.ledger['command'].rate:,.0f}/s, baseline {result.bare['command'].rate:,.0f}/s; "
                  f"load average {os.getloadavg()[0]:.2f}", flush=True)
    print()
    print(results_table(samples))
    print()
    print(cpu_table(samples))
    print()
    for store in args.stores:
        result = last[store]
        n = result.lengths
        print(f"{store}: measured in the timed ledger store: average stored state "
              f"{result.sizes.registered:,.0f} B per registration, {result.sizes.command:,.0f} B per command "
              f"event; events per staff member at the end {min(n)}..{max(n)} "
              f"(mean {statistics.fmean(n):.0f})")
    for store in args.stores:
        print(f"raw driver ceiling, {store}, 1 commit per row: {spread(raw[store])} rows/s")
    if args.profile:
        for store in args.stores:
            with factory_for(store, args.postgres_url, args.ledger_env) as factory:
                print(f"\n===== cProfile: ledger commands on {store} =====")
                print(profile_ledger_commands(factory, plan))
    return 0


if __name__ == "__main__":
    sys.exit(main())
