"""Reports over the position standards: gaps against them (needs), appointments against the rules
then and now, service commitments, and training effectiveness."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Literal

from pydantic import Field

from api.schemas.common import ResponseModel, Timestamp
from api.schemas.staff import CommitmentPublic, ConditionKind, UnmetPublic, WaiverPublic
from ledger.domain.catalog import Track
from ledger.standards.model import RequirementKind


class RequirementGap(ResponseModel):
    """One requirement of a position (or rank) standard that is not met."""

    rule_id: str
    position: str = Field(description="The post or rank checked (its code in the rules).")
    track: Track | ConditionKind = Field(
        description="The track of a training requirement; for a condition of appointment, its kind "
        "(experience, age_headroom, field_of_study, planning_pool)."
    )
    required_level: str = Field(
        description="The minimum level; for experience and age headroom the months as ISO 8601 "
        "(`P24M`), for a field of study the minimum degree level, for planning the pool's post code."
    )
    required_tier: int = Field(description="The level's tier; the months for experience and age headroom.")
    required_label: str = Field(description="The requirement's Vietnamese wording (a level's label).")
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
    kind: RequirementKind = Field(
        default=RequirementKind.TRAINING,
        description="training (a level on a track), or a condition of appointment: experience, "
        "age_headroom, field_of_study, planning_pool.",
    )
    requirement: str = Field(default="", description="The requirement in words (English).")
    held_text: str | None = Field(
        default=None,
        description="What is held in words, for a condition: `18 months`, `4 years 2 months to "
        "retirement (…)`, the fitting degree, the planning decision.",
    )
    judged_on: date | None = Field(
        default=None,
        description="The day a condition was judged on: the day the post was taken (experience, "
        "age headroom, planning), or the day checked.",
    )


class PostCheck(ResponseModel):
    """A person against the standard of one post on one day (its requirements in `unmet`)."""

    position_name: str | None = Field(description="The post as written on the record (or as asked).")
    position: str | None = Field(description="Its code in the rules; null for a post the rules do not know.")
    position_title: str | None
    held_since: date | None = Field(
        description="Since when the person holds the post (grace periods run from it); null for a "
        "post they do not hold."
    )
    waiver: WaiverPublic | None = Field(description="The waiver recorded with the appointment, if any.")
    compliant: bool = Field(description="No error-severity requirement unmet or overdue.")
    fully_met: bool = Field(description="Every requirement met (no grace period or waiver running).")


class StandardCheckPublic(PostCheck):
    requirements: list[RequirementGap] = Field(description="The requirements not met.")


class PlannedCheck(ResponseModel):
    """A planned post covering as_of, with the person's readiness for it (checked as a candidate)."""

    position: str = Field(description="The post as written in the planning decision.")
    position_code: str | None
    position_title: str | None
    from_year: int
    to_year: int
    decision_ref: str
    decided_on: date
    event_id: str
    ready: bool = Field(description="Could be appointed on as_of without a waiver.")
    gaps: list[RequirementGap]


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
    post: PostCheck | None = Field(
        description="The post checked (their own, or `position`): since when they hold it, its waiver, "
        "whether they comply; null when the rules do not know the post."
    )
    planned: list[PlannedCheck] = Field(
        description="Each planned post covering as_of and the person's readiness."
    )


class NeedsSummary(ResponseModel):
    people: int = Field(description="Active staff checked.")
    with_gaps: int
    by_status: dict[str, int]
    by_track: dict[str, dict[str, int]] = Field(description="TRACK → STATUS → gaps: what training to plan.")


class PoolCandidate(ResponseModel):
    staff_id: str
    full_name: str
    current_position: str | None
    period: str = Field(description="FROM_YEAR-TO_YEAR.")
    decision_ref: str
    ready: bool = Field(description="Could be appointed on as_of without a waiver.")
    gaps: list[RequirementGap]


class PoolReadiness(ResponseModel):
    """The succession-planning pool of one post on as_of."""

    position: str | None = Field(
        description="The post's code in the rules (null if the rules do not know it)."
    )
    position_name: str
    candidates: int
    ready: int
    people: list[PoolCandidate]


class NeedsReport(ResponseModel):
    """For each active staff member, what their position (or `position`) and rank require that they lack."""

    as_of: date
    known_at: Timestamp | None = None
    position: str | None = None
    unit: str | None = None
    staff_id: str | None = None
    rule_set: str = Field(description="The rules file the standards come from (id@version[variant]#digest).")
    summary: NeedsSummary = Field(
        description="Over everyone active in `unit` (all without it), before `staff_id` and paging."
    )
    items: list[NeedsItem] = Field(
        description="People with at least one gap, by staff code (with `staff_id`: that person, gaps or not)."
    )
    pools: list[PoolReadiness] = Field(
        description="Each succession-planning pool covering as_of, of the people in `unit`: "
        "candidates, how many are ready, each one's gaps."
    )
    next_cursor: str | None = None


