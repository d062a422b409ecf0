"""Named domain errors. Each says what was wrong in words a registrar understands.

The HTTP layer maps the three families once: ``NotFound`` → 404, ``Conflict`` → 409,
``RuleViolation`` → 422; ``StaleVersion`` → 412.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ledger.domain.record import UnmetRequirement


class LedgerError(Exception):
    """Base of every error the ledger raises on purpose."""

    code = "ledger_error"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(LedgerError):
    code = "not_found"


class Conflict(LedgerError):
    """The command contradicts the record as it stands."""

    code = "conflict"


class RuleViolation(LedgerError):
    """The command breaks a rule of the record (dates, levels, evidence)."""

    code = "rule_violation"


class StaleVersion(LedgerError):
    code = "stale_version"


# Not found
class StaffNotFound(NotFound):
    code = "staff_not_found"


class EnrollmentNotFound(NotFound):
    code = "enrollment_not_found"


class CredentialNotFound(NotFound):
    code = "credential_not_found"


class UnitNotFound(NotFound):
    """The organisation has no unit with this id (units are named by their id)."""

    code = "unit_not_found"


class EventNotFound(NotFound):
    code = "event_not_found"


# Conflicts
class DuplicateRegistration(Conflict):
    code = "duplicate_registration"


class DuplicateUnit(Conflict):
    """A unit with this id is already recorded in the organisation."""

    code = "duplicate_unit"


class UnitHasSubunits(Conflict):
    """The unit cannot end while units under it are still in force."""

    code = "unit_has_subunits"


class DuplicateNationalId(Conflict):
    """Another staff member holds this personal identification number. The message names the
    holder's staff code, never the number."""

    code = "duplicate_national_id"


class NothingToCorrect(Conflict):
    code = "nothing_to_correct"


class DuplicateEnrollment(Conflict):
    code = "duplicate_enrollment"


class DuplicateCredential(Conflict):
    code = "duplicate_credential"


class EnrollmentClosed(Conflict):
    code = "enrollment_closed"


class AfterDeparture(Conflict):
    code = "after_departure"


class AlreadyDeparted(Conflict):
    code = "already_departed"


class EventsAfterDeparture(Conflict):
    """A departure dated before facts already on the record."""

    code = "events_after_departure"


class AlreadyVoided(Conflict):
    code = "already_voided"


class CannotVoidCorrection(Conflict):
    code = "cannot_void_correction"


class CannotVoidEvent(Conflict):
    code = "cannot_void_event"


class DuplicateEvaluation(Conflict):
    code = "duplicate_evaluation"


class ConcurrentWrite(Conflict):
    """Another writer saved this staff member between our read and our write."""

    code = "concurrent_write"


# Rule violations
class InvalidLevel(RuleViolation):
    code = "invalid_level"


class DateBeforeStart(RuleViolation):
    code = "date_before_start"


class DatedBeforeBirth(RuleViolation):
    code = "dated_before_birth"


class BeforeJoining(RuleViolation):
    code = "before_joining"


class DatedInFuture(RuleViolation):
    """A fact that can only be known once it has happened (a completion, a departure …) is dated
    after the agency's today."""

    code = "dated_in_future"


class InvalidDates(RuleViolation):
    code = "invalid_dates"


class EventOfAnotherStaff(RuleViolation):
    code = "event_of_another_staff"


class MissingEvidence(RuleViolation):
    code = "missing_evidence"


class EnrollmentNotCompleted(RuleViolation):
    code = "enrollment_not_completed"


class InvalidInput(RuleViolation):
    code = "invalid_input"


class InvalidText(InvalidInput):
    """Text that breaks the ledger's text policy (``ledger.text``): a control or invisible
    character, a line break in a one-line field, too long, blank, or an id no URL can reach."""

    code = "invalid_text"


class UnitNotInForce(RuleViolation):
    """The unit does not exist on that date: not yet created, or merged, split or dissolved."""

    code = "unit_not_in_force"


class RequirementsNotMet(RuleViolation):
    """An appointment to a post whose standard, in force on the appointment date, the person does
    not meet, and no waiver was given. ``unmet`` lists every requirement not met that day (those
    due before appointment have ``blocking`` set; the others would open a grace period)."""

    code = "requirements_not_met"

    def __init__(
        self, message: str, *, unmet: Sequence[UnmetRequirement], field: str | None = "position"
    ) -> None:
        super().__init__(message, field=field)
        self.unmet = list(unmet)
