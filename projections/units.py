"""The organisation over time: unit facts with validity intervals, and the structure on a date.

The statistics view keeps the unit facts of the organisation stream (``ledger.organisation``) in
its own table, ``unit_facts`` (one row per fact; a split gives a row for the unit that ends and one
per new part). A :class:`Structure` is built from those rows (or from the events themselves, for
the reports answered from records) for one state of knowledge, and answers:

- which units exist on a date, under which parent and by which name (``GET /units?as_of=``);
- onto which unit a unit's people fall on a date (:meth:`Structure.successor`): a unit merged into
  another on or before that date counts under the unit it was merged into (transitively). Reports
  by unit map each person's unit (the one their record names on the report's date) this way, on
  their own date by default, or on today's date with ``structure=current``, so that figures of
  2022 and 2026 compare on today's units.

Free-text units (records made before units were facts, and any unit the organisation does not
know) exist from their first use: the earliest registration or move naming them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any, ClassVar

from ledger.organisation import Organisation, OrganisationEvent
from projections.base import Envelope, Tables, iso, micros
from projections.store import Row, Tx
from projections.text import nfc

UNIT_TABLES: dict[str, str] = {
    "unit_facts": (
        "version INTEGER NOT NULL, part INTEGER NOT NULL, kind TEXT NOT NULL, unit_id TEXT NOT NULL, "
        "name TEXT, parent_id TEXT, target_id TEXT, effective_on TEXT NOT NULL, "
        "recorded_at BIGINT NOT NULL, PRIMARY KEY (version, part)"
    ),
}

INSERT_FACT = (
    "INSERT INTO {unit_facts} (version, part, kind, unit_id, name, parent_id, target_id, effective_on, "
    "recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)

class UnitStructure(StrEnum):
    """Which structure a report by unit maps each person's unit onto."""

    AS_OF = "as_of"  # the structure in force on the report's date
    CURRENT = "current"  # today's


@dataclass(frozen=True)
class UnitFact:
    """One row of ``unit_facts``: ``kind`` is created, renamed, merged, split or dissolved. A part
    of a split is a ``created`` row whose ``target_id`` is the unit it came from; a merger's
    ``target_id`` is the unit it was merged into."""

    version: int
    part: int
    kind: str
    unit_id: str
    name: str | None
    parent_id: str | None
    target_id: str | None
    effective_on: date
    recorded_at: int

    def row(self) -> Row:
        return (
            self.version,
            self.part,
            self.kind,
            self.unit_id,
            self.name,
            self.parent_id,
            self.target_id,
            iso(self.effective_on),
            self.recorded_at,
        )


def facts_of(event: OrganisationEvent) -> list[UnitFact]:
    """The rows one event of the organisation stream gives (none for the opening event)."""
    v, day, at = event.originator_version, event.effective_on, micros(event.timestamp)
    if isinstance(event, Organisation.UnitCreated):
        return [UnitFact(v, 0, "created", event.unit_id, event.name, event.parent_id, None, day, at)]
    if isinstance(event, Organisation.UnitRenamed):
        return [UnitFact(v, 0, "renamed", event.unit_id, event.name, None, None, day, at)]
    if isinstance(event, Organisation.UnitMerged):
        return [UnitFact(v, 0, "merged", event.unit_id, None, None, event.into_id, day, at)]
    if isinstance(event, Organisation.UnitDissolved):
        return [UnitFact(v, 0, "dissolved", event.unit_id, None, None, None, day, at)]
    if isinstance(event, Organisation.UnitSplit):
        parts = [
            UnitFact(v, i, "created", part, name, event.parent_id, event.unit_id, day, at)
            for i, (part, name) in enumerate(zip(event.parts, event.part_names, strict=True), start=1)
        ]
        return [UnitFact(v, 0, "split", event.unit_id, None, None, None, day, at), *parts]
    return []


def apply_unit_facts(tx: Tx, table_sql: str, envelopes: Sequence[Envelope]) -> None:
    """Write the unit facts among ``envelopes`` (``table_sql``: :data:`INSERT_FACT` filled for the
    view's generation)."""
    rows = [
        fact.row()
        for env in envelopes
        if isinstance(env.event, OrganisationEvent)
        for fact in facts_of(env.event)
    ]
    if rows:
        tx.executemany(table_sql, rows)


@dataclass(frozen=True)
class UnitNode:
    """A unit on a date: its name and parent then, since when it exists, and how it came to be."""

    unit_id: str
    name: str
    parent_id: str | None
    since: date
    origin: str  # "recorded" (a unit fact) or "first_use" (a free-text unit)
    until: date | None = None  # the day it ends (merged, split or dissolved), if recorded
    ended_how: str | None = None
    successors: tuple[str, ...] = ()


