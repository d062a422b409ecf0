"""The findings view: every person judged against the position standards, once, by the engine.

The needs, appointments, commitments and effectiveness reports judge each person's record with
the pure functions of ``ledger.standards`` (needs, compliance, commitments and
effectiveness). Judging a whole agency on every request costs about a millisecond a
person, so the engine keeps the judgement of every person instead: when an event of a person
arrives, that person's record is folded from their own stream and judged again, and their row
replaced (:func:`judge`, the one definition; the reports assemble their answers from the rows
exactly as they would from freshly folded records).

**The day.** A judgement is of one business day: a grace period runs out, a credential expires,
a planning period starts without any event. Each row records the day it was judged for
(``judged_on``), the engine's day (the agency's clock). When the date turns, the engine re-judges
the rows of an earlier day while it has nothing else to do (:meth:`FindingsView.refresh`, a few
hundred people per transaction), and a report asks the view only when every row is of its day;
until then, and for any other day or state of knowledge, the reports fold the records themselves
(``projections.reports``). The view never answers for a day it was not judged for.

**The rules.** The judgement depends on the rules file (and its variant): the view records the
rules' label and digest, and its schema version includes the digest, so under other rules the
engine builds a new generation beside the live one and switches to it when it is level; until
then the reports fold. Changing the rules changes no event.

The judged objects are kept pickled: they are the read side's own cache of its own frozen
dataclasses, written only by the engine into the projection tables, and loading them is far
cheaper than judging again.
"""

from __future__ import annotations

import base64
import hashlib
import pickle
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, ClassVar
from uuid import UUID

from ledger.clock import AgencyClock, zone_from_environment
from ledger.domain.catalog import Rating, Track
from ledger.domain.fold import fold_record
from ledger.domain.record import StaffRecord
from ledger.staff import StaffEvent
from ledger.standards.commitments import Commitment, commitments_of
from ledger.standards.compliance import AppointmentReview, review_appointments
from ledger.standards.effectiveness import RATING_SCORE, CourseOutcome, ProgrammeEffect, course_outcomes
from ledger.standards.needs import PersonNeeds, PoolEntry, PoolReadiness, needs_of, pool_entries
from ledger.standards.rules import parse_rules, rules_from_environment
from ledger.standards.ruleset import RuleSet
from projections.base import Envelope, LogSource, Tables, View
from projections.shapes import AppointmentRow, needs_item
from projections.store import Tx
from projections.units import Structure

# Bumped when what a row holds changes (the pickled classes, how a person is judged).
FORMAT = 2
REFRESH_BATCH = 200  # people re-judged per transaction when the date turns


@dataclass(frozen=True)
class PersonFindings:
    """One person judged on one day: all the position-standards reports need of them."""

    staff_id: str
    full_name: str
    unit: str  # the unit they work in on the day (as recorded, before any merger is mapped)
    status: str  # ``StaffRecord.status_on`` the day
    active: bool
    needs: PersonNeeds | None  # active people only
    pools: tuple[PoolEntry, ...]  # active people only
    appointments: tuple[AppointmentReview, ...]  # people who had joined by the day
    commitments: tuple[Commitment, ...]
    outcomes: tuple[CourseOutcome, ...]


def record_on(events: Sequence[StaffEvent], day: date) -> StaffRecord:
    """A person's record on ``day`` as known now, as the reports fold it."""
    latest = max(e.effective_on for e in events)
    return fold_record(events) if day >= latest else fold_record(events, as_of=day)


def judge(record: StaffRecord, day: date, rules: RuleSet) -> PersonFindings:
    """Everything the reports judge of one record (folded on ``day``) on ``day``."""
    active = record.is_active_on(day)
    status = record.status_on(day)
    needs = needs_of(record, day, rules) if active else None
    return PersonFindings(
        staff_id=record.staff_id,
        full_name=record.full_name,
        unit=record.unit_on(day),
        status=status,
        active=active,
        needs=needs,
        pools=tuple(pool_entries(record, day, rules, needs.planned)) if needs is not None else (),
        appointments=(
            ()
            if status == "not_joined"
            else needs.appointments  # judged once for both reports
            if needs is not None
            else tuple(review_appointments(record, day, rules))
        ),
        commitments=tuple(commitments_of(record, rules, day)),
        outcomes=tuple(course_outcomes(record, day)),
    )


