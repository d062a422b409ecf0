"""Rotations, transfers, secondments."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.routers.common import WRITE_RESPONSES, StaffId, command_from
from api.schemas.common import WriteResult
from api.schemas.rotations import RotationCreate
from api.writes import Write
from ledger.domain.commands import Rotate

router = APIRouter(prefix="/staff/{staff_id}/rotations", tags=["rotations"])


@router.post(
    "", status_code=201, response_model=WriteResult, responses=WRITE_RESPONSES, summary="Rotate or transfer"
)
def rotate(staff_id: StaffId, body: RotationCreate, write: Write) -> JSONResponse:
    """Record `Rotated`, effective on `starts_on`: from the unit the person is in on that day to `to_unit`."""
    return write.execute(staff_id, body, command_from(Rotate, body))
