"""The Organisation aggregate: the agency's units as dated facts, in one stream.

Units are created (under a parent), renamed, merged into another unit, split into new units, and
dissolved, each on a business date (``effective_on``) apart from when it was recorded. One stream
holds the whole structure (not one stream per unit) because its rules span units: a merger ends
one unit and needs its target in force that day, a split creates units, a parent must exist when
its child is created. One aggregate checks those rules against one consistent state and saves
each fact with a single version check, so two registrars cannot merge A into B while B is being
dissolved. The structure is small (tens to hundreds of units, a few facts a year), so replaying
it for a write is cheap.

Staff events name units by their id (``Registered.unit``, ``Rotated.to_unit``). A unit id the
organisation does not know is a free-text unit of records made before units were facts: it
becomes a unit on its first use (the read side dates it on that use; no event is written, so logs
recorded before keep their length and positions). A known unit can be used only on the dates it
exists (:meth:`Organisation.check_in_force`).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate

from ledger import text
from ledger.domain import errors
from ledger.staff import fold_record

ORGANISATION_NAMESPACE = UUID("0b6f2d7e-3c41-5a8e-b1f9-6e2d4c7a9f03")
ORGANISATION_ID = uuid5(ORGANISATION_NAMESPACE, "organisation")
# Whose events they are, where the log says whose (``staff_id`` of a log entry, the prefix of an
# event id ``@org:VERSION``): not a valid staff id, so no staff member can ever share it.
ORGANISATION_STREAM = "@org"


class OrganisationEvent(Aggregate.Event):
    """Fields every event of the organisation stream carries besides id, version and recording
    time (the same as a staff event's)."""

    recorded_by: str
    effective_on: date

    def apply(self, aggregate: Aggregate) -> None:
        assert isinstance(aggregate, Organisation)
        aggregate.take(self)


class UnitEvent(OrganisationEvent):
    """A fact about one unit."""

    unit_id: str


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


class Organisation(Aggregate):
    TOPIC = "ledger.organisation.v1"

    class Event(OrganisationEvent):
        pass

    class Created(Aggregate.Created):
        # Declared so the library does not define a topic-less one of its own; never triggered.
        TOPIC = "org.created.v1"

    class Opened(Created):
        """The stream's first event, saved with the first unit fact (the library needs a creation
        event; the organisation as such has no business content)."""

        TOPIC = "org.opened.v1"

    class UnitCreated(Event, UnitEvent):
        TOPIC = "org.unit_created.v1"
        name: str
        parent_id: str | None

    class UnitRenamed(Event, UnitEvent):
        TOPIC = "org.unit_renamed.v1"
        name: str

    class UnitMerged(Event, UnitEvent):
        """The unit ends on ``effective_on``; its people and history belong to ``into_id`` from
        that day on."""

        TOPIC = "org.unit_merged.v1"
        into_id: str

    class UnitSplit(Event, UnitEvent):
        """The unit ends on ``effective_on``; the parts (new units, under the unit's parent) begin.
        Nobody moves by a split: HR records each person's rotation or transfer into a part."""

        TOPIC = "org.unit_split.v1"
        parts: list[str]
        part_names: list[str]
        parent_id: str | None

    class UnitDissolved(Event, UnitEvent):
        TOPIC = "org.unit_dissolved.v1"

    def __init__(self, recorded_by: str, effective_on: date) -> None:
        self.units: dict[str, UnitState] = {}

    # The text policy holds for unit facts as for staff facts (``ledger.text``).
    @classmethod
    def _create(  # type: ignore[override]
        cls, event_class: type[Any], *, id: UUID | None = None, **kwargs: Any
    ) -> Organisation:
        return super()._create(event_class, id=id, **text.clean_fields(kwargs))

    def trigger_event(self, event_class: type[Any], **kwargs: Any) -> None:
        super().trigger_event(event_class, **text.clean_fields(kwargs, copied={"parent_id"}))

    @classmethod
    def open(cls, *, recorded_by: str, on: date, recorded_at: datetime | None = None) -> Organisation:
        return cls._create(
            cls.Opened, id=ORGANISATION_ID, timestamp=recorded_at, recorded_by=recorded_by, effective_on=on
        )

    # ------------------------------------------------------------------ state

    def take(self, event: OrganisationEvent) -> None:
        """Apply one fact to the structure (runs at every replay: assignments only)."""
        day = event.effective_on
        if isinstance(event, Organisation.UnitCreated):
            self.units[event.unit_id] = UnitState(event.unit_id, day, event.parent_id, [(day, event.name)])
        elif isinstance(event, Organisation.UnitRenamed):
            self.units[event.unit_id].names.append((day, event.name))
        elif isinstance(event, Organisation.UnitMerged):
            self._end(event.unit_id, day, "merged", [event.into_id])
        elif isinstance(event, Organisation.UnitSplit):
            self._end(event.unit_id, day, "split", list(event.parts))
            for part, name in zip(event.parts, event.part_names, strict=True):
                self.units[part] = UnitState(part, day, event.parent_id, [(day, name)])
        elif isinstance(event, Organisation.UnitDissolved):
            self._end(event.unit_id, day, "dissolved", [])

    def _end(self, unit_id: str, day: date, how: str, successors: list[str]) -> None:
        unit = self.units[unit_id]
        unit.ended_on, unit.ended_how, unit.successors = day, how, successors

    # --------------------------------------------------------------- commands

    def create_unit(
        self,
        *,
        unit_id: str,
        name: str,
        parent_id: str | None,
        on: date,
        recorded_by: str,
        recorded_at: datetime | None = None,
    ) -> None:
        check_unit_text(("unit_id", unit_id), ("name", name))
        self._check_new(unit_id, "unit_id")
        if parent_id is not None:
            self.in_force(parent_id, on, "parent_id")
        self.trigger_event(
            self.UnitCreated,
            timestamp=recorded_at,
            recorded_by=recorded_by,
            effective_on=on,
            unit_id=unit_id,
            name=name,
            parent_id=parent_id,
        )

    def rename_unit(
        self, *, unit_id: str, name: str, on: date, recorded_by: str, recorded_at: datetime | None = None
    ) -> None:
        check_unit_text(("name", name))
        unit = self.in_force(unit_id, on, "on")
        if unit.name_on(on) == text.clean(name, text.TextKind.NAME, "name"):
            raise errors.InvalidInput(f"The unit is already named '{name}' on {on}.", field="name")
        self.trigger_event(
            self.UnitRenamed,
            timestamp=recorded_at,
            recorded_by=recorded_by,
            effective_on=on,
            unit_id=unit_id,
            name=name,
        )

    def merge_unit(
        self, *, unit_id: str, into_id: str, on: date, recorded_by: str, recorded_at: datetime | None = None
    ) -> None:
        self._check_can_end(unit_id, on)
        if into_id == unit_id:
            raise errors.InvalidInput("A unit cannot be merged into itself.", field="into_id")
        self.in_force(into_id, on, "into_id")
        self.trigger_event(
            self.UnitMerged,
            timestamp=recorded_at,
            recorded_by=recorded_by,
            effective_on=on,
            unit_id=unit_id,
            into_id=into_id,
        )

    def split_unit(
        self,
        *,
        unit_id: str,
        parts: Sequence[tuple[str, str]],
        on: date,
        recorded_by: str,
        recorded_at: datetime | None = None,
    ) -> None:
        unit = self._check_can_end(unit_id, on)
        if len(parts) < 2:
            raise errors.InvalidInput("A split makes at least two units.", field="parts")
        ids = [part_id for part_id, _ in parts]
        for index, (part_id, name) in enumerate(parts):
            check_unit_text((f"parts[{index}].unit_id", part_id), (f"parts[{index}].name", name))
            self._check_new(part_id, f"parts[{index}].unit_id")
            if ids.index(part_id) != index:
                raise errors.InvalidInput(
                    f"Unit '{part_id}' is named twice among the parts.", field=f"parts[{index}].unit_id"
                )
        self.trigger_event(
            self.UnitSplit,
            timestamp=recorded_at,
            recorded_by=recorded_by,
            effective_on=on,
            unit_id=unit_id,
            parts=ids,
            part_names=[name for _, name in parts],
            parent_id=unit.parent_id,
        )

    def dissolve_unit(
        self, *, unit_id: str, on: date, recorded_by: str, recorded_at: datetime | None = None
    ) -> None:
        self._check_can_end(unit_id, on)
        self.trigger_event(
            self.UnitDissolved,
            timestamp=recorded_at,
            recorded_by=recorded_by,
            effective_on=on,
            unit_id=unit_id,
        )

    # ----------------------------------------------------------------- rules

    def known(self, unit_id: str, field: str = "unit_id") -> UnitState:
        unit = self.units.get(unit_id)
        if unit is None:
            raise errors.UnitNotFound(
                f"The organisation has no unit '{unit_id}': create it first (POST /units), dated "
                "when it began.",
                field=field,
            )
        return unit

    def in_force(self, unit_id: str, on: date, field: str) -> UnitState:
        """The unit, which must exist on ``on``."""
        unit = self.known(unit_id, field)
        check_exists(unit, on, field)
        return unit

    def _check_new(self, unit_id: str, field: str) -> None:
        if unit_id in self.units:
            raise errors.DuplicateUnit(f"Unit '{unit_id}' is already recorded.", field=field)

    def _check_can_end(self, unit_id: str, on: date) -> UnitState:
        unit = self.in_force(unit_id, on, "on")
        children = sorted(
            u.unit_id for u in self.units.values() if u.parent_id == unit_id and u.exists_on(on)
        )
        if children:
            raise errors.UnitHasSubunits(
                f"Unit '{unit_id}' still has units under it on {on} ({', '.join(children)}): "
                "merge, split or dissolve those first.",
                field="unit_id",
            )
        return unit


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


def check_unit_usable(organisation: Organisation | None, unit: str, on: date, field: str) -> None:
    """A staff fact may name a unit on ``on`` unless the organisation knows that unit and it does
    not exist that day. A unit the organisation does not know is a free-text unit: its first use
    creates it (the read side dates it on that use)."""
    if organisation is None:
        return
    # Stored text is NFC (the text policy), whatever form the caller typed.
    known = organisation.units.get(unicodedata.normalize("NFC", unit))
    if known is not None:
        check_exists(known, on, field)


def check_unit_text(*fields: tuple[str, str]) -> None:
    for name, value in fields:
        if not isinstance(value, str) or not value.strip():
            raise errors.InvalidInput(f"{name} must not be blank.", field=name)
        text.clean(value, text.TextKind.NAME, name)


UNIT_EVENT_TYPES: dict[str, type[Any]] = {
    cls.__name__: cls
    for cls in (
        Organisation.Opened,
        Organisation.UnitCreated,
        Organisation.UnitRenamed,
        Organisation.UnitMerged,
        Organisation.UnitSplit,
        Organisation.UnitDissolved,
    )
}


def unit_events(events: Iterable[Any]) -> list[UnitEvent]:
    """The unit facts among events of the organisation stream (without the opening event)."""
    return [e for e in events if isinstance(e, UnitEvent)]


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
