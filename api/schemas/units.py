"""Units of the organisation: the facts HR records about them, and the structure on a date."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import ConfigDict, Field

from api.schemas.command_request import CommandRequest
from api.schemas.common import Name, RequestModel, ResponseModel, Timestamp
from ledger.domain.commands import CreateUnit, DissolveUnit, MergeUnit, RenameUnit, SplitUnit


class UnitCreate(CommandRequest, command=CreateUnit):
    """A unit begins on `on` (`UnitCreated`), under `parent_id` if given (which must exist then)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "unit_id": "Phòng Nghiệp vụ 4",
                    "name": "Phòng Nghiệp vụ 4",
                    "parent_id": "Chi cục Thuế khu vực XVIII",
                    "on": "2025-03-01",
                }
            ]
        },
    )


# The unit of a rename, a merge, a split or a dissolution is the path's.
class UnitRename(CommandRequest, command=RenameUnit, omit=("unit_id",)):
    """The unit is called `name` from `on` (`UnitRenamed`); its id stays."""


class UnitMerge(CommandRequest, command=MergeUnit, omit=("unit_id",)):
    """The unit ends on `on`, merged into `into_id` (`UnitMerged`): from that day its people count
    under `into_id` in reports by unit."""


class UnitPart(RequestModel):
    unit_id: Name
    name: Name


class UnitSplit(CommandRequest, command=SplitUnit, omit=("unit_id",)):
    """The unit ends on `on`, split into new units (`UnitSplit`) under its parent. Nobody moves by
    a split: record each person's transfer into a part."""

    parts: list[UnitPart] = Field(min_length=2, max_length=50)


class UnitDissolve(CommandRequest, command=DissolveUnit, omit=("unit_id",)):
    """The unit ends on `on` (`UnitDissolved`)."""


class UnitWriteResult(ResponseModel):
    """What every unit write answers (201)."""

    unit_id: str
    version: int = Field(description="The organisation stream's version after the write.", examples=[4])
    event_id: str = Field(description="The recorded event: @org:VERSION.", examples=["@org:4"])
    position: int = Field(description="The event's place in the global log.", examples=[1207])
    recorded_at: Timestamp


class UnitPublic(ResponseModel):
    unit_id: str
    name: str = Field(description="The unit's name on `as_of`.")
    parent_id: str | None
    since: date = Field(description="The unit's first day (a free-text unit: its first use).")
    origin: Literal["recorded", "first_use"] = Field(
        description="`recorded`: created by a unit fact; `first_use`: a free-text unit named by staff "
        "facts, existing from the first of them."
    )
    until: date | None = Field(description="The day it ends (merged, split or dissolved), if recorded.")
    ended_how: Literal["merged", "split", "dissolved"] | None
    successors: list[str] = Field(description="The unit it is merged into, or the parts it is split into.")


class UnitList(ResponseModel):
    """The organisation on `as_of` (as known at `known_at`): every unit existing that day. The tree
    is given by `parent_id`."""

    as_of: date
    known_at: datetime | None
    units: list[UnitPublic]


class UnitPeriodPublic(ResponseModel):
    unit_id: str
    name: str = Field(description="The unit's name on `starts_on`.")
    starts_on: date
    ends_on: date | None = Field(description="The last day in this unit; null while it lasts.")
    unit_today: str = Field(description="The unit it falls under in today's structure.")
    name_today: str


class UnitHistory(ResponseModel):
    """The units a staff member worked in, in order."""

    staff_id: str
    items: list[UnitPeriodPublic]
