"""Enrollments: dispatching someone to a course, and how the course ended."""

from __future__ import annotations

from pydantic import ConfigDict, Field

from api.schemas.command_request import CommandRequest
from api.schemas.common import ScanDigest
from ledger.domain import commands


# `awards_level` is left to the importer and the demo: a course through the API awards its level.
class EnrollmentCreate(CommandRequest, command=commands.Enroll, omit=("awards_level",)):
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


class CredentialDetails(CommandRequest, command=commands.CredentialDetails):
    scans: list[ScanDigest] = Field(
        default_factory=list,
        max_length=20,
        description="SHA-256 digests of the certificate's scans, uploaded with `POST /scans`.",
    )


# `enrollment_id` is the path's.
class CompletionCreate(CommandRequest, command=commands.Complete, omit=("enrollment_id",)):
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

    credential: CredentialDetails | None = None


class WithdrawalCreate(CommandRequest, command=commands.Withdraw, omit=("enrollment_id",)):
    """Record that the staff member left the course before its end (`Withdrawn`)."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"on": "2024-05-10", "reason": "Được điều động công tác khác"}]}
    )
