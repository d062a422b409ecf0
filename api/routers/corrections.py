"""Corrections: voiding earlier events."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.routers.common import WRITE_RESPONSES, StaffId
from api.schemas.common import WriteResult
from api.schemas.corrections import CorrectionCreate
from api.writes import Write

router = APIRouter(prefix="/staff/{staff_id}/corrections", tags=["corrections"])


@router.post(
    "", status_code=201, response_model=WriteResult, responses=WRITE_RESPONSES, summary="Void an event"
)
def correct(staff_id: StaffId, body: CorrectionCreate, write: Write) -> JSONResponse:
    """Record `Corrected`, voiding `event_id` (an event of this staff member, from its history).

    Every view then behaves as if the event had not happened (as known from now on; answers
    `known_at` an earlier time still show it). 409 for a correction, a registration, an event
    already voided, or one later events depend on (void those first).
    """
    return write.run(
        staff_id,
        body,
        lambda expected: write.ledger.correct(
            staff_id,
            event_id=body.event_id,
            reason=body.reason,
            recorded_by=write.recorded_by,
            expected_version=expected,
        ),
    )
