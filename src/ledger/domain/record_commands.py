"""The commands on a staff member's post and standing: rotate, appoint (against the position
standard's verdict), plan, depart, and the two corrections (void an event; set the national id).
Each checks its rules against the current record and raises a named error before anything is
triggered. Mixed into the aggregate (``ledger.staff.StaffMember``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from ledger.domain import errors
from ledger.domain.catalog import DepartureCategory, RotationKind
from ledger.domain.checks import (
    check_dated,
    check_not_before_joining,
    check_not_future,
    check_text,
    coerce,
    events_dated_after,
)
from ledger.domain.commands import Appoint, Correct, CorrectNationalId, Depart, Plan, Rotate
from ledger.domain.ids import parse_event_id
from ledger.domain.member import Member
from ledger.domain.national_id import check_national_id
from ledger.domain.record import UnmetRequirement


class RecordCommands:
    """The aggregate's post, planning, departure and correction commands; ``self`` is the
    aggregate (:class:`Member`)."""

    def rotate(
        self: Member,
        command: Rotate,
        *,
        recorded_by: str,
        recorded_at: datetime | None = None,
    ) -> None:
        to_unit, kind, starts_on, decision_ref, position, ends_on = (
            command.to_unit,
            command.kind,
            command.starts_on,
            command.decision_ref,
            command.position,
            command.ends_on,
        )
        kind = coerce(RotationKind, kind, "kind")
        check_dated(self.record, starts_on, "starts_on")
        check_not_before_joining(self.record, starts_on, "starts_on", "A rotation")
        if ends_on is not None and ends_on < starts_on:
            raise errors.InvalidDates(
                f"The rotation ends on {ends_on}, before it starts on {starts_on}.", field="ends_on"
            )
        check_text(("to_unit", to_unit), ("decision_ref", decision_ref))
        self.trigger_event(
            self.Rotated,
            timestamp=recorded_at,
            recorded_by=recorded_by,
            effective_on=starts_on,
            kind=kind,
            from_unit=self.record.unit_on(starts_on),
            to_unit=to_unit,
            position=position,
            ends_on=ends_on,
            decision_ref=decision_ref,
        )

    def appoint(
        self: Member,
        command: Appoint,
        *,
        unmet: Sequence[UnmetRequirement] = (),
        rule_set: str | None = None,
        recorded_by: str,
        recorded_at: datetime | None = None,
    ) -> None:
        """Record an appointment. ``unmet`` is the verdict of the position standard in force on
        ``effective_on`` (computed by the caller from the rule set named ``rule_set``): any
        requirement due before appointment (``blocking``) refuses the appointment unless a waiver
        is given; the others are recorded with it and open their grace period."""
        position, effective_on, decision_ref, waiver = (
            command.position,
            command.effective_on,
            command.decision_ref,
            command.waiver,
        )
        check_text(("position", position), ("decision_ref", decision_ref))
        if waiver is not None:
            check_text(("waiver.legal_basis", waiver.legal_basis), ("waiver.reason", waiver.reason))
        check_dated(self.record, effective_on, "effective_on")
        check_not_before_joining(self.record, effective_on, "effective_on", "An appointment")
        if waiver is not None and waiver.deadline < effective_on:
            raise errors.InvalidDates(
                f"The waiver's deadline {waiver.deadline} is before the appointment on {effective_on}.",
                field="waiver.deadline",
            )
        blocking = [u for u in unmet if u.blocking]
        if blocking and waiver is None:
            listed = "; ".join(
                f"{u.track} at least {u.required_level} (holds {u.held_level or 'nothing'}; "
                f"rule {u.rule_id}, {u.legal_basis})"
                for u in blocking
            )
            raise errors.RequirementsNotMet(
                f"{self.record.staff_id} does not meet the standard for '{position}' in force on "
                f"{effective_on}: {listed}. Appoint with a waiver (legal basis, deadline, reason) "
                "to go ahead.",
                unmet=list(unmet),
            )
        self.trigger_event(
            self.Appointed,
            timestamp=recorded_at,
            recorded_by=recorded_by,
            effective_on=effective_on,
            position=position,
            previous_position=self.record.position,
            decision_ref=decision_ref,
            waiver=waiver,
            unmet=list(unmet),
            rule_set=rule_set,
        )

    def plan(
        self: Member,
        command: Plan,
        *,
        recorded_by: str,
        recorded_at: datetime | None = None,
    ) -> None:
        """Put the person in the succession-planning pool for ``position`` over the years
        ``from_year``–``to_year`` (a planning period such as 2025–2030), by a decision dated ``on``."""
        position, from_year, to_year, decision_ref, on = (
            command.position,
            command.from_year,
            command.to_year,
            command.decision_ref,
            command.on,
        )
        if not position.strip():
            raise errors.InvalidInput("position must not be blank.", field="position")
        if not decision_ref.strip():
            raise errors.InvalidInput("decision_ref must not be blank.", field="decision_ref")
        for name, year in (("from_year", from_year), ("to_year", to_year)):
            if isinstance(year, bool) or not isinstance(year, int) or not 1900 <= year <= 9999:
                raise errors.InvalidInput(f"{year!r} is not a year.", field=name)
        if to_year < from_year:
            raise errors.InvalidDates(
                f"The planning period ends in {to_year}, before it starts in {from_year}.", field="to_year"
            )
        check_dated(self.record, on, "on")
        check_not_before_joining(self.record, on, "on", "A planning decision")
        self.trigger_event(
            self.Planned,
            timestamp=recorded_at,
            recorded_by=recorded_by,
            effective_on=on,
            position=position.strip(),
            from_year=from_year,
            to_year=to_year,
            decision_ref=decision_ref,
        )

    def depart(
        self: Member,
        command: Depart,
        *,
        today: date,
        recorded_by: str,
        recorded_at: datetime | None = None,
    ) -> None:
        """Take the person off the roll from ``on``; ``today`` is the agency's date when it is
        recorded (a departure is recorded once it has happened)."""
        on, reason, category = command.on, command.reason, command.category
        if category is not None:
            category = coerce(DepartureCategory, category, "category")
        check_text(("reason", reason))
        if self.record.departed_on is not None:
            raise errors.AlreadyDeparted(
                f"{self.record.staff_id} already departed on {self.record.departed_on}.", field="on"
            )
        check_dated(self.record, on, "on")
        check_not_future(on, today, "on")
        check_not_before_joining(self.record, on, "on", "A departure")
        later = events_dated_after(self.record, on)
        if later:
            raise errors.EventsAfterDeparture(
                f"The record has events dated after {on} ({', '.join(later)}): check the departure "
                "date, or void those events first.",
                field="on",
            )
        self.trigger_event(
            self.Departed,
            timestamp=recorded_at,
            recorded_by=recorded_by,
            effective_on=on,
            reason=reason,
            category=category,
        )

    def correct(
        self: Member,
        command: Correct,
        *,
        on: date,
        recorded_by: str,
        recorded_at: datetime | None = None,
    ) -> None:
        """Void an earlier event of this staff member; the history keeps both."""
        event_id, reason = command.event_id, command.reason
        check_text(("reason", reason))
        parsed = parse_event_id(event_id)
        if parsed is None:
            raise errors.EventNotFound(f"'{event_id}' is not an event id.", field="event_id")
        owner, version = parsed
        if owner != self.record.staff_id:
            raise errors.EventOfAnotherStaff(
                f"Event '{event_id}' belongs to {owner}, not to {self.record.staff_id}.",
                field="event_id",
            )
        if not 1 <= version <= self.version:
            raise errors.EventNotFound(f"{self.record.staff_id} has no event '{event_id}'.", field="event_id")
        if event_id in self.voided:
            raise errors.AlreadyVoided(
                f"Event '{event_id}' was already voided by '{self.voided[event_id]}'.",
                field="event_id",
            )
        target = self.history[version - 1]
        if isinstance(target, self.NationalIdCorrected):
            raise errors.CannotVoidCorrection(
                f"Event '{event_id}' corrects the national_id and cannot be voided; record another "
                "national_id correction instead.",
                field="event_id",
            )
        if isinstance(target, self.Corrected):
            raise errors.CannotVoidCorrection(
                f"Event '{event_id}' is a correction and cannot be voided; record the fact again instead.",
                field="event_id",
            )
        if isinstance(target, self.Registered):
            raise errors.CannotVoidEvent(
                "The registration cannot be voided: it is what the rest of the record hangs on.",
                field="event_id",
            )
        dependants = live_dependants(self, event_id, target)
        if dependants:
            raise errors.CannotVoidEvent(
                f"Event '{event_id}' has later events that depend on it ({', '.join(dependants)}); "
                "void those first.",
                field="event_id",
            )
        self.trigger_event(
            self.Corrected,
            timestamp=recorded_at,
            recorded_by=recorded_by,
            effective_on=on,
            voided_event_id=event_id,
            reason=reason,
        )

    def correct_national_id(
        self: Member,
        command: CorrectNationalId,
        *,
        recorded_by: str,
        recorded_at: datetime | None = None,
    ) -> None:
        """Set, change or (``None``) remove the personal identification number. Allowed after a
        departure, as every correction is. That no one else holds the number is checked by the
        store, in the transaction that records the event (``ledger.store.persistence``)."""
        national_id, reason = command.national_id, command.reason
        if national_id is not None:
            check_national_id(national_id)
        check_text(("reason", reason))
        if national_id == self.record.national_id:
            raise errors.NothingToCorrect(
                "The record already holds this national_id."
                if national_id is not None
                else "The record holds no national_id to remove.",
                field="national_id",
            )
        self.trigger_event(
            self.NationalIdCorrected,
            timestamp=recorded_at,
            recorded_by=recorded_by,
            effective_on=self.record.joined_on,
            national_id=national_id,
            previous_national_id=self.record.national_id,
            reason=reason,
        )


def live_dependants(member: Member, event_id: str, target: object) -> list[str]:
    """Events still in force that would lose their footing if ``target`` were voided."""
    enrollment_id = getattr(target, "enrollment_id", None)
    if enrollment_id is None:
        return []
    enrollment = member.record.enrollments.get(enrollment_id)
    if enrollment is None:
        return []
    dependants: list[str] = []
    if isinstance(target, member.Enrolled) and enrollment.closed_event_id:
        dependants.append(enrollment.closed_event_id)
    if isinstance(target, (member.Enrolled, member.Completed)):
        dependants += [e.event_id for e in member.record.evaluations if e.enrollment_id == enrollment_id]
    return dependants
