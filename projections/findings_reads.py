"""The SQL reads of the findings view: one scope (a unit, or everyone), and the people, appointments,
commitments and outcomes judged for a day, paged."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from ledger.domain.catalog import Track
from ledger.standards.effectiveness import ProgrammeEffect
from projections.base import Tables
from projections.findings import PARTS, RATINGS, PersonFindings, decode_part
from projections.store import Tx
from projections.units import Structure


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

    def people(self, scope: Scope, part: str, only: Sequence[str] | None = None) -> list[PersonFindings]:
        """The findings of everyone in ``scope`` (of those in ``only``, when given: one page), by
        staff code, with only ``part`` (one of :data:`PARTS`) loaded: the other parts are left
        empty (the whole answers of the pages and the command line)."""
        if part not in PARTS:
            raise ValueError(f"No part {part!r} in the findings view.")
        if only is not None:
            marks = ", ".join("?" for _ in only) or "NULL"  # IN (NULL) matches no one
            scope = scope.also(f"p.staff_id IN ({marks})", *only)
        rows = self.tx.query(
            f"SELECT p.staff_id, p.full_name, p.unit, p.status, p.active, p.{part} "
            f"FROM {self.t['people']} p WHERE {scope.where}",
            scope.params,
        )
        found = [_person(row, part) for row in rows]
        found.sort(key=lambda f: f.staff_id)
        return found

    def _items(self, table: str, key_column: str, item_column: str, keys: list[str]) -> list[dict[str, Any]]:
        if not keys:
            return []
        marks = ", ".join("?" for _ in keys)
        sql = f"SELECT {key_column}, {item_column} FROM {table} WHERE {key_column} IN ({marks})"
        found: dict[str, str] = dict(self.tx.query(sql, tuple(keys)))  # type: ignore[arg-type]
        return [decode_part(found[key]) for key in keys]

    def needs(self, scope: Scope, staff_id: str | None, after: str, limit: int) -> ListedPage:
        """The API's page of the needs report: its summary, its people's items and the pools."""
        keys, next_key = self.needs_keys(scope, staff_id, after, limit)
        return ListedPage(
            summary=self.needs_summary(scope),
            items=self._items(self.t["people"], "staff_id", "needs_item", keys),
            next_key=next_key,
            pools=self.pools(scope),
        )

    def needs_summary(self, scope: Scope) -> dict[str, Any]:
        """The active people in ``scope``, those with a gap, and the gaps by status and track."""
        people, gaps = self.t["people"], self.t["gaps"]
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
        return {
            "people": int(count),
            "with_gaps": int(with_gaps),
            "by_status": dict(sorted(by_status.items())),
            "by_track": {k: dict(sorted(v.items())) for k, v in sorted(by_track.items())},
        }

    def needs_keys(
        self, scope: Scope, staff_id: str | None, after: str, limit: int
    ) -> tuple[list[str], str | None]:
        """The staff codes of one page of the people listed (those with a gap, or the one person
        asked about) and the key the next page starts after, if one follows."""
        active = scope.also("p.active = 1")
        if staff_id is not None:
            listed = active.also("p.staff_id = ?", staff_id)
        else:
            listed = active.also("p.has_gaps = 1")
        people = self.t["people"]
        selected = self.tx.query(f"SELECT p.staff_id FROM {people} p WHERE {listed.where}", listed.params)
        page, more = page_of([k for (k,) in selected], after, limit)
        return page, page[-1] if more else None

    def pools(self, scope: Scope) -> list[dict[str, Any]]:
        """The planning pools of the active people in ``scope``, each with its candidates."""
        people, pools = self.t["people"], self.t["pools"]
        active = scope.also("p.active = 1")
        groups: dict[str, tuple[str | None, str, list[tuple[str, int, dict[str, Any]]]]] = {}
        for key, code, name, ready, entry, sid in self.tx.query(
            "SELECT o.pool_key, o.position_code, o.position_name, o.ready, o.entry, o.staff_id "
            f"FROM {pools} o JOIN {people} p ON p.aggregate = o.aggregate WHERE {active.where}",
            active.params,
        ):
            groups.setdefault(key, (code, name, []))[2].append((sid, int(ready), decode_part(entry)))
        ordered = sorted(groups.values(), key=lambda g: (g[1], min(sid for sid, _, _ in g[2])))
        return [
            {
                "position": code,
                "position_name": name,
                "candidates": len(entries),
                "ready": sum(ready for _, ready, _ in entries),
                "people": [entry for _, _, entry in sorted(entries, key=lambda e: e[0])],
            }
            for code, name, entries in ordered
        ]

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


def _person(row: Sequence[Any], part: str) -> PersonFindings:
    staff_id, full_name, unit, status, active, data = row
    value = decode_part(data)
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
