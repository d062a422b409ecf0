"""Training needs: what each person lacks for their post, their rank and the posts they are
planned for, on any date; and how ready each position's planning pool is.

The functions over records are pure; the read side's query layer (``projections.reports``) gives
them the records and answers the report for the API, the pages and the command line.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from ledger.domain import errors
from ledger.domain.record import PlanningState, StaffRecord
from ledger.standards.compliance import (
    AppointmentReview,
    evaluate,
    post_check,
    rank_check,
    review_appointments,
)
from ledger.standards.model import Position, PositionKind
from ledger.standards.ruleset import RuleSet
from ledger.standards.verdicts import RequirementCheck, StandardCheck, Status, json_value


@dataclass(frozen=True)
class PersonNeeds:
    """One active person on one day."""

    staff_id: str
    full_name: str
    unit: str
    position: str | None
    rank: str | None
    post: StandardCheck  # their post on the day, or the position asked about
    rank_standard: StandardCheck | None
    planned: tuple[tuple[PlanningState, StandardCheck], ...]
    appointments: tuple[AppointmentReview, ...]

    @property
    def gaps(self) -> tuple[RequirementCheck, ...]:
        """Requirements of the post and the rank not met on the day."""
        rank_gaps = self.rank_standard.gaps if self.rank_standard else ()
        return (*self.post.gaps, *rank_gaps)

    @property
    def flags(self) -> tuple[str, ...]:
        """Codes worth an auditor's attention: ``appointed_without_meeting_standard`` (by the
        rules in force then), ``fails_todays_rules`` (an appointment that today's rules would
        refuse), ``overdue``, ``waiver_running``, ``grace_running``."""
        found: list[str] = []
        if any(a.appointed_without_meeting_standard for a in self.appointments):
            found.append("appointed_without_meeting_standard")
        if any(not a.would_meet_todays_rules_then for a in self.appointments):
            found.append("fails_todays_rules")
        statuses = {c.status for c in self.gaps}
        for status, flag in (
            (Status.OVERDUE, "overdue"),
            (Status.WAIVED, "waiver_running"),
            (Status.PENDING, "grace_running"),
        ):
            if status in statuses:
                found.append(flag)
        return tuple(found)

    def as_dict(self) -> dict[str, Any]:
        return {
            "staff_id": self.staff_id,
            "full_name": self.full_name,
            "unit": self.unit,
            "position": self.position,
            "rank": self.rank,
            "flags": list(self.flags),
            "gaps": [c.as_dict() for c in self.gaps],
            "post": self.post.as_dict(),
            "rank_standard": self.rank_standard.as_dict() if self.rank_standard else None,
            "planned": [{**json_value(plan), "check": check.as_dict()} for plan, check in self.planned],
            "appointments": [a.as_dict() for a in self.appointments],
        }


@dataclass(frozen=True)
class Candidate:
    staff_id: str
    full_name: str
    current_position: str | None
    plan: PlanningState
    check: StandardCheck

    @property
    def ready(self) -> bool:
        """Could be appointed on the day without a waiver (what may follow in a grace period
        does not count against readiness)."""
        return not self.check.blocking

    def as_dict(self) -> dict[str, Any]:
        return {
            "staff_id": self.staff_id,
            "full_name": self.full_name,
            "current_position": self.current_position,
            "period": f"{self.plan.from_year}-{self.plan.to_year}",
            "decision_ref": self.plan.decision_ref,
            "ready": self.ready,
            "gaps": [g.as_dict() for g in self.check.gaps],
        }


@dataclass(frozen=True)
class PoolReadiness:
    position: Position | None
    position_name: str
    candidates: tuple[Candidate, ...]

    @property
    def ready(self) -> int:
        return sum(1 for c in self.candidates if c.ready)

    def as_dict(self) -> dict[str, Any]:
        return {
            "position": self.position.code if self.position else None,
            "position_name": self.position_name,
            "candidates": len(self.candidates),
            "ready": self.ready,
            "people": [c.as_dict() for c in self.candidates],
        }


@dataclass(frozen=True)
class NeedsReport:
    as_of: date
    rule_set: str
    position: str | None
    people: tuple[PersonNeeds, ...]
    pools: tuple[PoolReadiness, ...]

    @property
    def with_gaps(self) -> tuple[PersonNeeds, ...]:
        return tuple(p for p in self.people if p.gaps)

    def by_status(self) -> dict[str, int]:
        """Gaps counted by status (each unmet requirement of each person once)."""
        counts = Counter(str(c.status) for p in self.people for c in p.gaps)
        return dict(sorted(counts.items()))

    def by_track(self) -> dict[str, dict[str, int]]:
        """Gaps counted by track, then status: what training to plan."""
        table: dict[str, Counter[str]] = {}
        for person in self.people:
            for check in person.gaps:
                table.setdefault(str(check.track), Counter())[str(check.status)] += 1
        return {track: dict(sorted(c.items())) for track, c in sorted(table.items())}

    def as_dict(self, *, everyone: bool = False) -> dict[str, Any]:
        """The report as JSON data; people without gaps are left out unless ``everyone``."""
        people = self.people if everyone else self.with_gaps
        return {
            "as_of": self.as_of.isoformat(),
            "rule_set": self.rule_set,
            "position": self.position,
            "summary": {
                "people": len(self.people),
                "with_gaps": len(self.with_gaps),
                "by_status": self.by_status(),
                "by_track": self.by_track(),
            },
            "people": [p.as_dict() for p in people],
            "pools": [pool.as_dict() for pool in self.pools],
        }


def needs_of(record: StaffRecord, on: date, rules: RuleSet, position: str | None = None) -> PersonNeeds:
    """What one person lacks on ``on``: for their post (or ``position``), their rank, and each
    planned post; and both verdicts on each of their past appointments."""
    planned = tuple(
        (plan, evaluate(record, plan.position, on, rules, kind=PositionKind.POST))
        for plan in record.plans_on(on)
    )
    return PersonNeeds(
        staff_id=record.staff_id,
        full_name=record.full_name,
        unit=record.unit_on(on),
        position=record.position_on(on),
        rank=record.rank,
        post=post_check(record, on, rules, position),
        rank_standard=rank_check(record, on, rules),
        planned=planned,
        appointments=tuple(review_appointments(record, on, rules)),
    )


def pool_readiness(records: Iterable[StaffRecord], on: date, rules: RuleSet) -> list[PoolReadiness]:
    """Per planned position, the people in its pool on ``on`` and whether each is ready."""
    return pools_of(
        entry for record in records if record.is_active_on(on) for entry in pool_entries(record, on, rules)
    )


@dataclass(frozen=True)
class PoolEntry:
    """One person in the planning pool of one position on one day."""

    key: str  # the position's code, or the name as planned when the rules do not know it
    position: Position | None
    position_name: str
    candidate: Candidate


def pool_entries(
    record: StaffRecord,
    on: date,
    rules: RuleSet,
    checks: Sequence[tuple[PlanningState, StandardCheck]] | None = None,
) -> list[PoolEntry]:
    """The pools one person is in on ``on``, with their readiness for each (``checks``: their
    planned posts already evaluated, as :func:`needs_of` gives them)."""
    if checks is None:
        checks = [
            (plan, evaluate(record, plan.position, on, rules, kind=PositionKind.POST))
            for plan in record.plans_on(on)
        ]
    entries = []
    for plan, check in checks:
        resolved = rules.resolve(plan.position, PositionKind.POST)
        entries.append(
            PoolEntry(
                key=resolved.code if resolved else plan.position,
                position=resolved,
                position_name=resolved.title if resolved else plan.position,
                candidate=Candidate(
                    staff_id=record.staff_id,
                    full_name=record.full_name,
                    current_position=record.position_on(on),
                    plan=plan,
                    check=check,
                ),
            )
        )
    return entries


def pools_of(entries: Iterable[PoolEntry]) -> list[PoolReadiness]:
    """The pools of everyone's entries, by position name, each pool's people by staff code."""
    pools: dict[str, tuple[Position | None, str, list[Candidate]]] = {}
    for entry in entries:
        pools.setdefault(entry.key, (entry.position, entry.position_name, []))[2].append(entry.candidate)
    return [
        PoolReadiness(position, name, tuple(sorted(candidates, key=lambda c: c.staff_id)))
        for position, name, candidates in sorted(pools.values(), key=lambda e: e[1])
    ]


def needs_report(
    records: Iterable[StaffRecord], on: date, rules: RuleSet, position: str | None = None
) -> NeedsReport:
    """Everyone active on ``on`` (each record folded as of ``on``) with their needs, and the
    planning pools."""
    active = sorted((r for r in records if r.is_active_on(on)), key=lambda r: r.staff_id)
    return NeedsReport(
        as_of=on,
        rule_set=rules.label,
        position=position,
        people=tuple(needs_of(r, on, rules, position) for r in active),
        pools=tuple(pool_readiness(active, on, rules)),
    )


def parse_period(text: str) -> tuple[int, int]:
    """A planning period as written ("2025-2030", "2025–2030", "2026") → (from_year, to_year)."""
    parts = [p.strip() for p in re.split(r"[-–—/]", text.strip())]
    if len(parts) == 1:
        parts = parts * 2
    if len(parts) != 2 or not all(p.isdigit() and len(p) == 4 for p in parts):
        raise errors.InvalidInput(
            f"'{text}' is not a planning period (write it as YYYY-YYYY, e.g. 2025-2030).", field="period"
        )
    start, end = int(parts[0]), int(parts[1])
    if end < start:
        raise errors.InvalidDates(f"The planning period {text} ends before it starts.", field="period")
    return start, end


def gaps_as_rows(report: NeedsReport) -> Sequence[tuple[PersonNeeds, RequirementCheck]]:
    """(person, unmet requirement) pairs in report order: one row per training need."""
    return [(person, check) for person in report.people for check in person.gaps]
