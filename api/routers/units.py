"""Units of the organisation: facts with dates (registrar), and the structure on a date (every role).

Units are named by their id, the text staff facts use (`unit`, `to_unit`); a unit no fact created
is a free-text unit, existing from its first use. See docs/units.md.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse

from api.deps import Reader, ReadSideDep
from api.routers.common import StaffId, command_from
from api.schemas.common import BusinessDate, Timestamp
from api.schemas.problem import problems
from api.schemas.units import (
    UnitCreate,
    UnitDissolve,
    UnitHistory,
    UnitList,
    UnitMerge,
    UnitRename,
    UnitSplit,
    UnitWriteResult,
)
from api.writes import Write
from ledger.domain.commands import CreateUnit, DissolveUnit, MergeUnit, RenameUnit, SplitUnit

router = APIRouter(prefix="/units", tags=["units"])

UnitId = Annotated[
    str,
    Path(
        min_length=1,
        max_length=200,
        description="The unit's id (URL-encoded), as recorded by `POST /units`.",
        examples=["Phòng Nghiệp vụ 2"],
    ),
]
UNIT_WRITE_RESPONSES: dict[int | str, dict[str, Any]] = {
    201: {"description": "Recorded."},
    **problems(400, 401, 403, 404, 409, 413, 415, 422),
}


@router.post(
    "",
    status_code=201,
    response_model=UnitWriteResult,
    responses=UNIT_WRITE_RESPONSES,
    summary="Create a unit",
)
def create(body: UnitCreate, write: Write) -> JSONResponse:
    """Record `UnitCreated`: the unit exists from `on`. 409 if the id is already recorded; 404 if
    `parent_id` is not a recorded unit, 422 if it does not exist on `on`. A unit already in use as
    free text may be created (dated when it began): from then on staff facts naming it are checked
    against its dates."""
    return write.execute_unit(body, command_from(CreateUnit, body))


@router.post(
    "/{unit_id}/renamed",
    status_code=201,
    response_model=UnitWriteResult,
    responses=UNIT_WRITE_RESPONSES,
    summary="Rename a unit",
)
def renamed(unit_id: UnitId, body: UnitRename, write: Write) -> JSONResponse:
    """Record `UnitRenamed`: the unit is called `name` from `on` (it must exist that day)."""
    return write.execute_unit(body, command_from(RenameUnit, body, unit_id=unit_id))


@router.post(
    "/{unit_id}/merged",
    status_code=201,
    response_model=UnitWriteResult,
    responses=UNIT_WRITE_RESPONSES,
    summary="Merge a unit into another",
)
def merged(unit_id: UnitId, body: UnitMerge, write: Write) -> JSONResponse:
    """Record `UnitMerged`: the unit's last day is the day before `on`; from `on` its people count
    under `into_id` (which must exist that day) in reports by unit, and no one can be registered,
    rotated or transferred into it."""
    return write.execute_unit(body, command_from(MergeUnit, body, unit_id=unit_id))


@router.post(
    "/{unit_id}/split",
    status_code=201,
    response_model=UnitWriteResult,
    responses=UNIT_WRITE_RESPONSES,
    summary="Split a unit into new units",
)
def split(unit_id: UnitId, body: UnitSplit, write: Write) -> JSONResponse:
    """Record `UnitSplit`: the unit ends on `on`, the parts (new ids) begin under its parent. People
    are not moved: record their transfers into the parts."""
    parts = [(part.unit_id, part.name) for part in body.parts]
    return write.execute_unit(body, command_from(SplitUnit, body, unit_id=unit_id, parts=parts))


@router.post(
    "/{unit_id}/dissolved",
    status_code=201,
    response_model=UnitWriteResult,
    responses=UNIT_WRITE_RESPONSES,
    summary="Dissolve a unit",
)
def dissolved(unit_id: UnitId, body: UnitDissolve, write: Write) -> JSONResponse:
    """Record `UnitDissolved`: the unit ends on `on`. Units under it must have ended first (409)."""
    return write.execute_unit(body, command_from(DissolveUnit, body, unit_id=unit_id))


@router.get(
    "", response_model=UnitList, responses=problems(401, 403, 422, 503), summary="The units on a date"
)
def units(
    _who: Reader,
    read_side: ReadSideDep,
    as_of: Annotated[BusinessDate | None, Query(description="Business date (default: today).")] = None,
    known_at: Annotated[
        Timestamp | None,
        Query(description="Recording time (RFC 3339): the structure as the ledger knew it then."),
    ] = None,
) -> Any:
    """Every unit that exists on `as_of`, with its name and parent on that day: units created by
    unit facts, and free-text units named by staff facts since their first use."""
    return read_side.units_on(as_of=as_of, known_at=known_at)


staff_router = APIRouter(prefix="/staff", tags=["units"])


@staff_router.get(
    "/{staff_id}/units",
    response_model=UnitHistory,
    responses=problems(401, 403, 404, 422, 503),
    summary="The units a staff member worked in",
)
def unit_history(staff_id: StaffId, _who: Reader, read_side: ReadSideDep) -> Any:
    """Every stretch of days the person worked in one unit, in order (registration, rotations,
    transfers and secondments, as the record says now), each with the unit's name when it began
    and the unit it falls under in today's structure (`unit_today`: the unit it was merged into,
    if it was)."""
    return read_side.unit_history(staff_id)
