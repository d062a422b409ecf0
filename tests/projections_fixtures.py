"""Helpers for the read-side tests: fresh stores, a small agency, and the brute-force oracle.

The oracle answers every query by folding each person's raw events from the log with
``ledger.domain.fold.fold_record`` (the write side's own definition of a record), with no SQL and none
of the views' code, so a view that agrees with it is right.
"""

from __future__ import annotations

import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import POSTGRES_URL as POSTGRES_URL  # re-exported for the property tests
from conftest import store_of_kind

from ledger.application import Ledger
from ledger.domain import catalog
from ledger.domain.fold import fold_record, live_events
from ledger.domain.ids import make_event_id
from ledger.domain.record import Evidence, StaffRecord
from ledger.staff import StaffEvent, StaffMember
from ledger.store.config import StoreConfig
from projections.log import LogReader
from projections.records import RecordSource
from projections.text import exact, has_marks, name_order_key, search_key

# Recording starts after the last business date of the small agency (a departure on 2023-06-30):
# a completion or a departure is recorded once it has happened.
EPOCH = datetime(2024, 1, 8, 8, 0, tzinfo=UTC)
AGE_BANDS = ("<30", "30-34", "35-39", "40-44", "45-49", "50-54", "55+")


@contextmanager
def fresh_store(kind: str) -> Iterator[StoreConfig]:
    """A store of its own (a new SQLite file, or a new PostgreSQL schema), removed afterwards."""
    with tempfile.TemporaryDirectory() as folder, store_of_kind(kind, Path(folder)) as store:
        yield store


class Clock:
    """Recording times under the test's control: each write moves time forward."""

    def __init__(self, start: datetime = EPOCH) -> None:
        self.start = start
        self.now = start

    def tick(self, days: int = 1, hours: int = 0) -> datetime:
        self.now += timedelta(days=days, hours=hours)
        return self.now

    def __call__(self) -> datetime:
        return self.now


def small_agency(ledger: Ledger, clock: Clock) -> dict[str, Any]:
    """A handful of people with courses, credentials, a secondment, a departure and corrections."""
    out: dict[str, Any] = {}
    rec = "to-chuc"
    ledger.register(
        staff_id="CB001",
        full_name="Nguyễn Văn An",
        gender="male",
        birth_date=date(1980, 5, 17),
        unit="Phòng Tổ chức",
        joined_on=date(2005, 3, 1),
        position="Chuyên viên",
        recorded_by=rec,
        recorded_at=clock.tick(),
    )
    ledger.register(
        staff_id="CB002",
        full_name="Trần Thị Bình",
        gender="female",
        birth_date=date(1994, 2, 3),
        unit="Phòng Kế hoạch",
        joined_on=date(2018, 9, 1),
        employment="contract",
        recorded_by=rec,
        recorded_at=clock.tick(),
    )
    ledger.register(
        staff_id="CB003",
        full_name="Đặng Đức Đạt",
        gender="male",
        birth_date=date(1970, 1, 1),
        unit="Phòng Tổ chức",
        joined_on=date(1995, 1, 1),
        recorded_by=rec,
        recorded_at=clock.tick(),
    )
    e1 = ledger.enroll(
        "CB001",
        enrollment_id="E1",
        course_code="LLCT-TC",
        course_title="Trung cấp lý luận chính trị",
        track="political_theory",
        level="intermediate",
        provider="Trường Chính trị tỉnh",
        mode="part_time",
        starts_on=date(2019, 3, 1),
        decision_ref="QĐ 12/2019",
        recorded_by=rec,
        recorded_at=clock.tick(),
    )
    out["completed"] = ledger.complete(
        "CB001",
        "E1",
        completed_on=date(2020, 1, 15),
        outcome="passed",
        recorded_by=rec,
        recorded_at=clock.tick(30),
    )
    out["recognized"] = ledger.recognize_credential(
        "CB001",
        credential_id="BANG-DH",
        track="professional",
        level="bachelor",
        title="Cử nhân Luật",
        issuer="Đại học Luật Hà Nội",
        issued_on=date(2003, 6, 30),
        evidence=Evidence("Bằng số 123"),
        recorded_by=rec,
        recorded_at=clock.tick(),
    )
    ledger.enroll(
        "CB002",
        enrollment_id="E2",
        course_code="QLNN-CV",
        course_title="Bồi dưỡng ngạch chuyên viên",
        track="state_management",
        level="specialist",
        provider="Học viện Hành chính",
        mode="online",
        starts_on=date(2021, 4, 1),
        recorded_by=rec,
        recorded_at=clock.tick(),
    )
    out["wrong"] = ledger.enroll(
        "CB002",
        enrollment_id="E3",
        course_code="TH",
        course_title="Tin học cơ bản",
        track="it",
        level="basic",
        provider="Trung tâm",
        mode="blended",
        starts_on=date(2021, 5, 1),
        recorded_by=rec,
        recorded_at=clock.tick(),
    )
    out["correction"] = ledger.correct(
        "CB002",
        event_id=out["wrong"].event_id,
        reason="nhập nhầm",
        recorded_by=rec,
        recorded_at=clock.tick(400),
    )
    ledger.rotate(
        "CB002",
        to_unit="Phòng Tổ chức",
        kind="secondment",
        starts_on=date(2022, 1, 1),
        ends_on=date(2040, 1, 1),
        decision_ref="QĐ 5/2022",
        recorded_by=rec,
        recorded_at=clock.tick(),
    )
    ledger.depart("CB003", on=date(2023, 6, 30), reason="nghỉ hưu", recorded_by=rec, recorded_at=clock.tick())
    out["e1"] = e1
    return out


