"""Read-side benchmark: rebuilding every view from a realistic log, beside the library, in one run.

Run by hand (not in CI), from the repository root::

    /work/venv/bin/python bench/rebuild.py                          # 1,000,000 events, both stores
    /work/venv/bin/python bench/rebuild.py --events 50000 --stores sqlite   # a quick run

For each store (a fresh SQLite file in a temp dir; a fresh PostgreSQL schema, dropped afterwards)
it generates a log of about ``--events`` events for ``events / 42`` staff: each year from 2010 to
2025 every person on the roll gets that year's annual rating and usually a course (enrolled, then
completed, failed or withdrawn), sometimes a post-training evaluation, a rotation, an appointment,
a correction or a departure; recognized degrees when they join. Years are saved one batch of
aggregates after another (``app.save(*aggregates)``), so a person's events are spread over the
whole log as they would be in a live ledger, not bunched together.

Then, each in a fresh process (so peak memory is each one's own) and one after another:

* ``read+decode``: every notification read in pages of 1,000 and decoded by the application's
  mapper: the ceiling any projection of this log pays before doing anything.
* ``rebuild``: ``projections.engine.rebuild`` of all three views (standing, credentials,
  statistics) from scratch, in one pass, including index creation and the switch.
* ``library``: the library's ``ProjectionRunner`` keeping the same three views (each event's
  writes and the tracking row in one transaction, which is all that runner can do) over the first
  ``--sample`` events; and ``library-1row``: the same runner with a minimal view (one row per
  event), the least any view costs it. On SQLite the runner runs through a polling subscription
  (the library has none for SQLite; reference notes §2.6).

It prints events/s and peak RSS (of the process and any worker it ran) for each, and the two
ratios the read side aims at: rebuild / library >= 20 and rebuild / read+decode >= 0.5. Rates are
events of the log per second of wall time; the rebuild uses one worker per CPU (``--jobs``).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from eventsourcing.persistence import ListenNotifySubscription, Subscription, Tracking  # noqa: E402
from eventsourcing.postgres import PostgresTrackingRecorder  # noqa: E402
from eventsourcing.projection import Projection, ProjectionRunner  # noqa: E402
from eventsourcing.sqlite import SQLiteTrackingRecorder  # noqa: E402
from eventsourcing.utils import get_topic  # noqa: E402
from psycopg.rows import tuple_row  # noqa: E402
from psycopg.sql import SQL, Identifier  # noqa: E402

from ledger.application import Ledger  # noqa: E402
from ledger.domain import errors  # noqa: E402
from ledger.domain.catalog import TRACKS, Track  # noqa: E402
from ledger.domain.commands import (  # noqa: E402
    Appoint,
    Complete,
    Correct,
    Depart,
    Enroll,
    Evaluate,
    RecognizeCredential,
    Register,
    Rotate,
    Withdraw,
)
from ledger.domain.record import CredentialAward, Evidence, Waiver  # noqa: E402
from ledger.staff import StaffMember  # noqa: E402
from ledger.store.config import StoreConfig  # noqa: E402
from ledger.store.sqlite import ChainedSQLiteRecorder  # noqa: E402
from projections.base import envelopes_for  # noqa: E402
from projections.engine import default_views  # noqa: E402
from projections.log import LogReader  # noqa: E402
from projections.store import _PostgresTx, _SQLiteTx  # noqa: E402

POSTGRES_URL = os.environ.get("LEDGER_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
EVENTS_PER_PERSON = 42
FIRST_YEAR, LAST_YEAR = 2010, 2025
UNITS = ["Văn phòng Cục", "Phòng Tổ chức cán bộ", "Phòng Kế hoạch tài chính", "Phòng Nghiệp vụ 1",
         "Phòng Nghiệp vụ 2", "Phòng Thanh tra", "Chi cục khu vực I", "Chi cục khu vực II"]
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Vũ", "Đặng", "Bùi", "Đỗ"]
MIDDLE = ["Văn", "Thị", "Đức", "Minh", "Thu", "Hồng", "Quốc", "Thanh"]
GIVEN = ["An", "Bình", "Cường", "Dung", "Đạt", "Giang", "Hà", "Hùng", "Lan", "Long", "Mai", "Nam"]
RATINGS = ["excellent", "good", "completed", "not_completed"]
COURSES = [(track, level.code) for track, info in TRACKS.items() for level in info.levels]


# ------------------------------------------------------------------------------ stores


@contextmanager
def fresh_store(kind: str, keep: Path | None) -> Iterator[StoreConfig]:
    if kind == "sqlite":
        if keep is not None:
            keep.mkdir(parents=True, exist_ok=True)
            yield StoreConfig(f"sqlite:///{keep / 'bench-rebuild.db'}")
            return
        with tempfile.TemporaryDirectory(prefix="bench-rebuild-") as folder:
            yield StoreConfig(f"sqlite:///{Path(folder) / 'ledger.db'}")
        return
    schema = f"bench_rebuild_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(SQL("CREATE SCHEMA {0}").format(Identifier(schema)))
    try:
        yield StoreConfig(f"{POSTGRES_URL}?schema={schema}")
    finally:
        if keep is None:
            with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
                conn.execute(SQL("DROP SCHEMA {0} CASCADE").format(Identifier(schema)))


# -------------------------------------------------------------------------- generation


def moment(day: date, rng: random.Random) -> datetime:
    """A recording time a few days after the business date, as registrars work."""
    return datetime(day.year, day.month, day.day, 8, tzinfo=UTC) + timedelta(
        days=rng.randint(0, 20), minutes=rng.randint(0, 600)
    )


class Person:
    def __init__(self, index: int, rng: random.Random, units: Sequence[str] = UNITS) -> None:
        self.staff_id = f"CB{index:06d}"
        self.rng = rng
        self.units = units
        self.joined = date(rng.randint(1995, LAST_YEAR - 1), rng.randint(1, 12), 1)
        self.born = date(self.joined.year - rng.randint(22, 38), rng.randint(1, 12), rng.randint(1, 28))
        self.member: StaffMember | None = None
        self.open: list[str] = []
        self.done: list[str] = []
        self.voidable: list[tuple[str, str | None]] = []  # (event id, enrollment it closed)
        self.gone = False
        self.serial = 0

    def next_id(self, prefix: str) -> str:
        self.serial += 1
        return f"{prefix}{self.serial}"

    def year(self, year: int) -> None:
        """This person's events of one year, on their aggregate (saved later, in a batch)."""
        rng = self.rng
        if self.gone or self.joined.year > year:
            return
        if self.member is None:
            self.start(max(self.joined, date(FIRST_YEAR, 1, 1)) if year == FIRST_YEAR else self.joined)
            return
        member = self.member
        day = date(year, rng.randint(1, 10), rng.randint(1, 28))
        try:
            for enrollment_id in list(self.open):
                self.close(enrollment_id, day)
            for chance in (0.92, 0.35):
                if rng.random() >= chance:
                    continue
                track, level = rng.choice(COURSES)
                enrollment_id = self.next_id("E")
                member.enroll(
                    Enroll(
                        enrollment_id=enrollment_id,
                        course_code=f"{track}-{level}",
                        course_title=f"Bồi dưỡng {track} {level}",
                        track=track,
                        level=level,
                        provider="Trường Chính trị tỉnh",
                        mode=rng.choice(["full_time", "part_time", "online"]),
                        starts_on=day,
                        decision_ref=f"QĐ {rng.randint(1, 999)}/{year}",
                        funding="state_budget",
                        cost=Decimal(rng.randint(1, 90) * 100_000),
                    ),
                    recorded_by="to-chuc",
                    recorded_at=moment(day, rng),
                )
                self.open.append(enrollment_id)
                if rng.random() < 0.85:
                    self.close(enrollment_id, day + timedelta(days=rng.randint(5, 60)))
            if year > self.joined.year:
                member.evaluate(
                    Evaluate(
                        kind="annual",
                        year=year - 1,
                        rating=rng.choices(RATINGS, [2, 6, 3, 0.2])[0],
                        evaluator="Cục trưởng",
                    ),
                    today=date(year, 1, 5),
                    recorded_by="to-chuc",
                    recorded_at=moment(date(year, 1, 5), rng),
                )
                self.voidable.append((member.last_event_id, None))
            if self.done and rng.random() < 0.1:
                member.evaluate(
                    Evaluate(
                        kind="post_training",
                        enrollment_id=self.done[-1],
                        on=day + timedelta(days=90),
                        rating="good",
                        evaluator="Trưởng phòng",
                    ),
                    today=day + timedelta(days=90),
                    recorded_by="to-chuc",
                    recorded_at=moment(day + timedelta(days=90), rng),
                )
                self.done.pop()
                self.voidable = [v for v in self.voidable if v[1] is None]  # now it has dependants
            if rng.random() < 0.05:
                member.rotate(
                    Rotate(
                        to_unit=rng.choice(self.units),
                        kind=rng.choice(["rotation", "transfer", "secondment"]),
                        starts_on=day,
                        ends_on=day + timedelta(days=730),
                        decision_ref=f"QĐ {year}",
                    ),
                    recorded_by="to-chuc",
                    recorded_at=moment(day, rng),
                )
            if rng.random() < 0.04:
                member.appoint(
                    Appoint(
                        position=rng.choice(["Phó trưởng phòng", "Trưởng phòng"]),
                        effective_on=day,
                        decision_ref=f"QĐ bổ nhiệm {year}",
                        waiver=Waiver("Nghị định 29/2024", day + timedelta(days=700), "đang học"),
                    ),
                    recorded_by="to-chuc",
                    recorded_at=moment(day, rng),
                )
            if self.voidable and rng.random() < 0.03:
                # A mix: annual ratings, completions (the course is open again) and degrees.
                event_id, reopened = self.voidable.pop(rng.randrange(len(self.voidable)))
                member.correct(
                    Correct(event_id=event_id, reason="nhập nhầm"),
                    on=day,
                    recorded_by="to-chuc",
                    recorded_at=moment(day, rng) + timedelta(days=30),
                )
                if reopened is not None:
                    self.open.append(reopened)
                    if reopened in self.done:
                        self.done.remove(reopened)
            if rng.random() < 0.012 and not self.open:
                member.depart(
                    Depart(on=date(year, 12, 31), reason="nghỉ hưu"),
                    today=date(year, 12, 31),
                    recorded_by="to-chuc",
                    recorded_at=moment(date(year, 12, 31), rng),
                )
                self.gone = True
        except errors.LedgerError:
            pass  # a generated fact the rules refuse is simply not recorded

    def start(self, joined: date) -> None:
        rng = self.rng
        name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
        self.member = StaffMember.register(
            Register(
                staff_id=self.staff_id,
                full_name=name,
                gender=rng.choice(["female", "male"]),
                birth_date=self.born,
                unit=rng.choice(self.units),
                joined_on=self.joined,
                position="Chuyên viên",
                rank="01.003",
                employment=rng.choices(["civil_servant", "cadre", "contract"], [8, 1, 1])[0],
            ),
            recorded_by="to-chuc",
            recorded_at=moment(joined, rng),
        )
        level = rng.choices(["intermediate", "college", "bachelor", "master"], [1, 1, 6, 2])[0]
        self.member.recognize_credential(
            RecognizeCredential(
                credential_id=self.next_id("K"),
                track=Track.PROFESSIONAL,
                level=level,
                title=f"Bằng {level}",
                issuer="Đại học Quốc gia",
                issued_on=self.joined - timedelta(days=rng.randint(30, 900)),
                number=f"B{rng.randint(10_000, 99_999)}",
                evidence=Evidence("Bản sao công chứng", "Phòng TCCB"),
            ),
            today=joined,
            recorded_by="to-chuc",
            recorded_at=moment(joined, rng),
        )
        self.voidable.append((self.member.last_event_id, None))

    def close(self, enrollment_id: str, day: date) -> None:
        member = self.member
        assert member is not None
        rng = self.rng
        outcome = rng.random()
        if outcome < 0.88:
            member.complete(
                Complete(
                    enrollment_id=enrollment_id,
                    completed_on=day,
                    outcome="passed",
                    score=Decimal(rng.randint(50, 100)) / 10,
                ),
                credential=CredentialAward(self.next_id("C"), "Chứng chỉ", "Trường Chính trị tỉnh", day,
                                           f"CC{rng.randint(1000, 9999)}"),
                today=day,
                recorded_by="to-chuc",
                recorded_at=moment(day, rng),
            )
            self.done.append(enrollment_id)
            self.voidable.append((member.last_event_id, enrollment_id))
        elif outcome < 0.94:
            member.complete(
                Complete(enrollment_id=enrollment_id, completed_on=day, outcome="failed"),
                credential=None,
                today=day,
                recorded_by="to-chuc",
                recorded_at=moment(day, rng),
            )
        else:
            member.withdraw(
                Withdraw(enrollment_id=enrollment_id, on=day, reason="bận công tác"),
                today=day,
                recorded_by="to-chuc",
                recorded_at=moment(day, rng),
            )
        self.open.remove(enrollment_id)