# What each report reads of a person, kept apart so a report loads only its own part.
PARTS = ("needs", "appointments", "commitments", "outcomes")
RATINGS = tuple(Rating)


def _dump(value: Any) -> str | None:
    if not value:
        return None
    return base64.b64encode(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)).decode("ascii")


def _load(text: str | None) -> Any:
    return None if text is None else pickle.loads(base64.b64decode(text))


def _parts(findings: PersonFindings) -> tuple[str | None, ...]:
    needs = (findings.needs, findings.pools) if findings.needs is not None else None
    return (_dump(needs), _dump(findings.appointments), _dump(findings.commitments), _dump(findings.outcomes))


def commitment_key(commitment: Commitment) -> str:
    """A commitment's place in the report and its paging key: staff code, start, enrollment."""
    return f"{commitment.staff_id}|{commitment.starts_on.isoformat()}|{commitment.enrollment_id}"


@dataclass
class _Rows:
    """The rows one person's findings make in each table of the view."""

    people: list[tuple[Any, ...]] = field(default_factory=list)
    gaps: list[tuple[Any, ...]] = field(default_factory=list)
    pools: list[tuple[Any, ...]] = field(default_factory=list)
    appointments: list[tuple[Any, ...]] = field(default_factory=list)
    commitments: list[tuple[Any, ...]] = field(default_factory=list)
    outcomes: list[tuple[Any, ...]] = field(default_factory=list)

    def add(self, aggregate: str, version: int, day: date, f: PersonFindings) -> None:
        needs = f.needs
        self.people.append(
            (
                aggregate, f.staff_id, version, f.full_name, f.unit, f.status, int(f.active),
                int(bool(needs and needs.gaps)), day.isoformat(), *_parts(f),
                _dump(needs_item(needs)) if needs is not None else None,
            )
        )
        if needs is not None:
            self.gaps += [(aggregate, n, str(c.track), str(c.status)) for n, c in enumerate(needs.gaps)]
        for n, entry in enumerate(f.pools):
            pool = PoolReadiness(entry.position, entry.position_name, (entry.candidate,)).as_dict()
            code = entry.position.code if entry.position else None
            self.pools.append(
                (aggregate, n, entry.key, code, entry.position_name, f.staff_id, int(entry.candidate.ready),
                 _dump(pool["people"][0]))
            )
        for n, review in enumerate(f.appointments):
            row = AppointmentRow(f.staff_id, f.full_name, f.status, review)
            self.appointments.append(
                (
                    aggregate, n, row.key, int(row.flagged), int(review.met_rules_then),
                    int(review.appointed_without_meeting_standard),
                    int(not review.would_meet_todays_rules_then), int(not review.meets_todays_rules),
                    int(review.waiver is not None), _dump(row.as_dict()),
                )
            )
        for n, c in enumerate(f.commitments):
            owed = str(c.reimbursement) if c.reimbursement else None
            self.commitments.append(
                (aggregate, n, commitment_key(c), str(c.status), int(c.open), owed, _dump(c.as_dict()))
            )
        for n, o in enumerate(f.outcomes):
            change = o.change
            compared = change is not None and o.rating_before is not None and o.rating_after is not None
            counts = [sum(1 for r in o.post_training if r == rating) for rating in RATINGS]
            self.outcomes.append(
                (
                    aggregate, n, f.staff_id, o.course_code, str(o.track), o.level or "", o.completed_on.year,
                    o.course_title, int(compared),
                    RATING_SCORE[o.rating_before] if compared and o.rating_before else 0,
                    RATING_SCORE[o.rating_after] if compared and o.rating_after else 0,
                    int(compared and (change or 0) > 0), int(compared and change == 0),
                    int(compared and (change or 0) < 0), *counts,
                )
            )


def rules_digest(rules: RuleSet) -> str:
    """What the judgement depends on besides the log: the rules file, its variant, this code."""
    return hashlib.sha256(f"{rules.digest}|{rules.variant}|{FORMAT}".encode()).hexdigest()


