"""Departures from the agency."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.routers.common import WRITE_RESPONSES, StaffId, command_from
from api.schemas.common import WriteResult
from api.schemas.departures import DepartureCreate
from api.writes import Write
from ledger.domain.commands import Depart

router = APIRouter(prefix="/staff/{staff_id}/departure", tags=["departures"])


@router.post(
    "", status_code=201, response_model=WriteResult, responses=WRITE_RESPONSES, summary="Record a departure"
)
def depart(staff_id: StaffId, body: DepartureCreate, write: Write) -> JSONResponse:
    """Record `Departed`, effective on `on`: off the roll from that date; the history stays.
    `category` decides what an open service commitment costs (see `GET /reports/commitments`).
    409 if the person already departed."""
    return write.execute(staff_id, body, command_from(Depart, body))
