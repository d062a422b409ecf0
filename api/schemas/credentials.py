"""Credentials earned outside any recorded enrollment, and how any credential was obtained."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import ConfigDict, Field

from api.schemas.command_request import CommandRequest
from api.schemas.common import ResponseModel, ScanDigest, Timestamp
from api.schemas.staff import CredentialPublic
from ledger.domain.commands import RecognizeCredential
from ledger.domain.record import Evidence


class EvidenceCreate(CommandRequest, command=Evidence):
    scans: list[ScanDigest] = Field(
        default_factory=list,
        max_length=20,
        description="SHA-256 digests of scans uploaded with `POST /scans` (PDF, JPEG or PNG).",
    )


class CredentialCreate(CommandRequest, command=RecognizeCredential):
    """Recognise a credential earned before joining or outside the agency's dispatches
    (`CredentialRecognized`)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "credential_id": "THS-2015",
                    "track": "professional",
                    "level": "master",
                    "title": "Thạc sĩ Quản lý công",
                    "issuer": "Học viện Hành chính Quốc gia",
                    "issued_on": "2015-11-20",
                    "number": "QLC 004512",
                    "evidence": {"document_ref": "HS-CB0001-07", "verified_by": "Trần Thị Bình"},
                }
            ]
        }
    )

    evidence: EvidenceCreate


class TrailFlag(ResponseModel):
    code: str = Field(examples=["completed_before_dispatch"])
    message: str


class TrailStep(ResponseModel):
    """One event of the trail: a history entry plus its `role` in obtaining the credential."""

    event_id: str
    type: str
    role: str = Field(
        description="registration, enrollment, completion, failure, withdrawal, recognition, "
        "evaluation or correction."
    )
    version: int
    position: int | None
    recorded_at: Timestamp
    recorded_by: str
    effective_on: date
    data: dict[str, Any]
    voided_by: str | None


class TrailPublic(ResponseModel):
    """How a credential was obtained: the events that led to it, and anything an auditor should look at."""

    staff_id: str
    credential: CredentialPublic
    status: Literal["valid", "voided"] = Field(
        description="'voided' if the event that awarded it was voided."
    )
    voided_by: str | None = None
    steps: list[TrailStep]
    flags: list[TrailFlag]