def generate(
    store: StoreConfig, events: int, seed: int = 7, units: Sequence[str] = UNITS
) -> dict[str, Any]:
    """About ``events`` events for ``events / 42`` staff (see the module's notes), saved a year and
    2,000 people at a time. ``units``: the units people join and rotate among (bench/scale.py
    passes units of about 500 people); the default keeps this benchmark's log as it was."""
    rng = random.Random(seed)
    staff = max(1, events // EVENTS_PER_PERSON)
    people = [Person(i, random.Random(rng.random()), units) for i in range(staff)]
    ledger = Ledger(store)
    started = time.perf_counter()
    written = 0
    try:
        for year in range(FIRST_YEAR, LAST_YEAR + 1):
            for chunk_start in range(0, len(people), 2000):
                chunk = people[chunk_start : chunk_start + 2000]
                for person in chunk:
                    person.year(year)
                pending = [p.member for p in chunk if p.member is not None and p.member.pending_events]
                written += sum(len(m.pending_events) for m in pending if m is not None)
                if pending:
                    ledger.save(*pending)
                if written >= events:
                    break
            if written >= events:
                break
    finally:
        ledger.close()
    return {"events": written, "staff": len(people), "seconds": time.perf_counter() - started}


# ------------------------------------------------------------------------- measurements


def peak_rss_mb() -> float:
    """Peak resident memory of this process or of any worker process it ran, in MB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, workers) / 1024


def measure_read_decode(store: StoreConfig) -> dict[str, Any]:
    ledger = Ledger(store)
    try:
        started = time.perf_counter()
        after = count = 0
        to_event = ledger.mapper.to_domain_event
        while True:
            page = ledger.recorder.select_notifications(after, 1000, inclusive_of_start=False)
            for notification in page:
                to_event(notification)
            count += len(page)
            if len(page) < 1000:
                break
            after = page[-1].id
        seconds = time.perf_counter() - started
    finally:
        ledger.close()
    return {"events": count, "seconds": seconds, "rate": count / seconds, "peak_mb": peak_rss_mb()}


def measure_rebuild(store: StoreConfig, page_size: int, jobs: int | None) -> dict[str, Any]:
    from projections import generations
    from projections.engine import default_views, drop_generation, rebuild
    from projections.log import LogReader
    from projections.store import Database

    ledger = Ledger(store)
    try:
        # From scratch, as on a store that has never had views (a re-run must not time the drop
        # of the views the previous run built).
        conn = Database(store).connect()
        generations.ensure_tables(conn)
        with conn.transaction() as tx:
            existing = generations.all_generations(tx)
        views = {view.name: view for view in default_views(ledger)}
        for found in existing:
            if found.view in views:
                drop_generation(conn, views[found.view], found.generation)
        with conn.transaction(write=True) as tx:
            tx.execute(f"DELETE FROM {generations.VIEWS_TABLE}")
        conn.close()
        head = LogReader(ledger).head()
        started = time.perf_counter()
        done = rebuild(ledger, default_views(ledger), page_size=page_size, jobs=jobs)
        seconds = time.perf_counter() - started
        assert all(g.position == head for g in done.values()), done
    finally:
        ledger.close()
    return {"events": head, "seconds": seconds, "rate": head / seconds, "peak_mb": peak_rss_mb()}


class PollingSubscription(ListenNotifySubscription[Any]):
    """The library's listen/notify subscription, woken by a timer (SQLite has no NOTIFY)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._ticker = threading.Thread(target=self._tick, daemon=True)
        self._ticker.start()

    def _tick(self) -> None:
        while not self._has_been_stopped:
            self._has_been_notified.set()
            time.sleep(0.05)


class PollingSQLiteRecorder(ChainedSQLiteRecorder):
    def subscribe(self, gt: int | None = None, topics: Sequence[str] = ()) -> Subscription[Any]:
        return PollingSubscription(self, gt=gt, topics=topics)


class FactsView:
    """One row per event, written with the tracking row: the least a view can do per event."""

    def record(self, originator_id: Any, version: int, tracking: Tracking) -> None:
        raise NotImplementedError


class SQLiteFactsView(SQLiteTrackingRecorder, FactsView):
    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            "CREATE TABLE IF NOT EXISTS facts (originator_id TEXT, version INTEGER, "
            "PRIMARY KEY (originator_id, version))",
        ]

    def record(self, originator_id: Any, version: int, tracking: Tracking) -> None:
        with self.datastore.transaction(commit=True) as c:
            self._insert_tracking(c, tracking)
            c.execute("INSERT INTO facts VALUES (?, ?)", (str(originator_id), version))


