"""Enrollments: dispatching someone to a course, and how the course ended."""

from __future__ import annotations

from pydantic import ConfigDict, Field

from api.schemas.common import (
    BusinessDate,
    Code,
    LevelCode,
    LongText,
    Money,
    Name,
    RequestModel,
    ScanDigest,
    Score,
    ShortText,
)
from ledger.domain.catalog import Funding, Mode, Outcome, Track


class EnrollmentCreate(RequestModel):
    """Dispatch the staff member to a course (`Enrolled`, effective on `starts_on`)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "enrollment_id": "E-2024-017",
                    "course_code": "TCLLCT-K45",
                    "course_title": "Trung cấp lý luận chính trị - hành chính",
                    "track": "political_theory",
                    "level": "intermediate",
                    "provider": "Trường Chính trị tỉnh Nghệ An",
                    "mode": "part_time",
                    "starts_on": "2024-03-04",
                    "ends_on": "2024-09-27",
                    "decision_ref": "QĐ 125/QĐ-CT",
                }
            ]
        }
    )

    enrollment_id: Code | None = Field(
        default=None, description="Your id for it; made by the server when omitted."
    )
    course_code: ShortText
    course_title: Name
    track: Track
    level: LevelCode | None = Field(
        default=None,
        description="The level completion awards; required for tracks with levels, absent for 'other'.",
    )
    provider: Name = Field(description="Training institution (cơ sở đào tạo).")
    mode: Mode
    starts_on: BusinessDate
    ends_on: BusinessDate | None = None
    decision_ref: ShortText | None = Field(
        default=None, description="Number of the dispatch decision (quyết định cử đi học)."
    )
    funding: Funding | None = None
    cost: Money | None = Field(default=None, description="Cost in VND (a decimal; answered as a string).")
    country: ShortText | None = Field(default=None, description="Country, for training abroad.")


class CredentialDetails(RequestModel):
    credential_id: Code | None = Field(
        default=None, description="Your id for it; made by the server when omitted."
    )
    title: Name | None = Field(default=None, description="Defaults to the course title.")
    number: ShortText | None = Field(default=None, description="Certificate number (số hiệu văn bằng).")
    issuer: Name | None = Field(default=None, description="Defaults to the course provider.")
    issued_on: BusinessDate | None = Field(default=None, description="Defaults to completed_on.")
    field: Name | None = Field(
        default=None,
        description="Field of study (chuyên ngành) as written on the certificate, e.g. `Luật kinh tế`; "
        "a position standard may ask it to fit the post (docs/rules.md, `[[field_of_study]]`).",
    )
    scans: list[ScanDigest] = Field(
        default_factory=list,
        max_length=20,
        description="SHA-256 digests of the certificate's scans, uploaded with `POST /scans`.",
    )


class CompletionCreate(RequestModel):
    """Close an enrollment as passed (`Completed`; a levelled course awards its credential) or
    failed (`Failed`)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "completed_on": "2024-09-27",
                    "outcome": "passed",
                    "score": "8.50",
                    "credential": {"credential_id": "TC-LLCT-01", "number": "B 012345"},
                }
            ]
        }
    )

    completed_on: BusinessDate
    outcome: Outcome
    credential: CredentialDetails | None = Field(
        default=None, description="Only for 'passed': details of the certificate awarded."
    )
    score: Score | None = None


class WithdrawalCreate(RequestModel):
    """Record that the staff member left the course before its end (`Withdrawn`)."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"on": "2024-05-10", "reason": "Được điều động công tác khác"}]}
    )

    on: BusinessDate
    reason: LongText
