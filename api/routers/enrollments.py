"""Enrollments: dispatch to a course, completion, withdrawal."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.routers.common import WRITE_RESPONSES, EnrollmentId, StaffId, command_from
from api.scans import require_stored
from api.schemas.common import WriteResult
from api.schemas.enrollments import CompletionCreate, EnrollmentCreate, WithdrawalCreate
from api.writes import Write
from ledger.domain.commands import Complete, CredentialDetails, Enroll, Withdraw

router = APIRouter(prefix="/staff/{staff_id}/enrollments", tags=["enrollments"])


@router.post(
    "", status_code=201, response_model=WriteResult, responses=WRITE_RESPONSES, summary="Enroll in a course"
)
def enroll(staff_id: StaffId, body: EnrollmentCreate, write: Write) -> JSONResponse:
    """Record an `Enrolled` event, effective on `starts_on`.

    `level` is the level completion awards: required for tracks with levels (422 if it does not
    belong to the track), absent for `other`. The answer carries the `enrollment_id` (yours, or
    one made by the server).
    """
    return write.execute(staff_id, body, command_from(Enroll, body))


@router.post(
    "/{enrollment_id}/completion",
    status_code=201,
    response_model=WriteResult,
    responses=WRITE_RESPONSES,
    summary="Complete (pass or fail) a course",
)
def complete(
    staff_id: StaffId, enrollment_id: EnrollmentId, body: CompletionCreate, write: Write
) -> JSONResponse:
    """Record `Completed` (outcome `passed`) or `Failed` (outcome `failed`), effective on `completed_on`.

    A passed course with a level awards a credential at the enrollment's track and level; its title
    and issuer default to the course's, its date to `completed_on`. 409 if the enrollment is already
    closed (completed, failed or withdrawn); 404 if there is no such enrollment. `credential.scans`
    may name the certificate's scans, uploaded first with `POST /scans`.
    """
    credential = (
        CredentialDetails(
            **{
                **dict(body.credential),
                "scans": require_stored(write.request.app.state, body.credential.scans, "credential.scans"),
            }
        )
        if body.credential is not None
        else None
    )
    command = command_from(Complete, body, enrollment_id=enrollment_id, credential=credential)
    return write.execute(staff_id, body, command)


@router.post(
    "/{enrollment_id}/withdrawal",
    status_code=201,
    response_model=WriteResult,
    responses=WRITE_RESPONSES,
    summary="Withdraw from a course",
)
def withdraw(
    staff_id: StaffId, enrollment_id: EnrollmentId, body: WithdrawalCreate, write: Write
) -> JSONResponse:
    """Record `Withdrawn`, effective on `on`. 409 if the enrollment is already closed."""
    return write.execute(staff_id, body, command_from(Withdraw, body, enrollment_id=enrollment_id))
