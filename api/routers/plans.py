"""Succession planning (quy hoạch): the pool of candidates for a position."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.routers.common import WRITE_RESPONSES, StaffId, command_from
from api.schemas.common import WriteResult
from api.schemas.plans import PlanCreate
from api.writes import Write
from ledger.domain.commands import Plan

router = APIRouter(tags=["planning"])


@router.post(
    "/staff/{staff_id}/planning",
    status_code=201,
    response_model=WriteResult,
    responses=WRITE_RESPONSES,
    summary="Add to a planning pool",
)
# The first name of this endpoint, kept working for clients written against it (not documented).
@router.post(
    "/staff/{staff_id}/plans",
    status_code=201,
    response_model=WriteResult,
    responses=WRITE_RESPONSES,
    include_in_schema=False,
)
def plan(staff_id: StaffId, body: PlanCreate, write: Write) -> JSONResponse:
    """Record `Planned`, effective on `on` (the decision's date): the person is in the
    succession-planning pool for `position` over the period (a condition for rotation and later
    appointment). The place shows in the standing (`planning`), and in `GET /reports/needs`: the
    person's readiness for the post (`planned`) and the pool's (`pools`).

    422 `validation_error` for a period that cannot be read or ends before it starts."""
    from_year, to_year = body.years()
    command = command_from(Plan, body, omit=("period",), from_year=from_year, to_year=to_year)
    return write.execute(staff_id, body, command)
