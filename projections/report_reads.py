"""The read model's reads of the reports: trails, agency reports, findings and anomalies."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime

from ledger.domain import errors
from ledger.domain.catalog import Employment, Track
from ledger.domain.ids import staff_aggregate_id
from ledger.standards.ruleset import RuleSet
from projections import generations
from projections.annual import annual_report
from projections.anomalies import AnomalyList
from projections.anomaly_flags import CODES as ANOMALY_CODES
from projections.anomaly_flags import Anomaly
from projections.base import FOREVER, Tables, micros
from projections.credentials import build_trail
from projections.findings_reads import FindingsReads, Scope
from projections.forms import Bm01Report, bm01, last_complete_year_end
from projections.read_base import MIN_YEAR, R, ViewReads, check_code
from projections.reports import Reports
from projections.results import (
    AnnualReport,
    AttendanceReport,
    QualificationsReport,
    Trail,
)
from projections.splits import PostClassifier, parse_cross, post_classifier
from projections.store import Tx
from projections.units import Structure, UnitNode, structure_day


class ReportReads(ViewReads):
    """Reads of the credentials, statistics, findings and anomalies views (part of
    :class:`projections.queries.ReadModel`)."""

    @property
    def reports(self) -> Reports:
        """The position-standards reports (``projections.reports``), one per read model."""
        with self._cache_lock:
            if self._reports is None:
                self._reports = Reports(
                    self.ledger, today=self.today, findings=self if self.findings_view is not None else None
                )
            return self._reports

    # -------------------------------------------------------------------- trails

    def trail(self, staff_id: str, credential_id: str) -> Trail | None:
        """How ``credential_id`` of ``staff_id`` was obtained: the ordered steps (registration,
        the enrollment and its dispatch decision, the completion and its certificate, any
        correction of these, later post-training evaluations; or the recognition and its
        evidence) and provenance flags. A credential whose awarding event was voided is returned
        with ``status="voided"`` (the live one wins when an id was awarded again). None if the
        ledger has no such credential.
        """
        found = self._with_views(
            ["credentials"],
            lambda tx, t: self.credentials_view.lookup(tx, t["credentials"], staff_id, credential_id),
        )
        if found is None:
            return None
        award, thread = found
        oid = staff_aggregate_id(staff_id)
        last = max([award.version, *(step.version for step in thread)])
        events = self._log.events_of(oid, last)
        positions = self.ledger.chained_recorder.positions_of(oid)
        return build_trail(
            staff_id, events, positions, award, thread, rules=self.flag_rules, today=self.today()
        )

    # ------------------------------------------------------------------- reports

    def qualifications(
        self,
        as_of: date | None = None,
        unit: str | None = None,
        employment: str | None = None,
        known_at: datetime | None = None,
        structure: str | None = None,
    ) -> QualificationsReport:
        """Staff on the roll on ``as_of`` (default today), as known at ``known_at`` (default
        now), counted by their highest level per track, plus headcount by gender, age band
        (<30, 30-34, …, 55+, age on ``as_of``), unit (on ``as_of``) and employment. Filters:
        ``unit`` (the unit they work in on ``as_of``, on the structure in force on ``as_of`` or,
        with ``structure="current"``, on today's), ``employment``."""
        check_code(Employment, employment, "employment")
        day = as_of or self.today()
        at = FOREVER if known_at is None else micros(known_at)
        on = structure_day(structure, day, self.today())
        return self._with_views(
            ["statistics"],
            lambda tx, t: self.statistics_view.qualifications(
                tx, t["statistics"], as_of=day, known_at=at, unit=unit, employment=employment,
                known_at_value=known_at, structure_on=on,
            ),
            cache=("qualifications", day, at, unit, employment, on),
        )

    def attendance(
        self,
        from_: date | None = None,
        to: date | None = None,
        tracks: Sequence[str] | None = None,
        known_at: datetime | None = None,
        unit: str | None = None,
        cross: Sequence[str] | None = None,
        structure: str | None = None,
    ) -> AttendanceReport:
        """Training attendances: enrollments whose start falls in [``from_``, ``to``] (defaults:
        the earliest course start on record, today), whatever their outcome, voided ones
        excluded, staff who have since departed included; counted as person-times (lượt) and
        distinct persons, overall and by track, year, mode, status (on ``to``), gender, location,
        funding, post and age on the first day, staff status on ``to`` and programme, with the
        roll on ``to`` by attendances per person (``projections.splits``). ``tracks`` restricts
        to some tracks (default all); ``unit`` to the enrollments of people who worked in that
        unit on the day their course started (as known at ``known_at``); ``cross`` names two
        splits to cross (e.g. ``("gender", "post_at_start")``). The unit is mapped onto the
        structure in force on ``to`` (or today's, ``structure="current"``)."""
        chosen: tuple[str, ...] | None = None
        if tracks:
            for code in tracks:
                check_code(Track, code, "tracks")
            chosen = tuple(dict.fromkeys(tracks))
        crossed = parse_cross(cross)
        end = to or self.today()
        at = FOREVER if known_at is None else micros(known_at)
        if from_ is not None and from_ > end:
            raise errors.InvalidInput(f"from {from_} is after to {end}.", field="from")
        rules = self.ledger.rules
        on = structure_day(structure, end, self.today())
        return self._with_views(
            ["statistics"],
            lambda tx, t: self.statistics_view.attendance(
                tx, t["statistics"], from_=from_, to=end, tracks=chosen, known_at=at,
                known_at_value=known_at, unit=unit, classify_post=self._post_classifier(rules),
                cross=crossed, structure_on=on,
            ),
            # The post classes come from the rules' positions: another rules file, another answer.
            cache=("attendance", from_, end, chosen, at, unit, crossed, rules.digest, rules.variant, on),
        )

    def annual(self, year: int | None = None, known_at: datetime | None = None) -> AnnualReport:
        """The annual report "Kết quả đào tạo, bồi dưỡng" (docs/domain.md §4.1) of ``year`` (default:
        the last complete year): the courses starting in it, in the form's rows and columns, their
        status on 31 December, as known at ``known_at`` (``projections.annual``)."""
        today = self.today()
        chosen = today.year - 1 if year is None else year
        if not MIN_YEAR <= chosen <= today.year:
            raise errors.InvalidInput(
                f"year {chosen} is not between {MIN_YEAR} and this year ({today.year}).", field="year"
            )
        at = FOREVER if known_at is None else micros(known_at)
        rules = self.ledger.rules
        classify = self._post_classifier(rules)

        def run(tx: Tx, t: dict[str, Tables]) -> AnnualReport:
            rows = self.statistics_view.attendance_rows(
                tx, t["statistics"], from_=date(chosen, 1, 1), to=date(chosen, 12, 31), tracks=None,
                known_at=at,
            )
            return annual_report(rows, classify, year=chosen, known_at=known_at)

        return self._with_views(
            ["statistics"], run, cache=("annual", chosen, at, rules.digest, rules.variant)
        )

    def _post_classifier(self, rules: RuleSet) -> PostClassifier:
        """The post classifier of ``rules``, made once per rule set (it remembers its answers)."""
        made = self._classifier
        if made is None or made[0] is not rules:
            made = self._classifier = (rules, post_classifier(rules))
        return made[1]

    def bm01(
        self,
        as_of: date | None = None,
        unit: str | None = None,
        known_at: datetime | None = None,
        structure: str | None = None,
    ) -> Bm01Report:
        """Form BM01/BNV (``projections.forms``): the staff on the roll on ``as_of`` (default 31
        December of the last complete year), as known at ``known_at`` (default now), per unit and
        for the agency, by gender, leadership post, rank, highest levels and age band (by the
        retirement ages of the ledger's rules file); units on the structure in force on ``as_of``
        or, with ``structure="current"``, on today's."""
        day = as_of or last_complete_year_end(self.today())
        on = structure_day(structure, day, self.today())
        at = FOREVER if known_at is None else micros(known_at)
        rules = self.ledger.rules
        return self._with_views(
            ["statistics"],
            lambda tx, t: bm01(
                tx, t["statistics"], as_of=day, known_at=at, unit=unit, rules=rules,
                classify_post=self._post_classifier(rules), known_at_value=known_at, structure_on=on,
            ),
            cache=("bm01", day, at, unit, rules.digest, rules.variant, on),
        )

    def units_on(self, as_of: date | None = None, known_at: datetime | None = None) -> list[UnitNode]:
        """The organisation on ``as_of`` (default today) as known at ``known_at``: every unit that
        exists that day, recorded or in use as free text, with its name and parent then."""
        day = as_of or self.today()
        at = FOREVER if known_at is None else micros(known_at)
        structure = self._with_views(
            ["statistics"],
            lambda tx, t: self.statistics_view.structure(tx, t["statistics"], known_at=at, first_use=True),
            cache=("structure", at),
        )
        return structure.units_on(day)

    def units(self) -> list[str]:
        """Every unit anyone was ever in (at registration, or moved to by a rotation, transfer
        or secondment, voided ones included), sorted: from the statistics view."""
        return self._with_views(
            ["statistics"], lambda tx, t: self.statistics_view.units(tx, t["statistics"]), cache=("units",)
        )

    # ------------------------------------------------------------------ findings

    def findings_stamp(self, day: date) -> tuple[int, int] | None:
        """The findings view's live generation and position, if it was judged under this
        ledger's rules and every row for ``day``; else None (the reports fold the records)."""
        view = self.findings_view
        if view is None:
            return None
        self._ensure_meta()
        with self._readers.read() as tx:
            live = generations.live(tx, [view.name]).get(view.name)
            if live is None or live.schema_version != view.schema_version:
                return None
            if not view.judged_for(tx, view.table_set(live.generation), day):
                return None
            return live.generation, live.position

    def structure(self, known_at: datetime | None) -> Structure:
        """The organisation's units as known at ``known_at`` (now when None), from the statistics
        view's unit facts."""
        k = FOREVER if known_at is None else micros(known_at)
        return self._with_views(
            ["statistics"], lambda tx, t: self.statistics_view.structure(tx, t["statistics"], known_at=k)
        )

    def staff_in_unit(self, day: date, known_at: datetime | None, unit: str, structure_on: date) -> set[str]:
        """Who worked in ``unit`` on ``day`` as known at ``known_at`` (the statistics view's rule
        of a person's unit on a day, mapped onto the structure of ``structure_on``)."""
        k = FOREVER if known_at is None else micros(known_at)
        return self._with_views(
            ["statistics"],
            lambda tx, t: self.statistics_view.staff_in_unit(
                tx, t["statistics"], day=day, known_at=k, unit=unit, structure_on=structure_on
            ),
        )

    def read_findings(
        self, unit: str | None, structure_on: date, run: Callable[[FindingsReads, Scope], R]
    ) -> R:
        """``run`` over the live findings view with the scope of ``unit`` (its unit facts from
        the statistics view, as known now), in one read transaction."""
        view = self.findings_view
        assert view is not None

        def read(tx: Tx, t: dict[str, Tables]) -> R:
            reads = FindingsReads(tx, t[view.name])
            structure = Structure.load(tx, t["statistics"], FOREVER) if unit is not None else None
            return run(reads, reads.scope(unit, structure, structure_on))

        return self._with_views([view.name, "statistics"], read)

    # ----------------------------------------------------------------- anomalies

    def anomalies(
        self, *, unit: str | None = None, code: str | None = None, as_of: date | None = None
    ) -> AnomalyList:
        """Every anomaly of every staff member (``projections.anomalies``), by staff code then
        business date, from the anomalies view; ``unit``: of people working in it on ``as_of``
        (default today); ``code``: only that kind (the counts per code are taken before it)."""
        if code is not None and code not in ANOMALY_CODES:
            raise errors.InvalidInput(
                f"'{code}' is not an anomaly code (expected one of: {', '.join(ANOMALY_CODES)}).",
                field="code",
            )
        day = as_of or self.today()
        return self._with_views(
            ["anomalies", "statistics"],
            lambda tx, t: self.anomalies_view.listing(
                tx, t["anomalies"], t["statistics"], as_of=day, unit=unit, code=code
            ),
            cache=("anomalies", day, unit, code),
        )

    def person_anomalies(self, staff_id: str) -> list[Anomaly]:
        """The anomalies of one staff member (empty for an unknown one), from the view."""
        return self._with_views(
            ["anomalies"], lambda tx, t: self.anomalies_view.of_person(tx, t["anomalies"], staff_id)
        )
