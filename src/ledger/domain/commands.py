"""The writes of the ledger, one frozen value per write, holding its business fields.

A command is built once where a write comes in (a route from its request body, the importer from
a row, the demo from its plan) and travels whole: through ``Ledger.execute`` to the aggregate's
method of the same name, which checks it and triggers its event. Who records it, when, and at
which version of the record (the envelope) travel beside it, not in it.

Ids a caller may leave out (``enrollment_id``, ``credential_id``) are made by the application
before the command reaches the aggregate, which never makes ids.

The HTTP request schema of a write is made from its command (``api/schemas/command_request.py``),
so each field is written once, here: its ``metadata["description"]`` is what the API shows beside
it, and the fields stand in the order the API lists them (commands are keyword-only, so the order
binds nothing else).
"""

from __future__ import annotations

import dataclasses
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

# Descriptions that several fields share.
MADE_WHEN_OMITTED = "Your id for it; made by the server when omitted."
FIELD_OF_STUDY = (
    "Field of study (chuyên ngành) as written on the certificate, e.g. `Luật kinh tế`; "
    "a position standard may ask it to fit the post (docs/rules.md, `[[field_of_study]]`)."
)
UNIT_FACT_ON = (
    "The business date the fact takes effect: the unit's first day, the rename's, or "
    "the first day it no longer exists."
)


def fields_of(command: object, *omitted: str) -> dict[str, Any]:
    """The command's fields by name, not copied deeper (unlike ``dataclasses.asdict``, which
    would turn an ``Evidence`` or a ``Waiver`` into a dict), less those ``omitted``."""
    return {f.name: getattr(command, f.name) for f in fields(command) if f.name not in omitted}  # type: ignore[arg-type]


# ----------------------------------------------------------------- staff member


@dataclass(frozen=True, kw_only=True)
class Register:
    staff_id: str = dataclasses.field(
        metadata={"description": "The agency's own staff code: 1-40 letters, digits, '.', '_', '-'."}
    )
    full_name: str = dataclasses.field(
        metadata={"description": "Full name, with its diacritics, stored NFC-normalised."}
    )
    gender: Gender
    birth_date: date
    unit: str = dataclasses.field(
        metadata={"description": "The unit (phòng, đội, chi cục) the person belongs to."}
    )
    joined_on: date = dataclasses.field(
        metadata={"description": "The date the person joined; the registration's business date."}
    )
    position: str | None = dataclasses.field(
        default=None, metadata={"description": "Job position (chức vụ), e.g. 'Phó trưởng phòng'."}
    )
    rank: str | None = dataclasses.field(
        default=None, metadata={"description": "Civil-service rank code (mã ngạch), e.g. '01.003'."}
    )
    employment: Employment = Employment.CIVIL_SERVANT
    national_id: str | None = dataclasses.field(
        default=None,
        metadata={
            "description": "Personal identification number (số định danh cá nhân), 12 digits; "
            "optional. Unique in the ledger (409 if another staff member holds it). Personal data: "
            "shown to registrars and auditors only, never written to logs."
        },
    )


@dataclass(frozen=True, kw_only=True)
class Enroll:
    """Enroll in a course. ``awards_level=False`` declares a course of a levelled track that
    awards no level (a refresher or short course): it takes no level and its completion awards no
    credential, but it counts as an attendance of its track."""

    enrollment_id: str | None = dataclasses.field(
        default=None, metadata={"description": MADE_WHEN_OMITTED}
    )
    course_code: str
    course_title: str
    track: Track
    level: str | None = dataclasses.field(
        default=None,
        metadata={
            "description": "The level completion awards; required for tracks with levels, absent "
            "for 'other'."
        },
    )
    provider: str = dataclasses.field(metadata={"description": "Training institution (cơ sở đào tạo)."})
    mode: Mode
    starts_on: date
    ends_on: date | None = None
    decision_ref: str | None = dataclasses.field(
        default=None,
        metadata={"description": "Number of the dispatch decision (quyết định cử đi học)."},
    )
    funding: Funding | None = None
    cost: Decimal | None = dataclasses.field(
        default=None, metadata={"description": "Cost in VND (a decimal; answered as a string)."}
    )
    country: str | None = dataclasses.field(
        default=None, metadata={"description": "Country, for training abroad."}
    )
    awards_level: bool = True


