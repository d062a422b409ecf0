"""The Ledger application: the service layer of the write side.

One entry point runs every write of a staff member (``execute``), one the registration, one the
facts of the organisation: load, hand the command (``ledger.domain.commands``) to the aggregate,
which checks the rules, save. Queries replay a staff member's events: the standing on any business date
(``as_of``) as the ledger knew it at any time (``known_at``), and the full history; they, the
store, the clock and the rules come from :class:`ledger.service.LedgerService`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from eventsourcing.persistence import IntegrityError

from ledger.domain import errors
from ledger.domain.catalog import EvaluationKind, Outcome
from ledger.domain.checks import coerce
from ledger.domain.commands import (
    Appoint,
    Complete,
    Correct,
    CorrectNationalId,
    CreateUnit,
    CredentialDetails,
    Depart,
    DissolveUnit,
    Enroll,
    Evaluate,
    MergeUnit,
    Plan,
    RecognizeCredential,
    Register,
    RenameUnit,
    Rotate,
    SplitUnit,
    StaffCommand,
    UnitCommand,
    Withdraw,
)
from ledger.domain.ids import parse_event_id
from ledger.organisation import Organisation, check_unit_usable
from ledger.service import LedgerService, UnitWriteResult, WriteResult, new_id
from ledger.staff import StaffMember
from ledger.standards import compliance
from ledger.store.persistence import NationalIdTaken


class Ledger(LedgerService):
    """The staff training ledger. One instance per process, shared by threads."""

    # ----------------------------------------------------------------- writes

    def execute(
        self,
        staff_id: str,
        command: StaffCommand,
        *,
        recorded_by: str,
        recorded_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> WriteResult:
        """Run one write on a staff member's record: load it, let the aggregate check the command
        and record its event, save. Without ``expected_version`` a write that lost a race is run
        again on the fresh record; with it, a record changed since is ``StaleVersion``."""
        command = _with_new_ids(command)
        awarded: list[str] = []

        def step(member: StaffMember, at: datetime) -> None:
            credential_id = self._apply(staff_id, member, command, recorded_by, at)
            if credential_id is not None:
                awarded.append(credential_id)

        result = self._change(staff_id, step, expected_version, recorded_at)
        return replace(result, **_answered_ids(command, awarded))

    def _apply(
        self, staff_id: str, member: StaffMember, command: StaffCommand, recorded_by: str, at: datetime
    ) -> str | None:
        """Hand ``command`` to the aggregate with what only the application knows (the agency's
        day, the organisation, the rules); answers the id of a credential a completion awards."""
        envelope: dict[str, Any] = {"recorded_by": recorded_by, "recorded_at": at}
        today = self.day_of(at)
        match command:
            case Enroll():
                member.enroll(command, **envelope)
            case Complete():
                return self._complete(member, command, today, envelope)
            case Withdraw():
                member.withdraw(command, today=today, **envelope)
            case RecognizeCredential():
                member.recognize_credential(command, today=today, **envelope)
            case Evaluate():
                # A post-training evaluation without a date is dated the day it is recorded (the
                # agency's day, not the UTC one).
                if (
                    command.on is None
                    and coerce(EvaluationKind, command.kind, "kind") == EvaluationKind.POST_TRAINING
                ):
                    command = replace(command, on=today)
                member.evaluate(command, today=today, **envelope)
            case Rotate():
                check_unit_usable(self.find_organisation(), command.to_unit, command.starts_on, "to_unit")
                member.rotate(command, **envelope)
            case Appoint():
                check = compliance.check_appointment(
                    member.record, command.position, command.effective_on, self.rules
                )
                member.appoint(
                    command,
                    unmet=compliance.unmet_for_appointment(check, command.waiver),
                    rule_set=self.rules.label,
                    **envelope,
                )
            case Plan():
                member.plan(command, **envelope)
            case Depart():
                member.depart(command, today=today, **envelope)
            case Correct():
                # An id naming someone who was never registered is simply unknown (404), not
                # "someone else's event" (which the aggregate refuses for registered owners).
                parsed = parse_event_id(command.event_id)
                if parsed and parsed[0] != staff_id and not self.staff_exists(parsed[0]):
                    raise errors.EventNotFound(f"There is no event '{command.event_id}'.", field="event_id")
                member.correct(command, on=today, **envelope)
            case CorrectNationalId():
                member.correct_national_id(command, **envelope)
        return None

    @staticmethod
    def _complete(
        member: StaffMember, command: Complete, today: date, envelope: dict[str, Any]
    ) -> str | None:
        """A passed levelled course awards its credential, made from what the registrar said of
        it; a failed one awards none, and scans need a credential to prove."""
        award = None
        details = command.credential or CredentialDetails()
        enrollment = member.record.enrollments.get(command.enrollment_id)
        passed = coerce(Outcome, command.outcome, "outcome") == Outcome.PASSED
        if passed and enrollment is not None and enrollment.level is not None:
            award = details.award(enrollment, command.completed_on, new_id())
        elif not passed and command.credential is not None:
            raise errors.InvalidInput("A failed course awards no credential.", field="credential")
        if award is None and details.scans:
            # Scans prove a certificate; without one they would be silently dropped.
            raise errors.InvalidInput(
                "This completion awards no credential to attach scans to.", field="credential.scans"
            )
        member.complete(command, credential=award, today=today, **envelope)
        return award.credential_id if award is not None else None

    def execute_registration(
        self, command: Register, *, recorded_by: str, recorded_at: datetime | None = None
    ) -> WriteResult:
        """Register a staff member: the first event of their record."""
        # No existence check first: the store's unique key on (aggregate, version 1) refuses a
        # second registration atomically, and saves a round trip on every registration.
        check_unit_usable(self.find_organisation(), command.unit, command.joined_on, "unit")
        member = StaffMember.register(
            command, recorded_by=recorded_by, recorded_at=recorded_at or self.clock()
        )
        try:
            recordings = self.save(member)
        except NationalIdTaken as taken:
            raise self._national_id_taken(taken) from None
        except IntegrityError:
            # The events' primary key refused it, unless the national-id index did (its look-up
            # names the holder first; this is only the backstop of the index's own key).
            national_id, staff_id = command.national_id, command.staff_id
            if national_id is not None and not self.staff_exists(staff_id):
                holder = self.chained_recorder.holder_of_national_id(national_id)
                if holder is not None:
                    raise self._national_id_taken(NationalIdTaken(holder)) from None
            raise errors.DuplicateRegistration(
                f"Staff member '{staff_id}' is already registered.", field="staff_id"
            ) from None
        return self._result(member, recordings[-1].notification.id)

    # The keyword forms of the writes, for callers that have the fields at hand (tests, tools):
    # each builds its command and runs it; the fields are the command's, the rest the envelope.

    def register(self, **given: Any) -> WriteResult:
        envelope = _envelope(given)
        return self.execute_registration(Register(**given), **envelope)

    def enroll(self, staff_id: str, **given: Any) -> WriteResult:
        return self._keyword(staff_id, Enroll, given)

    def complete(self, staff_id: str, enrollment_id: str, **given: Any) -> WriteResult:
        return self._keyword(staff_id, Complete, {**given, "enrollment_id": enrollment_id})

    def withdraw(self, staff_id: str, enrollment_id: str, **given: Any) -> WriteResult:
        return self._keyword(staff_id, Withdraw, {**given, "enrollment_id": enrollment_id})

    def recognize_credential(self, staff_id: str, **given: Any) -> WriteResult:
        return self._keyword(staff_id, RecognizeCredential, given)

    def rotate(self, staff_id: str, **given: Any) -> WriteResult:
        return self._keyword(staff_id, Rotate, given)

    def appoint(self, staff_id: str, **given: Any) -> WriteResult:
        return self._keyword(staff_id, Appoint, given)

    def plan(self, staff_id: str, **given: Any) -> WriteResult:
        return self._keyword(staff_id, Plan, given)

    def evaluate(self, staff_id: str, **given: Any) -> WriteResult:
        return self._keyword(staff_id, Evaluate, given)

    def depart(self, staff_id: str, **given: Any) -> WriteResult:
        return self._keyword(staff_id, Depart, given)

    def correct(self, staff_id: str, **given: Any) -> WriteResult:
        return self._keyword(staff_id, Correct, given)

    def correct_national_id(self, staff_id: str, **given: Any) -> WriteResult:
        return self._keyword(staff_id, CorrectNationalId, given)

    def _keyword(
        self, staff_id: str, kind: Callable[..., StaffCommand], given: dict[str, Any]
    ) -> WriteResult:
        envelope = _envelope(given)
        return self.execute(staff_id, kind(**given), **envelope)

    # ------------------------------------------------------------ unit facts

    def execute_unit(
        self, command: UnitCommand, *, recorded_by: str, recorded_at: datetime | None = None
    ) -> UnitWriteResult:
        """Record a fact of the organisation's structure (its first one opens the stream)."""

        def step(organisation: Organisation, at: datetime) -> None:
            envelope: dict[str, Any] = {"recorded_by": recorded_by, "recorded_at": at}
            match command:
                case CreateUnit():
                    organisation.create_unit(command, **envelope)
                case RenameUnit():
                    organisation.rename_unit(command, **envelope)
                case MergeUnit():
                    organisation.merge_unit(command, **envelope)
                case SplitUnit():
                    organisation.split_unit(command, **envelope)
                case DissolveUnit():
                    organisation.dissolve_unit(command, **envelope)

        return self._change_organisation(step, recorded_by, command.on, recorded_at)

    def create_unit(self, **given: Any) -> UnitWriteResult:
        return self._unit_keyword(CreateUnit, given)

    def rename_unit(self, unit_id: str, **given: Any) -> UnitWriteResult:
        return self._unit_keyword(RenameUnit, {**given, "unit_id": unit_id})

    def merge_unit(self, unit_id: str, **given: Any) -> UnitWriteResult:
        return self._unit_keyword(MergeUnit, {**given, "unit_id": unit_id})

    def split_unit(self, unit_id: str, **given: Any) -> UnitWriteResult:
        return self._unit_keyword(SplitUnit, {**given, "unit_id": unit_id})

    def dissolve_unit(self, unit_id: str, **given: Any) -> UnitWriteResult:
        return self._unit_keyword(DissolveUnit, {**given, "unit_id": unit_id})

    def _unit_keyword(self, kind: Callable[..., UnitCommand], given: dict[str, Any]) -> UnitWriteResult:
        envelope = _envelope(given)
        return self.execute_unit(kind(**given), **envelope)


ENVELOPE = ("recorded_by", "recorded_at", "expected_version")


def _envelope(given: dict[str, Any]) -> dict[str, Any]:
    """Take the envelope out of a keyword write's arguments, leaving the command's fields."""
    return {name: given.pop(name) for name in ENVELOPE if name in given}


def _with_new_ids(command: StaffCommand) -> StaffCommand:
    """Make the id of what a write creates when its caller left it out; made once, so a write
    re-run after a lost race keeps it."""
    match command:
        case Enroll(enrollment_id=None):
            return replace(command, enrollment_id=new_id())
        case RecognizeCredential(credential_id=None):
            return replace(command, credential_id=new_id())
    return command


def _answered_ids(command: StaffCommand, awarded: list[str]) -> dict[str, Any]:
    """The ids a write answers besides its event's: the enrollment it is about, the credential
    it recorded."""
    match command:
        case Enroll() | Withdraw():
            return {"enrollment_id": command.enrollment_id}
        case Complete():
            return {"enrollment_id": command.enrollment_id, "credential_id": awarded[-1] if awarded else None}
        case RecognizeCredential():
            return {"credential_id": command.credential_id}
    return {}