# ------------------------------------------------------------------------ appointments


class AppointmentReviewItem(ResponseModel):
    """One appointment judged twice."""

    staff_id: str
    full_name: str
    status: Literal["active", "departed"] = Field(description="The person's status on as_of.")
    event_id: str
    position: str = Field(description="The post as the appointment names it.")
    effective_on: date
    decision_ref: str
    waiver: WaiverPublic | None
    recorded_rule_set: str | None = Field(
        description="The rules the appointment was checked against when recorded (null before standards "
        "were checked)."
    )
    recorded_unmet: list[UnmetPublic] = Field(
        description="What was recorded as not met (waived, or left to a grace period)."
    )
    met_rules_then: bool = Field(
        description="Every requirement due before appointment was met on the day, by the rules in force then."
    )
    appointed_without_meeting_standard: bool
    would_meet_todays_rules_then: bool = Field(
        description="The appointment would pass the rules in force on as_of, with the credentials held "
        "on its day."
    )
    meets_todays_rules: bool = Field(
        description="The person complies with today's rules for the post on as_of."
    )
    then: StandardCheckPublic = Field(
        description="Rules in force on effective_on, credentials held that day."
    )
    today_rules_then: StandardCheckPublic = Field(
        description="Rules in force on as_of, credentials held on effective_on."
    )
    now: StandardCheckPublic = Field(description="Rules in force on as_of, credentials held on as_of.")


class AppointmentsSummary(ResponseModel):
    appointments: int = Field(description="Appointments made by as_of (before `flagged` and paging).")
    met_rules_then: int
    appointed_without_meeting_standard: int
    fail_todays_rules: int = Field(description="Would not pass the rules in force on as_of on their own day.")
    not_meeting_todays_rules_now: int
    with_waiver: int


class AppointmentsReport(ResponseModel):
    """Every appointment by as_of, judged by the rules in force then and by today's."""

    as_of: date
    known_at: Timestamp | None = None
    staff_id: str | None = None
    unit: str | None = None
    flagged: bool
    rule_set: str
    summary: AppointmentsSummary
    items: list[AppointmentReviewItem] = Field(description="By staff code, then date.")
    next_cursor: str | None = None


# ------------------------------------------------------------------------ commitments


class CommitmentItem(CommitmentPublic):
    staff_id: str
    full_name: str


class CommitmentsSummary(ResponseModel):
    commitments: int
    open: int = Field(description="In training or serving.")
    owing: int = Field(description="Commitments with something to reimburse.")
    total_owed: Decimal = Field(description="Sum of `reimbursement`.")


class CommitmentsReport(ResponseModel):
    """Service commitments of current and former staff on as_of, and what leaving early costs."""

    as_of: date
    known_at: Timestamp | None = None
    staff_id: str | None = None
    unit: str | None = None
    status: str | None = None
    rule_set: str
    summary: CommitmentsSummary = Field(description="Over every item the filters choose, before paging.")
    items: list[CommitmentItem] = Field(description="By staff code, then the course's start.")
    next_cursor: str | None = None


# ------------------------------------------------------------------------ effectiveness


class ProgrammeEffect(ResponseModel):
    """Completions of one programme in one year and what followed them."""

    course_code: str
    course_title: str
    track: Track
    level: str | None
    year: int = Field(description="Year of completion.")
    completions: int
    compared: int = Field(description="Completions with an annual rating both before and after.")
    improved: int
    unchanged: int
    declined: int
    mean_before: Decimal | None = Field(
        description="Mean annual rating of the year before the course started (excellent 4, good 3, "
        "completed 2, not completed 1)."
    )
    mean_after: Decimal | None = Field(description="Mean annual rating of the year after it ended.")
    mean_change: Decimal | None
    post_training: dict[str, int] = Field(description="Post-training evaluations: RATING → count.")
    evaluated: int
    applied_share: Decimal | None = Field(
        description="Share of post-training evaluations rated excellent or good (the training is applied)."
    )


class EffectTotals(ResponseModel):
    completions: int
    compared: int
    improved: int
    unchanged: int
    declined: int
    evaluated: int
    applied: int
    applied_share: Decimal | None


class EffectivenessReport(ResponseModel):
    """Annual ratings before and after each programme, and post-training evaluations, per programme
    and year of completion."""

    as_of: date = Field(description="Ratings known on this date count.")
    known_at: Timestamp | None = None
    unit: str | None = None
    from_year: int | None = None
    to_year: int | None = None
    tracks: list[Track] | None = None
    summary: EffectTotals
    by_track: dict[Track, EffectTotals]
    items: list[ProgrammeEffect] = Field(description="By programme (course code, track, level), then year.")
