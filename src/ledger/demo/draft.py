"""The plan being drawn: one seeded generator that every stage draws from, in a fixed order, and the
helpers the stages share (numbers, ids, days). Reordering any draw changes every seed's demo."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from ledger.demo.agency import SNAPSHOT
from ledger.demo.model import Course, Op, Person, weekday_on_or_after
from ledger.domain.catalog import Mode
from ledger.domain.record import Evidence


class Draft:
    """The plan being drawn: the seeded generator, the people, courses and commands so far, and
    the counters that number decisions, certificates, enrollments and credentials."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.rng = random.Random(f"ledger-demo:{seed}")
        self.people: dict[str, Person] = {}
        self.courses: list[Course] = []
        self.ops: list[Op] = []
        self.enrollment_counter: Counter[str] = Counter()
        self.credential_counter: Counter[str] = Counter()
        self.decision_counter = 0
        self.certificate_counter = 0

    def p(self, key: str) -> Person:
        return self.people[key]

    def op(self, person: str, command: str, order: date, lag: str = "normal", /, **args: Any) -> Op:
        voids = args.pop("voids", None)
        new = Op(staff_key=person, kind=command, order=order, args=args, lag=lag, voids=voids)
        self.ops.append(new)
        return new

    def decision(self, day: date, issuer: str = "QĐ-CT") -> str:
        self.decision_counter += self.rng.randint(3, 19)
        return f"{self.decision_counter % 3000 + 1}/{issuer}"

    def certificate(self, prefix: str, year: int) -> str:
        self.certificate_counter += 1
        return f"{prefix}{year % 100:02d}.{self.rng.randint(1000, 99999):05d}"

    def enrollment_id(self, person: str) -> str:
        self.enrollment_counter[person] += 1
        return f"{self.p(person).staff_id}-K{self.enrollment_counter[person]:02d}"

    def credential_id(self, person: str) -> str:
        self.credential_counter[person] += 1
        return f"{self.p(person).staff_id}-VB{self.credential_counter[person]:02d}"

    def evidence(self, person: str, what: str) -> Evidence:
        verifier = self.p("PTP_TCHC_A")
        return Evidence(
            document_ref=f"Phiếu 2C hồ sơ {self.p(person).staff_id}: {what}",
            verified_by=f"{verifier.full_name}, Phó trưởng phòng Tổ chức – Hành chính",
        )

    def random_day(self, year: int, months: tuple[int, int]) -> date:
        month = self.rng.randint(*months)
        return date(year, month, self.rng.randint(1, 28))

    def pick_start(
        self,
        person: Person,
        year: int,
        months: tuple[int, int],
        days: int,
        *,
        blocking: bool = True,
        must_end_by: date | None = None,
        tries: int = 60,
    ) -> date | None:
        """A Monday-ish start in ``months`` of ``year`` on which the person is on the roll and
        free for ``days`` (when the course is full time)."""
        for _ in range(tries):
            start = weekday_on_or_after(self.random_day(year, months))
            if start.year != year:
                continue
            end = start + timedelta(days=days - 1)
            last = end if must_end_by is None else max(end, must_end_by)
            if not person.on_roll(start) or not person.on_roll(min(last, SNAPSHOT)):
                continue
            if blocking and not person.is_free(start - timedelta(days=1), end + timedelta(days=1)):
                continue
            return start
        return None

    def add_course(self, course: Course, blocking: bool = True) -> Course:
        person = self.p(course.person)
        course.enrollment_id = self.enrollment_id(course.person)
        if blocking and course.mode not in (Mode.PART_TIME, Mode.ONLINE):
            person.busy.append((course.starts_on, course.ends_on))
        self.courses.append(course)
        return course


def weighted_choice(rng: random.Random, items: Sequence[tuple[str, int]]) -> str:
    return rng.choices([i for i, _ in items], weights=[w for _, w in items])[0]


def weighted_sample(rng: random.Random, items: Sequence[Any], weights: Sequence[float], k: int) -> list[Any]:
    """``k`` distinct items, drawn with the given weights (Efraimidis–Spirakis)."""
    keyed = sorted(((rng.random() ** (1.0 / w), index) for index, w in enumerate(weights)), reverse=True)
    return [items[index] for _, index in keyed[:k]]
