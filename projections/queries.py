"""The read model the HTTP layer (and anything else) queries: one object, plain answers.

Typical wiring (a FastAPI lifespan)::

    ledger = Ledger(store)
    engine = Engine(ledger)          # keeps the views; one per process is plenty
    engine.start()
    reads = ReadModel(ledger, engine=engine)
    ...
    reads.close(); engine.stop(); ledger.close()

Read-your-writes: after a write, call ``reads.wait_for(result.position)`` before answering, so
any read that follows the response sees the write. It returns as soon as every view has applied
that position (typically a few milliseconds: it wakes the in-process engine and is woken by its
commit; without an in-process engine it polls the views' tracking rows quickly).

Every answer is a frozen dataclass from :mod:`projections.results` (re-exported here); report
answers are remembered (per process) until the views move, so treat answers as read-only. Reads
raise :class:`ViewNotReady` while a view has no complete generation yet (first start on a big
log: map it to 503), and ``ledger.domain.errors.InvalidInput`` (with ``field``) for bad arguments such
as an unknown code or a malformed cursor.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime
from typing import Any, Literal, TypeVar, cast

from ledger.application import Ledger
from ledger.clock import AgencyClock
from ledger.domain import catalog, errors
from ledger.domain.catalog import Employment, Gender, Track
from ledger.domain.fold import fold_record
from ledger.domain.ids import staff_aggregate_id
from ledger.standards.ruleset import RuleSet
from projections import documents, generations
from projections.annual import annual_report
from projections.anomalies import AnomaliesView, AnomalyList
from projections.anomaly_flags import CODES as ANOMALY_CODES
from projections.anomaly_flags import Anomaly
from projections.base import FOREVER, Tables, View, micros
from projections.credentials import CredentialsView, FlagRules, build_trail
from projections.engine import Engine
from projections.findings import FindingsReads, FindingsView, Judged, Scope
from projections.forms import Bm01Report, bm01, last_complete_year_end
from projections.log import LogReader
from projections.registry import default_views
from projections.reports import Reports
from projections.results import (
    AGE_BANDS,
    AnnualReport,
    Appointment,
    AttendanceReport,
    Credential,
    DirectoryEntry,
    Enrollment,
    Evaluation,
    Flag,
    Page,
    Qualification,
    QualificationsReport,
    Rotation,
    Standing,
    StandingDocument,
    Tally,
    Trail,
    TrailStep,
    WaiverInfo,
)
from projections.splits import PostClassifier, parse_cross, post_classifier
from projections.standing import DIRECTORY_SORTS, STATUSES, StandingView
from projections.standing_records import record_to_standing
from projections.statistics import StatisticsView
from projections.status import ViewState, view_states
from projections.store import AsyncReaders, Database, Readers, Row, Tx, is_missing_table
from projections.units import Structure, UnitNode, structure_day

__all__ = [
    "AGE_BANDS",
    "Appointment",
    "AttendanceReport",
    "Credential",
    "DirectoryEntry",
    "Enrollment",
    "Evaluation",
    "Flag",
    "FlagRules",
    "Page",
    "Qualification",
    "QualificationsReport",
    "ReadModel",
    "Rotation",
    "Standing",
    "StandingDocument",
    "Tally",
    "Trail",
    "TrailStep",
    "ViewNotReady",
    "WaiverInfo",
]

MAX_PAGE = 500
NOT_BUILT = -1
MIN_YEAR = 1900  # the earliest year the annual report answers for
CACHED_ANSWERS = 64  # report answers remembered (per process) until the views move
R = TypeVar("R")
V = TypeVar("V", bound=View)


class ViewNotReady(Exception):
    """A view has no complete generation built by this code yet (it is being built)."""


class ReadModel:
    """Queries over the views. Thread-safe; one per process.

    ``engine``: the in-process engine, if any (makes :meth:`wait_for` snappier; optional).
    ``clock``: "now" for defaults (the agency's date today); the ledger's clock by default, and
    a plain callable (a test's chosen instant) is read in the ledger's time zone.
    ``flag_rules``: thresholds of the provenance flags of trails.
    """

    def __init__(
        self,
        ledger: Ledger,
        *,
        engine: Engine | None = None,
        clock: Callable[[], datetime] | None = None,
        flag_rules: FlagRules | None = None,
    ) -> None:
        self.ledger = ledger
        self.engine = engine
        self.clock: AgencyClock = (
            clock
            if isinstance(clock, AgencyClock)
            else AgencyClock(ledger.clock.zone, clock) if clock is not None else ledger.clock
        )
        self.flag_rules = flag_rules or FlagRules(local_time=self.clock.zone)
        views = engine.views if engine is not None else default_views(ledger)
        self._views: dict[str, View] = {v.name: v for v in views}
        self.standing_view = _one(views, StandingView)
        self.credentials_view = _one(views, CredentialsView)
        self.statistics_view = _one(views, StatisticsView)
        self.anomalies_view = _one(views, AnomaliesView)
        self.findings_view = next((v for v in views if isinstance(v, FindingsView)), None)
        self._readers = Readers(Database(ledger.store))
        self._async_readers = AsyncReaders(self._readers)
        self._log = LogReader(ledger)
        self._meta_ready = False
        self._meta_lock = threading.Lock()
        self._cache: OrderedDict[Any, Any] = OrderedDict()
        self._cache_lock = threading.Lock()
        self._reports: Reports | None = None
        self._classifier: tuple[RuleSet, PostClassifier] | None = None
        # The standing view's live generation and the statement that reads a document from it:
        # remembered, and checked by that very statement on every read (see standing_document).
        self._standing_live: tuple[int, str] | None = None

    def close(self) -> None:
        self._readers.close()

    @property
    def reports(self) -> Reports:
        """The position-standards reports (``projections.reports``), one per read model."""
        with self._cache_lock:
            if self._reports is None:
                self._reports = Reports(
                    self.ledger, today=self.today, findings=self if self.findings_view is not None else None
                )
            return self._reports
    async def open_async(self) -> None:
        """Make :meth:`standing_document_async` usable in the running event loop."""
        await self._async_readers.open()

    async def close_async(self) -> None:
        await self._async_readers.close()

    # --------------------------------------------------------- read-your-writes

    def applied_position(self) -> int:
        """The log position every view has applied; ``NOT_BUILT`` (-1) while some view has no
        live generation built by this code, so that even ``wait_for(0)`` waits for the views."""
        self._ensure_meta()
        names = list(self._views)
        with self._readers.read() as tx:
            live = generations.live(tx, names)
        if len(live) < len(names):
            return NOT_BUILT
        if any(live[n].schema_version != self._views[n].schema_version for n in names):
            return NOT_BUILT
        return min(g.position for g in live.values())

    def wait_for(self, position: int, timeout: float = 5.0) -> bool:
        """Wait until every view has applied log ``position`` (e.g. ``WriteResult.position``).

        True as soon as it has; False if ``timeout`` seconds pass first (the views are behind:
        no engine running, or a long rebuild of a first generation), or at once when each view
        still behind is stopped by a poison event (see :meth:`wait_views`).
        """
        return not self.wait_views(position, timeout)

    def wait_views(self, position: int, timeout: float = 5.0) -> list[tuple[str, bool]]:
        """Wait until every view has applied log ``position``; returns the views still behind it
        when the wait ends, each as ``(name, failing)`` (empty: all level).

        The wait is bounded by ``timeout`` and does not wait for a view the engine has recorded
        as failing (a poison event stopped it: waiting cannot help), so a write answers promptly
        and can say which view is behind.
        """
        deadline = time.monotonic() + timeout
        engine = self.engine if self.engine is not None and self.engine.running else None
        if engine is not None:
            engine.wake()
        delay = 0.001
        while True:
            seen = engine.commits if engine is not None else 0
            if self.applied_position() >= position:
                return []
            behind = self._behind(position)
            if not behind:
                return []
            remaining = deadline - time.monotonic()
            if remaining <= 0 or all(failing for _, failing in behind):
                return behind
            if engine is not None:
                engine.wait_applied(seen, min(remaining, 0.05))
            else:
                time.sleep(min(delay, remaining))
                delay = min(delay * 2, 0.02)

    def _behind(self, position: int) -> list[tuple[str, bool]]:
        names = list(self._views)
        with self._readers.read() as tx:
            live = generations.live(tx, names)
            faults = generations.faults(tx, live)
        behind = []
        for name in names:
            found = live.get(name)
            if found is None or found.schema_version != self._views[name].schema_version:
                behind.append((name, False))
            elif found.position < position:
                fault = faults.get(name)
                behind.append((name, fault is not None and fault.position == found.position))
        return behind

    def view_states(self) -> list[ViewState]:
        """Each view's position, lag (events and seconds) and fault, if a poison event stopped it."""
        self._ensure_meta()
        with self._readers.read() as tx:
            return view_states(tx, self._log, list(self._views), now=self.clock())

    def level_with_log(self) -> bool:
        """Whether every view, built by this code, has applied the whole log as it is now."""
        return self.applied_position() >= int(self._log.head() or 0)

    def catch_up(self, timeout: float = 5.0) -> bool:
        """Wait until the views have applied everything in the log now (writes of others)."""
        head = int(self._log.head())
        return self.wait_for(head, timeout)

    # ------------------------------------------------------------------ standing

    def standing(
        self, staff_id: str, as_of: date | None = None, known_at: datetime | None = None
    ) -> Standing | None:
        """The standing of ``staff_id`` on business date ``as_of`` (default today) as the ledger
        knew it at ``known_at`` (default now); None if the person is unknown (or was not yet
        registered at ``known_at``).

        The current standing comes from the standing view. A question about another date or an
        earlier state of knowledge is answered by folding the person's own events from the log
        (an indexed read of one stream) with ``ledger.domain.fold.fold_record``: the definition the
        write side uses, so both can never disagree.
        """
        day = as_of or self.today()
        if known_at is None:
            found = self._document(staff_id)
            if found is None:
                return None
            body = documents.render(found[1], day)
            if body is not None:
                return documents.decode(body)
        try:
            events = self.ledger.events_of(staff_id)
        except errors.StaffNotFound:
            return None
        if known_at is not None:
            if known_at.tzinfo is None:
                known_at = known_at.replace(tzinfo=UTC)
            events = [e for e in events if e.timestamp <= known_at]
            if not events:
                return None
        record = fold_record(events, as_of=day, known_at=known_at)
        version = max(e.originator_version for e in events)
        return record_to_standing(record, as_of=day, known_at=known_at, version=version)

    def standing_document(self, staff_id: str, as_of: date | None = None) -> StandingDocument | None:
        """The current standing of ``staff_id`` as JSON, straight from the standing view's
        document (:mod:`projections.documents`): the bytes ``STANDING_JSON.dump_json`` gives for
        ``standing(staff_id, as_of)``. One statement (one round trip on PostgreSQL), nothing
        decoded. None when the document cannot answer: the person is unknown to the view, or
        ``as_of`` is before their latest business date (ask :meth:`standing`, which folds)."""
        return self._standing_document(staff_id, as_of or self.today(), self._document(staff_id))

    async def standing_document_async(
        self, staff_id: str, as_of: date | None = None
    ) -> StandingDocument | None:
        """:meth:`standing_document` for an event loop (after :meth:`open_async`): the statement
        is awaited (PostgreSQL) or run at once (SQLite: microseconds), with no worker thread."""
        day = as_of or self.today()
        for _ in range(3):
            live = self._standing_live
            if live is None:
                # Rare (start, rebuild): a few queries in a thread rather than in the loop.
                live = await asyncio.to_thread(self._standing_generation)
            try:
                row = await self._async_readers.one(live[1], (staff_id,))
            except Exception as error:
                if not is_missing_table(error):
                    raise
                row = None
            found = self._document_of(live, row)
            if found is not False:
                return self._standing_document(staff_id, day, found)
        raise ViewNotReady("The standing view is being rebuilt; try again shortly.")

    def _standing_document(
        self, staff_id: str, day: date, found: tuple[int, str, str] | None
    ) -> StandingDocument | None:
        if found is None:
            return None
        version, doc, courses = found
        body = documents.render(doc, day)
        if body is None:
            return None
        terms = () if courses == "[]" else tuple(
            (track, level, funding, date.fromisoformat(starts))
            for track, level, funding, starts in json.loads(courses)
        )
        return StandingDocument(staff_id, version, day, body, terms)

    def _document(self, staff_id: str) -> tuple[int, str, str] | None:
        """(version, document, courses) of a person in the live standing
        view, in one statement; None if the view does not hold them.

        The live generation is remembered, and the statement itself reads the view's live
        pointer beside the person's row (one snapshot), so a rebuild or a first build that
        switched generations is noticed by the very read that would otherwise use the old
        tables: we look the generation up again and retry (the old tables may even be gone)."""
        for _ in range(3):
            live = self._standing_live or self._standing_generation()
            try:
                row = self._readers.one(live[1], (staff_id,))
            except Exception as error:
                if not is_missing_table(error):
                    raise
                row = None
            found = self._document_of(live, row)
            if found is not False:
                return found
        raise ViewNotReady("The standing view is being rebuilt; try again shortly.")

    def _standing_generation(self) -> tuple[int, str]:
        """Look up the standing view's live generation (ViewNotReady if it has none built by
        this code) and remember it with the statement that reads a document from it."""
        live = self._with_views(
            ["standing"],
            lambda _tx, t: (t["standing"].generation, self.standing_view.document_sql(t["standing"])),
        )
        self._standing_live = live
        return live

    def _document_of(
        self, live: tuple[int, str], row: Row | None
    ) -> tuple[int, str, str] | Literal[False] | None:
        """What a document statement's ``row`` says: the person's (version, document, courses),
        None if the view does not hold them, or False if ``live`` is no longer the live
        generation (the row is from another generation's pointer, or the tables were gone):
        then it is forgotten, and the caller looks it up again."""
        if row is None or row[0] != live[0]:
            self._standing_live = None
            return False
        if row[1] is None:
            return None
        return int(row[1]), row[2], row[3]

    def directory(
        self,
        *,
        unit: str | None = None,
        status: str | None = None,
        q: str | None = None,
        gender: str | None = None,
        track: str | None = None,
        level: str | None = None,
        employment: str | None = None,
        limit: int = 50,
        cursor: str | None = None,
        sort: str = "name",
        offset: int = 0,
    ) -> Page[DirectoryEntry]:
        """The staff directory as of today, in Vietnamese name order (given name, then family
        name, then middle names) then staff_id, with the number of entries the filters select.

        Filters: ``unit`` (the unit they work in today, a running rotation counts), ``status``
        (active / departed / not_joined), ``q`` (words of the name, each the beginning of a word
        of it: ``An`` finds An and Anh, not Thắng; a word typed without diacritics ignores them,
        ``nguyen van an`` finds ``Nguyễn Văn An``, one typed with them must match them, ``Hường``
        does not find ``Hương``; the text also finds a staff code it begins), ``gender``,
        ``employment``, ``track`` (holds some level of it) and ``track`` + ``level`` (their
        highest level in that track is ``level``). ``limit`` 1..500; ``cursor`` from the previous
        page. ``sort`` (one of ``DIRECTORY_SORTS``, ``-`` before it reverses) and ``offset`` page
        by number (the pages); the cursor pages only the default order.
        """
        if sort.lstrip("-") not in DIRECTORY_SORTS:
            raise errors.InvalidInput(
                f"'{sort}' is not a sort order (expected one of: {', '.join(DIRECTORY_SORTS)}).",
                field="sort",
            )
        if offset < 0:
            raise errors.InvalidInput("offset cannot be negative.", field="offset")
        if cursor is not None and (sort != "name" or offset):
            raise errors.InvalidInput("A cursor pages only the default order.", field="cursor")
        if status is not None and status not in STATUSES:
            raise errors.InvalidInput(
                f"'{status}' is not a status (expected one of: {', '.join(STATUSES)}).", field="status"
            )
        _check_code(Gender, gender, "gender")
        _check_code(Employment, employment, "employment")
        _check_code(Track, track, "track")
        rank = None
        if level is not None:
            if track is None:
                raise errors.InvalidInput("A level filter needs the track it belongs to.", field="level")
            found = catalog.level_of(track, level)
            if found is None:
                raise errors.InvalidInput(
                    f"Level '{level}' does not belong to track '{track}'.", field="level"
                )
            rank = found.rank
        if not 1 <= limit <= MAX_PAGE:
            raise errors.InvalidInput(f"limit must be between 1 and {MAX_PAGE}.", field="limit")
        after = _decode_cursor(cursor)
        today = self.today()

        def run(tx: Tx, tables: dict[str, Tables]) -> Page[DirectoryEntry]:
            entries = self.standing_view.directory(
                tx,
                tables["standing"],
                today=today,
                unit=unit,
                status=status,
                q=q,
                gender=gender,
                employment=employment,
                track=track,
                rank=rank,
                limit=limit + 1,
                after=after,
                sort=sort,
                offset=offset,
            )
            more = len(entries) > limit
            items = tuple(entry for entry, _ in entries[:limit])
            next_cursor = _encode_cursor(entries[limit - 1][1]) if more and sort == "name" else None
            total = self.standing_view.directory_count(
                tx,
                tables["standing"],
                today=today,
                unit=unit,
                status=status,
                q=q,
                gender=gender,
                employment=employment,
                track=track,
                rank=rank,
            )
            return Page(items, next_cursor, total)

        return self._with_views(["standing"], run)

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
        _check_code(Employment, employment, "employment")
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
                _check_code(Track, code, "tracks")
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

    def findings(
        self, day: date, part: str, *, unit: str | None, structure_on: date, staff_id: str | None
    ) -> Judged:
        """The people of one report on ``day`` with ``part`` of their findings (see
        :meth:`FindingsView.people`); the unit structure is the statistics view's, as known now."""
        view = self.findings_view
        assert view is not None

        def run(tx: Tx, t: dict[str, Tables]) -> Judged:
            tables = t[view.name]
            structure = Structure.load(tx, t["statistics"], FOREVER) if unit is not None else None
            people = view.people(
                tx, tables, part=part, unit=unit, structure=structure, structure_on=structure_on
            )
            found = staff_id is None or view.knows(tx, tables, staff_id)
            return Judged(people, staff_found=found)

        return self._with_views([view.name, "statistics"], run)

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

    # ------------------------------------------------------------------ helpers

    def today(self) -> date:
        """The agency's date now: the default ``as_of`` of every read."""
        return self.clock.today()

    def _ensure_meta(self) -> None:
        if self._meta_ready:
            return
        with self._meta_lock:
            if not self._meta_ready:
                conn = Database(self.ledger.store).connect()
                try:
                    generations.ensure_tables(conn)
                finally:
                    conn.close()
                self._meta_ready = True

    def _with_views(
        self,
        names: list[str],
        run: Callable[[Tx, dict[str, Tables]], R],
        *,
        cache: tuple[Any, ...] | None = None,
    ) -> R:
        """Run ``run`` in one read transaction over the live generations of ``names``.

        With ``cache`` (the question, as a key), an answer given for the same question while the
        views stood at the same positions is given again: reports over a whole agency are worth
        remembering until the next event. A rebuild may drop a generation just after we looked up
        the pointer; then we look again.
        """
        self._ensure_meta()
        for attempt in range(3):
            try:
                with self._readers.read() as tx:
                    live = generations.live(tx, names)
                    tables = {}
                    for name in names:
                        view = self._views[name]
                        found = live.get(name)
                        if found is None or found.schema_version != view.schema_version:
                            raise ViewNotReady(f"The {name} view is being built; try again shortly.")
                        tables[name] = view.table_set(found.generation)
                    if cache is None:
                        return run(tx, tables)
                    key = (cache, tuple((live[n].generation, live[n].position) for n in names))
                    with self._cache_lock:
                        if key in self._cache:
                            self._cache.move_to_end(key)
                            return cast(R, self._cache[key])
                    answer = run(tx, tables)
                    with self._cache_lock:
                        self._cache[key] = answer
                        while len(self._cache) > CACHED_ANSWERS:
                            self._cache.popitem(last=False)
                    return answer
            except Exception as error:
                if attempt < 2 and is_missing_table(error):
                    continue
                raise
        raise AssertionError("unreachable")


def _one(views: Iterable[View], kind: type[V]) -> V:
    for view in views:
        if isinstance(view, kind):
            return view
    raise ValueError(f"No {kind.__name__} among the engine's views.")


def _check_code(enum_type: Any, value: str | None, field: str) -> None:
    if value is None:
        return
    try:
        enum_type(value)
    except ValueError:
        allowed = ", ".join(member.value for member in enum_type)
        raise errors.InvalidInput(
            f"'{value}' is not a valid {field} (expected one of: {allowed}).", field=field
        ) from None


def _encode_cursor(key: tuple[str, str]) -> str:
    raw = json.dumps(list(key), ensure_ascii=False, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str | None) -> tuple[str, str] | None:
    if cursor is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value = json.loads(raw)
        if (
            isinstance(value, list)
            and len(value) == 2
            and all(isinstance(part, str) for part in value)
        ):
            return value[0], value[1]
    except (binascii.Error, ValueError, UnicodeDecodeError):
        pass
    raise errors.InvalidInput("The cursor is not one this server gave out.", field="cursor")
