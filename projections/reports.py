"""The one query layer of the position-standards reports: needs, appointments, commitments and
effectiveness, for the HTTP API, the pages and the command line alike.

Each report is answered here, once: which people it covers (active on ``as_of``, in ``unit``,
``staff_id``), how their records are judged (the pure functions of ``ledger.standards``,
its needs, compliance, commitments and effectiveness modules, under the rules file
the ledger was opened with) and its summary counts. The interfaces only shape the answer: the API
pages its items and writes JSON, the pages render HTML and CSV/XLSX, the command line prints a
table or the same JSON. Two readers of one ledger therefore never get two answers.

Records come from :class:`RecordSource`: every person's events, read from the log once and kept
level with its tail (only new positions are read), folded as of the report's business date and as
the ledger knew them at ``known_at`` with ``ledger.domain.fold.fold_record``, the write side's own
definition. A whole answer is remembered until the log or the rules change, so paging through a
long report judges the records once. Answers still fold every record of the agency when first asked
(about a millisecond a person): views of the findings themselves are the next step for a ministry
(docs/projections.md, "Reports").
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Protocol, TypeVar, cast
from uuid import UUID

from ledger.application import Ledger
from ledger.domain import errors
from ledger.domain.catalog import Track
from ledger.domain.fold import fold_record
from ledger.domain.ids import staff_aggregate_id
from ledger.domain.record import StaffRecord
from ledger.organisation import ORGANISATION_ID
from ledger.staff import StaffEvent, StaffMember
from ledger.standards.commitments import Commitment, CommitmentsReport, commitments_report
from ledger.standards.compliance import review_appointments
from ledger.standards.effectiveness import ProgrammeEffect, effectiveness_report
from ledger.standards.model import PositionKind
from ledger.standards.needs import NeedsReport, PersonNeeds, needs_report, pool_readiness, pools_of
from ledger.standards.ruleset import RuleSet
from projections.base import micros
from projections.findings import FindingsReads, Judged, ListedPage, Scope, commitment_key
from projections.log import LogReader
from projections.shapes import AppointmentRow, needs_item
from projections.text import nfc
from projections.units import Structure, structure_day

T = TypeVar("T")

PAGE = 1000
EVERY_VERSION = 2**31 - 1  # "up to the last version" for a read of one stream
CACHED_ANSWERS = 32



class RecordSource:
    """Every staff member's events in version order, read once from the log and kept level with
    its tail; records folded from them for any business date and state of knowledge."""

    def __init__(self, ledger: Ledger) -> None:
        self.reader = LogReader(ledger)
        self._lock = threading.Lock()
        self._after = 0
        self._streams: dict[UUID, list[StaffEvent]] = {}
        self._staff_ids: dict[UUID, str] = {}
        # aggregate → (version, last business date, whole record)
        self._whole: dict[UUID, tuple[int, date, StaffRecord]] = {}
        self._loaded = False

    @property
    def loaded(self) -> bool:
        """Whether the log has been read into memory (by a question about everyone)."""
        return self._loaded

    def refresh(self) -> int:
        """Read what the log gained since the last call; the log position now covered."""
        with self._lock:
            while True:
                page = self.reader.page(self._after, PAGE)
                for envelope in self.reader.decode(page):
                    event = envelope.event
                    self._streams.setdefault(event.originator_id, []).append(event)
                    if isinstance(event, StaffMember.Registered):
                        self._staff_ids[event.originator_id] = event.staff_id
                if page:
                    self._after = page[-1].id
                if len(page) < PAGE:
                    self._loaded = True
                    return self._after

    def structure(self, known_at: datetime | None) -> Structure:
        """The organisation's units as known at ``known_at`` (now when None), from the unit facts
        read with the rest of the log."""
        self.refresh()
        with self._lock:
            events = list(self._streams.get(ORGANISATION_ID, ()))
        return Structure.of_events(events, None if known_at is None else micros(known_at))

    def records(
        self, as_of: date, known_at: datetime | None, *, only: Collection[str] | None = None
    ) -> list[StaffRecord]:
        """Every staff member's record (of those in ``only``) on ``as_of`` as the ledger knew it
        at ``known_at`` (now when None; people registered later are left out), by staff code. A
        correction recorded after ``known_at`` is left out with the rest, so the event it voids
        counts again, as it did then.

        Until the log is in memory, the records of ``only`` are read stream by stream (one
        indexed read each), so a question about one unit never reads the whole log."""
        if only is not None and not self._loaded:
            return self._records_of(sorted(only), as_of, known_at)
        self.refresh()
        with self._lock:
            streams = [
                (self._staff_ids[oid], sorted(events, key=lambda e: e.originator_version))
                for oid, events in self._streams.items()
                if oid in self._staff_ids and (only is None or self._staff_ids[oid] in only)
            ]
        records = []
        for _, events in sorted(streams, key=lambda item: item[0]):
            if known_at is not None:
                events = [e for e in events if e.timestamp <= known_at]
                if not events or not isinstance(events[0], StaffMember.Registered):
                    continue
                records.append(fold_record(events, as_of=as_of, known_at=known_at))
            else:
                records.append(self._current(events, as_of))
        return records

    def _records_of(
        self, staff_ids: Sequence[str], as_of: date, known_at: datetime | None
    ) -> list[StaffRecord]:
        records = []
        for staff_id in staff_ids:
            events = self.reader.events_of(staff_aggregate_id(staff_id), EVERY_VERSION)
            if known_at is not None:
                events = [e for e in events if e.timestamp <= known_at]
            if events and isinstance(events[0], StaffMember.Registered):
                records.append(fold_record(events, as_of=as_of, known_at=known_at))
        return records

    def registered(self, staff_id: str, known_at: datetime | None) -> bool:
        """Whether ``staff_id`` was registered (by ``known_at``, when given)."""
        if not self._loaded:
            opening = self.reader.events_of(staff_aggregate_id(staff_id), 1)
            return bool(opening) and (known_at is None or opening[0].timestamp <= known_at)
        self.refresh()
        with self._lock:
            for oid, code in self._staff_ids.items():
                if code == staff_id:
                    first = self._streams[oid][0]
                    return known_at is None or first.timestamp <= known_at
        return False

    def _current(self, events: list[StaffEvent], as_of: date) -> StaffRecord:
        """The record on ``as_of`` as known now. On or after the person's last business date it
        is the whole record, folded once per version of the person and then reused (the reports
        of today ask for it again and again); before, it is folded for the day. The reports only
        read records, never change them."""
        last = events[-1]
        whole = self._whole.get(last.originator_id)
        if whole is None or whole[0] != last.originator_version:
            latest = max(e.effective_on for e in events)
            whole = (last.originator_version, latest, fold_record(events))
            self._whole[last.originator_id] = whole
        _, latest, record = whole
        return record if as_of >= latest else fold_record(events, as_of=as_of)


class FindingsSource(Protocol):
    """The findings view as the reports read it (``projections.queries.ReadModel``)."""

    def findings_stamp(self, day: date) -> tuple[int, int] | None:
        """Where the findings view stands (generation, position) if it can answer for ``day``
        under the ledger's rules: every row judged for that day. None if it cannot."""

    def findings(
        self, day: date, part: str, *, unit: str | None, structure_on: date, staff_id: str | None
    ) -> Judged:
        """The people a report covers (working in ``unit`` on ``day``, mapped onto the structure
        of ``structure_on``) with ``part`` of their findings."""

    def structure(self, known_at: datetime | None) -> Structure:
        """The organisation's units as known at ``known_at`` (now when None), from the views."""

    def staff_in_unit(self, day: date, known_at: datetime | None, unit: str, structure_on: date) -> set[str]:
        """The staff codes of everyone (recorded by ``known_at``) whose unit on ``day``, mapped
        onto the structure of ``structure_on`` as known then, is ``unit``."""

    def read_findings(
        self, unit: str | None, structure_on: date, run: Callable[[FindingsReads, Scope], T]
    ) -> T:
        """``run`` over the live findings view, with the scope of ``unit`` (mapped onto the
        structure of ``structure_on``), in one read transaction."""