@dataclass(frozen=True)
class Judged:
    """What the view holds for one report on one day: the people it covers, by staff code, and
    whether the one person asked about (if any) is in the ledger at all."""

    people: list[PersonFindings]
    staff_found: bool = True


class FindingsView(View):
    """One row per person: their findings on the engine's day under the ledger's rules; beside
    it a row per unmet requirement, place in a planning pool, appointment, commitment and course
    outcome, with the columns the reports count and page by and each item ready-made."""

    name = "findings"
    tables: ClassVar[dict[str, str]] = {
        "people": (
            "aggregate TEXT NOT NULL, staff_id TEXT NOT NULL, version INTEGER NOT NULL, "
            "full_name TEXT NOT NULL, unit TEXT NOT NULL, status TEXT NOT NULL, active INTEGER NOT NULL, "
            "has_gaps INTEGER NOT NULL, judged_on TEXT NOT NULL, needs TEXT, appointments TEXT, "
            "commitments TEXT, outcomes TEXT, needs_item TEXT, PRIMARY KEY (aggregate)"
        ),
        "gaps": (
            "aggregate TEXT NOT NULL, seq INTEGER NOT NULL, track TEXT NOT NULL, status TEXT NOT NULL, "
            "PRIMARY KEY (aggregate, seq)"
        ),
        "pools": (
            "aggregate TEXT NOT NULL, seq INTEGER NOT NULL, pool_key TEXT NOT NULL, position_code TEXT, "
            "position_name TEXT NOT NULL, staff_id TEXT NOT NULL, ready INTEGER NOT NULL, "
            "entry TEXT NOT NULL, PRIMARY KEY (aggregate, seq)"
        ),
        "appointments": (
            "aggregate TEXT NOT NULL, seq INTEGER NOT NULL, sort_key TEXT NOT NULL, "
            "flagged INTEGER NOT NULL, met_then INTEGER NOT NULL, without_standard INTEGER NOT NULL, "
            "fails_today INTEGER NOT NULL, "
            "not_meeting_now INTEGER NOT NULL, with_waiver INTEGER NOT NULL, item TEXT NOT NULL, "
            "PRIMARY KEY (aggregate, seq)"
        ),
        "commitments": (
            "aggregate TEXT NOT NULL, seq INTEGER NOT NULL, sort_key TEXT NOT NULL, status TEXT NOT NULL, "
            "is_open INTEGER NOT NULL, owed TEXT, item TEXT NOT NULL, PRIMARY KEY (aggregate, seq)"
        ),
        "outcomes": (
            "aggregate TEXT NOT NULL, seq INTEGER NOT NULL, staff_id TEXT NOT NULL, "
            "course_code TEXT NOT NULL, track TEXT NOT NULL, level TEXT NOT NULL, year INTEGER NOT NULL, "
            "course_title TEXT NOT NULL, "
            "compared INTEGER NOT NULL, score_before INTEGER NOT NULL, score_after INTEGER NOT NULL, "
            "improved INTEGER NOT NULL, unchanged INTEGER NOT NULL, declined INTEGER NOT NULL, "
            + ", ".join(f"rated_{r.value} INTEGER NOT NULL" for r in RATINGS)
            + ", PRIMARY KEY (aggregate, seq)"
        ),
        "rules": "digest TEXT NOT NULL, label TEXT NOT NULL",
    }
    indexes: ClassVar[dict[str, tuple[str, str]]] = {
        "by_staff": ("people", "staff_id"),
        "by_day": ("people", "judged_on"),
        "by_unit": ("people", "unit"),
        "by_appointment": ("appointments", "sort_key"),
        "by_commitment": ("commitments", "sort_key"),
    }
    CHILDREN = ("gaps", "pools", "appointments", "commitments", "outcomes")

    def __init__(
        self,
        rules: RuleSet | None = None,
        *,
        today: Callable[[], date] | None = None,
        rules_text: str | None = None,
        source: str = "<rules>",
        variant: str | None = None,
        day: str | None = None,
    ) -> None:
        super().__init__()
        if rules is None:
            rules = (
                parse_rules(rules_text, source=source, variant=variant)
                if rules_text is not None
                else rules_from_environment()
            )
        self.rules = rules
        if day is not None:
            fixed = date.fromisoformat(day)
            self.today: Callable[[], date] = lambda: fixed
        else:
            self.today = today or AgencyClock(zone_from_environment()).today
        self.digest = rules_digest(rules)
        self.schema_version = 9_000_000 + int(self.digest[:12], 16) % 1_000_000

    def settings(self) -> dict[str, Any]:
        # A worker of a parallel build judges for the day the build started on, like this process.
        if not self.rules.text:
            raise ValueError("These rules were not loaded from a file's text; build the view in one process.")
        return {
            "rules_text": self.rules.text,
            "source": self.rules.source,
            "variant": self.rules.variant or None,
            "day": self.today().isoformat(),
        }

    def create(self, tx: Tx, tables: Tables, *, indexes: bool) -> None:
        super().create(tx, tables, indexes=indexes)
        tx.execute(f"DELETE FROM {tables['rules']}")
        tx.execute(
            f"INSERT INTO {tables['rules']} (digest, label) VALUES (?, ?)", (self.digest, self.rules.label)
        )

    def apply(self, tx: Tx, tables: Tables, envelopes: Sequence[Envelope], log: LogSource) -> None:
        pages: dict[UUID, list[Envelope]] = {}
        for env in envelopes:
            pages.setdefault(env.originator_id, []).append(env)
        day = self.today()
        stale: list[tuple[str]] = []
        rows = _Rows()
        for oid, mine in pages.items():
            first, last = mine[0].version, mine[-1].version
            whole = first == 1 and last == len(mine)
            events = [e.event for e in mine] if whole else log.events_of(oid, last)
            if first > 1:
                stale.append((str(oid),))
            rows.add(str(oid), last, day, judge(record_on(events, day), day, self.rules))
        self._write(tx, tables, stale, rows)

    def _write(self, tx: Tx, tables: Tables, stale: list[tuple[str]], rows: _Rows) -> None:
        """Replace the rows of the ``stale`` people (a person first seen has none) with ``rows``."""
        if stale:
            for logical in ("people", *self.CHILDREN):
                tx.executemany(self.sql(tables, f"DELETE FROM {{{logical}}} WHERE aggregate = ?"), stale)
        for logical in ("people", *self.CHILDREN):
            found: list[tuple[Any, ...]] = getattr(rows, logical)
            if found:
                marks = ", ".join("?" for _ in found[0])
                tx.executemany(self.sql(tables, f"INSERT INTO {{{logical}}} VALUES ({marks})"), found)

    def refresh(self, tx: Tx, tables: Tables, log: LogSource) -> int:
        """Judge again, for the engine's day, up to a batch of people judged for another day (the
        date turned); how many were."""
        day = self.today()
        stale = tx.query(
            f"SELECT aggregate, version FROM {tables['people']} WHERE judged_on <> ? "
            "ORDER BY aggregate LIMIT ?",
            (day.isoformat(), REFRESH_BATCH),
        )
        if not stale:
            return 0
        rows = _Rows()
        for aggregate, version in stale:
            events = log.events_of(UUID(aggregate), version)
            rows.add(aggregate, version, day, judge(record_on(events, day), day, self.rules))
        self._write(tx, tables, [(aggregate,) for aggregate, _ in stale], rows)
        return len(stale)

    # ------------------------------------------------------------------ reads

    def recorded_rules(self, tx: Tx, tables: Tables) -> tuple[str, str] | None:
        """The digest and label of the rules this generation was judged under."""
        row = tx.record(f"SELECT digest, label FROM {tables['rules']}")
        return None if row is None else (str(row["digest"]), str(row["label"]))

    def judged_for(self, tx: Tx, tables: Tables, day: date) -> bool:
        """Whether every row is judged for ``day`` (an empty view is, for any day)."""
        other = tx.query(f"SELECT 1 FROM {tables['people']} WHERE judged_on <> ? LIMIT 1", (day.isoformat(),))
        return not other

    def knows(self, tx: Tx, tables: Tables, staff_id: str) -> bool:
        return bool(tx.query(f"SELECT 1 FROM {tables['people']} WHERE staff_id = ?", (staff_id,)))

    def people(
        self,
        tx: Tx,
        tables: Tables,
        *,
        part: str,
        unit: str | None,
        structure: Structure | None,
        structure_on: date,
    ) -> list[PersonFindings]:
        """The findings of everyone (working in ``unit`` on the day, their unit mapped onto the
        structure of ``structure_on``), by staff code, with only ``part`` (one of :data:`PARTS`)
        loaded: the other parts are left empty."""
        if part not in PARTS:
            raise ValueError(f"No part {part!r} in the findings view.")
        table = tables["people"]
        columns = f"staff_id, full_name, unit, status, active, {part}"
        if unit is None:
            rows = tx.query(f"SELECT {columns} FROM {table}")
        else:
            assert structure is not None
            names = [
                name for (name,) in tx.query(f"SELECT DISTINCT unit FROM {table}")
                if structure.successor(name, structure_on) == unit
            ]
            if not names:
                return []
            marks = ", ".join("?" for _ in names)
            rows = tx.query(f"SELECT {columns} FROM {table} WHERE unit IN ({marks})", tuple(names))
        found = [_findings(row, part) for row in rows]
        found.sort(key=lambda f: f.staff_id)
        return found


