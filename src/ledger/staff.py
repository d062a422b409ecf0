"""The StaffMember aggregate: one immutable event stream per civil servant.

Public command methods check the rules of the record against the current record and raise a
named error before anything is triggered; each event's ``fold`` only assigns state, because it
runs again at every replay (no clock, no ids, no I/O in it). Recording time and ids are passed in.

Every event carries its business date (``effective_on``) apart from its recording time (the
library's ``timestamp``), and the name of the key that recorded it (``recorded_by``). Topics are
explicit and versioned so that moving this module never breaks replay.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, TypeVar
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate

from ledger import text
from ledger.domain import catalog, errors
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
from ledger.domain.national_id import check_national_id
from ledger.domain.record import (
    AppointmentState,
    CredentialAward,
    CredentialState,
    EnrollmentState,
    EnrollmentStatus,
    EvaluationState,
    Evidence,
    PlanningState,
    RotationState,
    StaffRecord,
    UnmetRequirement,
    Waiver,
)

STAFF_NAMESPACE = UUID("6d1f3c52-8a4e-5b7e-9c2d-4f1a0b3e7d95")


def staff_aggregate_id(staff_id: str) -> UUID:
    """The aggregate id of a staff code: derived, so a code finds its stream without an index."""
    return uuid5(STAFF_NAMESPACE, staff_id)


def make_event_id(staff_id: str, version: int) -> str:
    """Event ids read as ``STAFF_ID:VERSION``: stable, unique, and they say whose event it is."""
    return f"{staff_id}:{version}"


def parse_event_id(event_id: str) -> tuple[str, int] | None:
    staff_id, sep, version = event_id.rpartition(":")
    if not sep or not staff_id or not version.isdigit():
        return None
    return staff_id, int(version)


class StaffEvent(Aggregate.Event):
    """Fields every ledger event carries besides id, version and recording time."""

    recorded_by: str
    effective_on: date

    def fold(self, record: StaffRecord, event_id: str) -> None:
        """Apply this fact to a record. Only assignments: it runs at every replay."""

    def apply(self, aggregate: Aggregate) -> None:
        assert isinstance(aggregate, StaffMember)
        aggregate.take(self)


def check_level(track: Track, level: str | None, *, awards_level: bool = True) -> None:
    """A level must belong to its track; a levelled track needs one unless the course is declared
    to award no level (``awards_level=False``: a refresher or short course of that track, such as
    an update course in political theory, which still counts as an attendance of the track)."""
    info = catalog.track_info(track)
    if not awards_level:
        if level is not None:
            raise errors.InvalidLevel(
                "A course that awards no level takes no level; leave level empty.", field="level"
            )
        return
    if info.has_levels and level is None:
        raise errors.InvalidLevel(
            f"Track '{track}' has levels: say which level the course leads to.", field="level"
        )
    if not info.has_levels and level is not None:
        raise errors.InvalidLevel(f"Track '{track}' has no levels; leave level empty.", field="level")
    if level is not None and info.level(level) is None:
        known = ", ".join(lv.code for lv in info.levels)
        raise errors.InvalidLevel(
            f"Level '{level}' does not belong to track '{track}' (levels: {known}).", field="level"
        )


# Staff, enrollment and credential ids (docs/api.md, "Ids"); ':' is kept out so that an event id
# "STAFF_ID:VERSION" always parses.
CODE_PATTERN = text.IDENTIFIER_PATTERN


# Fields a command copies from the record rather than from its caller: already on the record.
COPIED_FIELDS = frozenset({"from_unit", "previous_position", "previous_national_id"})


def check_code(value: str, field: str) -> None:
    """An id the record is keyed by (staff, enrollment, credential): the text policy's identifier."""
    text.clean(value, text.TextKind.IDENTIFIER, field)


def check_text(*fields: tuple[str, str | None]) -> None:
    """Required text must say something: blank is as good as missing (the text policy, applied to
    every event, also refuses blank optional text and stores text NFC)."""
    for name, value in fields:
        if not isinstance(value, str) or not value.strip():
            raise errors.InvalidInput(f"{name} must not be blank.", field=name)


EnumT = TypeVar("EnumT", bound=StrEnum)


def check_not_future(day: date, today: date, field: str) -> None:
    """Refuse a fact dated after ``today`` (the agency's date when it is recorded). Only what has
    happened is refused ahead: enrollments, rotations, appointments and plans are decided in
    advance and may be dated later."""
    if day > today:
        raise errors.DatedInFuture(
            f"{field} {day} is after today ({today}, the agency's date): record it once it has "
            "happened.",
            field=field,
        )


