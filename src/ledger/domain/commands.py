"""The writes of the ledger, one frozen value per write, holding its business fields.

A command is built once where a write comes in (a route from its request body, the importer from
a row, the demo from its plan) and travels whole: through ``Ledger.execute`` to the aggregate's
method of the same name, which checks it and triggers its event. Who records it, when, and at
which version of the record (the envelope) travel beside it, not in it.

Ids a caller may leave out (``enrollment_id``, ``credential_id``) are made by the application
before the command reaches the aggregate, which never makes ids.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from typing import Any

from ledger.domain.catalog import (
    DepartureCategory,
    Employment,
    EvaluationKind,
    Funding,
    Gender,
    Mode,
    Outcome,
    Rating,
    RotationKind,
    Track,
)
from ledger.domain.record import CredentialAward, EnrollmentState, Evidence, Waiver


def fields_of(command: object, *omitted: str) -> dict[str, Any]:
    """The command's fields by name, not copied deeper (unlike ``dataclasses.asdict``, which
    would turn an ``Evidence`` or a ``Waiver`` into a dict), less those ``omitted``."""
    return {f.name: getattr(command, f.name) for f in fields(command) if f.name not in omitted}  # type: ignore[arg-type]


# ----------------------------------------------------------------- staff member


@dataclass(frozen=True, kw_only=True)
class Register:
    staff_id: str
    full_name: str
    gender: Gender
    birth_date: date
    unit: str
    joined_on: date
    position: str | None = None
    rank: str | None = None
    employment: Employment = Employment.CIVIL_SERVANT
    national_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class Enroll:
    """Enroll in a course. ``awards_level=False`` declares a course of a levelled track that
    awards no level (a refresher or short course): it takes no level and its completion awards no
    credential, but it counts as an attendance of its track."""

    course_code: str
    course_title: str
    track: Track
    level: str | None
    provider: str
    mode: Mode
    starts_on: date
    enrollment_id: str | None = None
    ends_on: date | None = None
    decision_ref: str | None = None
    funding: Funding | None = None
    cost: Decimal | None = None
    country: str | None = None
    awards_level: bool = True


@dataclass(frozen=True)
class CredentialDetails:
    """What a registrar may say about the certificate of a passed course; the rest defaults."""

    credential_id: str | None = None
    title: str | None = None
    number: str | None = None
    issuer: str | None = None
    issued_on: date | None = None
    scans: tuple[str, ...] = ()
    field: str | None = None  # field of study (chuyên ngành) on the certificate

    def award(self, enrollment: EnrollmentState, completed_on: date, credential_id: str) -> CredentialAward:
        """The credential a passed levelled course awards: its title and issuer default to the
        course's title and provider, its date to the completion date."""
        return CredentialAward(
            credential_id=self.credential_id or credential_id,
            title=self.title or enrollment.course_title,
            issuer=self.issuer or enrollment.provider,
            issued_on=self.issued_on or completed_on,
            number=self.number,
            scans=tuple(self.scans),
            field=self.field,
        )


@dataclass(frozen=True, kw_only=True)
class Complete:
    """Record the end of a course, passed or failed; a passed levelled course awards its
    credential (``credential`` says what the registrar knows of it)."""

    enrollment_id: str
    completed_on: date
    outcome: Outcome
    credential: CredentialDetails | None = None
    score: Decimal | None = None


@dataclass(frozen=True, kw_only=True)
class Withdraw:
    enrollment_id: str
    on: date
    reason: str


@dataclass(frozen=True, kw_only=True)
class RecognizeCredential:
    """Recognise a credential earned outside the agency's dispatches; ``field`` is its field of
    study (chuyên ngành), which a ``[[field_of_study]]`` standard may check."""

    track: Track
    level: str | None
    title: str
    issuer: str
    issued_on: date
    evidence: Evidence
    credential_id: str | None = None
    number: str | None = None
    field: str | None = None


@dataclass(frozen=True, kw_only=True)
class Evaluate:
    kind: EvaluationKind
    rating: Rating
    evaluator: str
    year: int | None = None
    enrollment_id: str | None = None
    on: date | None = None
    score: Decimal | None = None
    notes: str | None = None


@dataclass(frozen=True, kw_only=True)
class Rotate:
    to_unit: str
    kind: RotationKind
    starts_on: date
    decision_ref: str
    position: str | None = None
    ends_on: date | None = None


@dataclass(frozen=True, kw_only=True)
class Appoint:
    """Appoint to a post, against the standard in force on ``effective_on``; a waiver lets an
    appointment go ahead whose requirements due before it are not met."""

    position: str
    effective_on: date
    decision_ref: str
    waiver: Waiver | None = None


@dataclass(frozen=True, kw_only=True)
class Plan:
    """Put a staff member in the succession-planning pool (quy hoạch) for a position."""

    position: str
    from_year: int
    to_year: int
    decision_ref: str
    on: date


@dataclass(frozen=True, kw_only=True)
class Depart:
    on: date
    reason: str
    category: DepartureCategory | None = None


@dataclass(frozen=True, kw_only=True)
class Correct:
    """Void an earlier event of this staff member (the history keeps both)."""

    event_id: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class CorrectNationalId:
    """Set, change or (``None``) remove the person's national_id."""

    national_id: str | None
    reason: str


StaffCommand = (
    Enroll
    | Complete
    | Withdraw
    | RecognizeCredential
    | Evaluate
    | Rotate
    | Appoint
    | Plan
    | Depart
    | Correct
    | CorrectNationalId
)


# ------------------------------------------------------------------------ units


@dataclass(frozen=True, kw_only=True)
class CreateUnit:
    """A unit began on ``on`` (under ``parent_id``, which must exist that day)."""

    unit_id: str
    name: str
    on: date
    parent_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class RenameUnit:
    unit_id: str
    name: str
    on: date


@dataclass(frozen=True, kw_only=True)
class MergeUnit:
    """``unit_id`` was merged into ``into_id`` on ``on`` (it ends that day)."""

    unit_id: str
    into_id: str
    on: date


@dataclass(frozen=True, kw_only=True)
class SplitUnit:
    """``unit_id`` ended on ``on``, split into the new units ``parts`` (id, name)."""

    unit_id: str
    parts: Sequence[tuple[str, str]]
    on: date


@dataclass(frozen=True, kw_only=True)
class DissolveUnit:
    unit_id: str
    on: date


UnitCommand = CreateUnit | RenameUnit | MergeUnit | SplitUnit | DissolveUnit
