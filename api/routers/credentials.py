"""Recognised credentials, and the audit trail of any credential."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse

from api.deps import Auditor, ReadSideDep
from api.routers.common import READ_STAFF_RESPONSES, WRITE_RESPONSES, CredentialId, StaffId, command_from
from api.scans import require_stored
from api.schemas.common import WriteResult
from api.schemas.credentials import CredentialCreate, TrailPublic
from api.writes import Write, etag
from ledger.domain.commands import RecognizeCredential
from ledger.domain.record import Evidence

router = APIRouter(prefix="/staff/{staff_id}/credentials", tags=["credentials"])


@router.post(
    "",
    status_code=201,
    response_model=WriteResult,
    responses=WRITE_RESPONSES,
    summary="Recognise a credential",
)
def recognize(staff_id: StaffId, body: CredentialCreate, write: Write) -> JSONResponse:
    """Record `CredentialRecognized`, effective on `issued_on`: a credential earned outside any
    recorded enrollment (before joining, self-funded). `evidence.document_ref` is required;
    `evidence.scans` may name scans uploaded with `POST /scans`."""
    scans = require_stored(write.request.app.state, body.evidence.scans, "evidence.scans")
    evidence = Evidence(**{**dict(body.evidence), "scans": scans})
    return write.execute(staff_id, body, command_from(RecognizeCredential, body, evidence=evidence))



@router.get(
    "/{credential_id}/trail",
    response_model=TrailPublic,
    responses=READ_STAFF_RESPONSES,
    summary="How a credential was obtained",
)
def trail(
    staff_id: StaffId, credential_id: CredentialId, _who: Auditor, read_side: ReadSideDep, response: Response
) -> Any:
    """The events that led to the credential (registration context, enrollment with its decision,
    completion with its evidence, corrections, later post-training evaluations) and `flags` an
    auditor should look at. Auditors and registrars only."""
    answer = read_side.trail(staff_id, credential_id)
    response.headers["ETag"] = etag(answer.pop("version"))
    return answer
