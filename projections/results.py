"""What the read side answers: frozen dataclasses, plain values (str codes, dates, Decimals).

These are the shapes of docs/api.md, "Reads"; the HTTP layer turns them into JSON as they are (field
names are the JSON names; ``AttendanceReport.from_`` is ``from``). Codes are plain strings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list; pass ``next_cursor`` back as ``cursor`` for the next (None: no more)."""

    items: tuple[T, ...]
    next_cursor: str | None
    total: int | None = None  # how many items the whole list holds, where the query counts them


# ------------------------------------------------------------------ standing


@dataclass(frozen=True)
class Qualification:
    """The highest level a person holds in one track, and the credential that proves it."""

    track: str
    level: str
    credential_id: str
    title: str
    issued_on: date


@dataclass(frozen=True)
class Credential:
    credential_id: str
    track: str
    level: str | None
    title: str
    issuer: str
    issued_on: date
    number: str | None
    source: str  # "completion" (awarded by a recorded course) or "recognition"
    event_id: str  # the event that put it on the record
    enrollment_id: str | None  # the course that awarded it (completion)
    document_ref: str | None  # the evidence of a recognized credential
    verified_by: str | None
    field: str | None = None  # field of study (chuyên ngành), when recorded


@dataclass(frozen=True)
class Enrollment:
    enrollment_id: str
    course_code: str
    course_title: str
    track: str
    level: str | None
    provider: str
    mode: str
    starts_on: date
    ends_on: date | None
    decision_ref: str | None
    funding: str | None
    cost: Decimal | None
    country: str | None
    status: str  # enrolled / completed / failed / withdrawn
    closed_on: date | None
    score: Decimal | None
    credential_id: str | None
    withdrawal_reason: str | None
    event_id: str


@dataclass(frozen=True)
class Rotation:
    kind: str  # rotation / transfer / secondment
    from_unit: str
    to_unit: str
    position: str | None
    starts_on: date
    ends_on: date | None
    decision_ref: str
    event_id: str


@dataclass(frozen=True)
class WaiverInfo:
    legal_basis: str
    deadline: date
    reason: str


@dataclass(frozen=True)
class Unmet:
    """A requirement of the position standard not met on the day of an appointment."""

    rule_id: str
    track: str
    required_level: str
    held_level: str | None
    timing: str
    deadline: date | None
    legal_basis: str
    blocking: bool


@dataclass(frozen=True)
class Appointment:
    position: str
    previous_position: str | None
    effective_on: date
    decision_ref: str
    waiver: WaiverInfo | None
    event_id: str
    unmet: tuple[Unmet, ...] = ()
    rule_set: str | None = None


@dataclass(frozen=True)
class Planning:
    """A place in the succession-planning pool (quy hoạch) for a position over some years."""

    position: str
    from_year: int
    to_year: int
    decision_ref: str
    decided_on: date
    event_id: str


@dataclass(frozen=True)
class Evaluation:
    kind: str  # annual / post_training
    year: int | None
    enrollment_id: str | None
    rating: str
    score: Decimal | None
    evaluator: str
    notes: str | None
    effective_on: date
    event_id: str


@dataclass(frozen=True)
class Standing:
    """A person's standing on business date ``as_of`` as the ledger knew it at ``known_at``
    (None: as known now). ``unit`` and ``position`` are those on ``as_of`` (a running rotation
    or secondment counts); ``home_unit`` is the unit they belong to. ``status`` is ``active``,
    ``departed`` or ``not_joined`` on ``as_of``. ``version`` is the number of events of the
    person's record as known at ``known_at`` (the ETag)."""

    staff_id: str
    full_name: str
    gender: str
    birth_date: date
    unit: str
    home_unit: str
    position: str | None
    rank: str | None
    employment: str
    status: str
    joined_on: date
    departed_on: date | None
    departure_reason: str | None
    version: int
    as_of: date
    known_at: datetime | None
    qualifications: dict[str, Qualification]
    credentials: tuple[Credential, ...]
    enrollments: tuple[Enrollment, ...]
    rotations: tuple[Rotation, ...]
    appointments: tuple[Appointment, ...]
    evaluations: tuple[Evaluation, ...]
    departure_category: str | None = None
    planning: tuple[Planning, ...] = ()
    # Personal data: the API leaves it out of every answer to a reader (docs/national-id.md).
    national_id: str | None = None


@dataclass(frozen=True)
class DirectoryEntry:
    """One line of the staff directory (as of today, as known now)."""

    staff_id: str
    full_name: str
    gender: str
    birth_date: date
    unit: str
    position: str | None
    employment: str
    status: str
    joined_on: date
    departed_on: date | None
    version: int
    qualifications: dict[str, str]  # track -> highest level code


# -------------------------------------------------------------------- trails


@dataclass(frozen=True)
class TrailStep:
    """One event of a credential's trail; the fields of a history entry plus its ``role``
    (registration, enrollment, completion, failure, withdrawal, recognition, evaluation,
    correction). ``data`` holds the event's own fields as the history shows them."""

    event_id: str
    type: str
    role: str
    version: int
    position: int | None
    recorded_at: datetime
    recorded_by: str
    effective_on: date
    data: dict[str, Any]
    voided_by: str | None


@dataclass(frozen=True)
class Flag:
    code: str
    message: str


