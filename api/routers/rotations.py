"""Rotations, transfers, secondments."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.routers.common import WRITE_RESPONSES, StaffId
from api.schemas.common import WriteResult
from api.schemas.rotations import RotationCreate
from api.writes import Write

router = APIRouter(prefix="/staff/{staff_id}/rotations", tags=["rotations"])


@router.post(
    "", status_code=201, response_model=WriteResult, responses=WRITE_RESPONSES, summary="Rotate or transfer"
)
def rotate(staff_id: StaffId, body: RotationCreate, write: Write) -> JSONResponse:
    """Record `Rotated`, effective on `starts_on`: from the unit the person is in on that day to `to_unit`."""
    return write.run(
        staff_id,
        body,
        lambda expected: write.ledger.rotate(
            staff_id,
            to_unit=body.to_unit,
            kind=body.kind,
            starts_on=body.starts_on,
            decision_ref=body.decision_ref,
            position=body.position,
            ends_on=body.ends_on,
            recorded_by=write.recorded_by,
            expected_version=expected,
        ),
    )
