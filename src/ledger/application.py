"""The Ledger application: the service layer of the write side.

One method per write of the HTTP contract: load the staff member, run the command (which checks
the rules), save. Queries replay a staff member's events: the standing on any business date
(``as_of``) as the ledger knew it at any time (``known_at``), and the full history.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError, JSONTranscoder

from ledger.clock import AgencyClock, agency_clock
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
from ledger.domain.record import CredentialAward, Evidence, StaffRecord, Waiver
from ledger.organisation import (
    ORGANISATION_ID,
    ORGANISATION_STREAM,
    Organisation,
    UnitEvent,
    check_unit_usable,
    unit_events,
)
from ledger.staff import (
    BUSINESS_DATE_FIELD,
    StaffEvent,
    StaffMember,
    coerce,
    event_data,
    fold_record,
    make_event_id,
    parse_event_id,
    staff_aggregate_id,
)
from ledger.standards import compliance
from ledger.standards.rules import rules_from_environment
from ledger.standards.ruleset import RuleSet
from ledger.store.config import StoreConfig, store_from_environment
from ledger.store.persistence import (
    ChainedRecorder,
    LedgerMapper,
    NationalIdTaken,
    register_ledger_transcodings,
)
from ledger.store.proofs import configure_proofs

Clock = Callable[[], datetime]

# Without If-Match, a write that lost a race is re-run on the fresh record (its rules are checked
# again); a few rounds are plenty when each round is one small transaction.
WRITE_ATTEMPTS = 5


def new_id() -> str:
    return secrets.token_hex(8)


@dataclass(frozen=True)
class WriteResult:
    staff_id: str
    version: int
    event_id: str
    position: int
    recorded_at: datetime
    enrollment_id: str | None = None
    credential_id: str | None = None


@dataclass(frozen=True)
class UnitWriteResult:
    """A unit fact recorded in the organisation stream."""

    unit_id: str
    version: int
    event_id: str
    position: int
    recorded_at: datetime
    # Events saved: 2 for the first unit fact of a store (it opens the organisation stream).
    events: int = 1


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


@dataclass(frozen=True)
class HistoryEntry:
    event_id: str
    type: str
    version: int
    position: int | None
    recorded_at: datetime
    recorded_by: str
    effective_on: date
    data: dict[str, Any]
    voided_by: str | None


class Ledger(Application[UUID]):
    """The staff training ledger. One instance per process, shared by threads."""

    name = "Ledger"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # The library names a subclass's tables (PostgreSQL) and environment prefix after the
        # class; a subclass of the ledger (instrumented, a test double) must use the same log.
        if "name" not in cls.__dict__:
            cls.name = Ledger.name
        super().__init_subclass__(**kwargs)

    def __init__(
        self,
        store: StoreConfig | None = None,
        *,
        clock: Clock | None = None,
        env: dict[str, str] | None = None,
        rules: RuleSet | None = None,
    ) -> None:
        # The position standards appointments are checked against (LEDGER_RULES, else the shipped
        # file); a rules file with a mistake stops the ledger here, before the store is opened.
        self.rules = rules if rules is not None else rules_from_environment({**os.environ, **(env or {})})
        self.store = store or store_from_environment()
        # The one source of "now" and of the agency's "today" (LEDGER_TIMEZONE); a plain callable
        # (a test's chosen instants) gets the configured zone. A bad zone stops the ledger here.
        self.clock: AgencyClock = agency_clock(clock, {**os.environ, **(env or {})})
        merged = {
            **self.store.application_env(),
            "MAPPER_TOPIC": f"{LedgerMapper.__module__}:{LedgerMapper.__qualname__}",
            **(env or {}),
        }
        super().__init__(env=merged)
        # The agency's key (LEDGER_SIGNING_KEY, else made beside the SQLite file): link MACs,
        # signed checkpoints and badges (ledger.store.proofs).
        self.key_ring = configure_proofs(
            self.chained_recorder, self.store, {**os.environ, **(env or {})}
        )

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        register_ledger_transcodings(transcoder)

    @property
    def chained_recorder(self) -> ChainedRecorder:
        return cast(ChainedRecorder, self.recorder)

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

    def find_organisation(self) -> Organisation | None:
        """The organisation's unit facts as recorded now, or None before the first one."""
        try:
            return cast(Organisation, self.repository.get(ORGANISATION_ID))
        except AggregateNotFoundError:
            return None

    def unit_facts(self) -> list[UnitEvent]:
        """Every unit fact in the order recorded."""
        return unit_events(self.repository.event_store.get(ORGANISATION_ID))

    # ---------------------------------------------------------------- queries

    def staff_id_of_national_id(self, national_id: str) -> str | None:
        """The staff code of the person holding ``national_id`` now (the store's index, so a
        write's answer is already reflected), or None."""
        holder = self.chained_recorder.holder_of_national_id(national_id)
        if holder is None:
            return None
        first = next(iter(self.repository.event_store.get(holder, lte=1)), None)
        return first.staff_id if isinstance(first, StaffMember.Registered) else None

    def staff_exists(self, staff_id: str) -> bool:
        return staff_aggregate_id(staff_id) in self.repository

    def get_member(self, staff_id: str) -> StaffMember:
        try:
            return cast(StaffMember, self.repository.get(staff_aggregate_id(staff_id)))
        except AggregateNotFoundError:
            raise errors.StaffNotFound(f"No staff member '{staff_id}'.") from None

    def events_of(self, staff_id: str) -> list[StaffEvent]:
        events = cast(
            list[StaffEvent], list(self.repository.event_store.get(staff_aggregate_id(staff_id)))
        )
        if not events:
            raise errors.StaffNotFound(f"No staff member '{staff_id}'.")
        return events

    def record(
        self, staff_id: str, *, as_of: date | None = None, known_at: datetime | None = None
    ) -> StaffRecord:
        """The standing by replay: on business date ``as_of``, as known at ``known_at``."""
        if known_at is not None and known_at.utcoffset() is None:
            raise errors.InvalidInput(
                "known_at needs a time zone (RFC 3339, e.g. 2025-01-31T08:00:00Z).", field="known_at"
            )
        events = self.events_of(staff_id)
        if known_at is not None and events[0].timestamp > known_at:
            raise errors.StaffNotFound(
                f"Staff member '{staff_id}' was not yet registered at {known_at.isoformat()}."
            )
        return fold_record(events, as_of=as_of, known_at=known_at)

    def history(self, staff_id: str) -> list[HistoryEntry]:
        """Every event of a staff member in order, with who recorded it and what voided it."""
        events = self.events_of(staff_id)
        positions = self.chained_recorder.positions_of(staff_aggregate_id(staff_id))
        voided_by: dict[str, str] = {}
        for event in events:
            if isinstance(event, StaffMember.Corrected):
                voided_by[event.voided_event_id] = make_event_id(staff_id, event.originator_version)
        entries = []
        for event in events:
            event_id = make_event_id(staff_id, event.originator_version)
            kind = type(event).__name__
            data = event_data(event)
            data[BUSINESS_DATE_FIELD[kind]] = data["effective_on"]
            entries.append(
                HistoryEntry(
                    event_id=event_id,
                    type=kind,
                    version=event.originator_version,
                    position=positions.get(event.originator_version),
                    recorded_at=event.timestamp,
                    recorded_by=event.recorded_by,
                    effective_on=event.effective_on,
                    data=data,
                    voided_by=voided_by.get(event_id),
                )
            )
        return entries

    def today(self) -> date:
        """The agency's date now (``LEDGER_TIMEZONE``), the default of every business date."""
        return self.clock.today()

    def day_of(self, recorded_at: datetime) -> date:
        """The agency's date at ``recorded_at``: "today" for a fact recorded then."""
        return self.clock.date_of(recorded_at)

    # ---------------------------------------------------------------- helpers

    def _change(
        self,
        staff_id: str,
        command: Callable[[StaffMember, datetime], None],
        expected_version: int | None,
        recorded_at: datetime | None,
    ) -> WriteResult:
        for _ in range(WRITE_ATTEMPTS):
            member = self.get_member(staff_id)
            if expected_version is not None and member.version != expected_version:
                raise errors.StaleVersion(
                    f"The record of '{staff_id}' is at version {member.version}, "
                    f"not {expected_version}: reload it and try again."
                )
            command(member, recorded_at or self.clock())
            try:
                recordings = self.save(member)
            except NationalIdTaken as taken:
                raise self._national_id_taken(taken) from None
            except IntegrityError:
                if expected_version is not None:
                    raise errors.StaleVersion(
                        f"The record of '{staff_id}' changed while this write was made: "
                        "reload it and try again."
                    ) from None
                continue
            return self._result(member, recordings[-1].notification.id)
        raise errors.ConcurrentWrite(
            f"The record of '{staff_id}' kept changing under this write; try again."
        )

    def _change_organisation(
        self,
        command: Callable[[Organisation, datetime], None],
        recorded_by: str,
        on: date,
        recorded_at: datetime | None,
    ) -> UnitWriteResult:
        # One stream for the whole structure: a fact that lost a race to another is checked again
        # on the fresh structure (its rules span units).
        for _ in range(WRITE_ATTEMPTS):
            at = recorded_at or self.clock()
            organisation = self.find_organisation() or Organisation.open(
                recorded_by=recorded_by, on=on, recorded_at=at
            )
            command(organisation, at)
            try:
                recordings = self.save(organisation)
            except IntegrityError:
                continue
            fact = cast(UnitEvent, recordings[-1].domain_event)
            return UnitWriteResult(
                unit_id=fact.unit_id,
                version=organisation.version,
                event_id=f"{ORGANISATION_STREAM}:{organisation.version}",
                position=recordings[-1].notification.id,
                recorded_at=fact.timestamp,
                events=len(recordings),
            )
        raise errors.ConcurrentWrite("The organisation kept changing under this write; try again.")

    def _national_id_taken(self, taken: NationalIdTaken) -> errors.DuplicateNationalId:
        first = next(iter(self.repository.event_store.get(taken.holder, lte=1)), None)
        holder = f" ({first.staff_id})" if isinstance(first, StaffMember.Registered) else ""
        return errors.DuplicateNationalId(
            f"This national_id is already recorded for another staff member{holder}.",
            field="national_id",
        )

    @staticmethod
    def _result(member: StaffMember, position: int) -> WriteResult:
        last = member.history[-1]
        return WriteResult(
            staff_id=member.staff_id,
            version=member.version,
            event_id=member.last_event_id,
            position=position,
            recorded_at=last.timestamp,
        )


def _with(result: WriteResult, **changes: Any) -> WriteResult:
    return replace(result, **changes)