# ---------------------------------------------------------------------------- the oracle


@dataclass
class Log:
    """Every staff member's events, read straight from the log."""

    events: dict[str, list[StaffEvent]]

    @classmethod
    def read(cls, ledger: Ledger) -> Log:
        by_staff: dict[Any, list[StaffEvent]] = defaultdict(list)
        names: dict[Any, str] = {}
        after = 0
        while True:
            page = ledger.recorder.select_notifications(after, 500, inclusive_of_start=False)
            for n in page:
                event = ledger.mapper.to_domain_event(n)
                if isinstance(event, StaffMember.Registered):
                    names[event.originator_id] = event.staff_id
                by_staff[event.originator_id].append(event)
            if len(page) < 500:
                break
            after = page[-1].id
        return cls({names[oid]: events for oid, events in by_staff.items()})

    def known(self, staff_id: str, known_at: datetime | None) -> list[StaffEvent]:
        return [e for e in self.events[staff_id] if known_at is None or e.timestamp <= known_at]

    def records(self, as_of: date | None, known_at: datetime | None) -> dict[str, StaffRecord]:
        out = {}
        for staff_id in self.events:
            known = self.known(staff_id, known_at)
            if known:
                out[staff_id] = fold_record(known, as_of=as_of, known_at=known_at)
        return out


def age_band(birth: date, day: date) -> str:
    age = day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))
    if age < 30:
        return "<30"
    if age >= 55:
        return "55+"
    lower = 30 + (age - 30) // 5 * 5
    return f"{lower}-{lower + 4}"


def oracle_qualifications(log: Log, as_of: date, known_at: datetime | None) -> dict[str, Any]:
    tracks: dict[str, Counter[str]] = defaultdict(Counter)
    gender: Counter[str] = Counter()
    bands: Counter[str] = Counter()
    units: Counter[str] = Counter()
    employment: Counter[str] = Counter()
    for record in log.records(as_of, known_at).values():
        if not record.is_active_on(as_of):
            continue
        gender[str(record.gender)] += 1
        bands[age_band(record.birth_date, as_of)] += 1
        units[record.unit_on(as_of)] += 1
        employment[str(record.employment)] += 1
        for track, qualification in record.qualifications().items():
            tracks[str(track)][qualification.level] += 1
    return {
        "headcount": sum(gender.values()),
        "tracks": {t: dict(c) for t, c in tracks.items()},
        "by_gender": dict(gender),
        "by_age_band": {b: n for b, n in bands.items() if n},
        "by_unit": dict(units),
        "by_employment": dict(employment),
    }


def report_qualifications(report: Any) -> dict[str, Any]:
    """A QualificationsReport in the oracle's shape (zeros dropped)."""
    return {
        "headcount": report.headcount,
        "tracks": {
            t: {lv: n for lv, n in levels.items() if n}
            for t, levels in report.tracks.items()
            if any(levels.values())
        },
        "by_gender": report.by_gender,
        "by_age_band": {b: n for b, n in report.by_age_band.items() if n},
        "by_unit": report.by_unit,
        "by_employment": report.by_employment,
    }


