"""Aggregate reports: qualification counts, training attendance, gaps against position standards."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import ConfigDict, Field

from api.schemas.common import ResponseModel, Timestamp
from ledger.catalog import Employment, Track


class QualificationsReport(ResponseModel):
    """Active staff counted once per track, under their highest level on `as_of`."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "as_of": "2024-12-31",
                    "known_at": None,
                    "unit": None,
                    "employment": None,
                    "headcount": 61,
                    "tracks": {
                        "professional": {
                            "technical_worker": 2,
                            "intermediate": 6,
                            "college": 2,
                            "bachelor": 42,
                            "master": 9,
                            "doctorate": 0,
                        },
                        "political_theory": {
                            "elementary": 0,
                            "intermediate": 21,
                            "advanced": 6,
                            "bachelor": 1,
                        },
                    },
                    "by_gender": {"female": 25, "male": 36},
                    "by_age_band": {
                        "<30": 5,
                        "30-34": 9,
                        "35-39": 12,
                        "40-44": 11,
                        "45-49": 10,
                        "50-54": 9,
                        "55+": 5,
                    },
                    "by_unit": {"Phòng Tổ chức cán bộ": 8},
                    "by_employment": {"civil_servant": 53, "contract": 8},
                }
            ]
        }
    )

    as_of: date
    known_at: Timestamp | None = None
    unit: str | None = None
    employment: Employment | None = None
    headcount: int = Field(description="Active staff on as_of (within the filters).")
    tracks: dict[Track, dict[str, int]] = Field(
        description="TRACK → LEVEL → people whose highest level it is (every level listed, zeros included)."
    )
    by_gender: dict[str, int]
    by_age_band: dict[str, int] = Field(description="Age on as_of: <30, 30-34, …, 55+.")
    by_unit: dict[str, int]
    by_employment: dict[str, int]
    tracks_by_gender: dict[str, dict[str, dict[str, int]]] = Field(
        default_factory=dict, description="`tracks` split by gender: GENDER → TRACK → LEVEL → count."
    )


class AttendanceBucket(ResponseModel):
    attendances: int = Field(description="Person-times (lượt): one per enrollment.")
    persons: int = Field(description="Distinct people (người).")


class AttendanceReport(ResponseModel):
    """Enrollments whose start falls in [from, to], whatever their outcome; voided ones excluded."""

    model_config = ConfigDict(
        populate_by_name=True,
        json_schema_extra={
            "examples": [
                {
                    "from": "2019-01-01",
                    "to": "2024-12-31",
                    "tracks": ["political_theory", "state_management", "leadership"],
                    "known_at": None,
                    "attendances": 167,
                    "persons": 58,
                    "by_track": {"political_theory": {"attendances": 40, "persons": 31}},
                    "by_year": {"2019": 21, "2020": 30},
                    "by_mode": {"full_time": {"attendances": 90, "persons": 50}},
                    "by_status": {"completed": {"attendances": 150, "persons": 56}},
                    "by_gender": {"female": {"attendances": 70, "persons": 24}},
                }
            ]
        },
    )

    from_: date = Field(alias="from")
    to: date
    tracks: list[Track] | None = Field(default=None, description="The tracks counted (all when null).")
    known_at: Timestamp | None = None
    attendances: int = Field(description="Person-times (lượt).")
    persons: int = Field(description="Distinct people (người).")
    by_track: dict[Track, AttendanceBucket]
    by_year: dict[str, int] = Field(description="YEAR the course started → attendances.")
    by_mode: dict[str, AttendanceBucket]
    by_status: dict[str, AttendanceBucket] = Field(description="By the enrollment's status on `to`.")
    by_gender: dict[str, AttendanceBucket]


class RequirementGap(ResponseModel):
    """One requirement of a position (or rank) standard that is not met."""

    rule_id: str
    position: str = Field(description="The post or rank checked (its code in the rules).")
    track: Track
    required_level: str
    required_tier: int
    required_label: str = Field(description="The required level's Vietnamese label.")
    held: dict[str, Any] | None = Field(
        description="The best credential held in the track (track, level, credential_id, title, "
        "issued_on, via…)."
    )
    status: Literal["unmet", "pending", "waived", "overdue"] = Field(
        description="unmet (not yet due), pending (inside the grace period), waived (covered by the "
        "appointment's waiver until its deadline) or overdue."
    )
    timing: str = Field(description="before_appointment, within_months_after or advisory.")
    grace_months: int | None
    deadline: date | None
    severity: Literal["error", "warning"]
    legal_basis: str
    in_training: str | None = Field(description="A running enrollment that would meet it, if any.")
    blocking: bool = Field(description="Whether it would stop an appointment made on the day.")


class NeedsItem(ResponseModel):
    staff_id: str
    full_name: str
    unit: str
    position: str | None
    rank: str | None
    flags: list[str] = Field(
        description="appointed_without_meeting_standard, fails_todays_rules, overdue, waiver_running, "
        "grace_running."
    )
    unmet: list[RequirementGap] = Field(
        description="Each requirement of the post and the rank not met on as_of."
    )


class NeedsSummary(ResponseModel):
    people: int = Field(description="Active staff checked.")
    with_gaps: int
    by_status: dict[str, int]
    by_track: dict[str, dict[str, int]] = Field(description="TRACK → STATUS → gaps: what training to plan.")


class NeedsReport(ResponseModel):
    """For each active staff member, what their position (or `position`) and rank require that they lack."""

    as_of: date
    known_at: Timestamp | None = None
    position: str | None = None
    unit: str | None = None
    rule_set: str = Field(description="The rules file the standards come from (id@version[variant]#digest).")
    summary: NeedsSummary = Field(description="Over everyone checked (before `unit` and paging).")
    items: list[NeedsItem] = Field(description="People with at least one gap, by staff code.")
    pools: list[dict[str, Any]] = Field(
        description="Each succession-planning pool: candidates, how many are ready, each one's gaps."
    )
    next_cursor: str | None = None