def _findings(row: Sequence[Any], part: str) -> PersonFindings:
    staff_id, full_name, unit, status, active, data = row
    value = _load(data)
    needs, pools = value if part == "needs" and value is not None else (None, ())
    return PersonFindings(
        staff_id=staff_id,
        full_name=full_name,
        unit=unit,
        status=status,
        active=bool(active),
        needs=needs,
        pools=tuple(pools),
        appointments=tuple(value or ()) if part == "appointments" else (),
        commitments=tuple(value or ()) if part == "commitments" else (),
        outcomes=tuple(value or ()) if part == "outcomes" else (),
    )


@dataclass(frozen=True)
class Scope:
    """Whom a report covers, as an SQL condition on the view's ``people`` row ``p``."""

    where: str
    params: tuple[Any, ...]

    def also(self, condition: str, *params: Any) -> Scope:
        return Scope(f"{self.where} AND {condition}", (*self.params, *params))


@dataclass(frozen=True)
class ListedPage:
    """One page of a report that lists people or their items, with its summary over them all."""

    summary: dict[str, Any]
    items: list[dict[str, Any]]
    next_key: str | None  # the last item's key when more follow
    pools: list[dict[str, Any]] | None = None  # the needs report's planning pools


def page_of(keys: list[str], after: str, limit: int) -> tuple[list[str], bool]:
    """The keys after ``after`` in code-point order (as Python sorts, whatever the database's
    collation), at most ``limit``, and whether more follow."""
    ordered = sorted(k for k in keys if k > after)
    return ordered[:limit], len(ordered) > limit