def coerce(enum_type: type[EnumT], value: str, field: str) -> EnumT:
    """A catalog code as its enum member, or a named error listing the codes allowed."""
    try:
        return enum_type(value)
    except ValueError:
        allowed = ", ".join(member.value for member in enum_type)
        raise errors.InvalidInput(
            f"'{value}' is not a valid {field} (expected one of: {allowed}).", field=field
        ) from None


class StaffMember(Aggregate):
    TOPIC = "ledger.staff_member.v1"

    class Event(StaffEvent):
        pass

    class Created(Aggregate.Created, StaffEvent):
        # Declared so the library does not define a topic-less one of its own; never triggered.
        TOPIC = "staff.created.v1"

    class Registered(Created):
        TOPIC = "staff.registered.v1"
        # v2 adds the personal identification number (optional; registrations recorded before
        # it existed read back without one).
        class_version = 2
        staff_id: str
        full_name: str
        gender: Gender
        birth_date: date
        unit: str
        position: str | None
        rank: str | None
        employment: Employment
        # Defaults to None so that code building the event itself (tests, tools) need not name it.
        national_id: str | None = None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["national_id"] = None

        def apply(self, aggregate: Aggregate) -> None:
            assert isinstance(aggregate, StaffMember)
            aggregate.take(self)

    class Enrolled(StaffEvent):
        TOPIC = "staff.enrolled.v1"
        enrollment_id: str
        course_code: str
        course_title: str
        track: Track
        level: str | None
        provider: str
        mode: Mode
        ends_on: date | None
        decision_ref: str | None
        funding: Funding | None
        cost: Decimal | None
        country: str | None

        def fold(self, record: StaffRecord, event_id: str) -> None:
            record.enrollments[self.enrollment_id] = EnrollmentState(
                enrollment_id=self.enrollment_id,
                course_code=self.course_code,
                course_title=self.course_title,
                track=self.track,
                level=self.level,
                provider=self.provider,
                mode=self.mode,
                starts_on=self.effective_on,
                ends_on=self.ends_on,
                decision_ref=self.decision_ref,
                funding=self.funding,
                cost=self.cost,
                country=self.country,
                event_id=event_id,
            )

    class Completed(StaffEvent):
        TOPIC = "staff.completed.v1"
        enrollment_id: str
        credential: CredentialAward | None
        score: Decimal | None

        def fold(self, record: StaffRecord, event_id: str) -> None:
            enrollment = record.enrollments.get(self.enrollment_id)
            if enrollment is None:
                return
            enrollment.status = EnrollmentStatus.COMPLETED
            enrollment.closed_on = self.effective_on
            enrollment.closed_event_id = event_id
            enrollment.score = self.score
            if self.credential is not None:
                enrollment.credential_id = self.credential.credential_id
                record.credentials[self.credential.credential_id] = CredentialState(
                    credential_id=self.credential.credential_id,
                    track=enrollment.track,
                    level=enrollment.level,
                    title=self.credential.title,
                    issuer=self.credential.issuer,
                    issued_on=self.credential.issued_on,
                    number=self.credential.number,
                    source="completion",
                    event_id=event_id,
                    enrollment_id=self.enrollment_id,
                    field=self.credential.field,
                )

    class Failed(StaffEvent):
        TOPIC = "staff.failed.v1"
        enrollment_id: str
        score: Decimal | None

        def fold(self, record: StaffRecord, event_id: str) -> None:
            enrollment = record.enrollments.get(self.enrollment_id)
            if enrollment is None:
                return
            enrollment.status = EnrollmentStatus.FAILED
            enrollment.closed_on = self.effective_on
            enrollment.closed_event_id = event_id
            enrollment.score = self.score

    class Withdrawn(StaffEvent):
        TOPIC = "staff.withdrawn.v1"
        enrollment_id: str
        reason: str

        def fold(self, record: StaffRecord, event_id: str) -> None:
            enrollment = record.enrollments.get(self.enrollment_id)
            if enrollment is None:
                return
            enrollment.status = EnrollmentStatus.WITHDRAWN
            enrollment.closed_on = self.effective_on
            enrollment.closed_event_id = event_id
            enrollment.withdrawal_reason = self.reason

    class CredentialRecognized(StaffEvent):
        TOPIC = "staff.credential_recognized.v1"
        # v2 adds the field of study (chuyên ngành) a standard may ask to fit the post.
        class_version = 2
        credential_id: str
        track: Track
        level: str | None
        title: str
        issuer: str
        number: str | None
        evidence: Evidence
        field: str | None = None  # a default, so code building the event without it still works

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["field"] = None

        def fold(self, record: StaffRecord, event_id: str) -> None:
            record.credentials[self.credential_id] = CredentialState(
                credential_id=self.credential_id,
                track=self.track,
                level=self.level,
                title=self.title,
                issuer=self.issuer,
                issued_on=self.effective_on,
                number=self.number,
                source="recognition",
                event_id=event_id,
                evidence=self.evidence,
                field=self.field,
            )

    class Rotated(StaffEvent):
        TOPIC = "staff.rotated.v1"
        kind: RotationKind
        from_unit: str
        to_unit: str
        position: str | None
        ends_on: date | None
        decision_ref: str

        def fold(self, record: StaffRecord, event_id: str) -> None:
            record.rotations.append(
                RotationState(
                    kind=self.kind,
                    from_unit=self.from_unit,
                    to_unit=self.to_unit,
                    position=self.position,
                    starts_on=self.effective_on,
                    ends_on=self.ends_on,
                    decision_ref=self.decision_ref,
                    event_id=event_id,
                )
            )
            if self.kind == RotationKind.TRANSFER:
                # A transfer (điều động) is permanent: the new unit becomes home.
                record.home_unit = self.to_unit
                if self.position:
                    record.position = self.position

    class Appointed(StaffEvent):
        TOPIC = "staff.appointed.v1"
        # v2 adds the position standard's verdict: the requirements not met that day (waived or
        # in their grace period) and the rule set that said so.
        class_version = 2
        position: str
        previous_position: str | None
        decision_ref: str
        waiver: Waiver | None
        unmet: list[UnmetRequirement]
        rule_set: str | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["unmet"] = []
            state["rule_set"] = None

        def fold(self, record: StaffRecord, event_id: str) -> None:
            record.appointments.append(
                AppointmentState(
                    position=self.position,
                    previous_position=self.previous_position,
                    effective_on=self.effective_on,
                    decision_ref=self.decision_ref,
                    waiver=self.waiver,
                    event_id=event_id,
                    unmet=list(self.unmet),
                    rule_set=self.rule_set,
                )
            )
            record.position = self.position

    class Planned(StaffEvent):
        """A place in the succession-planning pool (quy hoạch) for a position, dated by its decision."""

        TOPIC = "staff.planned.v1"
        position: str
        from_year: int
        to_year: int
        decision_ref: str

        def fold(self, record: StaffRecord, event_id: str) -> None:
            record.planned.append(
                PlanningState(
                    position=self.position,
                    from_year=self.from_year,
                    to_year=self.to_year,
                    decision_ref=self.decision_ref,
                    decided_on=self.effective_on,
                    event_id=event_id,
                )
            )

    class Evaluated(StaffEvent):
        TOPIC = "staff.evaluated.v1"
        kind: EvaluationKind
        year: int | None
        enrollment_id: str | None
        rating: Rating
        score: Decimal | None
        evaluator: str
        notes: str | None

        def fold(self, record: StaffRecord, event_id: str) -> None:
            record.evaluations.append(
                EvaluationState(
                    kind=self.kind,
                    year=self.year,
                    enrollment_id=self.enrollment_id,
                    rating=self.rating,
                    score=self.score,
                    evaluator=self.evaluator,
                    notes=self.notes,
                    effective_on=self.effective_on,
                    event_id=event_id,
                )
            )

    class Departed(StaffEvent):
        TOPIC = "staff.departed.v1"
        # v2 adds the structured category a service commitment's reimbursement depends on.
        class_version = 2
        reason: str
        category: DepartureCategory | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["category"] = None

        def fold(self, record: StaffRecord, event_id: str) -> None:
            record.departed_on = self.effective_on
            record.departure_reason = self.reason
            record.departure_category = self.category

    class Corrected(StaffEvent):
        """Voids an earlier event: every view behaves as if it had not happened."""

        TOPIC = "staff.corrected.v1"
        voided_event_id: str
        reason: str

    class NationalIdCorrected(StaffEvent):
        """Sets, changes or removes the personal identification number the registration gave.

        A correction of the registration, so it takes effect on the registration's date
        (``effective_on`` is ``joined_on``) and counts at every ``as_of``, as the registration
        does; ``previous_national_id`` keeps the value it replaced (the registration keeps the
        first one), so the history shows every value the record ever held."""

        TOPIC = "staff.national_id_corrected.v1"
        national_id: str | None
        previous_national_id: str | None
        reason: str

        def fold(self, record: StaffRecord, event_id: str) -> None:
            record.national_id = self.national_id

    # ------------------------------------------------------------- text policy

    # Every event passes through one of these two, so the text policy (ledger.text) holds for
    # every field of every event, whichever command or way in triggered it: text is stored NFC,
    # and text the policy refuses never becomes an event.
    @classmethod
    def _create(  # type: ignore[override]
        cls, event_class: type[Any], *, id: UUID | None = None, **kwargs: Any
    ) -> StaffMember:
        return super()._create(event_class, id=id, **text.clean_fields(kwargs))

    def trigger_event(self, event_class: type[Any], **kwargs: Any) -> None:
        super().trigger_event(event_class, **text.clean_fields(kwargs, copied=COPIED_FIELDS))

    # ------------------------------------------------------------------ state

    def take(self, event: StaffEvent) -> None:
        """Apply one event to the aggregate's state (runs at every replay)."""
        if isinstance(event, StaffMember.Registered):
            self.staff_id = event.staff_id
            self.history: list[StaffEvent] = []
            self.voided: dict[str, str] = {}
        self.history.append(event)
        event_id = make_event_id(self.staff_id, event.originator_version)
        if isinstance(event, StaffMember.Corrected):
            self.voided[event.voided_event_id] = event_id
            self.record = fold_record(self.history)
        elif isinstance(event, StaffMember.Registered):
            self.record = start_record(event)
        else:
            event.fold(self.record, event_id)

    @property
    def last_event_id(self) -> str:
        return make_event_id(self.staff_id, self.version)

    # --------------------------------------------------------------- commands

    @classmethod
    def register(
        cls,
        *,
        staff_id: str,
        full_name: str,
        gender: Gender,
        birth_date: date,
        unit: str,
        joined_on: date,
        position: str | None,
        rank: str | None,
        employment: Employment,
        recorded_by: str,
        recorded_at: datetime | None = None,
        national_id: str | None = None,
    ) -> StaffMember:
        check_code(staff_id, "staff_id")
        if national_id is not None:
            check_national_id(national_id)
        gender = coerce(Gender, gender, "gender")
        employment = coerce(Employment, employment, "employment")
        if joined_on < birth_date:
            raise errors.DatedBeforeBirth(
                f"Joined on {joined_on} is before the birth date {birth_date}.", field="joined_on"
            )
        check_text(("full_name", full_name), ("unit", unit))
        return cls._create(
            cls.Registered,
            id=staff_aggregate_id(staff_id),
            timestamp=recorded_at,
            recorded_by=recorded_by,
            effective_on=joined_on,
            staff_id=staff_id,
            full_name=full_name,
            gender=gender,
            birth_date=birth_date,
            unit=unit,
            position=position,
            rank=rank,
            employment=employment,
            national_id=national_id,
        )

    def enroll(
        self,
        *,
        enrollment_id: str,
        course_code: str,
        course_title: str,
        track: Track,
        level: str | None,
        provider: str,
        mode: Mode,
        starts_on: date,
        ends_on: date | None = None,
        decision_ref: str | None = None,
        funding: Funding | None = None,
        cost: Decimal | None = None,
        country: str | None = None,
        awards_level: bool = True,
        recorded_by: str,
        recorded_at: datetime | None = None,
    ) -> None:
        check_code(enrollment_id, "enrollment_id")
        check_text(("course_code", course_code), ("course_title", course_title), ("provider", provider))
        track = coerce(Track, track, "track")
        check_level(track, level, awards_level=awards_level)
        mode = coerce(Mode, mode, "mode")
        if funding is not None:
            funding = coerce(Funding, funding, "funding")
        if enrollment_id in self.record.enrollments:
            raise errors.DuplicateEnrollment(
                f"Enrollment '{enrollment_id}' is already on the record.", field="enrollment_id"
            )
        self._check_dated(starts_on, "starts_on")
        if starts_on < self.record.joined_on:
            raise errors.BeforeJoining(
                f"The course starts on {starts_on}, before the person joined on "
                f"{self.record.joined_on}; record it as a recognized credential instead.",
                field="starts_on",
            )
        if ends_on is not None and ends_on < starts_on:
            raise errors.InvalidDates(
                f"The course ends on {ends_on}, before it starts on {starts_on}.", field="ends_on"
            )
        if cost is not None and cost < 0:
            raise errors.InvalidInput("The cost cannot be negative.", field="cost")
        self.trigger_event(
            self.Enrolled,
            timestamp=recorded_at,
            recorded_by=recorded_by,
            effective_on=starts_on,
            enrollment_id=enrollment_id,
            course_code=course_code,
            course_title=course_title,
            track=track,
            level=level,
            provider=provider,
            mode=mode,
            ends_on=ends_on,
            decision_ref=decision_ref,
            funding=funding,
            cost=cost,
            country=country,
        )

    def complete(
        self,
        *,
        enrollment_id: str,
        completed_on: date,
        outcome: Outcome,
        credential: CredentialAward | None = None,
        score: Decimal | None = None,
        today: date,
        recorded_by: str,
        recorded_at: datetime | None = None,
    ) -> None:
        """Close an open enrollment as passed (``Completed``) or failed (``Failed``).

        A passed completion of a levelled course awards a credential at the course's track and
        level; the caller supplies its id, title and issuer (defaults live in the application).
        ``today`` is the agency's date when the fact is recorded: an outcome cannot be known
        before it happens.
        """
        outcome = coerce(Outcome, outcome, "outcome")
        enrollment = self._open_enrollment(enrollment_id)
        self._check_dated(completed_on, "completed_on")
        check_not_future(completed_on, today, "completed_on")
        if completed_on < enrollment.starts_on:
            raise errors.DateBeforeStart(
                f"Completed on {completed_on}, before the course started on {enrollment.starts_on}.",
                field="completed_on",
            )
        if score is not None and score < 0:
            raise errors.InvalidInput("The score cannot be negative.", field="score")
        if outcome == Outcome.FAILED:
            if credential is not None:
                raise errors.InvalidInput(
                    "A failed course awards no credential.", field="credential"
                )
            self.trigger_event(
                self.Failed,
                timestamp=recorded_at,
                recorded_by=recorded_by,
                effective_on=completed_on,
                enrollment_id=enrollment_id,
                score=score,
            )
            return
        if enrollment.level is None:
            credential = None  # an unlevelled course (workshop, refresher) awards no level
        elif credential is None:
            raise errors.InvalidInput(
                "A passed levelled course awards a credential: give its details.", field="credential"
            )
        else:
            check_code(credential.credential_id, "credential.credential_id")
            if credential.credential_id in self.record.credentials:
                raise errors.DuplicateCredential(
                    f"Credential '{credential.credential_id}' is already on the record.",
                    field="credential.credential_id",
                )
            if credential.issued_on < enrollment.starts_on:
                raise errors.DateBeforeStart(
                    f"The credential is issued on {credential.issued_on}, before the course "
                    f"started on {enrollment.starts_on}.",
                    field="credential.issued_on",
                )
            self._check_dated(credential.issued_on, "credential.issued_on")
            check_not_future(credential.issued_on, today, "credential.issued_on")
        self.trigger_event(
            self.Completed,
            timestamp=recorded_at,
            recorded_by=recorded_by,
            effective_on=completed_on,
            enrollment_id=enrollment_id,
            credential=credential,
            score=score,
        )

    def withdraw(
        self,
        *,
        enrollment_id: str,
        on: date,
        reason: str,
        today: date,
        recorded_by: str,
        recorded_at: datetime | None = None,
    ) -> None:
        check_text(("reason", reason))
        enrollment = self._open_enrollment(enrollment_id)
        self._check_dated(on, "on")
        check_not_future(on, today, "on")
        if on < enrollment.starts_on:
            raise errors.DateBeforeStart(
                f"Withdrawn on {on}, before the course started on {enrollment.starts_on}.", field="on"
            )
        self.trigger_event(
            self.Withdrawn,
            timestamp=recorded_at,
            recorded_by=recorded_by,
            effective_on=on,
            enrollment_id=enrollment_id,
            reason=reason,
        )

    def recognize_credential(
        self,
        *,
        credential_id: str,
        track: Track,
        level: str | None,
        title: str,
        issuer: str,
        issued_on: date,
        number: str | None,
        evidence: Evidence,
        today: date,
        recorded_by: str,
        recorded_at: datetime | None = None,
        field: str | None = None,
    ) -> None:
        """Record a credential earned outside any recorded enrollment (before joining, self-funded).
        ``today`` is the agency's date when it is recorded: a credential not yet issued is refused."""
        check_code(credential_id, "credential_id")
        check_text(("title", title), ("issuer", issuer))
        track = coerce(Track, track, "track")
        check_level(track, level)
        if credential_id in self.record.credentials:
            raise errors.DuplicateCredential(
                f"Credential '{credential_id}' is already on the record.", field="credential_id"
            )
        if not evidence.document_ref.strip():
            raise errors.MissingEvidence(
                "A recognized credential needs the reference of the document that proves it.",
                field="evidence.document_ref",
            )
        self._check_dated(issued_on, "issued_on")
        check_not_future(issued_on, today, "issued_on")
        self.trigger_event(
            self.CredentialRecognized,
            timestamp=recorded_at,
            recorded_by=recorded_by,
            effective_on=issued_on,
            credential_id=credential_id,
            track=track,
            level=level,
            title=title,
            issuer=issuer,
            number=number,
            evidence=evidence,
            field=field,
        )

    def rotate(
        self,
        *,
        to_unit: str,
        kind: RotationKind,
        starts_on: date,
        decision_ref: str,
        position: str | None = None,
        ends_on: date | None = None,
        recorded_by: str,
        recorded_at: datetime | None = None,
    ) -> None:
        kind = coerce(RotationKind, kind, "kind")
        self._check_dated(starts_on, "starts_on")
        self._check_not_before_joining(starts_on, "starts_on", "A rotation")
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
        self,
        *,
        position: str,
        effective_on: date,
        decision_ref: str,
        waiver: Waiver | None = None,
        unmet: Sequence[UnmetRequirement] = (),
        rule_set: str | None = None,
        recorded_by: str,
        recorded_at: datetime | None = None,
    ) -> None:
        """Record an appointment. ``unmet`` is the verdict of the position standard in force on
        ``effective_on`` (computed by the caller from the rule set named ``rule_set``): any
        requirement due before appointment (``blocking``) refuses the appointment unless a waiver
        is given; the others are recorded with it and open their grace period."""
        check_text(("position", position), ("decision_ref", decision_ref))
        if waiver is not None:
            check_text(("waiver.legal_basis", waiver.legal_basis), ("waiver.reason", waiver.reason))
        self._check_dated(effective_on, "effective_on")
        self._check_not_before_joining(effective_on, "effective_on", "An appointment")
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
        self,
        *,
        position: str,
        from_year: int,
        to_year: int,
        decision_ref: str,
        on: date,
        recorded_by: str,
        recorded_at: datetime | None = None,
    ) -> None:
        """Put the person in the succession-planning pool for ``position`` over the years
        ``from_year``–``to_year`` (a planning period such as 2025–2030), by a decision dated ``on``."""
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
        self._check_dated(on, "on")
        self._check_not_before_joining(on, "on", "A planning decision")
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

    def evaluate(
        self,
        *,
        kind: EvaluationKind,
        rating: Rating,
        evaluator: str,
        year: int | None = None,
        enrollment_id: str | None = None,
        on: date | None = None,
        score: Decimal | None = None,
        notes: str | None = None,
        today: date,
        recorded_by: str,
        recorded_at: datetime | None = None,
    ) -> None:
        """Record an annual rating (dated the last day of ``year``) or a post-training evaluation.

        ``today`` is the agency's date when it is recorded: a post-training evaluation cannot be
        dated after it, nor an annual rating be of a later year (the rating of the current year is
        made in its last weeks, before the 31 December it is dated)."""
        kind = coerce(EvaluationKind, kind, "kind")
        rating = coerce(Rating, rating, "rating")
        check_text(("evaluator", evaluator))
        if score is not None and score < 0:
            raise errors.InvalidInput("The score cannot be negative.", field="score")
        if kind == EvaluationKind.ANNUAL:
            if year is None:
                raise errors.InvalidInput("An annual evaluation needs the year.", field="year")
            if enrollment_id is not None:
                raise errors.InvalidInput(
                    "An annual evaluation is not about one enrollment.", field="enrollment_id"
                )
            if self.record.annual_rating(year) is not None:
                raise errors.DuplicateEvaluation(
                    f"{self.record.staff_id} already has an annual rating for {year}; "
                    "void it with a correction before recording another.",
                    field="year",
                )
            if not 1 <= year <= 9999:
                raise errors.InvalidInput(f"{year} is not a year.", field="year")
            if year > today.year:
                raise errors.DatedInFuture(
                    f"year {year} is after the current year (today is {today}, the agency's "
                    "date): a year is rated once it is being judged.",
                    field="year",
                )
            effective_on = date(year, 12, 31)
            if effective_on < self.record.birth_date:
                raise errors.DatedBeforeBirth(
                    f"{year} is before the birth date {self.record.birth_date}.", field="year"
                )
            if year < self.record.joined_on.year:
                raise errors.BeforeJoining(
                    f"{year} is before the person joined on {self.record.joined_on}.", field="year"
                )
            departed = self.record.departed_on
            if departed is not None and year > departed.year:
                raise errors.AfterDeparture(
                    f"{year} is after the person departed on {departed}.", field="year"
                )
        else:
            if enrollment_id is None:
                raise errors.InvalidInput(
                    "A post-training evaluation names the enrollment it evaluates.",
                    field="enrollment_id",
                )
            if year is not None:
                raise errors.InvalidInput(
                    "A post-training evaluation is dated by 'on', not by year.", field="year"
                )
            enrollment = self.record.enrollments.get(enrollment_id)
            if enrollment is None:
                raise errors.EnrollmentNotFound(
                    f"No enrollment '{enrollment_id}' on the record of {self.record.staff_id}.",
                    field="enrollment_id",
                )
            if enrollment.status != EnrollmentStatus.COMPLETED:
                raise errors.EnrollmentNotCompleted(
                    f"Enrollment '{enrollment_id}' is {enrollment.status}; only a completed "
                    "course can be evaluated after training.",
                    field="enrollment_id",
                )
            if on is None:
                raise errors.InvalidInput("A post-training evaluation needs its date.", field="on")
            self._check_dated(on, "on")
            check_not_future(on, today, "on")
            if enrollment.closed_on is not None and on < enrollment.closed_on:
                raise errors.DateBeforeStart(
                    f"Evaluated on {on}, before the course was completed on {enrollment.closed_on}.",
                    field="on",
                )
            effective_on = on
        self.trigger_event(
            self.Evaluated,
            timestamp=recorded_at,
            recorded_by=recorded_by,
            effective_on=effective_on,
            kind=kind,
            year=year,
            enrollment_id=enrollment_id,
            rating=rating,
            score=score,
            evaluator=evaluator,
            notes=notes,
        )

    def depart(
        self,
        *,
        on: date,
        reason: str,
        category: DepartureCategory | None = None,
        today: date,
        recorded_by: str,
        recorded_at: datetime | None = None,
    ) -> None:
        """Take the person off the roll from ``on``; ``today`` is the agency's date when it is
        recorded (a departure is recorded once it has happened)."""
        if category is not None:
            category = coerce(DepartureCategory, category, "category")
        check_text(("reason", reason))
        if self.record.departed_on is not None:
            raise errors.AlreadyDeparted(
                f"{self.record.staff_id} already departed on {self.record.departed_on}.", field="on"
            )
        self._check_dated(on, "on")
        check_not_future(on, today, "on")
        self._check_not_before_joining(on, "on", "A departure")
        later = self._events_dated_after(on)
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
        self,
        *,
        event_id: str,
        reason: str,
        on: date,
        recorded_by: str,
        recorded_at: datetime | None = None,
    ) -> None:
        """Void an earlier event of this staff member; the history keeps both."""
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
            raise errors.EventNotFound(
                f"{self.record.staff_id} has no event '{event_id}'.", field="event_id"
            )
        if event_id in self.voided:
            raise errors.AlreadyVoided(
                f"Event '{event_id}' was already voided by '{self.voided[event_id]}'.",
                field="event_id",
            )
        target = self.history[version - 1]
        if isinstance(target, StaffMember.NationalIdCorrected):
            raise errors.CannotVoidCorrection(
                f"Event '{event_id}' corrects the national_id and cannot be voided; record another "
                "national_id correction instead.",
                field="event_id",
            )
        if isinstance(target, StaffMember.Corrected):
            raise errors.CannotVoidCorrection(
                f"Event '{event_id}' is a correction and cannot be voided; record the fact again instead.",
                field="event_id",
            )
        if isinstance(target, StaffMember.Registered):
            raise errors.CannotVoidEvent(
                "The registration cannot be voided: it is what the rest of the record hangs on.",
                field="event_id",
            )
        dependants = self._live_dependants(event_id, target)
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
        self,
        *,
        national_id: str | None,
        reason: str,
        recorded_by: str,
        recorded_at: datetime | None = None,
    ) -> None:
        """Set, change or (``None``) remove the personal identification number. Allowed after a
        departure, as every correction is. That no one else holds the number is checked by the
        store, in the transaction that records the event (``ledger.store.persistence``)."""
        if national_id is not None:
            check_national_id(national_id)
        check_text(("reason", reason))
        if national_id == self.record.national_id:
            raise errors.NothingToCorrect(
                "The record already holds this national_id." if national_id is not None
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

    # ---------------------------------------------------------------- helpers

    def _open_enrollment(self, enrollment_id: str) -> EnrollmentState:
        enrollment = self.record.enrollments.get(enrollment_id)
        if enrollment is None:
            raise errors.EnrollmentNotFound(
                f"No enrollment '{enrollment_id}' on the record of {self.record.staff_id}.",
                field="enrollment_id",
            )
        if not enrollment.is_open:
            raise errors.EnrollmentClosed(
                f"Enrollment '{enrollment_id}' is already {enrollment.status} "
                f"(on {enrollment.closed_on}).",
                field="enrollment_id",
            )
        return enrollment

    def _check_dated(self, day: date, field: str) -> None:
        if day < self.record.birth_date:
            raise errors.DatedBeforeBirth(
                f"{field} {day} is before the birth date {self.record.birth_date}.", field=field
            )
        departed = self.record.departed_on
        if departed is not None and day > departed:
            raise errors.AfterDeparture(
                f"{field} {day} is after the person departed on {departed}.", field=field
            )

    def _check_not_before_joining(self, day: date, field: str, what: str) -> None:
        if day < self.record.joined_on:
            raise errors.BeforeJoining(
                f"{what} dated {day} is before the person joined on {self.record.joined_on}.",
                field=field,
            )

    def _events_dated_after(self, day: date) -> list[str]:
        """Ids of the facts in force dated after ``day``, so that a departure never leaves events
        after it. An annual rating counts from the start of its year, as ``evaluate`` allows the
        rating of the year of departure."""
        record = self.record
        dated: list[tuple[date, str | None]] = []
        for enrollment in record.enrollments.values():
            dated.append((enrollment.starts_on, enrollment.event_id))
            if enrollment.closed_on is not None:
                dated.append((enrollment.closed_on, enrollment.closed_event_id))
        dated += [(c.issued_on, c.event_id) for c in record.credentials.values()]
        dated += [(r.starts_on, r.event_id) for r in record.rotations]
        dated += [(a.effective_on, a.event_id) for a in record.appointments]
        dated += [(p.decided_on, p.event_id) for p in record.planned]
        dated += [
            (date(e.year, 1, 1) if e.kind == EvaluationKind.ANNUAL and e.year else e.effective_on, e.event_id)
            for e in record.evaluations
        ]
        later = {event_id for on, event_id in dated if on > day and event_id is not None}
        return sorted(later, key=lambda event_id: int(event_id.rpartition(":")[2]))

    def _live_dependants(self, event_id: str, target: StaffEvent) -> list[str]:
        """Events still in force that would lose their footing if ``target`` were voided."""
        enrollment_id = getattr(target, "enrollment_id", None)
        if enrollment_id is None:
            return []
        enrollment = self.record.enrollments.get(enrollment_id)
        if enrollment is None:
            return []
        dependants: list[str] = []
        if isinstance(target, StaffMember.Enrolled) and enrollment.closed_event_id:
            dependants.append(enrollment.closed_event_id)
        if isinstance(target, (StaffMember.Enrolled, StaffMember.Completed)):
            dependants += [
                e.event_id for e in self.record.evaluations if e.enrollment_id == enrollment_id
            ]
        return dependants


def start_record(event: StaffMember.Registered) -> StaffRecord:
    return StaffRecord(
        staff_id=event.staff_id,
        full_name=event.full_name,
        gender=event.gender,
        birth_date=event.birth_date,
        home_unit=event.unit,
        position=event.position,
        rank=event.rank,
        employment=event.employment,
        joined_on=event.effective_on,
        national_id=event.national_id,
    )


def live_events(
    events: Iterable[StaffEvent], *, known_at: datetime | None = None
) -> list[StaffEvent]:
    """The events in force as the ledger knew them at ``known_at`` (default: now): recorded by
    then, corrections removed together with the events they void."""
    known = [e for e in events if known_at is None or e.timestamp <= known_at]
    staff_id = next(
        (e.staff_id for e in known if isinstance(e, StaffMember.Registered)), None
    )
    voided = {e.voided_event_id for e in known if isinstance(e, StaffMember.Corrected)}
    return [
        e
        for e in known
        if not isinstance(e, StaffMember.Corrected)
        and (staff_id is None or make_event_id(staff_id, e.originator_version) not in voided)
    ]


def fold_record(
    events: Sequence[StaffEvent],
    *,
    as_of: date | None = None,
    known_at: datetime | None = None,
) -> StaffRecord:
    """Build the record from a staff member's events, on business date ``as_of`` as the ledger
    knew it at ``known_at``. The registration always counts (it identifies the person; the
    record's status says whether they had joined by ``as_of``)."""
    record: StaffRecord | None = None
    for event in live_events(events, known_at=known_at):
        if isinstance(event, StaffMember.Registered):
            record = start_record(event)
        elif record is not None and (
            as_of is None
            or event.effective_on <= as_of
            # Corrects the registration, which counts at every as_of.
            or isinstance(event, StaffMember.NationalIdCorrected)
        ):
            event.fold(record, make_event_id(record.staff_id, event.originator_version))
    if record is None:
        raise errors.StaffNotFound("No registration among these events.")
    return record


def event_data(event: StaffEvent) -> dict[str, Any]:
    """An event's own fields (without id, version and recording time), for history and export."""
    skip = {"originator_id", "originator_version", "timestamp", "originator_topic"}
    return {k: v for k, v in vars(event).items() if k not in skip}


EVENT_TYPES: dict[str, type[StaffEvent]] = {
    cls.__name__: cls
    for cls in (
        StaffMember.Registered,
        StaffMember.Enrolled,
        StaffMember.Completed,
        StaffMember.Failed,
        StaffMember.Withdrawn,
        StaffMember.CredentialRecognized,
        StaffMember.Rotated,
        StaffMember.Appointed,
        StaffMember.Planned,
        StaffMember.Evaluated,
        StaffMember.Departed,
        StaffMember.Corrected,
        StaffMember.NationalIdCorrected,
    )
}

# The name each event's business date goes by, for history and trails (docs/api.md,
# "Business dates").
BUSINESS_DATE_FIELD: dict[str, str] = {
    "Registered": "joined_on",
    "Enrolled": "starts_on",
    "Completed": "completed_on",
    "Failed": "completed_on",
    "Withdrawn": "on",
    "CredentialRecognized": "issued_on",
    "Rotated": "starts_on",
    "Appointed": "effective_on",
    "Planned": "on",
    "Evaluated": "effective_on",
    "Departed": "on",
    "Corrected": "on",
    # A correction of the registration takes effect on the registration's date.
    "NationalIdCorrected": "joined_on",
}
