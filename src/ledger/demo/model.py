"""The demo as data: people, courses, commands, the whole plan, and what a load recorded."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from ledger.dates import add_months
from ledger.demo.agency import AGENCY_POSTS, DIVISION_POSTS, KEY_HR, SNAPSHOT, UNIT_FACT_KINDS, WINDOW_START
from ledger.demo.roster import Role
from ledger.demo.targets import IN_SCOPE_TRACKS
from ledger.domain.catalog import Employment, Funding, Gender, Mode, Track


@dataclass(frozen=True)
class DemoSummary:
    """What ``load_demo`` recorded: enough to find every person and edge case again."""

    seed: int
    snapshot: date
    agency: str
    agency_renamed: str
    agency_renamed_on: date
    staff_ids: tuple[str, ...]
    current_staff_ids: tuple[str, ...]
    former_staff_ids: tuple[str, ...]
    events: int
    first_position: int
    last_position: int
    edge_cases: dict[str, tuple[str, ...]]
    planning_pool: tuple[str, ...]
    corrections: tuple[str, ...]
    waived_appointments: tuple[str, ...]
    job_rotations: tuple[str, ...] = ()  # transfers that are anti-corruption job rotations (CĐVT)
    internal_moves: tuple[str, ...] = ()  # other transfers between divisions
    names: dict[str, str] = field(default_factory=dict)


@dataclass
class Person:
    role: Role
    staff_id: str = ""
    full_name: str = ""
    birth_date: date = date(1970, 1, 1)
    joined_on: date = date(2000, 1, 1)
    departed_on: date | None = None
    go_live: date | None = None  # the day the dossier was imported (staff on the roll in 2019)
    # (day, post) set by appointments and transfers, and (start, end, post) of rotations away
    posts: list[tuple[date, str]] = field(default_factory=list)
    rotations: list[tuple[date, date, str]] = field(default_factory=list)
    units: list[tuple[date, str]] = field(default_factory=list)
    busy: list[tuple[date, date]] = field(default_factory=list)

    @property
    def key(self) -> str:
        return self.role.key

    @property
    def female(self) -> bool:
        return self.role.gender == Gender.FEMALE

    @property
    def civil_servant(self) -> bool:
        return self.role.employment == Employment.CIVIL_SERVANT

    def on_roll(self, day: date) -> bool:
        return self.joined_on <= day and (self.departed_on is None or day < self.departed_on)

    def age_on(self, day: date) -> int:
        born = self.birth_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    def post_on(self, day: date) -> str:
        for start, end, post in self.rotations:
            if start <= day <= end:
                return post
        current = self.role.position
        for start, post in sorted(self.posts):
            if start <= day:
                current = post
        return current

    def unit_on(self, day: date) -> str:
        current = self.role.reg_unit or self.role.unit
        for start, unit in sorted(self.units):
            if start <= day:
                current = unit
        return current

    def post_kind_on(self, day: date) -> str:
        post = self.post_on(day)
        return "agency" if post in AGENCY_POSTS else "division" if post in DIVISION_POSTS else "none"

    def is_free(self, start: date, end: date) -> bool:
        return all(end < b_start or start > b_end for b_start, b_end in self.busy)


@dataclass
class Course:
    person: str
    kind: str
    code: str
    title: str
    track: Track
    level: str | None
    provider: str
    starts_on: date
    ends_on: date
    mode: Mode = Mode.FULL_TIME
    status: str = "completed"  # completed, enrolled (in progress), withdrawn, failed
    closed_on: date | None = None
    funding: Funding = Funding.STATE_BUDGET
    cost: Decimal | None = None
    country: str = "VN"
    decision_ref: str = ""
    enrollment_id: str = ""
    credential_id: str | None = None
    credential_title: str | None = None
    credential_number: str | None = None
    score: Decimal | None = None
    reason: str | None = None
    awards_level: bool = True

    @property
    def in_scope(self) -> bool:
        return self.track in IN_SCOPE_TRACKS and WINDOW_START <= self.starts_on <= SNAPSHOT


@dataclass
class Op:
    """One command of the plan, in the order it is recorded."""

    staff_key: str
    kind: str
    order: date  # business date that orders a person's commands (causal order)
    args: dict[str, Any]
    lag: str = "normal"  # how long after ``order`` it is recorded: golive, prompt, normal, late, at
    key: str | None = None  # to refer to this op's event (corrections)
    voids: str | None = None  # for a correction: the key of the op whose event it voids
    at: datetime | None = None
    seq: int = 0
    by: str = KEY_HR[0]
    tag: str | None = None  # what kind of move a transfer is, for the summary


@dataclass
class DemoPlan:
    """The whole demo as data: people, courses, and the commands in recording order."""

    seed: int
    people: dict[str, Person]
    courses: list[Course]
    ops: list[Op]
    edge_cases: dict[str, tuple[str, ...]]
    planning_pool: tuple[str, ...]

    def person(self, key: str) -> Person:
        return self.people[key]

    def staff_commands(self) -> int:
        """How many commands record staff events (each records one); the rest are unit facts."""
        return sum(op.kind not in UNIT_FACT_KINDS for op in self.ops)


def weekday_on_or_after(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def add_months_clamped(day: date, months: int) -> date:
    # Days past the 28th become the 28th first, so that every month has the day the demo's
    # fixed seeds have always produced.
    return add_months(day.replace(day=min(day.day, 28)), months)


def vnd(millions: float) -> Decimal:
    return Decimal(round(millions * 10) * 100_000)
