"""The agency's units as their facts describe them, the checks a unit fact makes, and the units a
staff member worked in (the organisation stream is ``ledger.organisation``, whose module the
stored topics name)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from ledger import text
from ledger.domain import errors
from ledger.domain.fold import fold_record


@dataclass
class UnitState:
    """One unit as the facts so far describe it."""

    unit_id: str
    created_on: date
    parent_id: str | None
    names: list[tuple[date, str]]
    ended_on: date | None = None
    ended_how: str | None = None  # "merged", "split" or "dissolved"
    successors: list[str] = field(default_factory=list)

    def exists_on(self, day: date) -> bool:
        return self.created_on <= day and (self.ended_on is None or day < self.ended_on)

    def name_on(self, day: date) -> str:
        current = self.names[0][1]
        for since, name in sorted(self.names):
            if since <= day:
                current = name
        return current


def check_exists(unit: UnitState, on: date, field: str) -> None:
    """Refuse a date on which a known unit does not exist, saying why."""
    if on < unit.created_on:
        raise errors.UnitNotInForce(
            f"Unit '{unit.unit_id}' was created on {unit.created_on}, after {on}.", field=field
        )
    if unit.ended_on is not None and on >= unit.ended_on:
        how = {
            "merged": f"was merged into '{', '.join(unit.successors)}'",
            "split": f"was split into {', '.join(repr(s) for s in unit.successors)}",
            "dissolved": "was dissolved",
        }[unit.ended_how or "dissolved"]
        raise errors.UnitNotInForce(f"Unit '{unit.unit_id}' {how} on {unit.ended_on}.", field=field)


def check_unit_text(*fields: tuple[str, str]) -> None:
    for name, value in fields:
        if not isinstance(value, str) or not value.strip():
            raise errors.InvalidInput(f"{name} must not be blank.", field=name)
        text.clean(value, text.TextKind.NAME, name)


@dataclass(frozen=True)
class UnitPeriod:
    """A stretch of days a person worked in one unit, by what their record says."""

    unit_id: str
    starts_on: date
    ends_on: date | None  # the last day, None while it lasts


def unit_history(events: Sequence[Any]) -> list[UnitPeriod]:
    """The units a staff member worked in, in order, from their events (``fold_record`` decides
    the unit on each day: a running rotation or secondment, else the home unit after transfers).
    The unit changes only where a move starts or a temporary one ends, so the record is folded
    on those days alone."""
    whole = fold_record(events)
    days = {whole.joined_on}
    for rotation in whole.rotations:
        days.add(rotation.starts_on)
        if rotation.ends_on is not None:
            days.add(rotation.ends_on + timedelta(days=1))
    periods: list[UnitPeriod] = []
    for day in sorted(d for d in days if d >= whole.joined_on):
        if whole.departed_on is not None and day >= whole.departed_on:
            break
        unit = fold_record(events, as_of=day).unit_on(day)
        if periods and periods[-1].unit_id == unit:
            continue
        if periods:
            periods[-1] = UnitPeriod(periods[-1].unit_id, periods[-1].starts_on, day - timedelta(days=1))
        periods.append(UnitPeriod(unit, day, None))
    if periods and whole.departed_on is not None:
        last = periods[-1]
        periods[-1] = UnitPeriod(last.unit_id, last.starts_on, whole.departed_on - timedelta(days=1))
    return periods