# --------------------------------------------------------------------------- answers


@dataclass(frozen=True)
class NeedsAnswer:
    """The needs report of everyone active on the day in ``unit`` (the whole agency when None),
    with their gaps, and the planning pools of the same people; ``staff_id`` only narrows whom
    the report lists."""

    report: NeedsReport
    unit: str | None
    staff_id: str | None

    @property
    def listed(self) -> tuple[PersonNeeds, ...]:
        """The people the report lists: those with a gap, or the one person asked for."""
        if self.staff_id is not None:
            return tuple(p for p in self.report.people if p.staff_id == self.staff_id)
        return self.report.with_gaps

    def summary(self) -> dict[str, Any]:
        return {
            "people": len(self.report.people),
            "with_gaps": len(self.report.with_gaps),
            "by_status": self.report.by_status(),
            "by_track": self.report.by_track(),
        }


@dataclass(frozen=True)
class AppointmentsAnswer:
    as_of: date
    rule_set: str
    rows: tuple[AppointmentRow, ...]  # every appointment asked about, by key
    flagged: bool

    @property
    def listed(self) -> tuple[AppointmentRow, ...]:
        return tuple(r for r in self.rows if r.flagged) if self.flagged else self.rows

    def summary(self) -> dict[str, Any]:
        reviews = [row.review for row in self.rows]
        return {
            "appointments": len(reviews),
            "met_rules_then": sum(1 for r in reviews if r.met_rules_then),
            "appointed_without_meeting_standard": sum(
                1 for r in reviews if r.appointed_without_meeting_standard
            ),
            "fail_todays_rules": sum(1 for r in reviews if not r.would_meet_todays_rules_then),
            "not_meeting_todays_rules_now": sum(1 for r in reviews if not r.meets_todays_rules),
            "with_waiver": sum(1 for r in reviews if r.waiver is not None),
        }