class FindingsReads:
    """The reports' questions to one generation of the findings view, answered in SQL: counts
    in the store, and only the page's items loaded."""

    def __init__(self, tx: Tx, tables: Tables) -> None:
        self.tx = tx
        self.t = tables.names

    def scope(self, unit: str | None, structure: Structure | None, structure_on: date) -> Scope:
        """Everyone, or the people working in ``unit`` on the day (their unit as recorded mapped
        onto the structure in force on ``structure_on``)."""
        if unit is None:
            return Scope("1 = 1", ())
        assert structure is not None
        names = [
            name for (name,) in self.tx.query(f"SELECT DISTINCT unit FROM {self.t['people']}")
            if structure.successor(name, structure_on) == unit
        ]
        if not names:
            return Scope("1 = 0", ())
        return Scope(f"p.unit IN ({', '.join('?' for _ in names)})", tuple(names))

    def knows(self, staff_id: str) -> bool:
        """Whether the ledger has this person at all (in any unit)."""
        return bool(self.tx.query(f"SELECT 1 FROM {self.t['people']} WHERE staff_id = ?", (staff_id,)))

    def _items(self, table: str, key_column: str, item_column: str, keys: list[str]) -> list[dict[str, Any]]:
        if not keys:
            return []
        marks = ", ".join("?" for _ in keys)
        sql = f"SELECT {key_column}, {item_column} FROM {table} WHERE {key_column} IN ({marks})"
        found: dict[str, str] = dict(self.tx.query(sql, tuple(keys)))  # type: ignore[arg-type]
        return [_load(found[key]) for key in keys]

    def needs(self, scope: Scope, staff_id: str | None, after: str, limit: int) -> ListedPage:
        people, gaps, pools = self.t["people"], self.t["gaps"], self.t["pools"]
        active = scope.also("p.active = 1")
        (count, with_gaps), = self.tx.query(
            f"SELECT COUNT(*), COALESCE(SUM(p.has_gaps), 0) FROM {people} p WHERE {active.where}",
            active.params,
        )
        by_track: dict[str, dict[str, int]] = {}
        by_status: dict[str, int] = {}
        for track, status, n in self.tx.query(
            f"SELECT g.track, g.status, COUNT(*) FROM {gaps} g JOIN {people} p ON p.aggregate = g.aggregate "
            f"WHERE {active.where} GROUP BY g.track, g.status",
            active.params,
        ):
            by_track.setdefault(track, {})[status] = int(n)
            by_status[status] = by_status.get(status, 0) + int(n)
        # The people listed: those with a gap, or the one person asked about.
        if staff_id is not None:
            listed = active.also("p.staff_id = ?", staff_id)
        else:
            listed = active.also("p.has_gaps = 1")
        selected = self.tx.query(f"SELECT p.staff_id FROM {people} p WHERE {listed.where}", listed.params)
        keys = [k for (k,) in selected]
        page, more = page_of(keys, after, limit)
        groups: dict[str, tuple[str | None, str, list[tuple[str, int, dict[str, Any]]]]] = {}
        for key, code, name, ready, entry, sid in self.tx.query(
            "SELECT o.pool_key, o.position_code, o.position_name, o.ready, o.entry, o.staff_id "
            f"FROM {pools} o JOIN {people} p ON p.aggregate = o.aggregate WHERE {active.where}",
            active.params,
        ):
            groups.setdefault(key, (code, name, []))[2].append((sid, int(ready), _load(entry)))
        ordered = sorted(groups.values(), key=lambda g: (g[1], min(sid for sid, _, _ in g[2])))
        return ListedPage(
            summary={
                "people": int(count),
                "with_gaps": int(with_gaps),
                "by_status": dict(sorted(by_status.items())),
                "by_track": {k: dict(sorted(v.items())) for k, v in sorted(by_track.items())},
            },
            items=self._items(people, "staff_id", "needs_item", page),
            next_key=page[-1] if more else None,
            pools=[
                {
                    "position": code,
                    "position_name": name,
                    "candidates": len(entries),
                    "ready": sum(ready for _, ready, _ in entries),
                    "people": [entry for _, _, entry in sorted(entries, key=lambda e: e[0])],
                }
                for code, name, entries in ordered
            ],
        )

    def appointments(
        self, scope: Scope, staff_id: str | None, flagged: bool, after: str, limit: int
    ) -> ListedPage:
        people, table = self.t["people"], self.t["appointments"]
        if staff_id is not None:
            scope = scope.also("p.staff_id = ?", staff_id)
        join = f"FROM {table} a JOIN {people} p ON p.aggregate = a.aggregate WHERE {scope.where}"
        (count, met, without, fails, not_now, waived), = self.tx.query(
            "SELECT COUNT(*), COALESCE(SUM(a.met_then), 0), COALESCE(SUM(a.without_standard), 0), "
            "COALESCE(SUM(a.fails_today), 0), COALESCE(SUM(a.not_meeting_now), 0), "
            f"COALESCE(SUM(a.with_waiver), 0) {join}",
            scope.params,
        )
        condition = " AND a.flagged = 1" if flagged else ""
        keys = [k for (k,) in self.tx.query(f"SELECT a.sort_key {join}{condition}", scope.params)]
        page, more = page_of(keys, after, limit)
        return ListedPage(
            summary={
                "appointments": int(count),
                "met_rules_then": int(met),
                "appointed_without_meeting_standard": int(without),
                "fail_todays_rules": int(fails),
                "not_meeting_todays_rules_now": int(not_now),
                "with_waiver": int(waived),
            },
            items=self._items(table, "sort_key", "item", page),
            next_key=page[-1] if more else None,
        )

    def commitments(
        self, scope: Scope, staff_id: str | None, status: str | None, after: str, limit: int
    ) -> ListedPage:
        people, table = self.t["people"], self.t["commitments"]
        if staff_id is not None:
            scope = scope.also("p.staff_id = ?", staff_id)
        if status is not None:
            scope = scope.also("c.status = ?", status)
        join = f"FROM {table} c JOIN {people} p ON p.aggregate = c.aggregate WHERE {scope.where}"
        rows = self.tx.query(f"SELECT c.sort_key, c.is_open, c.owed {join}", scope.params)
        owed = [Decimal(o) for _, _, o in rows if o is not None]
        page, more = page_of([k for k, _, _ in rows], after, limit)
        return ListedPage(
            summary={
                "commitments": len(rows),
                "open": sum(int(is_open) for _, is_open, _ in rows),
                "owing": len(owed),
                "total_owed": str(sum(owed, Decimal(0))),
            },
            items=self._items(table, "sort_key", "item", page),
            next_key=page[-1] if more else None,
        )

    def effects(
        self, scope: Scope, tracks: Sequence[str] | None, from_year: int | None, to_year: int | None
    ) -> list[ProgrammeEffect]:
        """The effects per programme and year of completion, summed in the store."""
        people, table = self.t["people"], self.t["outcomes"]
        if tracks is not None:
            scope = scope.also(f"o.track IN ({', '.join('?' for _ in tracks)})", *tracks)
        if from_year is not None:
            scope = scope.also("o.year >= ?", from_year)
        if to_year is not None:
            scope = scope.also("o.year <= ?", to_year)
        join = f"FROM {table} o JOIN {people} p ON p.aggregate = o.aggregate WHERE {scope.where}"
        rated = ", ".join(f"SUM(o.rated_{r.value})" for r in RATINGS)
        programme = "o.course_code, o.track, o.level, o.year"
        sums = self.tx.query(
            f"SELECT {programme}, COUNT(*), SUM(o.compared), SUM(o.score_before), SUM(o.score_after), "
            f"SUM(o.improved), SUM(o.unchanged), SUM(o.declined), {rated} {join} GROUP BY {programme}",
            scope.params,
        )
        titles = self._titles(join, programme, scope)
        effects = []
        for row in sums:
            code, track, level, year, n, compared, before, after_, improved, unchanged, declined = row[:11]
            counts = row[11:]
            effects.append(
                ProgrammeEffect(
                    course_code=code,
                    track=Track(track),
                    level=level or None,
                    year=int(year),
                    course_title=titles[(code, track, level, int(year))],
                    completions=int(n),
                    compared=int(compared),
                    improved=int(improved),
                    unchanged=int(unchanged),
                    declined=int(declined),
                    score_before=int(before),
                    score_after=int(after_),
                    post_training={r.value: int(c) for r, c in zip(RATINGS, counts, strict=True) if int(c)},
                )
            )
        effects.sort(key=lambda e: (e.course_code, str(e.track), e.level or "", e.year))
        return effects

    def _titles(self, join: str, programme: str, scope: Scope) -> dict[tuple[str, str, str, int], str]:
        """Each programme's title: its only one, or, where people wrote it differently, that of
        its first outcome in staff-code order (as the fold takes it)."""
        titles: dict[tuple[str, str, str, int], list[str]] = {}
        for code, track, level, year, title in self.tx.query(
            f"SELECT DISTINCT {programme}, o.course_title {join}", scope.params
        ):
            titles.setdefault((code, track, level, int(year)), []).append(title)
        chosen = {}
        for key, found in titles.items():
            if len(found) == 1:
                chosen[key] = found[0]
                continue
            rows = self.tx.query(
                f"SELECT o.staff_id, o.seq, o.course_title {join} AND o.course_code = ? AND o.track = ? "
                "AND o.level = ? AND o.year = ?",
                (*scope.params, *key),
            )
            chosen[key] = min(rows, key=lambda r: (r[0], r[1]))[2]
        return chosen