@dataclass(frozen=True)
class Trail:
    """How a credential came to be on the record. ``status`` is ``valid`` or ``voided`` (the
    event that awarded it was voided by the correction ``voided_by``)."""

    staff_id: str
    credential: Credential
    status: str
    voided_by: str | None
    steps: tuple[TrailStep, ...]
    flags: tuple[Flag, ...]


# ------------------------------------------------------------------- reports

AGE_BANDS = ("<30", "30-34", "35-39", "40-44", "45-49", "50-54", "55+")


@dataclass(frozen=True)
class QualificationsReport:
    """Active staff on ``as_of`` counted by their highest level per track (each person once per
    track; every level of every levelled track is listed, zeros included), with breakdowns of
    the same headcount. ``tracks_by_gender`` splits ``tracks`` by gender ("of which female")."""

    as_of: date
    known_at: datetime | None
    unit: str | None
    employment: str | None
    headcount: int
    tracks: dict[str, dict[str, int]]
    by_gender: dict[str, int]
    by_age_band: dict[str, int]
    by_unit: dict[str, int]
    by_employment: dict[str, int]
    tracks_by_gender: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)


@dataclass(frozen=True)
class Tally:
    attendances: int  # person-times (lượt)
    persons: int  # distinct people (người)


@dataclass(frozen=True)
class ProgrammeTally:
    """One programme (course code): its attendances and persons, and how they stand on the
    report's last day (``in_progress``: still enrolled)."""

    attendances: int
    persons: int
    completed: int
    in_progress: int
    withdrawn: int
    failed: int


@dataclass(frozen=True)
class AttendanceReport:
    """Enrollments whose start date falls in [from, to], whatever their outcome, voided ones
    excluded, people who have since departed included. ``status`` is the enrollment's status on
    ``to``. ``by_year`` counts attendances by the year the course started. ``unit``: only the
    enrollments of people who worked in that unit on the day their course started (None: all)."""

    from_: date
    to: date
    tracks: tuple[str, ...] | None
    known_at: datetime | None
    attendances: int
    persons: int
    by_track: dict[str, Tally]
    by_year: dict[str, int]
    by_mode: dict[str, Tally]
    by_status: dict[str, Tally]
    by_gender: dict[str, Tally]
    unit: str | None = None
    # The splits of docs/domain.md §3.6 (projections.splits), each summing to ``attendances``:
    # location (in_country/abroad), funding (not_recorded when none was), the post held on the
    # first day (agency_leader/division_leader/non_leader), age on the first day (under_35/
    # 35_and_over), staff status on ``to`` (current/former), programme (course code).
    by_location: dict[str, Tally] = field(default_factory=dict)
    by_funding: dict[str, Tally] = field(default_factory=dict)
    by_post_at_start: dict[str, Tally] = field(default_factory=dict)
    by_age_at_start: dict[str, Tally] = field(default_factory=dict)
    by_staff_status: dict[str, Tally] = field(default_factory=dict)
    by_programme: dict[str, ProgrammeTally] = field(default_factory=dict)
    # People on the roll on ``to`` (in ``unit`` on ``to``, if given) by how many of these
    # attendances they had: {"0": people, "1": people, …}.
    per_person: dict[str, int] = field(default_factory=dict)
    cross: tuple[str, str] | None = None  # the two splits crossed, when asked
    crossed: dict[str, dict[str, Tally]] = field(default_factory=dict)


@dataclass(frozen=True)
class AnnualLine:
    """One line of the annual form (docs/domain.md §4.1): a row by content and level, a section's
    subtotal (``section_I`` …) or the ``total``. ``None`` means "not recorded" (the ledger holds
    no such fact), never zero: a row the catalog cannot fill (``recorded`` false) is all None.
    ``target_groups``: agency_leader, division_leader, civil_servant (without a leader's post),
    public_employee (None), contract. ``funding``: million VND by source (state_budget, other)."""

    key: str
    section: str
    group: Any  # ledger.domain.catalog.Label of the heading the row sits under, or None
    label: Any  # ledger.domain.catalog.Label
    recorded: bool
    attendances: int | None = None
    female: int | None = None
    ethnic_minority: int | None = None
    party_member: int | None = None
    persons: int | None = None
    target_groups: dict[str, int | None] = field(default_factory=dict)
    completed: int | None = None
    in_progress: int | None = None
    not_completed: int | None = None
    funding: dict[str, Decimal | None] = field(default_factory=dict)
    costs_without_funding: int | None = None  # attendances with a cost but no funding source
    classes: int | None = None
    plan_percent: Decimal | None = None
    delegations: int | None = None


@dataclass(frozen=True)
class AnnualReport:
    """The annual report "Kết quả đào tạo, bồi dưỡng" for ``year``: courses starting in the year,
    their status on its last day. ``not_recorded``: column (or row) → why it is null."""

    year: int
    from_: date
    to: date
    known_at: datetime | None
    lines: tuple[AnnualLine, ...]
    not_recorded: dict[str, str]


@dataclass(frozen=True)
class StandingDocument:
    """A current standing as the JSON a read answers with (``projections.documents``): ``body``
    is what ``STANDING_JSON.dump_json`` gives for the :class:`Standing` of ``as_of``; ``courses``
    holds each enrollment's (track, level, funding, starts_on), all the rules of service
    commitments look at."""

    staff_id: str
    version: int
    as_of: date
    body: bytes
    courses: tuple[tuple[str, str | None, str | None, date], ...]