@dataclass(frozen=True)
class CommitmentsAnswer:
    report: CommitmentsReport

    @property
    def listed(self) -> tuple[Commitment, ...]:
        return self.report.items

    def summary(self) -> dict[str, Any]:
        return cast(dict[str, Any], self.report.as_dict()["summary"])


@dataclass(frozen=True)
class EffectivenessAnswer:
    as_of: date
    effects: tuple[ProgrammeEffect, ...]

    def summary(self) -> dict[str, Any]:
        return effect_totals(self.effects)

    def by_track(self) -> dict[str, dict[str, Any]]:
        return {
            str(track): effect_totals([e for e in self.effects if e.track == track])
            for track in dict.fromkeys(e.track for e in self.effects)
        }


@dataclass(frozen=True)
class PageAnswer:
    """One page of a report that lists items, with the summary over all of them."""

    as_of: date
    rule_set: str
    page: ListedPage


def page_after(items: Sequence[T], key: Callable[[T], str], after: str, limit: int) -> tuple[list[T], bool]:
    """The items after cursor key ``after`` (items are in key order), at most ``limit`` of them,
    and whether more follow."""
    page = [item for item in items if key(item) > after][: limit + 1]
    return page[:limit], len(page) > limit


def _folded_page(
    day: date,
    rule_set: str,
    summary: dict[str, Any],
    listed: Sequence[T],
    key: Callable[[T], str],
    item: Callable[[T], dict[str, Any]],
    after: str,
    limit: int,
    pools: list[dict[str, Any]] | None = None,
) -> PageAnswer:
    """A page of a whole answer folded from the records: the items after ``after`` by ``key``."""
    page, more = page_after(listed, key, after, limit)
    items = [item(entry) for entry in page]
    return PageAnswer(day, rule_set, ListedPage(summary, items, key(page[-1]) if more else None, pools))