@dataclass(frozen=True, kw_only=True)
class CredentialDetails:
    """What a registrar may say about the certificate of a passed course; the rest defaults."""

    credential_id: str | None = dataclasses.field(
        default=None, metadata={"description": MADE_WHEN_OMITTED}
    )
    title: str | None = dataclasses.field(
        default=None, metadata={"description": "Defaults to the course title."}
    )
    number: str | None = dataclasses.field(
        default=None, metadata={"description": "Certificate number (số hiệu văn bằng)."}
    )
    issuer: str | None = dataclasses.field(
        default=None, metadata={"description": "Defaults to the course provider."}
    )
    issued_on: date | None = dataclasses.field(
        default=None, metadata={"description": "Defaults to completed_on."}
    )
    field: str | None = dataclasses.field(default=None, metadata={"description": FIELD_OF_STUDY})
    scans: tuple[str, ...] = ()

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
    credential: CredentialDetails | None = dataclasses.field(
        default=None, metadata={"description": "Only for 'passed': details of the certificate awarded."}
    )
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

    credential_id: str | None = dataclasses.field(
        default=None, metadata={"description": MADE_WHEN_OMITTED}
    )
    track: Track
    level: str | None = None
    title: str
    issuer: str
    issued_on: date
    number: str | None = None
    evidence: Evidence
    field: str | None = dataclasses.field(default=None, metadata={"description": FIELD_OF_STUDY})


@dataclass(frozen=True, kw_only=True)
class Evaluate:
    kind: EvaluationKind
    year: int | None = dataclasses.field(
        default=None, metadata={"description": "For annual evaluations."}
    )
    enrollment_id: str | None = dataclasses.field(
        default=None, metadata={"description": "For post-training evaluations."}
    )
    on: date | None = dataclasses.field(
        default=None, metadata={"description": "Date of a post-training evaluation."}
    )
    rating: Rating
    score: Decimal | None = None
    evaluator: str
    notes: str | None = None


@dataclass(frozen=True, kw_only=True)
class Rotate:
    to_unit: str
    position: str | None = None
    kind: RotationKind
    starts_on: date
    ends_on: date | None = None
    decision_ref: str = dataclasses.field(metadata={"description": "Number of the rotation decision."})


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

    position: str = dataclasses.field(
        metadata={"description": "The post planned for, e.g. 'Trưởng phòng' (any alias the rules know)."}
    )
    from_year: int = dataclasses.field(metadata={"description": "First year of the planning period."})
    to_year: int = dataclasses.field(metadata={"description": "Last year of the planning period."})
    decision_ref: str = dataclasses.field(metadata={"description": "Number of the planning decision."})
    on: date = dataclasses.field(
        metadata={"description": "Date of the decision (the event's business date)."}
    )


@dataclass(frozen=True, kw_only=True)
class Depart:
    on: date
    reason: str
    category: DepartureCategory | None = dataclasses.field(
        default=None,
        metadata={
            "description": "Why, as far as a service commitment cares: `transfer_with_consent`, "
            "`retired` and `deceased` release it (nothing to reimburse); `resigned`, `dismissed` and "
            "`other` owe the prorated cost. Without it the category is read from the reason's words "
            "(điều động, nghỉ hưu, thôi việc, …) and shown as `inferred`."
        },
    )


@dataclass(frozen=True, kw_only=True)
class Correct:
    """Void an earlier event of this staff member (the history keeps both)."""

    event_id: str = dataclasses.field(
        metadata={"description": "The event to void: STAFF_ID:VERSION, as in the history."}
    )
    reason: str


@dataclass(frozen=True, kw_only=True)
class CorrectNationalId:
    """Set, change or (``None``) remove the person's national_id."""

    national_id: str | None = dataclasses.field(
        metadata={
            "description": "The person's personal identification number (12 digits) from now on; "
            "`null` removes it. 409 if another staff member holds it."
        }
    )
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

    unit_id: str = dataclasses.field(
        metadata={
            "description": "The unit's id: the text staff facts name it by (`unit`, `to_unit`); it "
            "never changes, a rename changes the name."
        }
    )
    name: str
    parent_id: str | None = None
    on: date = dataclasses.field(metadata={"description": UNIT_FACT_ON})


@dataclass(frozen=True, kw_only=True)
class RenameUnit:
    unit_id: str
    name: str
    on: date = dataclasses.field(metadata={"description": UNIT_FACT_ON})


@dataclass(frozen=True, kw_only=True)
class MergeUnit:
    """``unit_id`` was merged into ``into_id`` on ``on`` (it ends that day)."""

    unit_id: str
    into_id: str
    on: date = dataclasses.field(metadata={"description": UNIT_FACT_ON})


@dataclass(frozen=True, kw_only=True)
class SplitUnit:
    """``unit_id`` ended on ``on``, split into the new units ``parts`` (id, name)."""

    unit_id: str
    parts: Sequence[tuple[str, str]]
    on: date = dataclasses.field(metadata={"description": UNIT_FACT_ON})


@dataclass(frozen=True, kw_only=True)
class DissolveUnit:
    unit_id: str
    on: date = dataclasses.field(metadata={"description": UNIT_FACT_ON})


UnitCommand = CreateUnit | RenameUnit | MergeUnit | SplitUnit | DissolveUnit
