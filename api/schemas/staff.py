"""Staff members: registration in; standing, directory and history out."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Literal

from pydantic import ConfigDict, Field

from api.schemas.common import (
    BusinessDate,
    Code,
    Name,
    RequestModel,
    ResponseModel,
    ShortText,
    Timestamp,
)
from ledger.catalog import Employment, EvaluationKind, Funding, Gender, Mode, Rating, RotationKind, Track

StaffStatus = Literal["active", "departed", "not_joined"]
EnrollmentStatus = Literal["enrolled", "completed", "failed", "withdrawn"]


class StaffCreate(RequestModel):
    """Register a staff member (`Registered`, effective on `joined_on`)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "staff_id": "CB0001",
                    "full_name": "Nguyễn Văn An",
                    "gender": "male",
                    "birth_date": "1985-04-12",
                    "unit": "Phòng Tổ chức cán bộ",
                    "joined_on": "2010-09-01",
                    "position": "Chuyên viên",
                    "rank": "01.003",
                    "employment": "civil_servant",
                }
            ]
        }
    )

    staff_id: Code = Field(description="The agency's own staff code: 1-40 letters, digits, '.', '_', '-'.")
    full_name: Name = Field(description="Full name, kept exactly as written (diacritics included).")
    gender: Gender
    birth_date: BusinessDate
    unit: Name = Field(description="The unit (phòng, đội, chi cục) the person belongs to.")
    joined_on: BusinessDate = Field(
        description="The date the person joined; the registration's business date."
    )
    position: Name | None = Field(
        default=None, description="Job position (chức vụ), e.g. 'Phó trưởng phòng'."
    )
    rank: ShortText | None = Field(
        default=None, description="Civil-service rank code (mã ngạch), e.g. '01.003'."
    )
    employment: Employment = Employment.CIVIL_SERVANT


class QualificationPublic(ResponseModel):
    track: Track
    level: str
    credential_id: str
    title: str
    issued_on: date


class CredentialPublic(ResponseModel):
    credential_id: str
    track: Track
    level: str | None
    title: str
    issuer: str
    issued_on: date
    number: str | None = None
    source: Literal["completion", "recognition"] = Field(
        description="'completion' (awarded by a recorded course) or 'recognition' (earned elsewhere)."
    )
    enrollment_id: str | None = Field(default=None, description="The course that awarded it (completion).")
    document_ref: str | None = Field(default=None, description="The evidence of a recognised credential.")
    verified_by: str | None = None
    event_id: str = Field(description="The event that put it on the record.")


class EnrollmentPublic(ResponseModel):
    enrollment_id: str
    course_code: str
    course_title: str
    track: Track
    level: str | None
    provider: str
    mode: Mode
    status: EnrollmentStatus
    starts_on: date
    ends_on: date | None = None
    decision_ref: str | None = None
    funding: Funding | None = None
    cost: Decimal | None = None
    country: str | None = None
    closed_on: date | None = Field(default=None, description="Date of completion, failure or withdrawal.")
    score: Decimal | None = None
    credential_id: str | None = None
    withdrawal_reason: str | None = None
    event_id: str


class RotationPublic(ResponseModel):
    kind: RotationKind
    from_unit: str
    to_unit: str
    position: str | None = None
    starts_on: date
    ends_on: date | None = None
    decision_ref: str
    event_id: str


class WaiverPublic(ResponseModel):
    legal_basis: str
    deadline: date
    reason: str


class AppointmentPublic(ResponseModel):
    position: str
    previous_position: str | None = None
    effective_on: date
    decision_ref: str
    waiver: WaiverPublic | None = None
    event_id: str


class EvaluationPublic(ResponseModel):
    kind: EvaluationKind
    year: int | None = None
    enrollment_id: str | None = None
    rating: Rating
    score: Decimal | None = None
    evaluator: str
    notes: str | None = None
    effective_on: date
    event_id: str


class StaffPublic(ResponseModel):
    """A staff member's standing on a business date, as the ledger knew it at a time."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "staff_id": "CB0001",
                    "full_name": "Nguyễn Văn An",
                    "gender": "male",
                    "birth_date": "1985-04-12",
                    "unit": "Phòng Tổ chức cán bộ",
                    "home_unit": "Phòng Tổ chức cán bộ",
                    "position": "Chuyên viên",
                    "rank": "01.003",
                    "employment": "civil_servant",
                    "joined_on": "2010-09-01",
                    "status": "active",
                    "version": 3,
                    "qualifications": {
                        "political_theory": {
                            "level": "intermediate",
                            "credential_id": "TC-LLCT-01",
                            "title": "Trung cấp lý luận chính trị - hành chính",
                            "issued_on": "2021-06-30",
                        }
                    },
                    "credentials": [],
                    "enrollments": [],
                    "rotations": [],
                    "appointments": [],
                    "evaluations": [],
                }
            ]
        }
    )

    staff_id: str
    full_name: str
    gender: Gender
    birth_date: date
    unit: str = Field(description="The unit on the business date (a running rotation or secondment counts).")
    home_unit: str = Field(description="The unit the person belongs to, apart from temporary rotations.")
    position: str | None = None
    rank: str | None = None
    employment: Employment
    joined_on: date
    departed_on: date | None = None
    departure_reason: str | None = None
    status: StaffStatus = Field(
        description="'active' (on the roll), 'departed', or 'not_joined' (as_of is before joined_on)."
    )
    version: int = Field(description="The aggregate version this answer reflects (also the ETag).")
    as_of: date = Field(description="The business date of this answer (today unless asked).")
    known_at: Timestamp | None = Field(default=None, description="The recording time asked for, if any.")
    qualifications: dict[Track, QualificationPublic] = Field(
        description="The highest level held per track (tracks without a credential are absent)."
    )
    credentials: list[CredentialPublic]
    enrollments: list[EnrollmentPublic]
    rotations: list[RotationPublic]
    appointments: list[AppointmentPublic]
    evaluations: list[EvaluationPublic]


class StaffSummary(ResponseModel):
    """One line of the directory."""

    staff_id: str
    full_name: str
    gender: Gender
    birth_date: date
    unit: str
    position: str | None = None
    employment: Employment
    status: StaffStatus
    joined_on: date
    departed_on: date | None = None
    version: int
    qualifications: dict[Track, str] = Field(description="TRACK → highest level code held.")


class StaffPage(ResponseModel):
    items: list[StaffSummary]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class HistoryEntryPublic(ResponseModel):
    event_id: str = Field(examples=["CB0001:2"])
    type: str = Field(examples=["Enrolled"])
    version: int
    position: int | None = Field(description="Place in the global log.")
    recorded_at: Timestamp
    recorded_by: str = Field(description="Name of the API key that recorded the event.")
    effective_on: date = Field(description="The event's business date.")
    data: dict[str, Any] = Field(description="The event's own fields (dates ISO, decimals as strings).")
    voided_by: str | None = Field(description="The correction that voided this event, if any.")


class HistoryPage(ResponseModel):
    staff_id: str
    version: int
    items: list[HistoryEntryPublic]
    next_cursor: str | None