class Structure:
    """The organisation as a set of facts known at one time (see the module's docstring)."""

    MERGER_DEPTH: ClassVar[int] = 64  # a chain of mergers longer than this would be a cycle

    def __init__(self, facts: Iterable[UnitFact], first_use: dict[str, date] | None = None) -> None:
        self.facts = sorted(facts, key=lambda f: (f.version, f.part))
        self.first_use = first_use or {}
        self._mergers: dict[str, list[tuple[date, str]]] = {}
        for fact in self.facts:
            if fact.kind == "merged" and fact.target_id is not None:
                self._mergers.setdefault(fact.unit_id, []).append((fact.effective_on, fact.target_id))

    @classmethod
    def of_events(cls, events: Iterable[Any], known_at: int | None = None) -> Structure:
        """The structure from the organisation stream's events recorded by ``known_at``."""
        facts = [
            fact
            for event in events
            if isinstance(event, OrganisationEvent)
            for fact in facts_of(event)
            if known_at is None or fact.recorded_at <= known_at
        ]
        return cls(facts)

    @classmethod
    def load(cls, tx: Tx, tables: Tables, known_at: int, *, first_use: bool = False) -> Structure:
        """The structure as the statistics view knows it at ``known_at``; ``first_use`` also reads
        the first use of every free-text unit (only the listing of units needs it)."""
        t = tables.names
        facts = [
            UnitFact(v, p, kind, unit, name, parent, target, date.fromisoformat(day), at)
            for v, p, kind, unit, name, parent, target, day, at in tx.query(
                f"SELECT version, part, kind, unit_id, name, parent_id, target_id, effective_on, "
                f"recorded_at FROM {t['unit_facts']} WHERE recorded_at <= ?",
                (known_at,),
            )
        ]
        used: dict[str, date] = {}
        if first_use:
            found = tx.query(
                f"SELECT unit, MIN(joined_on) FROM {t['people']} WHERE recorded_at <= ? GROUP BY unit "
                f"UNION ALL SELECT to_unit, MIN(starts_on) FROM {t['units']} WHERE recorded_at <= ? "
                "AND (voided_at IS NULL OR voided_at > ?) GROUP BY to_unit",
                (known_at, known_at, known_at),
            )
            for unit, day in found:
                first = date.fromisoformat(day)
                if unit not in used or first < used[unit]:
                    used[unit] = first
        return cls(facts, used)

    def successor(self, unit: str, on: date) -> str:
        """The unit whose people ``unit``'s people are on ``on``: itself, or the unit it was
        merged into on or before ``on`` (followed through later mergers)."""
        current = nfc(unit) or unit
        for _ in range(self.MERGER_DEPTH):
            merged = [target for day, target in self._mergers.get(current, ()) if day <= on]
            if not merged:
                return current
            current = merged[-1]
        return current

    def mapped(self, rows: Sequence[Row], day: date, column: int = -1) -> list[Row]:
        """``rows`` with the unit in ``column`` (None: no unit) mapped onto the structure in force
        on ``day`` (``successor``); untouched when no unit fact was ever recorded."""
        if not self.facts:
            return list(rows)
        mapped = []
        for row in rows:
            cells = list(row)
            if cells[column] is not None:
                cells[column] = self.successor(cells[column], day)
            mapped.append(tuple(cells))
        return mapped

    def units_on(self, day: date) -> list[UnitNode]:
        """Every unit that exists on ``day``, with its name and parent that day, by id."""
        nodes = {node.unit_id: node for node in self._recorded()}
        found = [n for n in nodes.values() if n.since <= day and (n.until is None or day < n.until)]
        renamed = self._names_on(day)
        found = [
            UnitNode(
                n.unit_id,
                renamed.get(n.unit_id, n.name),
                n.parent_id,
                n.since,
                n.origin,
                n.until,
                n.ended_how,
                n.successors,
            )
            for n in found
        ]
        for unit, since in self.first_use.items():
            if unit not in nodes and since <= day:
                found.append(UnitNode(unit, unit, None, since, "first_use"))
        return sorted(found, key=lambda n: n.unit_id)

    def _recorded(self) -> list[UnitNode]:
        created: dict[str, UnitNode] = {}
        for fact in self.facts:
            if fact.kind == "created":
                created[fact.unit_id] = UnitNode(
                    fact.unit_id, fact.name or fact.unit_id, fact.parent_id, fact.effective_on, "recorded"
                )
        ends: dict[str, tuple[date, str, tuple[str, ...]]] = {}
        for fact in self.facts:
            if fact.kind == "merged":
                ends[fact.unit_id] = (fact.effective_on, "merged", (fact.target_id or "",))
            elif fact.kind == "dissolved":
                ends[fact.unit_id] = (fact.effective_on, "dissolved", ())
            elif fact.kind == "split":
                parts = tuple(f.unit_id for f in self.facts if f.version == fact.version and f.part > 0)
                ends[fact.unit_id] = (fact.effective_on, "split", parts)
        return [
            UnitNode(n.unit_id, n.name, n.parent_id, n.since, n.origin, *ends[n.unit_id])
            if n.unit_id in ends
            else n
            for n in created.values()
        ]

    def _names_on(self, day: date) -> dict[str, str]:
        names: dict[str, tuple[date, int, str]] = {}
        for fact in self.facts:
            if fact.kind in ("created", "renamed") and fact.name is not None and fact.effective_on <= day:
                key = (fact.effective_on, fact.version, fact.name)
                if fact.unit_id not in names or names[fact.unit_id] < key:
                    names[fact.unit_id] = key
        return {unit: name for unit, (_, _, name) in names.items()}


def structure_day(structure: str | None, as_of: date, today: date) -> date:
    """The date whose structure a report by unit uses: its own (``as_of``, the default) or
    today's (``current``; never before the report's own date)."""
    if structure in (None, "as_of"):
        return as_of
    return max(as_of, today)
