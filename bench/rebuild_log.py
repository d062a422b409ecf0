"""The read-side benchmarks' log: a seeded agency of people with 42 events each on average, written
into a fresh store (bench/rebuild.py, and bench/scale.py, which loads this file by its path)."""

from __future__ import annotations

import os
import random
import resource
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
from psycopg.sql import SQL, Identifier

from ledger.application import Ledger
from ledger.domain import errors
from ledger.domain.catalog import TRACKS, Track
from ledger.domain.commands import (
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
from ledger.domain.record import CredentialAward, Evidence, Waiver
from ledger.staff import StaffMember
from ledger.store.config import StoreConfig

EVENTS_PER_PERSON = 42


POSTGRES_URL = os.environ.get("LEDGER_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
FIRST_YEAR, LAST_YEAR = 2010, 2025


UNITS = ["Văn phòng Cục", "Phòng Tổ chức cán bộ", "Phòng Kế hoạch tài chính", "Phòng Nghiệp vụ 1",
         "Phòng Nghiệp vụ 2", "Phòng Thanh tra", "Chi cục khu vực I", "Chi cục khu vực II"]


FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Vũ", "Đặng", "Bùi", "Đỗ"]


MIDDLE = ["Văn", "Thị", "Đức", "Minh", "Thu", "Hồng", "Quốc", "Thanh"]


GIVEN = ["An", "Bình", "Cường", "Dung", "Đạt", "Giang", "Hà", "Hùng", "Lan", "Long", "Mai", "Nam"]


RATINGS = ["excellent", "good", "completed", "not_completed"]


COURSES = [(track, level.code) for track, info in TRACKS.items() for level in info.levels]


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


def peak_rss_mb() -> float:
    """Peak resident memory of this process or of any worker process it ran, in MB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, workers) / 1024
