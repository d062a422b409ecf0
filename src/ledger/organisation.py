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

The stored topics name this module: it keeps the aggregate and its events. A unit's state, the
checks of a unit fact and a person's unit history are ``ledger.domain.units``.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate

from ledger import text
from ledger.domain import errors
from ledger.domain.commands import (
    CreateUnit,
    DissolveUnit,
    MergeUnit,
    RenameUnit,
    SplitUnit,
    UnitCommand,
    fields_of,
)
from ledger.domain.units import UnitState, check_exists, check_unit_text

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
        self, command: CreateUnit, *, recorded_by: str, recorded_at: datetime | None = None
    ) -> None:
        unit_id, parent_id, on = command.unit_id, command.parent_id, command.on
        check_unit_text(("unit_id", unit_id), ("name", command.name))
        self._check_new(unit_id, "unit_id")
        if parent_id is not None:
            self.in_force(parent_id, on, "parent_id")
        self._trigger_fact(self.UnitCreated, command, recorded_by, recorded_at)

    def rename_unit(
        self, command: RenameUnit, *, recorded_by: str, recorded_at: datetime | None = None
    ) -> None:
        name, on = command.name, command.on
        check_unit_text(("name", name))
        unit = self.in_force(command.unit_id, on, "on")
        if unit.name_on(on) == text.clean(name, text.TextKind.NAME, "name"):
            raise errors.InvalidInput(f"The unit is already named '{name}' on {on}.", field="name")
        self._trigger_fact(self.UnitRenamed, command, recorded_by, recorded_at)

    def merge_unit(
        self, command: MergeUnit, *, recorded_by: str, recorded_at: datetime | None = None
    ) -> None:
        self._check_can_end(command.unit_id, command.on)
        if command.into_id == command.unit_id:
            raise errors.InvalidInput("A unit cannot be merged into itself.", field="into_id")
        self.in_force(command.into_id, command.on, "into_id")
        self._trigger_fact(self.UnitMerged, command, recorded_by, recorded_at)

    def split_unit(
        self, command: SplitUnit, *, recorded_by: str, recorded_at: datetime | None = None
    ) -> None:
        parts = command.parts
        unit = self._check_can_end(command.unit_id, command.on)
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
            effective_on=command.on,
            unit_id=command.unit_id,
            parts=ids,
            part_names=[name for _, name in parts],
            parent_id=unit.parent_id,
        )

    def dissolve_unit(
        self, command: DissolveUnit, *, recorded_by: str, recorded_at: datetime | None = None
    ) -> None:
        self._check_can_end(command.unit_id, command.on)
        self._trigger_fact(self.UnitDissolved, command, recorded_by, recorded_at)

    def _trigger_fact(
        self, kind: type[UnitEvent], command: UnitCommand, recorded_by: str, recorded_at: datetime | None
    ) -> None:
        """Record a unit fact whose fields are the command's, dated on its ``on``."""
        self.trigger_event(
            kind,
            timestamp=recorded_at,
            recorded_by=recorded_by,
            effective_on=command.on,
            **fields_of(command, "on"),
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
