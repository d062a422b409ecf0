"""Succession planning (quy hoạch): the pool of candidates for a position."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.routers.common import WRITE_RESPONSES, StaffId
from api.schemas.common import WriteResult
from api.schemas.plans import PlanCreate
from api.writes import Write

router = APIRouter(prefix="/staff/{staff_id}/plans", tags=["plans"])


@router.post(
    "",
    status_code=201,
    response_model=WriteResult,
    responses=WRITE_RESPONSES,
    summary="Add to a planning pool",
)
def plan(staff_id: StaffId, body: PlanCreate, write: Write) -> JSONResponse:
    """Record `Planned`, effective on `on`: the person is in the succession-planning pool for
    `position` over `from_year`–`to_year` (a condition for rotation and later appointment)."""
    return write.run(
        staff_id,
        body,
        lambda expected: write.ledger.plan(
            staff_id,
            position=body.position,
            from_year=body.from_year,
            to_year=body.to_year,
            decision_ref=body.decision_ref,
            on=body.on,
            recorded_by=write.recorded_by,
            expected_version=expected,
        ),
    )