# The oracle's own reading of the splits of docs/domain.md §3.6 (projections.splits): the posts the
# random histories use, by title, and how Việt Nam is written in them.
ORACLE_POSTS = {"Phó Cục trưởng": "agency_leader", "Trưởng phòng": "division_leader"}
HOME = {None, "VN", "Việt Nam"}


def oracle_attendance(
    log: Log,
    start: date,
    end: date,
    known_at: datetime | None,
    tracks: set[str] | None = None,
    unit: str | None = None,
    cross: tuple[str, str] | None = None,
) -> dict[str, Any]:
    """The attendance report folded from the log; with ``unit``, only the enrollments of people
    whose record (as known at ``known_at``) puts them in that unit on the course's start date.
    Every split, the programmes' outcomes, the cross of two splits and the roll on ``end`` (in
    ``unit`` on ``end``) by attendances per person."""
    count: Counter[str] = Counter()
    persons: dict[str, set[str]] = defaultdict(set)
    outcomes: Counter[str] = Counter()
    attended: Counter[str] = Counter()
    records = log.records(end, known_at)
    for staff_id, record in records.items():
        for enrollment in record.enrollments.values():
            if not start <= enrollment.starts_on <= end:
                continue
            if tracks is not None and str(enrollment.track) not in tracks:
                continue
            day = enrollment.starts_on
            then = fold_record(log.known(staff_id, known_at), as_of=day, known_at=known_at)
            if unit is not None and then.unit_on(day) != unit:
                continue
            birth = record.birth_date
            age = day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))
            splits = {
                "track": str(enrollment.track),
                "year": str(day.year),
                "mode": str(enrollment.mode),
                "status": enrollment.status,
                "gender": str(record.gender),
                "location": "in_country" if enrollment.country in HOME else "abroad",
                "funding": str(enrollment.funding) if enrollment.funding else "not_recorded",
                "post_at_start": ORACLE_POSTS.get(then.position_on(day) or "", "non_leader"),
                "age_at_start": "under_35" if age < 35 else "35_and_over",
                "staff_status": "former" if record.status_on(end) == "departed" else "current",
                "programme": enrollment.course_code,
            }
            keys = ["all", *(f"{name}:{value}" for name, value in splits.items())]
            if cross is not None:
                keys.append(f"cross:{splits[cross[0]]}|{splits[cross[1]]}")
            for key in keys:
                count[key] += 1
                persons[key].add(staff_id)
            outcomes[f"outcome:{enrollment.course_code}:{enrollment.status}"] += 1
            attended[staff_id] += 1
    answer: dict[str, Any] = {
        key: (count[key], None if key.startswith("year:") else len(persons[key])) for key in count
    }
    answer.update(outcomes)
    roll = [
        staff_id
        for staff_id, record in records.items()
        if record.is_active_on(end) and (unit is None or record.unit_on(end) == unit)
    ]
    answer.update({f"per_person:{n}": people for n, people in Counter(attended[s] for s in roll).items()})
    return answer


# The programme outcomes of the report, by the enrollment statuses the oracle reads.
OUTCOME_STATUS = {
    "completed": "completed",
    "in_progress": "enrolled",
    "withdrawn": "withdrawn",
    "failed": "failed",
}


