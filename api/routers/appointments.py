"""Appointments to positions."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.routers.common import WRITE_RESPONSES, StaffId, command_from
from api.schemas.appointments import AppointmentCreate
from api.schemas.common import WriteResult
from api.writes import Write
from ledger.domain.commands import Appoint
from ledger.domain.record import Waiver

router = APIRouter(prefix="/staff/{staff_id}/appointments", tags=["appointments"])


@router.post(
    "",
    status_code=201,
    response_model=WriteResult,
    responses=WRITE_RESPONSES,
    summary="Appoint to a position",
)
def appoint(staff_id: StaffId, body: AppointmentCreate, write: Write) -> JSONResponse:
    """Record `Appointed`, effective on `effective_on`.

    The position standard in force on `effective_on` is checked: if the person lacks required
    training, the answer is 422 with `unmet` listing every requirement not met, unless a `waiver`
    (legal basis, deadline, reason) is given, in which case the appointment is recorded with it.
    """
    waiver = Waiver(**dict(body.waiver)) if body.waiver is not None else None
    return write.execute(staff_id, body, command_from(Appoint, body, waiver=waiver))