class PostgresFactsView(PostgresTrackingRecorder, FactsView):
    def __init__(self, datastore: Any, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        self.facts = SQL("{0}.{1}").format(Identifier(self.datastore.schema), Identifier("library_facts"))
        self.sql_create_statements.append(
            SQL("CREATE TABLE IF NOT EXISTS {0} (originator_id uuid, version bigint, "
                "PRIMARY KEY (originator_id, version))").format(self.facts)
        )

    def record(self, originator_id: Any, version: int, tracking: Tracking) -> None:
        with self.datastore.transaction(commit=True) as curs:
            self._insert_tracking(curs, tracking)
            curs.execute(SQL("INSERT INTO {0} VALUES (%s, %s)").format(self.facts), (originator_id, version))


class FactsProjection(Projection[FactsView]):
    name = "library_facts"

    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        self.view.record(domain_event.originator_id, domain_event.originator_version, tracking)


LIBRARY_GENERATION = 9999  # table names of the ledger's views when the library's runner keeps them


class SameViews:
    """The ledger's views kept by the library's runner: one transaction per event (the
    views' writes and the tracking row), which is all the runner can do."""

    def start_views(self) -> None:
        self.views = default_views()
        self.tables = {view.name: view.table_set(LIBRARY_GENERATION) for view in self.views}
        self.reader: LogReader | None = None

    def wrap(self, cursor: Any) -> Any:
        raise NotImplementedError

    def record_event(self, app: Ledger, domain_event: Any, tracking: Tracking) -> None:
        if self.reader is None:
            self.reader = LogReader(app)
        envelope = self.reader.envelope(tracking.notification_id, domain_event)
        with self.datastore.transaction(commit=True) as cursor:  # type: ignore[attr-defined]
            self._insert_tracking(cursor, tracking)  # type: ignore[attr-defined]
            tx = self.wrap(cursor)
            for view in self.views:
                mine = envelopes_for(view, [envelope])
                if mine:
                    view.apply(tx, self.tables[view.name], mine, self.reader)


class SQLiteSameViews(SQLiteTrackingRecorder, SameViews):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.start_views()

    def create_table(self) -> None:
        super().create_table()
        with self.datastore.transaction(commit=True) as cursor:
            tx = self.wrap(cursor)
            for view in self.views:
                view.create(tx, self.tables[view.name], indexes=True)

    def wrap(self, cursor: Any) -> Any:
        return _SQLiteTx(cursor.sqlite_cursor)


class PostgresSameViews(PostgresTrackingRecorder, SameViews):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.start_views()

    def create_table(self) -> None:
        super().create_table()
        with self.datastore.transaction(commit=True) as cursor:
            tx = self.wrap(cursor)
            for view in self.views:
                view.create(tx, self.tables[view.name], indexes=True)

    def wrap(self, cursor: Any) -> Any:
        cursor.row_factory = tuple_row
        return _PostgresTx(cursor)


class SameViewsProjection(Projection[Any]):
    name = "library_views"
    ledger: Ledger | None = None  # set before the runner starts: its thread starts at once

    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        assert self.ledger is not None
        self.view.record_event(self.ledger, domain_event, tracking)


def measure_library(store: StoreConfig, sample: int, folder: str, same_views: bool) -> dict[str, Any]:
    class BenchLedger(Ledger):
        def __init__(self, env: Any = None) -> None:
            extra = {}
            if store.kind == "sqlite":
                extra["APPLICATION_RECORDER_TOPIC"] = get_topic(PollingSQLiteRecorder)
            super().__init__(store, env=extra)

    ledger = Ledger(store)
    try:
        page = ledger.recorder.select_notifications(0, sample, inclusive_of_start=False)
        target = page[-1].id
    finally:
        ledger.close()
    env = dict(store.application_env())
    projection: type[Any] = SameViewsProjection if same_views else FactsProjection
    if same_views:
        view_class: type[Any] = SQLiteSameViews if store.kind == "sqlite" else PostgresSameViews
    else:
        view_class = SQLiteFactsView if store.kind == "sqlite" else PostgresFactsView
    if store.kind == "sqlite":
        env[f"{projection.name.upper()}_SQLITE_DBNAME"] = str(Path(folder) / "library-view.db")
    if store.kind == "postgresql":
        # The ledger's views name their tables unqualified: point every connection of this
        # process (the library's too, which qualifies its own) at the store's schema.
        schema = store.application_env()["POSTGRES_SCHEMA"]
        os.environ["PGOPTIONS"] = f"-c search_path={schema}"
        # Start from nothing, even on a store measured before.
        stale = ["library_views_tracking", "library_facts_tracking", "library_facts"]
        for view in default_views():
            stale += view.table_set(LIBRARY_GENERATION).names.values()
        with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
            for table in stale:
                drop = SQL("DROP TABLE IF EXISTS {0}.{1}")
                conn.execute(drop.format(Identifier(schema), Identifier(table)))
    reader_ledger = Ledger(store)
    SameViewsProjection.ledger = reader_ledger
    started = time.perf_counter()
    with ProjectionRunner(
        application_class=BenchLedger, projection_class=projection, view_class=view_class, env=env
    ) as runner:
        while (runner.view.max_tracking_id(runner.app.name) or 0) < target:
            runner.run_forever(timeout=0.01)  # re-raises a processing error
        seconds = time.perf_counter() - started
    reader_ledger.close()
    return {"events": len(page), "seconds": seconds, "rate": len(page) / seconds, "peak_mb": peak_rss_mb()}


def measure_reads(store: StoreConfig, repeat: int) -> dict[str, Any]:
    """Median latency of the read side's queries on the rebuilt views, and of read-your-writes."""
    import statistics as stats

    from projections.engine import Engine
    from projections.queries import ReadModel

    ledger = Ledger(store)
    engine = Engine(ledger)
    engine.start()
    reads = ReadModel(ledger, engine=engine)
    try:
        assert reads.catch_up(timeout=600)
        last = reads.directory(limit=1, q="nguyen", status="active").items[0].staff_id
        known = datetime(2019, 6, 30, tzinfo=UTC)
        queries = {
            "standing (current)": lambda: reads.standing(last),
            "standing (as_of 2018-01-01, known_at 2019-06-30)": lambda: reads.standing(
                last, as_of=date(2018, 1, 1), known_at=known
            ),
            "directory, name search, 50 a page": lambda: reads.directory(q="nguyen van an", limit=50),
            "directory, unit + active, 50 a page": lambda: reads.directory(
                unit=UNITS[1], status="active", limit=50
            ),
            "trail of a credential": lambda: reads.trail(
                last, (reads.standing(last) or _none()).credentials[0].credential_id
            ),
            "qualifications report, today": lambda: reads.qualifications(),
            "qualifications report, 2020-12-31 as known 2021-06-30": lambda: reads.qualifications(
                as_of=date(2020, 12, 31), known_at=datetime(2021, 6, 30, tzinfo=UTC)
            ),
            "attendance report, one year": lambda: reads.attendance(date(2021, 1, 1), date(2021, 12, 31)),
            "attendance report, 2010-2025": lambda: reads.attendance(date(2010, 1, 1), date(2025, 12, 31)),
        }
        out: dict[str, Any] = {}
        for name, query in queries.items():
            times = []
            for _ in range(repeat):
                reads._cache.clear()  # every time answered from the views, not remembered
                started = time.perf_counter()
                query()
                times.append(time.perf_counter() - started)
            out[name] = stats.median(times) * 1000
        reads.qualifications()
        started = time.perf_counter()
        reads.qualifications()
        out["qualifications report, asked again (views unchanged)"] = (time.perf_counter() - started) * 1000
        waits = []
        for i in range(repeat):
            result = ledger.rotate(
                last, to_unit=UNITS[i % len(UNITS)], kind="secondment", starts_on=date(2025, 12, 1),
                ends_on=date(2025, 12, 2), decision_ref=f"bench {i}", recorded_by="bench",
            )
            started = time.perf_counter()
            assert reads.wait_for(result.position, timeout=30)
            waits.append(time.perf_counter() - started)
        out["write, then wait_for until every view has it"] = stats.median(waits) * 1000
        return {"latency_ms": out, "peak_mb": peak_rss_mb()}
    finally:
        reads.close()
        engine.stop()
        ledger.close()


def _none() -> Any:
    raise LookupError("no standing")


def worker(task: str, url: str, argument: str) -> None:
    store = StoreConfig(url)
    if task == "generate":
        result = generate(store, int(argument))
    elif task == "read+decode":
        result = measure_read_decode(store)
    elif task == "reads":
        result = measure_reads(store, int(argument))
    elif task == "library-views":
        with tempfile.TemporaryDirectory() as folder:
            result = measure_library(store, int(argument), folder, same_views=True)
    elif task == "rebuild":
        page_size, _, jobs = argument.partition(":")
        result = measure_rebuild(store, int(page_size), int(jobs) if jobs else None)
    else:
        with tempfile.TemporaryDirectory() as folder:
            result = measure_library(store, int(argument), folder, same_views=False)
    print(json.dumps(result))


def run(task: str, store: StoreConfig, argument: int | str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--worker", task, store.url, str(argument)],
        check=True, capture_output=True, text=True, cwd=ROOT,
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def stores(args: argparse.Namespace) -> Iterator[tuple[str, StoreConfig, dict[str, Any]]]:
    """Each store to measure, with its log: given ones as they are, or fresh ones generated."""
    for url in args.url:
        store = StoreConfig(url)
        ledger = Ledger(store)
        try:
            count = int(ledger.recorder.max_notification_id() or 0)
        finally:
            ledger.close()
        print(f"[{store.kind}] measuring the existing log of {count:,} events at {url}")
        yield store.kind, store, {"events": count, "staff": 0, "seconds": 0}
    if args.url:
        return
    for kind in args.stores.split(","):
        with fresh_store(kind, args.keep) as store:
            made = run("generate", store, args.events)
            print(
                f"[{kind}] generated {made['events']:,} events for {made['staff']:,} staff "
                f"in {made['seconds']:.0f} s ({made['events'] / made['seconds']:,.0f} events/s)"
            )
            if args.keep is not None:
                print(f"[{kind}] kept at {store.url}")
            yield kind, store, made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000, help="size of the generated log")
    parser.add_argument("--stores", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql")
    parser.add_argument("--sample", type=int, default=20_000, help="events the library's runner processes")
    parser.add_argument("--page-size", type=int, default=5000, help="events per rebuild transaction")
    parser.add_argument("--reads", type=int, default=0, metavar="N",
                        help="also time the queries on the rebuilt views (median of N runs)")
    parser.add_argument("--jobs", type=int, help="rebuild worker processes (default: one per CPU)")
    parser.add_argument("--keep", type=Path, help="keep the SQLite file in this folder (and the PG schema)")
    parser.add_argument(
        "--url", action="append", default=[],
        help="measure this existing store (a log made by an earlier --keep run) instead of generating one",
    )
    parser.add_argument("--worker", nargs=3, metavar=("TASK", "URL", "ARG"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(*args.worker)
        return
    print(f"Read-side rebuild benchmark: {args.events:,} events, library sample {args.sample:,} events.")
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs.\n")
    rows = []
    for kind, store, made in stores(args):
        results = {
            "read+decode": run("read+decode", store, 0),
            "rebuild": run("rebuild", store, f"{args.page_size}:{args.jobs or ''}"),
            "library": run("library-views", store, args.sample),
            "library-1row": run("library", store, args.sample),
        }
        for name, result in results.items():
            print(
                f"[{kind}] {name:<12} {result['events']:>10,} events in {result['seconds']:8.1f} s"
                f" = {result['rate']:>9,.0f} events/s, peak {result['peak_mb']:,.0f} MB"
            )
        rows.append((kind, made, results))
        if args.reads:
            latencies = run("reads", store, args.reads)["latency_ms"]
            for name, ms in latencies.items():
                print(f"[{kind}] read: {name:<58} {ms:8.1f} ms (median of {args.reads})")
    print()
    print(
        "| store | events | read+decode | rebuild, all views | library runner, same views "
        "| library runner, 1-row view | rebuild / library (same views) | rebuild / read+decode "
        "| peak MB: read+decode, rebuild, library |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for kind, made, r in rows:
        rate = {name: result["rate"] for name, result in r.items()}
        peaks = ", ".join(f"{r[name]['peak_mb']:,.0f}" for name in ("read+decode", "rebuild", "library"))
        print(
            f"| {kind} | {made['events']:,} | {rate['read+decode']:,.0f} | {rate['rebuild']:,.0f} "
            f"| {rate['library']:,.0f} | {rate['library-1row']:,.0f} "
            f"| {rate['rebuild'] / rate['library']:.0f}x | {rate['rebuild'] / rate['read+decode']:.2f} "
            f"| {peaks} |"
        )


if __name__ == "__main__":
    main()