# --------------------------------------------------------------------------- the layer


class Reports:
    """The position-standards reports of one ledger (thread-safe; one per process)."""

    def __init__(
        self,
        ledger: Ledger,
        *,
        today: Callable[[], date] | None = None,
        findings: FindingsSource | None = None,
    ) -> None:
        self.ledger = ledger
        self.source = RecordSource(ledger)
        # The engine's judgements, when there is one (a server); the records are folded here
        # for any question the view cannot answer (another day, ``known_at``, ``position``).
        self.findings = findings
        self._today = today or ledger.today
        self._cache: OrderedDict[Any, Any] = OrderedDict()
        self._cache_lock = threading.Lock()

    @property
    def rules(self) -> RuleSet:
        return self.ledger.rules

    def today(self) -> date:
        return self._today()

    # ------------------------------------------------------------------ needs

    def needs(
        self,
        *,
        as_of: date | None = None,
        known_at: datetime | None = None,
        position: str | None = None,
        unit: str | None = None,
        staff_id: str | None = None,
        structure: str | None = None,
    ) -> NeedsAnswer:
        """What each person active on ``as_of`` lacks for their post (or ``position``), their rank
        and the posts they are planned for; the planning pools of the same people."""
        day = as_of or self.today()
        known_at = _aware(known_at)
        rules = self.rules
        if position is not None and rules.resolve(position, PositionKind.POST) is None:
            known = ", ".join(p.title for p in rules.positions if p.kind == PositionKind.POST)
            raise errors.InvalidInput(
                f"'{position}' is not a post the position standards know (known: {known}).", field="position"
            )
        unit = nfc(unit)

        stamp = self._stamp(day, known_at) if position is None else None
        question = ("needs", day, known_at, position, unit, staff_id, structure)
        if stamp is not None:

            def judged() -> NeedsAnswer:
                active = [p for p in self._judged("needs", day, unit, staff_id, structure).people if p.active]
                report = NeedsReport(
                    as_of=day,
                    rule_set=rules.label,
                    position=None,
                    people=tuple(p.needs for p in active if p.needs is not None),
                    pools=tuple(pools_of(entry for p in active for entry in p.pools)),
                )
                return NeedsAnswer(report, unit, staff_id)

            return self._remember(question, judged, stamp)

        def answer() -> NeedsAnswer:
            # ``staff_id`` picks whom to list; the summary and the pools stay those of the unit.
            records = self._chosen(
                self._records(day, known_at, staff_id, unit, structure), day, unit, None, known_at, structure
            )
            report = needs_report(records, day, rules, position)
            active = [r for r in records if r.is_active_on(day)]
            pools = tuple(pool_readiness(active, day, rules))
            return NeedsAnswer(replace(report, pools=pools), unit, staff_id)

        return self._remember(question, answer)

    # ----------------------------------------------------------- appointments

    def appointments(
        self,
        *,
        as_of: date | None = None,
        known_at: datetime | None = None,
        staff_id: str | None = None,
        unit: str | None = None,
        flagged: bool = False,
        structure: str | None = None,
    ) -> AppointmentsAnswer:
        """Every appointment made by ``as_of`` of the people on the roll by then (current and
        former), judged by the rules in force on its day and by those in force on ``as_of``."""
        day = as_of or self.today()
        known_at = _aware(known_at)
        rules = self.rules
        unit = nfc(unit)

        question = ("appointments", day, known_at, staff_id, unit, structure)
        stamp = self._stamp(day, known_at)
        if stamp is not None:

            def judged() -> AppointmentsAnswer:
                people = self._judged("appointments", day, unit, staff_id, structure).people
                rows = [
                    AppointmentRow(p.staff_id, p.full_name, p.status, review)
                    for p in people
                    if staff_id in (None, p.staff_id)
                    for review in p.appointments
                ]
                rows.sort(key=lambda row: row.key)
                return AppointmentsAnswer(day, rules.label, tuple(rows), flagged=False)

            return replace(self._remember(question, judged, stamp), flagged=flagged)

        def answer() -> AppointmentsAnswer:
            rows: list[AppointmentRow] = []
            chosen = self._chosen(
                self._records(day, known_at, staff_id, unit, structure),
                day,
                unit,
                staff_id,
                known_at,
                structure,
            )
            for record in chosen:
                if record.status_on(day) == "not_joined":
                    continue
                status = record.status_on(day)
                rows.extend(
                    AppointmentRow(record.staff_id, record.full_name, status, review)
                    for review in review_appointments(record, day, rules)
                )
            rows.sort(key=lambda row: row.key)
            return AppointmentsAnswer(day, rules.label, tuple(rows), flagged=False)

        whole = self._remember(question, answer)
        return replace(whole, flagged=flagged)

    # ------------------------------------------------------------ commitments

    def commitments(
        self,
        *,
        as_of: date | None = None,
        known_at: datetime | None = None,
        staff_id: str | None = None,
        unit: str | None = None,
        status: str | None = None,
        structure: str | None = None,
    ) -> CommitmentsAnswer:
        """Every service commitment of current and former staff on ``as_of`` (in ``unit`` on that
        day), with what leaving early costs; only those in ``status`` when given."""
        day = as_of or self.today()
        known_at = _aware(known_at)
        unit = nfc(unit)

        question = ("commitments", day, known_at, staff_id, unit, status, structure)
        stamp = self._stamp(day, known_at)
        if stamp is not None:

            def judged() -> CommitmentsAnswer:
                people = self._judged("commitments", day, unit, staff_id, structure).people
                items = [c for p in people if staff_id in (None, p.staff_id) for c in p.commitments]
                return CommitmentsAnswer(self._commitments(day, items, status))

            return self._remember(question, judged, stamp)

        def answer() -> CommitmentsAnswer:
            records = self._chosen(
                self._records(day, known_at, staff_id, unit, structure),
                day,
                unit,
                staff_id,
                known_at,
                structure,
            )
            items = commitments_report(records, self.rules, day).items
            return CommitmentsAnswer(self._commitments(day, items, status))

        return self._remember(question, answer)

    # ---------------------------------------------------------- effectiveness

    def effectiveness(
        self,
        *,
        as_of: date | None = None,
        known_at: datetime | None = None,
        unit: str | None = None,
        tracks: Sequence[Track | str] | None = None,
        from_year: int | None = None,
        to_year: int | None = None,
        structure: str | None = None,
    ) -> EffectivenessAnswer:
        """Per programme and year of completion (``from_year``..``to_year``): completions, annual
        ratings before and after, post-training evaluations; of the people in ``unit`` on
        ``as_of`` (current and former staff)."""
        day = as_of or self.today()
        known_at = _aware(known_at)
        if from_year is not None and to_year is not None and to_year < from_year:
            raise errors.InvalidDates(f"to_year {to_year} is before from_year {from_year}.", field="to_year")
        unit = nfc(unit)
        chosen = tuple(dict.fromkeys(Track(t) for t in tracks)) if tracks else None

        def in_years(effects: Iterable[ProgrammeEffect]) -> EffectivenessAnswer:
            return EffectivenessAnswer(
                day,
                tuple(
                    e for e in effects
                    if (from_year is None or e.year >= from_year) and (to_year is None or e.year <= to_year)
                ),
            )

        def answer() -> EffectivenessAnswer:
            records = self._chosen(
                self._records(day, known_at, None, unit, structure), day, unit, None, known_at, structure
            )
            return in_years(effectiveness_report(records, day, tracks=chosen))

        def judged() -> EffectivenessAnswer:
            # Summed in the store: only the programme-years travel, not the people.
            wanted = [str(t) for t in chosen] if chosen is not None else None
            effects = self._read(
                day, unit, None, structure, lambda r, s: r.effects(s, wanted, from_year, to_year)
            )
            return EffectivenessAnswer(day, tuple(effects))

        question = ("effectiveness", day, known_at, unit, chosen, from_year, to_year, structure)
        stamp = self._stamp(day, known_at)
        if stamp is not None:
            return self._remember(question, judged, stamp)
        return self._remember(question, answer)

    # ---------------------------------------------------------------- pages

    def needs_page(
        self,
        *,
        after: str,
        limit: int,
        as_of: date | None = None,
        known_at: datetime | None = None,
        position: str | None = None,
        unit: str | None = None,
        staff_id: str | None = None,
        structure: str | None = None,
    ) -> PageAnswer:
        """One page of :meth:`needs`'s people (by staff code, after ``after``) with the summary
        and pools over the unit: counted in the findings view today, else from the whole answer."""
        day = as_of or self.today()
        known_at = _aware(known_at)
        stamp = self._stamp(day, known_at) if position is None else None
        if stamp is None:
            answer = self.needs(
                as_of=day,
                known_at=known_at,
                position=position,
                unit=unit,
                staff_id=staff_id,
                structure=structure,
            )
            pools = [pool.as_dict() for pool in answer.report.pools]
            return _folded_page(
                day, answer.report.rule_set, answer.summary(), answer.listed,
                lambda p: p.staff_id, needs_item, after, limit, pools,
            )
        question = ("needs_page", day, nfc(unit), staff_id, structure, after, limit)
        return self._viewed_page(
            question, stamp, day, unit, staff_id, structure, lambda r, s: r.needs(s, staff_id, after, limit)
        )

    def appointments_page(
        self,
        *,
        after: str,
        limit: int,
        as_of: date | None = None,
        known_at: datetime | None = None,
        staff_id: str | None = None,
        unit: str | None = None,
        flagged: bool = False,
        structure: str | None = None,
    ) -> PageAnswer:
        """One page of :meth:`appointments` (by staff code, day and version, after ``after``)
        with the summary over all of them."""
        day = as_of or self.today()
        known_at = _aware(known_at)
        stamp = self._stamp(day, known_at)
        if stamp is None:
            answer = self.appointments(
                as_of=day,
                known_at=known_at,
                staff_id=staff_id,
                unit=unit,
                flagged=flagged,
                structure=structure,
            )
            return _folded_page(
                day, answer.rule_set, answer.summary(), answer.listed,
                lambda row: row.key, AppointmentRow.as_dict, after, limit,
            )
        question = ("appointments_page", day, nfc(unit), staff_id, flagged, structure, after, limit)
        return self._viewed_page(
            question, stamp, day, unit, staff_id, structure,
            lambda r, s: r.appointments(s, staff_id, flagged, after, limit),
        )

    def commitments_page(
        self,
        *,
        after: str,
        limit: int,
        as_of: date | None = None,
        known_at: datetime | None = None,
        staff_id: str | None = None,
        unit: str | None = None,
        status: str | None = None,
        structure: str | None = None,
    ) -> PageAnswer:
        """One page of :meth:`commitments` (by staff code, start and enrollment, after
        ``after``) with the summary over all of them."""
        day = as_of or self.today()
        known_at = _aware(known_at)
        stamp = self._stamp(day, known_at)
        if stamp is None:
            answer = self.commitments(
                as_of=day, known_at=known_at, staff_id=staff_id, unit=unit, status=status, structure=structure
            )
            return _folded_page(
                day, answer.report.rule_set, answer.summary(), answer.listed,
                commitment_key, Commitment.as_dict, after, limit,
            )
        question = ("commitments_page", day, nfc(unit), staff_id, status, structure, after, limit)
        return self._viewed_page(
            question, stamp, day, unit, staff_id, structure,
            lambda r, s: r.commitments(s, staff_id, status, after, limit),
        )

    def _viewed_page(
        self,
        question: tuple[Any, ...],
        stamp: tuple[int, int],
        day: date,
        unit: str | None,
        staff_id: str | None,
        structure: str | None,
        run: Callable[[FindingsReads, Scope], ListedPage],
    ) -> PageAnswer:
        """A page counted and loaded in the findings view, remembered while it stands still."""
        found = self._remember(question, lambda: self._read(day, unit, staff_id, structure, run), stamp)
        return PageAnswer(day, self.rules.label, found)

    # ---------------------------------------------------------------- helpers

    def _read(
        self,
        day: date,
        unit: str | None,
        staff_id: str | None,
        structure: str | None,
        run: Callable[[FindingsReads, Scope], T],
    ) -> T:
        """``run`` over the findings view for the people of ``unit`` on ``day``; a 404 naming
        ``staff_id`` if it is given and the ledger has no such person."""
        assert self.findings is not None
        on = structure_day(structure, day, self.today())

        def checked(reads: FindingsReads, scope: Scope) -> T:
            if staff_id is not None and not reads.knows(staff_id):
                raise errors.StaffNotFound(f"No staff member '{staff_id}'.", field="staff_id")
            return run(reads, scope)

        return self.findings.read_findings(nfc(unit), on, checked)

    def _stamp(self, day: date, known_at: datetime | None) -> tuple[int, int] | None:
        """Where the findings view stands, if it answers this question (as known now, on a day
        it was judged for); None: fold the records instead."""
        if known_at is not None or self.findings is None:
            return None
        return self.findings.findings_stamp(day)

    def _judged(
        self, part: str, day: date, unit: str | None, staff_id: str | None, structure: str | None
    ) -> Judged:
        """The findings view's people for one report; a 404 naming ``staff_id`` if it is given
        and the ledger has no such person (as :meth:`_records` does for folded records)."""
        assert self.findings is not None
        on = structure_day(structure, day, self.today())
        found = self.findings.findings(day, part, unit=unit, structure_on=on, staff_id=staff_id)
        if not found.staff_found:
            raise errors.StaffNotFound(f"No staff member '{staff_id}'.", field="staff_id")
        return found

    def _commitments(self, day: date, items: Iterable[Commitment], status: str | None) -> CommitmentsReport:
        ordered = sorted(items, key=lambda c: (c.staff_id, c.starts_on, c.enrollment_id))
        return CommitmentsReport(
            as_of=day,
            rule_set=self.rules.label,
            items=tuple(c for c in ordered if status in (None, c.status)),
        )

    def _records(
        self,
        day: date,
        known_at: datetime | None,
        staff_id: str | None,
        unit: str | None = None,
        structure: str | None = None,
    ) -> list[StaffRecord]:
        """Every record on ``day`` as known at ``known_at`` (with ``unit``, at least those of the
        people in it: only they are folded when the views can say who they are); a 404 naming
        ``staff_id`` if it is given and the ledger had no such person."""
        only = self._in_unit(day, known_at, unit, structure)
        records = self.source.records(day, known_at, only=only)
        outside = staff_id is not None and only is not None and staff_id not in only
        if outside and self.source.registered(str(staff_id), known_at):
            return records  # there, but not in the unit: the report lists nobody
        if staff_id is not None and not any(r.staff_id == staff_id for r in records):
            if known_at is not None and self.ledger.staff_exists(staff_id):
                raise errors.StaffNotFound(
                    f"Staff member '{staff_id}' was not yet registered at {known_at.isoformat()}.",
                    field="staff_id",
                )
            raise errors.StaffNotFound(f"No staff member '{staff_id}'.", field="staff_id")
        return records

    def _in_unit(
        self, day: date, known_at: datetime | None, unit: str | None, structure: str | None
    ) -> set[str] | None:
        """Who worked in ``unit`` on ``day`` as known at ``known_at``, from the statistics view
        (so a report for one unit folds that unit's records, not the agency's); None: everyone."""
        if unit is None or self.findings is None:
            return None
        on = structure_day(structure, day, self.today())
        return self.findings.staff_in_unit(day, known_at, nfc(unit) or unit, on)

    def _chosen(
        self,
        records: Iterable[StaffRecord],
        day: date,
        unit: str | None,
        staff_id: str | None,
        known_at: datetime | None = None,
        structure: str | None = None,
    ) -> list[StaffRecord]:
        """The records a report covers: ``staff_id``'s, and those in ``unit`` on ``day``, their
        unit mapped onto the structure of ``day`` (or today's, ``structure="current"``)."""
        if unit is None:
            return [r for r in records if staff_id in (None, r.staff_id)]
        source = self.findings if self.findings is not None else self.source
        organisation = source.structure(known_at)
        on = structure_day(structure, day, self.today())
        return [
            r
            for r in records
            if staff_id in (None, r.staff_id) and organisation.successor(r.unit_on(day), on) == unit
        ]

    def _remember(
        self, question: tuple[Any, ...], compute: Callable[[], T], stamp: tuple[int, int] | None = None
    ) -> T:
        """The answer to ``question``, computed once while the log (or the findings view, at
        ``stamp``) and the rules stay as they are (a change to either is a new key)."""
        # The log's head, not the records read: a question about one unit must not read the log.
        where = ("findings", stamp) if stamp is not None else ("log", self.source.reader.head())
        key = (question, where, self.rules.label)
        with self._cache_lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return cast(T, self._cache[key])
        answer = compute()
        with self._cache_lock:
            self._cache[key] = answer
            while len(self._cache) > CACHED_ANSWERS:
                self._cache.popitem(last=False)
        return answer


