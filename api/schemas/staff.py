"""Staff members: registration in; standing, directory and history out."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Literal

from pydantic import ConfigDict, Field

from api.schemas.command_request import CommandRequest
from api.schemas.common import ResponseModel, Timestamp
from ledger.domain.catalog import (
    DepartureCategory,
    Employment,
    EvaluationKind,
    Funding,
    Gender,
    Mode,
    Rating,
    RotationKind,
    Track,
)
from ledger.domain.commands import Register

StaffStatus = Literal["active", "departed", "not_joined"]
EnrollmentStatus = Literal["enrolled", "completed", "failed", "withdrawn"]


class StaffCreate(CommandRequest, command=Register):
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
    field: str | None = Field(default=None, description="Field of study (chuyên ngành), when recorded.")


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


# What a requirement that is not a training level is about (docs/rules.md, "Conditions of
# appointment"): it stands where a training requirement names its track.
ConditionKind = Literal["experience", "age_headroom", "field_of_study", "planning_pool"]


class UnmetPublic(ResponseModel):
    """A requirement of the position standard the person did not meet on the appointment day,
    recorded with the appointment: waived (`blocking`: it was due before appointment; `deadline`
    is the waiver's) or left to a grace period ending on `deadline`."""

    rule_id: str
    track: Track | ConditionKind = Field(
        description="The track; for a condition of appointment, its kind (experience, age_headroom, "
        "field_of_study, planning_pool)."
    )
    required_level: str = Field(
        description="The minimum level; `P24M` (months) for experience and age headroom, the minimum "
        "degree level for a field of study, the pool's post code for planning."
    )
    held_level: str | None = Field(
        description="The best level held in the track that day, if any; for a condition, its measure "
        "(`P18M`: months of experience or left before retirement age)."
    )
    timing: str = Field(description="before_appointment, within_months_after or advisory.")
    deadline: date | None
    legal_basis: str
    blocking: bool


class AppointmentPublic(ResponseModel):
    position: str
    previous_position: str | None = None
    effective_on: date
    decision_ref: str
    waiver: WaiverPublic | None = None
    event_id: str
    unmet: list[UnmetPublic] = Field(
        default_factory=list,
        description="What the standard in force that day found missing: the waived list (with a "
        "waiver) and the requirements left to a grace period. Empty when everything was met.",
    )
    rule_set: str | None = Field(
        default=None,
        description="The rules the appointment was checked against (id@version[variant]#digest); null "
        "for appointments recorded before standards were checked.",
    )


class PlanningPublic(ResponseModel):
    """A place in the succession-planning pool (quy hoạch)."""

    position: str
    from_year: int
    to_year: int
    decision_ref: str
    decided_on: date = Field(description="The planning decision's date.")
    event_id: str


class CommitmentPublic(ResponseModel):
    """A service commitment (cam kết phục vụ) created by a funded degree course, on `as_of`."""

    enrollment_id: str
    course_code: str
    course_title: str
    track: Track
    level: str | None
    funding: Funding | None
    cost: Decimal | None = Field(description="F: the course's recorded cost (no salary).")
    starts_on: date = Field(description="The course's start (it picks the commitment rule).")
    ends_on: date | None = Field(description="The course's planned end.")
    course_months: int | None = Field(description="Course length in months (a started month counts).")
    multiplier: Decimal = Field(description="Months of service owed per month of course.")
    committed_months: int | None = Field(description="T1 = multiplier × course months.")
    service_from: date | None = Field(description="Completion: the service starts.")
    service_until: date | None = Field(description="The day the commitment is served.")
    served_months: int | None = Field(description="T2: whole months served (to the departure, or to as_of).")
    status: Literal[
        "in_training", "serving", "fulfilled", "released", "breached", "dropped_out", "not_awarded"
    ]
    departed_on: date | None
    departure_category: DepartureCategory | None
    category_source: Literal["recorded", "inferred", "unknown", "none"] = Field(
        description="Where the departure category comes from: the event (`recorded`), the reason's "
        "words (`inferred`), neither (`unknown`, treated as owing), or no departure (`none`)."
    )
    reimbursement: Decimal | None = Field(
        description="S, owed on leaving early: F for dropping out or not being awarded, "
        "F / T1 × (T1 − T2) for leaving before T1 months, 0 when released; null otherwise (or when F "
        "was not recorded)."
    )
    formula: str = Field(description="How S was worked out, in words.")
    rule_id: str
    legal_basis: str
    open: bool = Field(description="Still in training or serving.")
    remaining_months: int | None = Field(description="Months left to serve (while serving).")


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
                    "version": 4,
                    "as_of": "2025-06-30",
                    "qualifications": {
                        "political_theory": {
                            "track": "political_theory",
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
                    "planning": [
                        {
                            "position": "Trưởng phòng",
                            "from_year": 2025,
                            "to_year": 2030,
                            "decision_ref": "QĐ 45/QĐ-BCS",
                            "decided_on": "2025-03-15",
                            "event_id": "CB0001:4",
                        }
                    ],
                    "commitments": [],
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
    departure_category: DepartureCategory | None = Field(
        default=None, description="The departure's recorded category, if one was given."
    )
    status: StaffStatus = Field(
        description="'active' (on the roll), 'departed', or 'not_joined' (as_of is before joined_on)."
    )
    national_id: str | None = Field(
        default=None,
        description="Personal identification number (12 digits), null when none is recorded. "
        "Registrars and auditors only: the key is absent from a reader's answer.",
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
    planning: list[PlanningPublic] = Field(
        default_factory=list, description="Every place in a succession-planning pool, as decided."
    )
    commitments: list[CommitmentPublic] = Field(
        default_factory=list,
        description="Service commitments of funded degree courses started by `as_of`, with what "
        "leaving early costs (see `GET /reports/commitments`).",
    )


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
    total: int = Field(default=0, description="How many people the filters select, over all pages.")


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
