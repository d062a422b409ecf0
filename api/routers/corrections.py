"""Corrections: voiding earlier events."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.routers.common import WRITE_RESPONSES, StaffId, command_from
from api.schemas.common import WriteResult
from api.schemas.corrections import CorrectionCreate
from api.writes import Write
from ledger.domain import errors
from ledger.domain.commands import Correct, CorrectNationalId

router = APIRouter(prefix="/staff/{staff_id}/corrections", tags=["corrections"])


@router.post(
    "",
    status_code=201,
    response_model=WriteResult,
    responses=WRITE_RESPONSES,
    summary="Void an event, or correct the national_id",
)
def correct(staff_id: StaffId, body: CorrectionCreate, write: Write) -> JSONResponse:
    """With `event_id`: record `Corrected`, voiding that event (an event of this staff member,
    from its history). Every view then behaves as if the event had not happened (as known from
    now on; answers `known_at` an earlier time still show it). 409 for a correction, a
    registration, an event already voided, or one later events depend on (void those first).

    With `national_id`: record `NationalIdCorrected`, which sets, changes or (`null`) removes the
    personal identification number; it corrects the registration, so it counts at every `as_of`,
    and the history keeps the earlier value. 409 if another staff member holds the number, or if
    the record already holds it.
    """
    if body.corrects_national_id == (body.event_id is not None):
        raise errors.InvalidInput(
            "Give either event_id (the event to void) or national_id (the new number), not both."
            if body.event_id is not None
            else "Give event_id (the event to void) or national_id (the new number).",
            field="event_id",
        )
    if body.corrects_national_id:
        return write.execute(staff_id, body, command_from(CorrectNationalId, body, omit=("event_id",)))
    return write.execute(staff_id, body, command_from(Correct, body, omit=("national_id",)))
