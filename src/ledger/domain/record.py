"""The state a staff member's events add up to: a plain, mutable record built by folding facts.

The aggregate keeps one of these to check its rules; the time-travel queries and the views build
the same record from a filtered list of events (``as_of`` business date, ``known_at`` recording
time), so "what the record says" has a single definition.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from ledger.domain import catalog
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


@dataclass(frozen=True)
class Evidence:
    """What proves a recognized credential: a document and who checked it."""

    document_ref: str = field(
        metadata={"description": "Reference of the document that proves it (a scan's id, a dossier page)."}
    )
    verified_by: str | None = field(default=None, metadata={"description": "Who checked the original."})
    # SHA-256 digests (hex) of the scans kept in the store's scan table. Optional, so events
    # stored before scans existed replay unchanged; JSON gives back a list, kept as a tuple.
    scans: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "scans", tuple(self.scans))


@dataclass(frozen=True)
class CredentialAward:
    """The certificate a passed completion awards."""

    credential_id: str
    title: str
    issuer: str
    issued_on: date
    number: str | None = None
    # Digests of the certificate's scans (see ``Evidence.scans``); absent in older events.
    scans: tuple[str, ...] = ()
    # The field of study (chuyên ngành) as written on the certificate; absent in older events.
    field: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "scans", tuple(self.scans))


@dataclass(frozen=True)
class Waiver:
    """Why an appointment went ahead without meeting the position standard, and until when."""

    legal_basis: str = field(
        metadata={"description": "The provision that allows appointing first, training later."}
    )
    deadline: date = field(metadata={"description": "By when the missing training must be done."})
    reason: str


@dataclass(frozen=True)
class UnmetRequirement:
    """A requirement of the position standard a person did not meet on the day of an appointment,
    recorded with the appointment: waived (``blocking``: it was due before appointment) or left
    to a grace period ending on ``deadline``. Codes are plain text so the event reads back equal."""

    rule_id: str
    track: str
    required_level: str
    held_level: str | None
    timing: str
    deadline: date | None
    legal_basis: str
    blocking: bool


class EnrollmentStatus:
    ENROLLED = "enrolled"
    COMPLETED = "completed"
    FAILED = "failed"
    WITHDRAWN = "withdrawn"


@dataclass
class EnrollmentState:
    enrollment_id: str
    course_code: str
    course_title: str
    track: Track
    level: str | None
    provider: str
    mode: Mode
    starts_on: date
    ends_on: date | None
    decision_ref: str | None
    funding: Funding | None
    cost: Decimal | None
    country: str | None
    event_id: str
    status: str = EnrollmentStatus.ENROLLED
    closed_on: date | None = None
    closed_event_id: str | None = None
    score: Decimal | None = None
    credential_id: str | None = None
    withdrawal_reason: str | None = None

    @property
    def is_open(self) -> bool:
        return self.status == EnrollmentStatus.ENROLLED


@dataclass
class CredentialState:
    credential_id: str
    track: Track
    level: str | None
    title: str
    issuer: str
    issued_on: date
    number: str | None
    source: str  # "completion" or "recognition"
    event_id: str
    enrollment_id: str | None = None
    evidence: Evidence | None = None
    field: str | None = None  # field of study (chuyên ngành), when recorded


@dataclass
class RotationState:
    kind: RotationKind
    from_unit: str
    to_unit: str
    position: str | None
    starts_on: date
    ends_on: date | None
    decision_ref: str
    event_id: str

    def is_running_on(self, day: date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)


@dataclass
class AppointmentState:
    position: str
    previous_position: str | None
    effective_on: date
    decision_ref: str
    waiver: Waiver | None
    event_id: str
    # What the position standard in force that day found missing, and which rule set said so
    # (empty and None on appointments recorded before the ledger checked standards).
    unmet: list[UnmetRequirement] = field(default_factory=list)
    rule_set: str | None = None


@dataclass
class PlanningState:
    """A place in the succession-planning pool (quy hoạch) for a position over a period of years."""

    position: str
    from_year: int
    to_year: int
    decision_ref: str
    decided_on: date
    event_id: str

    def covers(self, day: date) -> bool:
        return self.decided_on <= day and self.from_year <= day.year <= self.to_year


@dataclass
class EvaluationState:
    kind: EvaluationKind
    year: int | None
    enrollment_id: str | None
    rating: Rating
    score: Decimal | None
    evaluator: str
    notes: str | None
    effective_on: date
    event_id: str


@dataclass
class Qualification:
    track: Track
    level: str
    credential_id: str
    title: str
    issued_on: date


@dataclass
class StaffRecord:
    staff_id: str
    full_name: str
    gender: Gender
    birth_date: date
    home_unit: str
    position: str | None
    rank: str | None
    employment: Employment
    joined_on: date
    departed_on: date | None = None
    departure_reason: str | None = None
    departure_category: DepartureCategory | None = None
    # The personal identification number (số định danh cá nhân): personal data, never shown to
    # readers (docs/national-id.md).
    national_id: str | None = None
    enrollments: dict[str, EnrollmentState] = field(default_factory=dict)
    credentials: dict[str, CredentialState] = field(default_factory=dict)
    rotations: list[RotationState] = field(default_factory=list)
    appointments: list[AppointmentState] = field(default_factory=list)
    evaluations: list[EvaluationState] = field(default_factory=list)
    planned: list[PlanningState] = field(default_factory=list)

    def status_on(self, day: date) -> str:
        if day < self.joined_on:
            return "not_joined"
        if self.departed_on is not None and self.departed_on <= day:
            return "departed"
        return "active"

    def is_active_on(self, day: date) -> bool:
        return self.status_on(day) == "active"

    def running_rotation(self, day: date) -> RotationState | None:
        """A temporary rotation or secondment in force on ``day`` (the latest started)."""
        running = [
            r for r in self.rotations
            if r.kind != RotationKind.TRANSFER and r.is_running_on(day)
        ]
        return max(running, key=lambda r: r.starts_on) if running else None

    def unit_on(self, day: date) -> str:
        rotation = self.running_rotation(day)
        return rotation.to_unit if rotation else self.home_unit

    def position_on(self, day: date) -> str | None:
        rotation = self.running_rotation(day)
        if rotation and rotation.position:
            return rotation.position
        return self.position

    def qualifications(self) -> dict[Track, Qualification]:
        """The highest level held per track (rank order; the later credential wins a tie)."""
        best: dict[Track, Qualification] = {}
        for credential in sorted(self.credentials.values(), key=lambda c: c.issued_on):
            if credential.level is None:
                continue
            current = best.get(credential.track)
            level = catalog.level_of(credential.track, credential.level)
            current_level = catalog.level_of(credential.track, current.level) if current else None
            if level is None:
                continue
            if current_level is None or level.rank >= current_level.rank:
                best[credential.track] = Qualification(
                    credential.track,
                    credential.level,
                    credential.credential_id,
                    credential.title,
                    credential.issued_on,
                )
        return best

    def plans_on(self, day: date) -> list[PlanningState]:
        """The planning-pool places that cover ``day``."""
        return [p for p in self.planned if p.covers(day)]

    def annual_rating(self, year: int) -> EvaluationState | None:
        for evaluation in self.evaluations:
            if evaluation.kind == EvaluationKind.ANNUAL and evaluation.year == year:
                return evaluation
        return None
