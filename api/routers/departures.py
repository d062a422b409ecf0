"""Departures from the agency."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.routers.common import WRITE_RESPONSES, StaffId
from api.schemas.common import WriteResult
from api.schemas.departures import DepartureCreate
from api.writes import Write

router = APIRouter(prefix="/staff/{staff_id}/departure", tags=["departures"])


@router.post(
    "", status_code=201, response_model=WriteResult, responses=WRITE_RESPONSES, summary="Record a departure"
)
def depart(staff_id: StaffId, body: DepartureCreate, write: Write) -> JSONResponse:
    """Record `Departed`, effective on `on`: off the roll from that date; the history stays.
    `category` decides what an open service commitment costs (see `GET /reports/commitments`).
    409 if the person already departed."""
    return write.run(
        staff_id,
        body,
        lambda expected: write.ledger.depart(
            staff_id,
            on=body.on,
            reason=body.reason,
            category=body.category,
            recorded_by=write.recorded_by,
            expected_version=expected,
        ),
    )
