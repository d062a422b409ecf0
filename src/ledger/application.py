"""The Ledger application: the service layer of the write side.

One method per write of the HTTP contract: load the staff member, run the command (which checks
the rules), save. Queries replay a staff member's events: the standing on any business date
(``as_of``) as the ledger knew it at any time (``known_at``), and the full history; they, the
store, the clock and the rules come from :class:`ledger.service.LedgerService`.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from eventsourcing.persistence import IntegrityError

from ledger.domain import errors
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
from ledger.domain.checks import coerce
from ledger.domain.ids import parse_event_id
from ledger.domain.record import CredentialAward, Evidence, Waiver
from ledger.organisation import Organisation, check_unit_usable
from ledger.service import CredentialDetails, LedgerService, UnitWriteResult, WriteResult, new_id
from ledger.staff import StaffMember
from ledger.standards import compliance
from ledger.store.persistence import NationalIdTaken


class Ledger(LedgerService):
    """The staff training ledger. One instance per process, shared by threads."""

    # ----------------------------------------------------------------- writes

    def register(
        self,
        *,
        staff_id: str,
        full_name: str,
        gender: Gender,
        birth_date: date,
        unit: str,
        joined_on: date,
        position: str | None = None,
        rank: str | None = None,
        employment: Employment = Employment.CIVIL_SERVANT,
        national_id: str | None = None,
        recorded_by: str,
        recorded_at: datetime | None = None,
    ) -> WriteResult:
        # No existence check first: the store's unique key on (aggregate, version 1) refuses a
        # second registration atomically, and saves a round trip on every registration.
        check_unit_usable(self.find_organisation(), unit, joined_on, "unit")
        member = StaffMember.register(
            staff_id=staff_id,
            full_name=full_name,
            gender=gender,
            birth_date=birth_date,
            unit=unit,
            joined_on=joined_on,
            position=position,
            rank=rank,
            employment=employment,
            national_id=national_id,
            recorded_by=recorded_by,
            recorded_at=recorded_at or self.clock(),
        )
        try:
            recordings = self.save(member)
        except NationalIdTaken as taken:
            raise self._national_id_taken(taken) from None
        except IntegrityError:
            # The events' primary key refused it, unless the national-id index did (its look-up
            # names the holder first; this is only the backstop of the index's own key).
            if national_id is not None and not self.staff_exists(staff_id):
                holder = self.chained_recorder.holder_of_national_id(national_id)
                if holder is not None:
                    raise self._national_id_taken(NationalIdTaken(holder)) from None
            raise errors.DuplicateRegistration(
                f"Staff member '{staff_id}' is already registered.", field="staff_id"
            ) from None
        return self._result(member, recordings[-1].notification.id)

    def enroll(
        self,
        staff_id: str,
        *,
        course_code: str,
        course_title: str,
        track: Track,
        level: str | None,
        provider: str,
        mode: Mode,
        starts_on: date,
        enrollment_id: str | None = None,
        ends_on: date | None = None,
        decision_ref: str | None = None,
        funding: Funding | None = None,
        cost: Decimal | None = None,
        country: str | None = None,
        awards_level: bool = True,
        recorded_by: str,
        recorded_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> WriteResult:
        """Enroll in a course. ``awards_level=False`` declares a course of a levelled track that
        awards no level (a refresher or short course): it takes no level and its completion
        awards no credential, but it counts as an attendance of its track."""
        the_id = enrollment_id or new_id()

        def command(member: StaffMember, at: datetime) -> None:
            member.enroll(
                enrollment_id=the_id,
                course_code=course_code,
                course_title=course_title,
                track=track,
                level=level,
                provider=provider,
                mode=mode,
                starts_on=starts_on,
                ends_on=ends_on,
                decision_ref=decision_ref,
                funding=funding,
                cost=cost,
                country=country,
                awards_level=awards_level,
                recorded_by=recorded_by,
                recorded_at=at,
            )

        result = self._change(staff_id, command, expected_version, recorded_at)
        return _with(result, enrollment_id=the_id)

    def complete(
        self,
        staff_id: str,
        enrollment_id: str,
        *,
        completed_on: date,
        outcome: Outcome,
        credential: CredentialDetails | None = None,
        score: Decimal | None = None,
        recorded_by: str,
        recorded_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> WriteResult:
        """Record the end of a course; a passed levelled course awards its credential.

        The credential's title and issuer default to the course's title and provider, its date to
        the completion date, its id to a new one.
        """
        awarded: list[str] = []
        details = credential or CredentialDetails()

        def command(member: StaffMember, at: datetime) -> None:
            award = None
            enrollment = member.record.enrollments.get(enrollment_id)
            passed = coerce(Outcome, outcome, "outcome") == Outcome.PASSED
            if passed and enrollment is not None and enrollment.level is not None:
                award = CredentialAward(
                    credential_id=details.credential_id or new_id(),
                    title=details.title or enrollment.course_title,
                    issuer=details.issuer or enrollment.provider,
                    issued_on=details.issued_on or completed_on,
                    number=details.number,
                    scans=tuple(details.scans),
                    field=details.field,
                )
                awarded.append(award.credential_id)
            elif not passed and credential is not None:
                raise errors.InvalidInput("A failed course awards no credential.", field="credential")
            if award is None and details.scans:
                # Scans prove a certificate; without one they would be silently dropped.
                raise errors.InvalidInput(
                    "This completion awards no credential to attach scans to.", field="credential.scans"
                )
            member.complete(
                enrollment_id=enrollment_id,
                completed_on=completed_on,
                outcome=outcome,
                credential=award,
                score=score,
                today=self.day_of(at),
                recorded_by=recorded_by,
                recorded_at=at,
            )

        result = self._change(staff_id, command, expected_version, recorded_at)
        return _with(result, enrollment_id=enrollment_id, credential_id=awarded[-1] if awarded else None)

    def withdraw(
        self,
        staff_id: str,
        enrollment_id: str,
        *,
        on: date,
        reason: str,
        recorded_by: str,
        recorded_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> WriteResult:
        def command(member: StaffMember, at: datetime) -> None:
            member.withdraw(
                enrollment_id=enrollment_id,
                on=on,
                reason=reason,
                today=self.day_of(at),
                recorded_by=recorded_by,
                recorded_at=at,
            )

        result = self._change(staff_id, command, expected_version, recorded_at)
        return _with(result, enrollment_id=enrollment_id)

    def recognize_credential(
        self,
        staff_id: str,
        *,
        track: Track,
        level: str | None,
        title: str,
        issuer: str,
        issued_on: date,
        evidence: Evidence,
        credential_id: str | None = None,
        number: str | None = None,
        field: str | None = None,
        recorded_by: str,
        recorded_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> WriteResult:
        """Recognise a credential earned outside the agency's dispatches; ``field`` is its field
        of study (chuyên ngành), which a ``[[field_of_study]]`` standard may check."""
        the_id = credential_id or new_id()

        def command(member: StaffMember, at: datetime) -> None:
            member.recognize_credential(
                credential_id=the_id,
                track=track,
                level=level,
                title=title,
                issuer=issuer,
                issued_on=issued_on,
                number=number,
                evidence=evidence,
                field=field,
                today=self.day_of(at),
                recorded_by=recorded_by,
                recorded_at=at,
            )

        result = self._change(staff_id, command, expected_version, recorded_at)
        return _with(result, credential_id=the_id)

    def rotate(
        self,
        staff_id: str,
        *,
        to_unit: str,
        kind: RotationKind,
        starts_on: date,
        decision_ref: str,
        position: str | None = None,
        ends_on: date | None = None,
        recorded_by: str,
        recorded_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> WriteResult:
        def command(member: StaffMember, at: datetime) -> None:
            check_unit_usable(self.find_organisation(), to_unit, starts_on, "to_unit")
            member.rotate(
                to_unit=to_unit,
                kind=kind,
                starts_on=starts_on,
                decision_ref=decision_ref,
                position=position,
                ends_on=ends_on,
                recorded_by=recorded_by,
                recorded_at=at,
            )

        return self._change(staff_id, command, expected_version, recorded_at)

    def appoint(
        self,
        staff_id: str,
        *,
        position: str,
        effective_on: date,
        decision_ref: str,
        waiver: Waiver | None = None,
        recorded_by: str,
        recorded_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> WriteResult:
        """Appoint to a post. The standard in force on ``effective_on`` is checked: requirements
        due before appointment that are not met raise ``RequirementsNotMet`` (listing every unmet
        requirement) unless a waiver is given; the event records what was not met."""

        def command(member: StaffMember, at: datetime) -> None:
            check = compliance.check_appointment(member.record, position, effective_on, self.rules)
            member.appoint(
                position=position,
                effective_on=effective_on,
                decision_ref=decision_ref,
                waiver=waiver,
                unmet=compliance.unmet_for_appointment(check, waiver),
                rule_set=self.rules.label,
                recorded_by=recorded_by,
                recorded_at=at,
            )

        return self._change(staff_id, command, expected_version, recorded_at)

    def plan(
        self,
        staff_id: str,
        *,
        position: str,
        from_year: int,
        to_year: int,
        decision_ref: str,
        on: date,
        recorded_by: str,
        recorded_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> WriteResult:
        """Put a staff member in the succession-planning pool (quy hoạch) for a position."""

        def command(member: StaffMember, at: datetime) -> None:
            member.plan(
                position=position,
                from_year=from_year,
                to_year=to_year,
                decision_ref=decision_ref,
                on=on,
                recorded_by=recorded_by,
                recorded_at=at,
            )

        return self._change(staff_id, command, expected_version, recorded_at)

    def evaluate(
        self,
        staff_id: str,
        *,
        kind: EvaluationKind,
        rating: Rating,
        evaluator: str,
        year: int | None = None,
        enrollment_id: str | None = None,
        on: date | None = None,
        score: Decimal | None = None,
        notes: str | None = None,
        recorded_by: str,
        recorded_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> WriteResult:
        def command(member: StaffMember, at: datetime) -> None:
            # A post-training evaluation without a date is dated the day it is recorded (the
            # agency's day, not the UTC one).
            evaluated_on = on
            if evaluated_on is None and coerce(EvaluationKind, kind, "kind") == EvaluationKind.POST_TRAINING:
                evaluated_on = self.day_of(at)
            member.evaluate(
                kind=kind,
                rating=rating,
                evaluator=evaluator,
                year=year,
                enrollment_id=enrollment_id,
                on=evaluated_on,
                score=score,
                notes=notes,
                today=self.day_of(at),
                recorded_by=recorded_by,
                recorded_at=at,
            )

        return self._change(staff_id, command, expected_version, recorded_at)

    def depart(
        self,
        staff_id: str,
        *,
        on: date,
        reason: str,
        category: DepartureCategory | None = None,
        recorded_by: str,
        recorded_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> WriteResult:
        def command(member: StaffMember, at: datetime) -> None:
            member.depart(
                on=on,
                reason=reason,
                category=category,
                today=self.day_of(at),
                recorded_by=recorded_by,
                recorded_at=at,
            )

        return self._change(staff_id, command, expected_version, recorded_at)

    def correct(
        self,
        staff_id: str,
        *,
        event_id: str,
        reason: str,
        recorded_by: str,
        recorded_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> WriteResult:
        """Void an earlier event of this staff member (the history keeps both)."""

        def command(member: StaffMember, at: datetime) -> None:
            # An id naming someone who was never registered is simply unknown (404), not
            # "someone else's event" (which the aggregate refuses for registered owners).
            parsed = parse_event_id(event_id)
            if parsed and parsed[0] != staff_id and not self.staff_exists(parsed[0]):
                raise errors.EventNotFound(f"There is no event '{event_id}'.", field="event_id")
            member.correct(
                event_id=event_id,
                reason=reason,
                on=self.day_of(at),
                recorded_by=recorded_by,
                recorded_at=at,
            )

        return self._change(staff_id, command, expected_version, recorded_at)

    def correct_national_id(
        self,
        staff_id: str,
        *,
        national_id: str | None,
        reason: str,
        recorded_by: str,
        recorded_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> WriteResult:
        """Set, change or (``None``) remove the person's national_id (``NationalIdCorrected``);
        the history keeps every earlier value. 409 if another staff member holds it."""

        def command(member: StaffMember, at: datetime) -> None:
            member.correct_national_id(
                national_id=national_id, reason=reason, recorded_by=recorded_by, recorded_at=at
            )

        return self._change(staff_id, command, expected_version, recorded_at)

    # ------------------------------------------------------------ unit facts

    def create_unit(
        self,
        *,
        unit_id: str,
        name: str,
        on: date,
        parent_id: str | None = None,
        recorded_by: str,
        recorded_at: datetime | None = None,
    ) -> UnitWriteResult:
        """Record that a unit began on ``on`` (under ``parent_id``, which must exist that day)."""

        def command(organisation: Organisation, at: datetime) -> None:
            organisation.create_unit(
                unit_id=unit_id,
                name=name,
                parent_id=parent_id,
                on=on,
                recorded_by=recorded_by,
                recorded_at=at,
            )

        return self._change_organisation(command, recorded_by, on, recorded_at)

    def rename_unit(
        self, unit_id: str, *, name: str, on: date, recorded_by: str, recorded_at: datetime | None = None
    ) -> UnitWriteResult:
        def command(organisation: Organisation, at: datetime) -> None:
            organisation.rename_unit(
                unit_id=unit_id, name=name, on=on, recorded_by=recorded_by, recorded_at=at
            )

        return self._change_organisation(command, recorded_by, on, recorded_at)

    def merge_unit(
        self, unit_id: str, *, into_id: str, on: date, recorded_by: str, recorded_at: datetime | None = None
    ) -> UnitWriteResult:
        """Record that ``unit_id`` was merged into ``into_id`` on ``on`` (it ends that day)."""

        def command(organisation: Organisation, at: datetime) -> None:
            organisation.merge_unit(
                unit_id=unit_id, into_id=into_id, on=on, recorded_by=recorded_by, recorded_at=at
            )

        return self._change_organisation(command, recorded_by, on, recorded_at)

    def split_unit(
        self,
        unit_id: str,
        *,
        parts: list[tuple[str, str]],
        on: date,
        recorded_by: str,
        recorded_at: datetime | None = None,
    ) -> UnitWriteResult:
        """Record that ``unit_id`` ended on ``on``, split into new units ``parts`` (id, name)."""

        def command(organisation: Organisation, at: datetime) -> None:
            organisation.split_unit(
                unit_id=unit_id, parts=parts, on=on, recorded_by=recorded_by, recorded_at=at
            )

        return self._change_organisation(command, recorded_by, on, recorded_at)

    def dissolve_unit(
        self, unit_id: str, *, on: date, recorded_by: str, recorded_at: datetime | None = None
    ) -> UnitWriteResult:
        def command(organisation: Organisation, at: datetime) -> None:
            organisation.dissolve_unit(unit_id=unit_id, on=on, recorded_by=recorded_by, recorded_at=at)

        return self._change_organisation(command, recorded_by, on, recorded_at)


def _with(result: WriteResult, **changes: Any) -> WriteResult:
    return replace(result, **changes)
