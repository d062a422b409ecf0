"""Reports: qualification counts, training attendance and the annual report. The reports over the
position standards (needs, appointments, commitments, effectiveness) are
``api.schemas.standards_reports``."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import ConfigDict, Field

from api.schemas.common import ResponseModel, Timestamp
from ledger.domain.catalog import Employment, Track


class QualificationsReport(ResponseModel):
    """Active staff counted once per track, under their highest level on `as_of`.

    The example is the demo agency's answer (`ledger serve --demo`) on 2025-12-31; some
    breakdowns are shortened."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "as_of": "2025-12-31",
                    "known_at": None,
                    "unit": None,
                    "employment": None,
                    "headcount": 61,
                    "tracks": {
                        "professional": {
                            "technical_worker": 3,
                            "intermediate": 5,
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
                        "state_management": {"officer": 1, "specialist": 31, "principal": 14, "senior": 2},
                        "leadership": {"division": 18, "department": 3, "ministry": 0},
                        "defense_security": {"group4": 0, "group3": 11, "group2": 3, "group1": 0},
                        "it": {"basic": 37, "advanced": 7},
                        "foreign_language": {
                            "level1": 0,
                            "level2": 14,
                            "level3": 17,
                            "level4": 0,
                            "level5": 0,
                            "level6": 0,
                        },
                    },
                    "by_gender": {"female": 26, "male": 35},
                    "by_age_band": {
                        "<30": 7,
                        "30-34": 9,
                        "35-39": 11,
                        "40-44": 10,
                        "45-49": 9,
                        "50-54": 9,
                        "55+": 6,
                    },
                    "by_unit": {
                        "Lãnh đạo Cục": 3,
                        "Phòng Kế hoạch – Tài chính": 8,
                        "Phòng Nghiệp vụ 1": 10,
                        "Phòng Nghiệp vụ 2": 9,
                        "Phòng Nghiệp vụ 3": 9,
                        "Phòng Thanh tra – Kiểm tra": 8,
                        "Phòng Tổ chức – Hành chính": 14,
                    },
                    "by_employment": {"civil_servant": 54, "contract": 7},
                    "tracks_by_gender": {
                        "female": {
                            "political_theory": {
                                "elementary": 0,
                                "intermediate": 8,
                                "advanced": 1,
                                "bachelor": 0,
                            }
                        },
                        "male": {
                            "political_theory": {
                                "elementary": 0,
                                "intermediate": 13,
                                "advanced": 5,
                                "bachelor": 1,
                            }
                        },
                    },
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


class ProgrammeBucket(AttendanceBucket):
    completed: int = Field(description="Completed (passed) by `to`.")
    in_progress: int = Field(description="Still enrolled on `to`.")
    withdrawn: int
    failed: int


class AttendanceReport(ResponseModel):
    """Enrollments whose start falls in [from, to], whatever their outcome; voided ones excluded.

    The example is the demo agency's answer for the three tracks the article counts, 2019-2025
    (`by_programme` cut to one programme)."""

    model_config = ConfigDict(
        populate_by_name=True,
        json_schema_extra={
            "examples": [
                {
                    "from": "2019-01-01",
                    "to": "2025-12-31",
                    "tracks": ["political_theory", "state_management", "leadership"],
                    "known_at": None,
                    "attendances": 167,
                    "persons": 57,
                    "by_track": {
                        "leadership": {"attendances": 80, "persons": 41},
                        "political_theory": {"attendances": 40, "persons": 33},
                        "state_management": {"attendances": 47, "persons": 46},
                    },
                    "by_year": {
                        "2019": 26,
                        "2020": 18,
                        "2021": 17,
                        "2022": 28,
                        "2023": 29,
                        "2024": 27,
                        "2025": 22,
                    },
                    "by_mode": {
                        "blended": {"attendances": 20, "persons": 17},
                        "full_time": {"attendances": 88, "persons": 50},
                        "online": {"attendances": 45, "persons": 30},
                        "part_time": {"attendances": 14, "persons": 14},
                    },
                    "by_status": {
                        "completed": {"attendances": 161, "persons": 57},
                        "enrolled": {"attendances": 4, "persons": 4},
                        "withdrawn": {"attendances": 2, "persons": 2},
                    },
                    "by_gender": {
                        "female": {"attendances": 64, "persons": 25},
                        "male": {"attendances": 103, "persons": 32},
                    },
                    "by_location": {
                        "abroad": {"attendances": 2, "persons": 2},
                        "in_country": {"attendances": 165, "persons": 57},
                    },
                    "by_funding": {
                        "self_funded": {"attendances": 4, "persons": 4},
                        "sponsored": {"attendances": 5, "persons": 5},
                        "state_budget": {"attendances": 158, "persons": 55},
                    },
                    "by_post_at_start": {
                        "agency_leader": {"attendances": 14, "persons": 4},
                        "division_leader": {"attendances": 58, "persons": 15},
                        "non_leader": {"attendances": 95, "persons": 43},
                    },
                    "by_age_at_start": {
                        "35_and_over": {"attendances": 126, "persons": 43},
                        "under_35": {"attendances": 41, "persons": 21},
                    },
                    "by_staff_status": {
                        "current": {"attendances": 155, "persons": 52},
                        "former": {"attendances": 12, "persons": 5},
                    },
                    "by_programme": {
                        "LLCT-TC": {
                            "attendances": 10,
                            "persons": 10,
                            "completed": 8,
                            "in_progress": 2,
                            "withdrawn": 0,
                            "failed": 0,
                        },
                    },
                    "per_person": {"0": 9, "1": 10, "2": 13, "3": 13, "4": 7, "5": 4, "6": 3, "7": 2},
                    "cross": None,
                    "crossed": {},
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
    unit: str | None = Field(
        default=None,
        description="Only people who worked in this unit on the day their course started (null: all).",
    )
    by_location: dict[str, AttendanceBucket] = Field(
        default_factory=dict,
        description="`in_country`, or `abroad` (the enrollment names a country other than Việt Nam).",
    )
    by_funding: dict[str, AttendanceBucket] = Field(
        default_factory=dict,
        description="By the enrollment's funding; `not_recorded` where none was recorded.",
    )
    by_post_at_start: dict[str, AttendanceBucket] = Field(
        default_factory=dict,
        description="By the post held on the course's first day, classified through the rules file's "
        "position codes: `agency_leader` (cuc_truong, pho_cuc_truong), `division_leader` "
        "(truong_phong, pho_truong_phong), `non_leader` (any other post, or none).",
    )
    by_age_at_start: dict[str, AttendanceBucket] = Field(
        default_factory=dict,
        description="Age on the course's first day: `under_35` (young cadres) or `35_and_over`.",
    )
    by_staff_status: dict[str, AttendanceBucket] = Field(
        default_factory=dict, description="`current` or `former` (departed on or before `to`)."
    )
    by_programme: dict[str, ProgrammeBucket] = Field(
        default_factory=dict, description="COURSE_CODE → attendances, persons and outcomes on `to`."
    )
    per_person: dict[str, int] = Field(
        default_factory=dict,
        description="People on the roll on `to` (in `unit` on `to`, if given) by how many of these "
        "attendances they had: {\"0\": people, \"1\": people, …}, every count up to the highest.",
    )
    cross: list[str] | None = Field(
        default=None, description="The two splits crossed (the `cross` parameter), if asked."
    )
    crossed: dict[str, dict[str, AttendanceBucket]] = Field(
        default_factory=dict,
        description="With `cross=a,b`: KEY_OF_a → KEY_OF_b → {attendances, persons} (only pairs that occur).",
    )


class Bilingual(ResponseModel):
    vi: str
    en: str


class AnnualLine(ResponseModel):
    """One line of the form. `null` means "not recorded" (the ledger holds no such fact; see
    `not_recorded`), never zero."""

    key: str = Field(
        description="The row (`master`, `llct_intermediate`, `qlnn_principal`, `abroad` …), a section's "
        "subtotal (`section_I`, `section_II`, `section_III`) or `total`."
    )
    section: str = Field(
        description="I (Đào tạo), II (Bồi dưỡng trong nước), III (ở nước ngoài); empty for the total."
    )
    group: Bilingual | None = Field(
        description="The heading the row sits under (LLCT, QP-AN, QLNN, leadership)."
    )
    label: Bilingual
    recorded: bool = Field(description="False for a row the ledger cannot fill (all its figures are null).")
    attendances: int | None = Field(description="Số lượt.")
    female: int | None = Field(description="Of which women.")
    ethnic_minority: int | None = Field(description="Not recorded: always null.")
    party_member: int | None = Field(description="Not recorded: always null.")
    persons: int | None = Field(description="Số người: distinct people.")
    target_groups: dict[str, int | None] = Field(
        description="By the post held on the first day and employment: `agency_leader`, "
        "`division_leader`, `civil_servant` (cán bộ, công chức without a leader's post), "
        "`public_employee` (null: not recorded), `contract`."
    )
    completed: int | None
    in_progress: int | None
    not_completed: int | None = Field(description="Withdrawn or failed by 31 December.")
    funding: dict[str, Decimal | None] = Field(
        description="Kinh phí in million VND from the enrollments' `cost`: `state_budget`, `other` "
        "(self-funded, sponsored); null when none of the line's attendances recorded a cost from that "
        "source."
    )
    costs_without_funding: int | None = Field(
        description="Attendances with a cost but no funding source (their cost is in neither column)."
    )
    classes: int | None = Field(description="Số lớp the agency organised: not recorded, always null.")
    plan_percent: Decimal | None = Field(description="Plan versus actual: not recorded, always null.")
    delegations: int | None = Field(description="Delegations abroad: not recorded, always null.")


class AnnualReport(ResponseModel):
    """"Kết quả đào tạo, bồi dưỡng" of one year (docs/domain.md §4.1): the courses starting in the year
    (any status, departed staff included, voided ones excluded) in the form's rows and columns."""

    model_config = ConfigDict(populate_by_name=True)

    year: int
    from_: date = Field(alias="from")
    to: date
    known_at: Timestamp | None = None
    lines: list[AnnualLine]
    not_recorded: dict[str, str] = Field(
        description="Column (or row) → why the ledger has no figure for it."
    )
