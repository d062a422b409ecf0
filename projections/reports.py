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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any, TypeVar, cast

from ledger.application import Ledger
from ledger.domain import errors
from ledger.domain.catalog import Track
from ledger.domain.record import StaffRecord
from ledger.standards.commitments import Commitment, CommitmentsReport, commitments_report
from ledger.standards.compliance import review_appointments
from ledger.standards.effectiveness import ProgrammeEffect, effectiveness_report
from ledger.standards.model import PositionKind
from ledger.standards.needs import NeedsReport, needs_report, pool_readiness, pools_of
from ledger.standards.ruleset import RuleSet
from projections.findings import PersonFindings, commitment_key
from projections.findings_reads import FindingsReads, ListedPage, Scope
from projections.records import FindingsSource, RecordSource
from projections.report_answers import (
    AppointmentsAnswer,
    CommitmentsAnswer,
    EffectivenessAnswer,
    NeedsAnswer,
    NeedsListing,
    PageAnswer,
    folded_page,
    page_after,
)
from projections.shapes import AppointmentRow, needs_item
from projections.text import nfc
from projections.units import structure_day

T = TypeVar("T")

CACHED_ANSWERS = 32


# --------------------------------------------------------------------------- answers


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
                active = [p for p in self._judged("needs", day, unit, staff_id, structure) if p.active]
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
                people = self._judged("appointments", day, unit, staff_id, structure)
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
                people = self._judged("commitments", day, unit, staff_id, structure)
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
            return folded_page(
                day, answer.report.rule_set, answer.summary(), answer.listed,
                lambda p: p.staff_id, needs_item, after, limit, pools,
            )
        question = ("needs_page", day, nfc(unit), staff_id, structure, after, limit)
        return self._viewed_page(
            question, stamp, day, unit, staff_id, structure, lambda r, s: r.needs(s, staff_id, after, limit)
        )

    def needs_listing(
        self,
        *,
        after: str,
        limit: int,
        as_of: date | None = None,
        known_at: datetime | None = None,
        position: str | None = None,
        unit: str | None = None,
    ) -> NeedsListing:
        """One page of :meth:`needs`'s people with gaps as the pages render them: today, only
        the page's people are loaded from the findings view (in the transaction that counts the
        summary); any other question slices the whole answer."""
        day = as_of or self.today()
        stamp = self._stamp(day, _aware(known_at)) if position is None else None
        if stamp is None:
            answer = self.needs(as_of=day, known_at=known_at, position=position, unit=unit)
            listed, more = page_after(answer.listed, lambda p: p.staff_id, after, limit)
            next_key = listed[-1].staff_id if more else None
            return NeedsListing(day, answer.report.rule_set, answer.summary(), tuple(listed), next_key)

        def read(reads: FindingsReads, scope: Scope) -> NeedsListing:
            keys, next_key = reads.needs_keys(scope, None, after, limit)
            found = reads.people(scope, "needs", only=keys)
            people = tuple(p.needs for p in found if p.needs is not None)
            return NeedsListing(day, self.rules.label, reads.needs_summary(scope), people, next_key)

        return self._read(day, unit, None, None, read)

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
            return folded_page(
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
            return folded_page(
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
    ) -> list[PersonFindings]:
        """The findings view's people for one whole answer, with ``part`` of their findings."""
        return self._read(day, unit, staff_id, structure, lambda reads, scope: reads.people(scope, part))

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