def report_attendance(report: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if report.attendances:
        out["all"] = (report.attendances, report.persons)
    for prefix, group in (
        ("track", report.by_track),
        ("mode", report.by_mode),
        ("status", report.by_status),
        ("gender", report.by_gender),
        ("location", report.by_location),
        ("funding", report.by_funding),
        ("post_at_start", report.by_post_at_start),
        ("age_at_start", report.by_age_at_start),
        ("staff_status", report.by_staff_status),
        ("programme", report.by_programme),
    ):
        for key, tally in group.items():
            out[f"{prefix}:{key}"] = (tally.attendances, tally.persons)
    for year, attendances in report.by_year.items():
        out[f"year:{year}"] = (attendances, None)
    for code, programme in report.by_programme.items():
        for outcome, status in OUTCOME_STATUS.items():
            if getattr(programme, outcome):
                out[f"outcome:{code}:{status}"] = getattr(programme, outcome)
    for a, row in report.crossed.items():
        for b, tally in row.items():
            out[f"cross:{a}|{b}"] = (tally.attendances, tally.persons)
    out.update({f"per_person:{n}": people for n, people in report.per_person.items() if people})
    return out


def oracle_directory(log: Log, today: date, **filters: Any) -> list[str]:
    """Staff ids the directory should list, in its order (Vietnamese name order, then staff id)."""
    chosen = []
    for staff_id, record in log.records(None, None).items():
        if filters.get("status") and record.status_on(today) != filters["status"]:
            continue
        if filters.get("unit") and record.unit_on(today) != filters["unit"]:
            continue
        if filters.get("gender") and str(record.gender) != filters["gender"]:
            continue
        q = filters.get("q")
        code = staff_id.lower().startswith(q.strip().lower()) if q else False
        if q and not _name_matches(q, record.full_name) and not code:
            continue
        track = filters.get("track")
        if track:
            held = record.qualifications().get(catalog.Track(track))
            if held is None or (filters.get("level") and held.level != filters["level"]):
                continue
        chosen.append((name_order_key(record.full_name), staff_id))
    return [staff_id for _, staff_id in sorted(chosen)]


def _name_matches(q: str, full_name: str) -> bool:
    """Every term begins a word of the name: compared with diacritics when typed with them."""
    return all(
        any(word.startswith(exact(term) if has_marks(term) else search_key(term)) for word in words)
        for term in q.split()
        for words in [(exact(full_name) if has_marks(term) else search_key(full_name)).split()]
    )


def oracle_trail(log: Log, staff_id: str, credential_id: str) -> list[tuple[str, str, str | None]] | None:
    """(event_id, role, voided_by) of the trail of a credential, or None if there is none."""
    events = log.events[staff_id]
    voided_by = {
        e.voided_event_id: make_event_id(staff_id, e.originator_version)
        for e in events
        if isinstance(e, StaffMember.Corrected)
    }
    live = {make_event_id(staff_id, e.originator_version) for e in live_events(events)}
    awards = []
    for e in events:
        if (
            isinstance(e, StaffMember.Completed)
            and e.credential
            and e.credential.credential_id == credential_id
        ):
            awards.append((e, f"enrollment:{e.enrollment_id}"))
        if isinstance(e, StaffMember.CredentialRecognized) and e.credential_id == credential_id:
            awards.append((e, f"credential:{e.credential_id}"))
    if not awards:
        return None
    live_awards = [a for a in awards if make_event_id(staff_id, a[0].originator_version) in live]
    _award, thread = (live_awards or awards)[-1]

    def thread_of(e: StaffEvent) -> str | None:
        if isinstance(e, StaffMember.CredentialRecognized):
            return f"credential:{e.credential_id}"
        if isinstance(
            e, (StaffMember.Enrolled, StaffMember.Completed, StaffMember.Failed, StaffMember.Withdrawn)
        ):
            return f"enrollment:{e.enrollment_id}"
        if isinstance(e, StaffMember.Evaluated) and e.enrollment_id is not None:
            return f"enrollment:{e.enrollment_id}"
        return None

    roles = {
        "Enrolled": "enrollment",
        "Completed": "completion",
        "Failed": "failure",
        "Withdrawn": "withdrawal",
        "Evaluated": "evaluation",
        "CredentialRecognized": "recognition",
        "Corrected": "correction",
    }
    by_id = {make_event_id(staff_id, e.originator_version): e for e in events}
    steps: list[tuple[str, str, str | None]] = [(make_event_id(staff_id, 1), "registration", None)]
    for e in events:
        event_id = make_event_id(staff_id, e.originator_version)
        mine = thread_of(e)
        if isinstance(e, StaffMember.Corrected):
            target = by_id.get(e.voided_event_id)
            mine = thread_of(target) if target is not None else None
        if mine == thread:
            steps.append((event_id, roles[type(e).__name__], voided_by.get(event_id)))
    return steps


def break_the_log(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every way the read side reads the log fail (a test that an answer comes from the
    views alone)."""

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a report read the log")

    # The head position stays readable: the lag headers of every answer compare the views to it.
    for name in ("page", "decode", "events_of", "event_at", "by_person"):
        monkeypatch.setattr(LogReader, name, refuse)
    monkeypatch.setattr(RecordSource, "refresh", refuse)
