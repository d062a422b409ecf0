"""The demo agency loaded once per store, and a brute-force oracle of its figures.

The oracle reads only the log: every staff member's events, folded with ``fold_record`` (the
one definition of "what the record says"), then counted by hand. It shares no code with the
generator (``ledger.demo``) beyond the catalog's codes, so a figure the generator gets wrong and
the oracle gets right cannot both be wrong the same way. HTTP tests of the same figures can
compare their answers with :func:`figures_of`.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest
from conftest import OncePerSession
from conftest import store_of_kind as module_store

from ledger.application import Ledger
from ledger.demo import DemoSummary, load_demo
from ledger.domain.catalog import EvaluationKind, Track
from ledger.domain.fold import fold_record
from ledger.domain.record import StaffRecord
from ledger.staff import StaffEvent, StaffMember
from ledger.store.config import StoreConfig
from ledger.store.persistence import iter_notifications

SNAPSHOT = date(2025, 12, 31)
WINDOW = (date(2019, 1, 1), SNAPSHOT)
IN_SCOPE = {Track.POLITICAL_THEORY, Track.STATE_MANAGEMENT, Track.LEADERSHIP}
AGENCY_POSTS = {"Cục trưởng", "Phó Cục trưởng"}
DIVISION_POSTS = {"Trưởng phòng", "Phó trưởng phòng"}
PTP = "Phó trưởng phòng"


@dataclass
class LoadedDemo:
    store: StoreConfig
    ledger: Ledger
    summary: DemoSummary
    seconds: float
    figures: Figures


@contextmanager
def loaded_demo(kind: str, folder: Path, seed: int = 2019) -> Iterator[LoadedDemo]:
    with module_store(kind, folder) as store:
        ledger = Ledger(store)
        try:
            started = time.perf_counter()
            summary = load_demo(ledger, seed=seed)
            seconds = time.perf_counter() - started
            yield LoadedDemo(store, ledger, summary, seconds, figures_of(ledger, staff_ids_in_log(ledger)))
        finally:
            ledger.close()


def shared_demo(kind: str, once: OncePerSession, paths: pytest.TempPathFactory) -> LoadedDemo:
    """The demo loaded on a ``kind`` store once for the whole run, whichever module asks first:
    the demo's tests are split across modules by concern."""
    demo: LoadedDemo = once(f"demo:{kind}", lambda: loaded_demo(kind, paths.mktemp("demo")))
    return demo


def staff_ids_in_log(ledger: Ledger) -> list[str]:
    """Every staff id registered in the log, read from the stored registrations."""
    found = []
    for notification in iter_notifications(ledger.chained_recorder):
        if notification.topic == StaffMember.Registered.TOPIC:
            event = ledger.mapper.to_domain_event(notification)
            assert isinstance(event, StaffMember.Registered)
            found.append(event.staff_id)
    return found


# ------------------------------------------------------------------------------------ oracle


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def age_band(age: int) -> str:
    if age < 30:
        return "<30"
    if age >= 55:
        return "55+"
    low = age // 5 * 5
    return f"{low}-{low + 4}"


def post_kind(position: str | None) -> str:
    if position in AGENCY_POSTS:
        return "agency"
    if position in DIVISION_POSTS:
        return "division"
    return "none"


@dataclass(frozen=True)
class Attendance:
    """One enrollment of an in-scope track started in the window (a lượt)."""

    staff_id: str
    enrollment_id: str
    track: str
    year: int
    status: str
    mode: str
    funding: str | None
    country: str | None
    female: bool
    young: bool
    post: str
    current: bool
    course_code: str = ""


@dataclass
class Figures:
    """Everything the tests count, computed from the log alone."""

    events: dict[str, list[StaffEvent]]
    records: dict[str, StaffRecord]  # every staff member on the snapshot date
    attendances: list[Attendance] = field(default_factory=list)
    out_of_scope: Counter[str] = field(default_factory=Counter)

    @property
    def on_roll(self) -> list[StaffRecord]:
        return [r for r in self.records.values() if r.is_active_on(SNAPSHOT)]

    @property
    def former(self) -> list[StaffRecord]:
        return [r for r in self.records.values() if r.status_on(SNAPSHOT) == "departed"]

    def highest(self, track: Track) -> Counter[str]:
        """Active staff by highest level held on the track ("none" for those without)."""
        counts: Counter[str] = Counter()
        for record in self.on_roll:
            held = record.qualifications().get(track)
            counts[held.level if held else "none"] += 1
        return counts

    def ratings(self) -> dict[int, Counter[str]]:
        found: dict[int, Counter[str]] = {}
        for record in self.records.values():
            for evaluation in record.evaluations:
                if evaluation.kind == EvaluationKind.ANNUAL and evaluation.year is not None:
                    found.setdefault(evaluation.year, Counter())[evaluation.rating.value] += 1
        return found

    def per_person(self, current: bool) -> Counter[int]:
        """How many people attended how many in-scope courses (current or former staff)."""
        counts = Counter(a.staff_id for a in self.attendances)
        people = [r.staff_id for r in (self.on_roll if current else self.former)]
        return Counter(counts[s] for s in people)


def figures_of(ledger: Ledger, staff_ids: list[str], as_of: date = SNAPSHOT) -> Figures:
    events = {staff_id: ledger.events_of(staff_id) for staff_id in staff_ids}
    records = {staff_id: fold_record(e, as_of=as_of) for staff_id, e in events.items()}
    figures = Figures(events=events, records=records)
    for staff_id, record in records.items():
        for enrollment in record.enrollments.values():
            if not WINDOW[0] <= enrollment.starts_on <= WINDOW[1]:
                continue
            if enrollment.track not in IN_SCOPE:
                figures.out_of_scope[enrollment.track.value] += 1
                continue
            then = fold_record(events[staff_id], as_of=enrollment.starts_on)
            figures.attendances.append(
                Attendance(
                    staff_id=staff_id,
                    enrollment_id=enrollment.enrollment_id,
                    track=enrollment.track.value,
                    year=enrollment.starts_on.year,
                    status=enrollment.status,
                    mode=enrollment.mode.value,
                    funding=enrollment.funding.value if enrollment.funding else None,
                    country=enrollment.country,
                    female=record.gender.value == "female",
                    young=age_on(record.birth_date, enrollment.starts_on) < 35,
                    post=post_kind(then.position_on(enrollment.starts_on)),
                    current=record.is_active_on(as_of),
                    course_code=enrollment.course_code,
                )
            )
    return figures


def held(record: StaffRecord, track: Track) -> str | None:
    """The level of ``track`` the record holds, if any."""
    found = record.qualifications().get(track)
    return found.level if found else None
