"""The training commands of a staff member: enroll in a course, complete or withdraw from it,
recognize a credential earned elsewhere, and evaluate (annual ratings, post-training
evaluations). Each checks its rules against the current record and raises a named error before
anything is triggered. Mixed into the aggregate (``ledger.staff.StaffMember``)."""

from __future__ import annotations

from datetime import date, datetime

from ledger.domain import errors
from ledger.domain.catalog import EvaluationKind, Funding, Mode, Outcome, Rating, Track
from ledger.domain.checks import (
    check_code,
    check_dated,
    check_level,
    check_not_future,
    check_text,
    coerce,
    open_enrollment,
)
from ledger.domain.commands import Complete, Enroll, Evaluate, RecognizeCredential, Withdraw, fields_of
from ledger.domain.member import Member
from ledger.domain.record import CredentialAward, EnrollmentStatus


class TrainingCommands:
    """The aggregate's training commands; ``self`` is the aggregate (:class:`Member`)."""

    def enroll(
        self: Member, command: Enroll, *, recorded_by: str, recorded_at: datetime | None = None
    ) -> None:
        enrollment_id = command.enrollment_id
        if enrollment_id is None:
            # The application makes the id of an enrollment its caller left out.
            raise errors.InvalidInput("An enrollment needs its id.", field="enrollment_id")
        starts_on, ends_on, cost = command.starts_on, command.ends_on, command.cost
        check_code(enrollment_id, "enrollment_id")
        check_text(
            ("course_code", command.course_code),
            ("course_title", command.course_title),
            ("provider", command.provider),
        )
        track = coerce(Track, command.track, "track")
        check_level(track, command.level, awards_level=command.awards_level)
        mode = coerce(Mode, command.mode, "mode")
        funding = command.funding
        if funding is not None:
            funding = coerce(Funding, funding, "funding")
        if enrollment_id in self.record.enrollments:
            raise errors.DuplicateEnrollment(
                f"Enrollment '{enrollment_id}' is already on the record.", field="enrollment_id"
            )
        check_dated(self.record, starts_on, "starts_on")
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
            **{
                **fields_of(command, "starts_on", "awards_level"),
                "track": track,
                "mode": mode,
                "funding": funding,
            },
        )

    def complete(
        self: Member,
        command: Complete,
        *,
        credential: CredentialAward | None,
        today: date,
        recorded_by: str,
        recorded_at: datetime | None = None,
    ) -> None:
        """Close an open enrollment as passed (``Completed``) or failed (``Failed``).

        A passed completion of a levelled course awards ``credential`` at the course's track and
        level (the caller makes it from ``command.credential``, with its defaults and id).
        ``today`` is the agency's date when the fact is recorded: an outcome cannot be known
        before it happens.
        """
        enrollment_id, completed_on, score = command.enrollment_id, command.completed_on, command.score
        outcome = coerce(Outcome, command.outcome, "outcome")
        enrollment = open_enrollment(self.record, enrollment_id)
        check_dated(self.record, completed_on, "completed_on")
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
            check_dated(self.record, credential.issued_on, "credential.issued_on")
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
        self: Member, command: Withdraw, *, today: date, recorded_by: str, recorded_at: datetime | None = None
    ) -> None:
        enrollment_id, on = command.enrollment_id, command.on
        check_text(("reason", command.reason))
        enrollment = open_enrollment(self.record, enrollment_id)
        check_dated(self.record, on, "on")
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
            **fields_of(command, "on"),
        )

    def recognize_credential(
        self: Member,
        command: RecognizeCredential,
        *,
        today: date,
        recorded_by: str,
        recorded_at: datetime | None = None,
    ) -> None:
        """Record a credential earned outside any recorded enrollment (before joining, self-funded).
        ``today`` is the agency's date when it is recorded: a credential not yet issued is refused."""
        credential_id, issued_on, evidence = command.credential_id, command.issued_on, command.evidence
        if credential_id is None:
            # The application makes the id of a credential its caller left out.
            raise errors.InvalidInput("A recognized credential needs its id.", field="credential_id")
        check_code(credential_id, "credential_id")
        check_text(("title", command.title), ("issuer", command.issuer))
        track = coerce(Track, command.track, "track")
        check_level(track, command.level)
        if credential_id in self.record.credentials:
            raise errors.DuplicateCredential(
                f"Credential '{credential_id}' is already on the record.", field="credential_id"
            )
        if not evidence.document_ref.strip():
            raise errors.MissingEvidence(
                "A recognized credential needs the reference of the document that proves it.",
                field="evidence.document_ref",
            )
        check_dated(self.record, issued_on, "issued_on")
        check_not_future(issued_on, today, "issued_on")
        self.trigger_event(
            self.CredentialRecognized,
            timestamp=recorded_at,
            recorded_by=recorded_by,
            effective_on=issued_on,
            **{**fields_of(command, "issued_on"), "track": track},
        )

    def evaluate(
        self: Member,
        command: Evaluate,
        *,
        today: date,
        recorded_by: str,
        recorded_at: datetime | None = None,
    ) -> None:
        """Record an annual rating (dated the last day of ``year``) or a post-training evaluation.

        ``today`` is the agency's date when it is recorded: a post-training evaluation cannot be
        dated after it, nor an annual rating be of a later year (the rating of the current year is
        made in its last weeks, before the 31 December it is dated)."""
        year, enrollment_id, on, score = command.year, command.enrollment_id, command.on, command.score
        kind = coerce(EvaluationKind, command.kind, "kind")
        rating = coerce(Rating, command.rating, "rating")
        check_text(("evaluator", command.evaluator))
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
            check_dated(self.record, on, "on")
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
            **{**fields_of(command, "on"), "kind": kind, "rating": rating},
        )
