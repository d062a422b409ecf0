"""The answers of the position-standards reports, and the paging they share."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, TypeVar, cast

from ledger.standards.commitments import Commitment, CommitmentsReport
from ledger.standards.effectiveness import ProgrammeEffect
from ledger.standards.needs import NeedsReport, PersonNeeds
from projections.findings_reads import ListedPage
from projections.shapes import AppointmentRow

T = TypeVar("T")

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
class NeedsListing:
    """One page of the needs report's people as the pages render them (the objects, not their
    JSON), with the summary over everyone in scope and the key of the next page's first person."""

    as_of: date
    rule_set: str
    summary: dict[str, Any]
    people: tuple[PersonNeeds, ...]
    next_key: str | None


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


def folded_page(
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
