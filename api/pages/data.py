"""What the pages read beyond the API's read model: every person's events, folded on demand.

Standings, the directory, trails and the qualification counts come from the projected views
(``projections.queries.ReadModel``), exactly as the HTTP API answers them. The agency-wide pages
that fold records (needs, effectiveness, attendance of one unit, anomalies) read the log through
:class:`EventCache`: every staff member's events, kept in memory and brought up to date from the
log's tail before each use (only new notifications are read). That suits an agency (hundreds of
people, tens of thousands of events); a bigger deployment would give these pages views of their own.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, cast
from uuid import UUID

from ledger.application import Ledger
from ledger.staff import StaffEvent, StaffMember, fold_record
from projections.anomalies import Anomaly, AnomalyRules, person_anomalies
from projections.queries import ReadModel
from projections.results import AttendanceReport, Tally

PAGE = 1000


class EventCache:
    """Every staff member's events in version order, kept level with the log's tail."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self._lock = threading.Lock()
        self._after = 0
        self._streams: dict[UUID, list[StaffEvent]] = {}
        self._staff_ids: dict[UUID, str] = {}

    def refresh(self) -> int:
        """Read what the log gained since the last call; the log position now covered."""
        recorder: Any = self.ledger.recorder
        with self._lock:
            while True:
                page = recorder.select_notifications(self._after + 1, PAGE)
                for notification in page:
                    event = cast(StaffEvent, self.ledger.mapper.to_domain_event(notification))
                    stream = self._streams.setdefault(event.originator_id, [])
                    stream.append(event)
                    if isinstance(event, StaffMember.Registered):
                        self._staff_ids[event.originator_id] = event.staff_id
                if page:
                    self._after = page[-1].id
                if len(page) < PAGE:
                    return self._after

    def streams(self) -> dict[str, list[StaffEvent]]:
        """staff_id → that person's events (version order), as of the latest refresh."""
        self.refresh()
        with self._lock:
            return {
                self._staff_ids[oid]: sorted(events, key=lambda e: e.originator_version)
                for oid, events in self._streams.items()
                if oid in self._staff_ids
            }


@dataclass(frozen=True)
class UnitAttendance:
    """Attendances of one unit (the API's report has no unit filter)."""

    report: AttendanceReport
    unit: str


class Workbench:
    """The reads of the pages: the API's read model, and folds of the cached events."""

    def __init__(self, ledger: Ledger, read_model: ReadModel, rules: AnomalyRules) -> None:
        self.ledger = ledger
        self.read_model = read_model
        self.rules = rules
        self.cache = EventCache(ledger)

    def today(self) -> date:
        return self.read_model.today()

    def units(self) -> list[str]:
        """Every unit anyone was ever in (registrations, rotations, transfers), sorted."""
        found: set[str] = set()
        for events in self.cache.streams().values():
            for event in events:
                if isinstance(event, StaffMember.Registered):
                    found.add(event.unit)
                elif isinstance(event, StaffMember.Rotated):
                    found.update((event.from_unit, event.to_unit))
        return sorted(found)

    # ------------------------------------------------------------------ reports

    def attendance_in_unit(
        self,
        unit: str,
        from_: date | None,
        to: date,
        tracks: Sequence[str] | None,
        known_at: datetime | None = None,
    ) -> AttendanceReport:
        """The attendance report (same rules as the API's: enrollments starting in [from, to],
        voided ones excluded, people who left included, status on ``to``) for the people who
        worked in ``unit`` on the day each course started, as known at ``known_at``."""
        streams = known_streams(self.cache.streams(), known_at).values()
        return replace(attendance_of(streams, from_, to, tracks, unit=unit), known_at=known_at)

    def anomalies(self) -> list[Anomaly]:
        """Every anomaly of every staff member, by staff code then business date."""
        found: list[Anomaly] = []
        for _, events in sorted(self.cache.streams().items()):
            found.extend(person_anomalies(events, self.rules))
        return found

    def person_anomalies(self, events: Sequence[StaffEvent]) -> list[Anomaly]:
        return person_anomalies(events, self.rules)


def known_streams(
    streams: dict[str, list[StaffEvent]], known_at: datetime | None
) -> dict[str, list[StaffEvent]]:
    """Each person's events recorded at or before ``known_at`` (all when None); people with none
    (registered later) are left out. A correction recorded later is left out with the rest, so
    the event it voids counts again, as it did then."""
    if known_at is None:
        return streams
    kept = {sid: [e for e in events if e.timestamp <= known_at] for sid, events in streams.items()}
    return {sid: events for sid, events in kept.items() if events}


def attendance_of(
    streams: Iterable[Sequence[StaffEvent]],
    from_: date | None,
    to: date,
    tracks: Sequence[str] | None,
    *,
    unit: str | None = None,
) -> AttendanceReport:
    """The API's attendance report computed by folding records (the view's rules: enrollments
    whose start falls in [``from_``, ``to``], whatever their outcome, voided ones excluded, people
    who have left included, status on ``to``), optionally only for ``unit``: the unit the person
    worked in on the course's start date. ``from_`` None: the earliest course start."""
    facts: list[tuple[str, str, str, str, str, str]] = []
    wanted = set(tracks) if tracks else None
    first: date | None = None
    for events in streams:
        record = fold_record(events, as_of=to)
        units_on: dict[date, str] = {}
        for enrollment in record.enrollments.values():
            start = enrollment.starts_on
            first = start if first is None or start < first else first
            if from_ is not None and start < from_:
                continue
            if start > to or (wanted is not None and str(enrollment.track) not in wanted):
                continue
            if unit is not None:
                if start not in units_on:
                    units_on[start] = fold_record(events, as_of=start).unit_on(start)
                if units_on[start] != unit:
                    continue
            facts.append(
                (
                    record.staff_id,
                    str(enrollment.track),
                    str(start.year),
                    str(enrollment.mode),
                    enrollment.status,
                    str(record.gender),
                )
            )
    start_day = from_ if from_ is not None else (first if first is not None and first <= to else to)

    def tally(rows: Iterable[tuple[str, ...]]) -> Tally:
        rows = list(rows)
        return Tally(len(rows), len({r[0] for r in rows}))

    def grouped(index: int) -> dict[str, Tally]:
        groups: dict[str, list[tuple[str, ...]]] = defaultdict(list)
        for fact in facts:
            groups[fact[index]].append(fact)
        return {key: tally(rows) for key, rows in sorted(groups.items())}

    total = tally(facts)
    return AttendanceReport(
        from_=start_day,
        to=to,
        tracks=tuple(dict.fromkeys(tracks)) if tracks else None,
        known_at=None,
        attendances=total.attendances,
        persons=total.persons,
        by_track=grouped(1),
        by_year={year: t.attendances for year, t in grouped(2).items()},
        by_mode=grouped(3),
        by_status=grouped(4),
        by_gender=grouped(5),
    )