def _aware(moment: datetime | None) -> datetime | None:
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


# --------------------------------------------------------------------------- JSON shapes


def effect_totals(effects: Sequence[ProgrammeEffect]) -> dict[str, Any]:
    """Counts over programme-years: completions, ratings compared (improved, unchanged,
    declined), post-training evaluations and the share rated applied (excellent or good)."""
    evaluated = sum(e.evaluated for e in effects)
    applied = sum(
        n for e in effects for rating, n in e.post_training.items() if rating in ("excellent", "good")
    )
    return {
        "completions": sum(e.completions for e in effects),
        "compared": sum(e.compared for e in effects),
        "improved": sum(e.improved for e in effects),
        "unchanged": sum(e.unchanged for e in effects),
        "declined": sum(e.declined for e in effects),
        "evaluated": evaluated,
        "applied": applied,
        "applied_share": str((Decimal(applied) / evaluated).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
        if evaluated
        else None,
    }


def needs_json(answer: NeedsAnswer, *, everyone: bool = False) -> dict[str, Any]:
    """The whole needs answer as JSON data (the command line's ``--json``; the API pages it)."""
    people = answer.report.people if everyone else answer.listed
    items = [needs_item(p) for p in people]
    return {
        "as_of": answer.report.as_of,
        "rule_set": answer.report.rule_set,
        "position": answer.report.position,
        "unit": answer.unit,
        "summary": answer.summary(),
        "items": items,
        "people": items,  # the name the command line gave them before it shared the API's shape
        "pools": [pool.as_dict() for pool in answer.report.pools],
    }


def appointments_json(answer: AppointmentsAnswer) -> dict[str, Any]:
    return {
        "as_of": answer.as_of,
        "rule_set": answer.rule_set,
        "summary": answer.summary(),
        "items": [row.as_dict() for row in answer.listed],
    }


def commitments_json(answer: CommitmentsAnswer) -> dict[str, Any]:
    return {
        "as_of": answer.report.as_of,
        "rule_set": answer.report.rule_set,
        "summary": answer.summary(),
        "items": [c.as_dict() for c in answer.listed],
    }


def effectiveness_json(answer: EffectivenessAnswer) -> dict[str, Any]:
    items = [e.as_dict() for e in answer.effects]
    return {
        "as_of": answer.as_of,
        "summary": answer.summary(),
        "by_track": answer.by_track(),
        "items": items,
        "programmes": items,  # the name the command line gave them before it shared the API's shape
    }
