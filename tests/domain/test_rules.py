"""The rules of the record, checked on the StaffMember aggregate alone: no database, no clock.

Each refused command must raise its named error, carry the offending field and a message, and
leave the aggregate exactly as it was. The positive behaviours (awards, highest level, corrections,
the two time axes) are checked on the record the events fold into.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from ledger.domain import catalog, errors
from ledger.domain.catalog import (
    Employment,
    EvaluationKind,
    Gender,
    Mode,
    Outcome,
    Rating,
    RotationKind,
    Track,
)
from ledger.domain.commands import (
    Appoint,
    Complete,
    Correct,
    Depart,
    Enroll,
    Evaluate,
    RecognizeCredential,
    Register,
    Rotate,
    Withdraw,
)
from ledger.domain.fold import fold_record, live_events
from ledger.domain.record import CredentialAward, EnrollmentStatus, Evidence, Waiver
from ledger.staff import StaffMember

BORN = date(1980, 5, 17)
JOINED = date(2005, 3, 1)
STARTS = date(2019, 3, 1)
COMPLETED = date(2020, 6, 30)
DEPARTED = date(2024, 9, 30)
REGISTRAR = "to-chuc-can-bo"
# The agency's date when facts without a recording time of their own are recorded: after every
# business date of these tests, so that only the rule under test can refuse them.
TODAY = date(2025, 6, 2)



def as_command(kind: Any, fields: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    """The write ``kind`` made of the fields that are its own, and the others (the envelope,
    what the application resolves) to pass beside it."""
    names = {f.name for f in dataclasses.fields(kind)}
    return kind(**{k: v for k, v in fields.items() if k in names}), {
        k: v for k, v in fields.items() if k not in names
    }

def at(day: date, hour: int = 9) -> datetime:
    """A recording time on ``day`` (UTC)."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def new_member(**overrides: Any) -> StaffMember:
    fields: dict[str, Any] = {
        "staff_id": "NV001",
        "full_name": "Nguyễn Thị Hồng Nhung",
        "gender": Gender.FEMALE,
        "birth_date": BORN,
        "unit": "Phòng Tổ chức cán bộ",
        "joined_on": JOINED,
        "position": "Chuyên viên",
        "rank": "01.003",
        "employment": Employment.CIVIL_SERVANT,
        "recorded_by": REGISTRAR,
        "recorded_at": at(JOINED),
    }
    fields.update(overrides)
    command, beside = as_command(Register, fields)
    return StaffMember.register(command, **beside)


def enroll(member: StaffMember, enrollment_id: str = "E1", **overrides: Any) -> None:
    fields: dict[str, Any] = {
        "enrollment_id": enrollment_id,
        "course_code": "LLCT-TC",
        "course_title": "Trung cấp lý luận chính trị - hành chính",
        "track": Track.POLITICAL_THEORY,
        "level": "intermediate",
        "provider": "Trường Chính trị tỉnh",
        "mode": Mode.PART_TIME,
        "starts_on": STARTS,
        "ends_on": date(2020, 6, 1),
        "decision_ref": "QĐ 123/QĐ-UBND",
        "recorded_by": REGISTRAR,
    }
    fields.update(overrides)
    recorded_at = fields.pop("recorded_at", at(fields["starts_on"]))
    recorded_by = fields.pop("recorded_by")
    member.enroll(Enroll(**fields), recorded_by=recorded_by, recorded_at=recorded_at)


def award(credential_id: str = "C1", issued_on: date = COMPLETED) -> CredentialAward:
    return CredentialAward(
        credential_id=credential_id,
        title="Bằng Trung cấp lý luận chính trị - hành chính",
        issuer="Trường Chính trị tỉnh",
        issued_on=issued_on,
        number="TC-2020-0042",
    )


def complete(
    member: StaffMember,
    enrollment_id: str = "E1",
    *,
    on: date = COMPLETED,
    credential: CredentialAward | None = None,
    outcome: Outcome = Outcome.PASSED,
    **overrides: Any,
) -> None:
    if credential is None and outcome == Outcome.PASSED:
        enrollment = member.record.enrollments.get(enrollment_id)
        if enrollment is not None and enrollment.level is not None:
            credential = award(f"C-{enrollment_id}", on)
    recorded_at = overrides.pop("recorded_at", at(on))
    today = overrides.pop("today", TODAY)
    member.complete(
        Complete(enrollment_id=enrollment_id, completed_on=on, outcome=outcome, **overrides),
        credential=credential,
        recorded_by=REGISTRAR,
        recorded_at=recorded_at,
        today=today,
    )


def fail(member: StaffMember, enrollment_id: str = "E1", *, on: date = COMPLETED) -> None:
    complete(member, enrollment_id, on=on, outcome=Outcome.FAILED, score=Decimal("4.5"))


def withdraw(member: StaffMember, enrollment_id: str = "E1", *, on: date = date(2019, 9, 1)) -> None:
    member.withdraw(
        Withdraw(enrollment_id=enrollment_id, on=on, reason="Điều động công tác khác"),
        today=TODAY,
        recorded_by=REGISTRAR,
        recorded_at=at(on),
    )


def recognize(member: StaffMember, credential_id: str = "R1", **overrides: Any) -> None:
    fields: dict[str, Any] = {
        "credential_id": credential_id,
        "track": Track.PROFESSIONAL,
        "level": "bachelor",
        "title": "Cử nhân Luật",
        "issuer": "Trường Đại học Luật Hà Nội",
        "issued_on": date(2002, 6, 15),
        "number": "QH-2002-1234",
        "evidence": Evidence(document_ref="Hồ sơ cán bộ số 15/2005", verified_by="Phòng TCCB"),
        "recorded_by": REGISTRAR,
    }
    fields.update(overrides)
    fields.setdefault("recorded_at", at(JOINED, 10))
    fields.setdefault("today", TODAY)
    command, beside = as_command(RecognizeCredential, fields)
    member.recognize_credential(command, **beside)


def rotate(member: StaffMember, **overrides: Any) -> None:
    fields: dict[str, Any] = {
        "to_unit": "Chi cục Thuế khu vực I",
        "kind": RotationKind.ROTATION,
        "starts_on": date(2021, 1, 4),
        "ends_on": date(2024, 1, 3),
        "decision_ref": "QĐ 45/QĐ-TCT",
        "position": "Phó Chi cục trưởng",
        "recorded_by": REGISTRAR,
    }
    fields.update(overrides)
    fields.setdefault("recorded_at", at(fields["starts_on"]))
    command, beside = as_command(Rotate, fields)
    member.rotate(command, **beside)


def appoint(member: StaffMember, **overrides: Any) -> None:
    fields: dict[str, Any] = {
        "position": "Phó Trưởng phòng",
        "effective_on": date(2022, 6, 1),
        "decision_ref": "QĐ 77/QĐ-CT",
        "recorded_by": REGISTRAR,
    }
    fields.update(overrides)
    fields.setdefault("recorded_at", at(fields["effective_on"]))
    command, beside = as_command(Appoint, fields)
    member.appoint(command, **beside)


def rate(member: StaffMember, year: int, rating: Rating = Rating.GOOD) -> None:
    member.evaluate(
        Evaluate(kind=EvaluationKind.ANNUAL, year=year, rating=rating, evaluator="Chi cục trưởng"),
        today=TODAY,
        recorded_by=REGISTRAR,
        recorded_at=at(date(year, 12, 31)),
    )


def evaluate_after(member: StaffMember, enrollment_id: str = "E1", *, on: date = date(2021, 1, 15)) -> None:
    member.evaluate(
        Evaluate(
            kind=EvaluationKind.POST_TRAINING,
            enrollment_id=enrollment_id,
            on=on,
            rating=Rating.EXCELLENT,
            score=Decimal("9.25"),
            evaluator="Trưởng phòng",
        ),
        today=TODAY,
        recorded_by=REGISTRAR,
        recorded_at=at(on),
    )


def depart(member: StaffMember, *, on: date = DEPARTED) -> None:
    member.depart(Depart(on=on, reason="Nghỉ hưu"), today=TODAY, recorded_by=REGISTRAR, recorded_at=at(on))


def correct(member: StaffMember, event_id: str, *, on: date = date(2025, 2, 3)) -> None:
    member.correct(
        Correct(event_id=event_id, reason="Nhập nhầm"),
        on=on,
        recorded_by=REGISTRAR,
        recorded_at=at(on),
    )


@contextmanager
def refused(member: StaffMember | None, error: type[errors.LedgerError], field: str) -> Iterator[None]:
    """The block raises ``error`` about ``field``, with a message, and changes nothing."""
    version = member.version if member is not None else None
    pending = len(member.pending_events) if member is not None else None
    with pytest.raises(error) as caught:
        yield
    assert caught.value.field == field
    assert caught.value.message.strip()
    assert str(caught.value) == caught.value.message
    if member is not None:
        assert member.version == version
        assert len(member.pending_events) == pending


# ----------------------------------------------------------------- registration


def test_joining_before_birth_is_refused() -> None:
    with refused(None, errors.DatedBeforeBirth, "joined_on"):
        new_member(joined_on=date(1979, 1, 1))


def test_a_blank_name_is_refused() -> None:
    with refused(None, errors.InvalidInput, "full_name"):
        new_member(full_name="   ")


def test_a_blank_unit_is_refused() -> None:
    with refused(None, errors.InvalidInput, "unit"):
        new_member(unit="")


@pytest.mark.parametrize("staff_id", ["", "NV 001", "NV:001", "x" * 41, "NV/01"])
def test_a_staff_id_outside_the_code_alphabet_is_refused(staff_id: str) -> None:
    with refused(None, errors.InvalidInput, "staff_id"):
        new_member(staff_id=staff_id)


def test_an_unknown_gender_is_refused() -> None:
    with refused(None, errors.InvalidInput, "gender"):
        new_member(gender="other")


def test_registration_keeps_vietnamese_names_exactly() -> None:
    member = new_member(full_name="Trần Thị Ngọc Ánh")
    assert member.record.full_name == "Trần Thị Ngọc Ánh"
    assert member.record.home_unit == "Phòng Tổ chức cán bộ"
    assert member.last_event_id == "NV001:1"


BLANK_TEXT: dict[str, Callable[[StaffMember], None]] = {
    "course_code": lambda m: enroll(m, course_code=" "),
    "course_title": lambda m: enroll(m, course_title=""),
    "provider": lambda m: enroll(m, provider="\t"),
    "title": lambda m: recognize(m, title=" "),
    "issuer": lambda m: recognize(m, issuer=""),
    "to_unit": lambda m: rotate(m, to_unit=" "),
    "decision_ref": lambda m: rotate(m, decision_ref=""),
    "position": lambda m: appoint(m, position="  "),
    "waiver.legal_basis": lambda m: appoint(
        m, waiver=Waiver(legal_basis=" ", deadline=date(2023, 1, 1), reason="Bổ sung sau")
    ),
    "waiver.reason": lambda m: appoint(
        m, waiver=Waiver(legal_basis="TT 12/2022", deadline=date(2023, 1, 1), reason="")
    ),
    "evaluator": lambda m: m.evaluate(
        Evaluate(kind=EvaluationKind.ANNUAL, year=2022, rating=Rating.GOOD, evaluator=" "),
        today=TODAY,
        recorded_by=REGISTRAR,
    ),
    "reason": lambda m: m.depart(Depart(on=DEPARTED, reason=" "), today=TODAY, recorded_by=REGISTRAR),
}


@pytest.mark.parametrize("field", list(BLANK_TEXT))
def test_blank_required_text_is_refused(field: str) -> None:
    member = new_member()
    with refused(member, errors.InvalidInput, field):
        BLANK_TEXT[field](member)


def test_a_withdrawal_without_a_reason_is_refused() -> None:
    member = new_member()
    enroll(member)
    with refused(member, errors.InvalidInput, "reason"):
        member.withdraw(
            Withdraw(enrollment_id="E1", on=date(2019, 5, 1), reason=""), today=TODAY, recorded_by=REGISTRAR
        )


def test_a_correction_without_a_reason_is_refused() -> None:
    member = new_member()
    recognize(member)
    with refused(member, errors.InvalidInput, "reason"):
        member.correct(Correct(event_id="NV001:2", reason=" "), on=date(2025, 1, 1), recorded_by=REGISTRAR)


# ----------------------------------------------------------------------- levels


def test_a_level_that_is_not_in_its_track_is_refused() -> None:
    member = new_member()
    with refused(member, errors.InvalidLevel, "level"):
        enroll(member, track=Track.POLITICAL_THEORY, level="master")


def test_a_levelled_track_without_a_level_is_refused() -> None:
    member = new_member()
    with refused(member, errors.InvalidLevel, "level"):
        enroll(member, track=Track.STATE_MANAGEMENT, level=None)


def test_a_level_on_the_other_track_is_refused() -> None:
    member = new_member()
    with refused(member, errors.InvalidLevel, "level"):
        enroll(member, track=Track.OTHER, level="basic")


def test_a_recognized_credential_with_a_level_outside_its_track_is_refused() -> None:
    member = new_member()
    with refused(member, errors.InvalidLevel, "level"):
        recognize(member, track=Track.IT, level="bachelor")


def test_an_unknown_track_is_refused() -> None:
    member = new_member()
    with refused(member, errors.InvalidInput, "track"):
        enroll(member, track="astrology")


def test_an_unknown_mode_is_refused() -> None:
    member = new_member()
    with refused(member, errors.InvalidInput, "mode"):
        enroll(member, mode="by_post")


def test_an_enrollment_on_the_other_track_needs_no_level() -> None:
    member = new_member()
    enroll(member, track=Track.OTHER, level=None)
    assert member.record.enrollments["E1"].level is None


# ---------------------------------------------------- closing an enrollment


def test_completing_an_unknown_enrollment_is_refused() -> None:
    member = new_member()
    with refused(member, errors.EnrollmentNotFound, "enrollment_id"):
        complete(member, "E404", credential=award())


def test_failing_an_unknown_enrollment_is_refused() -> None:
    member = new_member()
    with refused(member, errors.EnrollmentNotFound, "enrollment_id"):
        fail(member, "E404")


def test_withdrawing_from_an_unknown_enrollment_is_refused() -> None:
    member = new_member()
    with refused(member, errors.EnrollmentNotFound, "enrollment_id"):
        withdraw(member, "E404")


CLOSERS = {"completed": complete, "failed": fail, "withdrawn": withdraw}


@pytest.mark.parametrize("closed_as", list(CLOSERS))
@pytest.mark.parametrize("action", list(CLOSERS))
def test_an_enrollment_already_closed_cannot_be_closed_again(closed_as: str, action: str) -> None:
    member = new_member()
    enroll(member)
    CLOSERS[closed_as](member)
    assert member.record.enrollments["E1"].status == closed_as
    with refused(member, errors.EnrollmentClosed, "enrollment_id"):
        if action == "completed":
            complete(member, credential=award("C-again"))
        else:
            CLOSERS[action](member)


def test_the_closed_enrollment_error_says_how_it_was_closed() -> None:
    member = new_member()
    enroll(member)
    withdraw(member)
    with pytest.raises(errors.EnrollmentClosed, match="withdrawn"):
        complete(member, credential=award())


def test_completion_before_the_start_is_refused() -> None:
    member = new_member()
    enroll(member)
    with refused(member, errors.DateBeforeStart, "completed_on"):
        complete(member, on=date(2019, 2, 28), credential=award(issued_on=date(2019, 3, 5)))


def test_failure_before_the_start_is_refused() -> None:
    member = new_member()
    enroll(member)
    with refused(member, errors.DateBeforeStart, "completed_on"):
        fail(member, on=date(2019, 2, 1))


def test_withdrawal_before_the_start_is_refused() -> None:
    member = new_member()
    enroll(member)
    with refused(member, errors.DateBeforeStart, "on"):
        withdraw(member, on=date(2019, 1, 31))


def test_a_credential_issued_before_the_course_started_is_refused() -> None:
    member = new_member()
    enroll(member)
    with refused(member, errors.DateBeforeStart, "credential.issued_on"):
        complete(member, credential=award(issued_on=date(2018, 12, 1)))


def test_a_passed_levelled_course_without_credential_details_is_refused() -> None:
    member = new_member()
    enroll(member)
    with refused(member, errors.InvalidInput, "credential"):
        member.complete(
            Complete(enrollment_id="E1", completed_on=COMPLETED, outcome=Outcome.PASSED),
            credential=None,
            today=TODAY,
            recorded_by=REGISTRAR,
        )


def test_a_failed_course_with_a_credential_is_refused() -> None:
    member = new_member()
    enroll(member)
    with refused(member, errors.InvalidInput, "credential"):
        complete(member, outcome=Outcome.FAILED, credential=award())


def test_an_unknown_outcome_is_refused() -> None:
    member = new_member()
    enroll(member)
    with refused(member, errors.InvalidInput, "outcome"):
        complete(member, outcome="distinction", credential=award())  # type: ignore[arg-type]


def test_a_negative_score_is_refused() -> None:
    member = new_member()
    enroll(member)
    with refused(member, errors.InvalidInput, "score"):
        complete(member, score=Decimal("-1"))


# ------------------------------------------------------------------ birth date


BEFORE_BIRTH = date(1979, 12, 31)


def test_an_enrollment_dated_before_birth_is_refused() -> None:
    member = new_member()
    with refused(member, errors.DatedBeforeBirth, "starts_on"):
        enroll(member, starts_on=BEFORE_BIRTH, ends_on=None)


def test_a_completion_dated_before_birth_is_refused() -> None:
    member = new_member()
    enroll(member)
    with refused(member, errors.DatedBeforeBirth, "completed_on"):
        complete(member, on=BEFORE_BIRTH, credential=award())


def test_a_withdrawal_dated_before_birth_is_refused() -> None:
    member = new_member()
    enroll(member)
    with refused(member, errors.DatedBeforeBirth, "on"):
        withdraw(member, on=BEFORE_BIRTH)


def test_a_recognized_credential_dated_before_birth_is_refused() -> None:
    member = new_member()
    with refused(member, errors.DatedBeforeBirth, "issued_on"):
        recognize(member, issued_on=BEFORE_BIRTH)


def test_a_rotation_dated_before_birth_is_refused() -> None:
    member = new_member()
    with refused(member, errors.DatedBeforeBirth, "starts_on"):
        rotate(member, starts_on=BEFORE_BIRTH, ends_on=None)


def test_an_appointment_dated_before_birth_is_refused() -> None:
    member = new_member()
    with refused(member, errors.DatedBeforeBirth, "effective_on"):
        appoint(member, effective_on=BEFORE_BIRTH)


def test_a_post_training_evaluation_dated_before_birth_is_refused() -> None:
    member = new_member()
    enroll(member)
    complete(member)
    with refused(member, errors.DatedBeforeBirth, "on"):
        evaluate_after(member, on=BEFORE_BIRTH)


def test_an_annual_rating_for_a_year_before_birth_is_refused() -> None:
    member = new_member()
    with refused(member, errors.DatedBeforeBirth, "year"):
        rate(member, 1979)


def test_a_departure_dated_before_birth_is_refused() -> None:
    member = new_member()
    with refused(member, errors.DatedBeforeBirth, "on"):
        depart(member, on=BEFORE_BIRTH)


# ------------------------------------------------------------------- departure


AFTER_DEPARTURE = date(2024, 10, 1)


@pytest.fixture
def departed() -> StaffMember:
    """A member with an open enrollment and a completed one, who then departed."""
    member = new_member()
    enroll(member, "OPEN", starts_on=date(2024, 3, 1), ends_on=None)
    enroll(member)
    complete(member)
    depart(member)
    return member


def test_an_enrollment_after_departure_is_refused(departed: StaffMember) -> None:
    with refused(departed, errors.AfterDeparture, "starts_on"):
        enroll(departed, "E2", starts_on=AFTER_DEPARTURE, ends_on=None)


def test_a_completion_after_departure_is_refused(departed: StaffMember) -> None:
    with refused(departed, errors.AfterDeparture, "completed_on"):
        complete(departed, "OPEN", on=AFTER_DEPARTURE)


def test_a_failure_after_departure_is_refused(departed: StaffMember) -> None:
    with refused(departed, errors.AfterDeparture, "completed_on"):
        fail(departed, "OPEN", on=AFTER_DEPARTURE)


def test_a_withdrawal_after_departure_is_refused(departed: StaffMember) -> None:
    with refused(departed, errors.AfterDeparture, "on"):
        withdraw(departed, "OPEN", on=AFTER_DEPARTURE)


def test_a_credential_issued_after_departure_is_refused(departed: StaffMember) -> None:
    with refused(departed, errors.AfterDeparture, "credential.issued_on"):
        complete(departed, "OPEN", on=DEPARTED, credential=award("C9", issued_on=AFTER_DEPARTURE))


def test_a_recognized_credential_after_departure_is_refused(departed: StaffMember) -> None:
    with refused(departed, errors.AfterDeparture, "issued_on"):
        recognize(departed, issued_on=AFTER_DEPARTURE)


def test_a_rotation_after_departure_is_refused(departed: StaffMember) -> None:
    with refused(departed, errors.AfterDeparture, "starts_on"):
        rotate(departed, starts_on=AFTER_DEPARTURE, ends_on=None)


def test_an_appointment_after_departure_is_refused(departed: StaffMember) -> None:
    with refused(departed, errors.AfterDeparture, "effective_on"):
        appoint(departed, effective_on=AFTER_DEPARTURE)


def test_a_post_training_evaluation_after_departure_is_refused(departed: StaffMember) -> None:
    with refused(departed, errors.AfterDeparture, "on"):
        evaluate_after(departed, on=AFTER_DEPARTURE)


def test_an_annual_rating_for_a_year_after_departure_is_refused(departed: StaffMember) -> None:
    with refused(departed, errors.AfterDeparture, "year"):
        rate(departed, 2025)


def test_an_annual_rating_for_the_year_of_departure_is_accepted(departed: StaffMember) -> None:
    # The year's rating is dated 31 December but rates the months served before leaving.
    rate(departed, 2024)
    assert departed.record.annual_rating(2024) is not None


def test_a_second_departure_is_refused(departed: StaffMember) -> None:
    with refused(departed, errors.AlreadyDeparted, "on"):
        depart(departed, on=date(2024, 9, 1))


def test_a_departure_dated_before_events_on_the_record_is_refused() -> None:
    member = new_member()
    enroll(member)
    complete(member)
    with refused(member, errors.EventsAfterDeparture, "on"):
        depart(member, on=date(2020, 1, 1))


def test_the_early_departure_error_names_the_later_events() -> None:
    member = new_member()
    enroll(member)
    complete(member)
    with pytest.raises(errors.EventsAfterDeparture, match="NV001:2, NV001:3"):
        depart(member, on=date(2019, 1, 1))


def test_a_departure_before_events_is_accepted_once_they_are_voided() -> None:
    member = new_member()
    appoint(member, effective_on=date(2023, 1, 1))
    correct(member, "NV001:2")
    depart(member, on=date(2022, 12, 31))
    assert member.record.departed_on == date(2022, 12, 31)


def test_a_departure_in_the_year_of_a_recorded_annual_rating_is_accepted() -> None:
    member = new_member()
    rate(member, 2024)
    depart(member)
    assert member.record.departed_on == DEPARTED


def test_a_correction_after_departure_is_accepted(departed: StaffMember) -> None:
    correct(departed, "NV001:4", on=date(2025, 1, 10))
    assert "E1" in departed.record.enrollments
    assert departed.record.enrollments["E1"].status == EnrollmentStatus.ENROLLED
    assert departed.record.departed_on == DEPARTED


def test_events_on_the_day_of_departure_are_accepted(departed: StaffMember) -> None:
    withdraw(departed, "OPEN", on=DEPARTED)
    assert departed.record.enrollments["OPEN"].status == EnrollmentStatus.WITHDRAWN


# --------------------------------------------------------------------- joining


BEFORE_JOINING = date(2005, 2, 28)


def test_an_appointment_before_joining_is_refused() -> None:
    member = new_member()
    with refused(member, errors.BeforeJoining, "effective_on"):
        appoint(member, effective_on=BEFORE_JOINING)


def test_a_rotation_before_joining_is_refused() -> None:
    member = new_member()
    with refused(member, errors.BeforeJoining, "starts_on"):
        rotate(member, starts_on=BEFORE_JOINING, ends_on=None)


def test_a_departure_before_joining_is_refused() -> None:
    member = new_member()
    with refused(member, errors.BeforeJoining, "on"):
        depart(member, on=BEFORE_JOINING)


def test_an_enrollment_before_joining_is_refused() -> None:
    member = new_member()
    with refused(member, errors.BeforeJoining, "starts_on"):
        enroll(member, starts_on=BEFORE_JOINING, ends_on=None)


def test_an_annual_rating_for_a_year_before_joining_is_refused() -> None:
    member = new_member()
    with refused(member, errors.BeforeJoining, "year"):
        rate(member, 2004)


def test_a_credential_earned_before_joining_is_recognized() -> None:
    member = new_member()
    recognize(member, issued_on=date(2002, 6, 15))
    credential = member.record.credentials["R1"]
    assert credential.source == "recognition"
    assert credential.issued_on == date(2002, 6, 15)


# ------------------------------------------------------------------ date ranges


def test_an_enrollment_ending_before_it_starts_is_refused() -> None:
    member = new_member()
    with refused(member, errors.InvalidDates, "ends_on"):
        enroll(member, ends_on=date(2019, 2, 1))


def test_a_rotation_ending_before_it_starts_is_refused() -> None:
    member = new_member()
    with refused(member, errors.InvalidDates, "ends_on"):
        rotate(member, ends_on=date(2020, 12, 31))


def test_a_waiver_whose_deadline_is_before_the_appointment_is_refused() -> None:
    member = new_member()
    waiver = Waiver(legal_basis="Thông tư 12/2022", deadline=date(2022, 5, 1), reason="Bổ sung sau")
    with refused(member, errors.InvalidDates, "waiver.deadline"):
        appoint(member, waiver=waiver)


# --------------------------------------------------------- evidence and duplicates


def test_a_recognized_credential_without_evidence_is_refused() -> None:
    member = new_member()
    with refused(member, errors.MissingEvidence, "evidence.document_ref"):
        recognize(member, evidence=Evidence(document_ref="  "))


def test_a_duplicate_enrollment_id_is_refused() -> None:
    member = new_member()
    enroll(member)
    with refused(member, errors.DuplicateEnrollment, "enrollment_id"):
        enroll(member, course_code="QLNN-CV")


def test_a_duplicate_recognized_credential_id_is_refused() -> None:
    member = new_member()
    recognize(member)
    with refused(member, errors.DuplicateCredential, "credential_id"):
        recognize(member, title="Thạc sĩ Luật", level="master", issued_on=date(2004, 1, 1))


def test_a_completion_awarding_a_credential_id_already_held_is_refused() -> None:
    member = new_member()
    recognize(member, "C1")
    enroll(member)
    with refused(member, errors.DuplicateCredential, "credential.credential_id"):
        complete(member, credential=award("C1"))


def test_an_enrollment_id_outside_the_code_alphabet_is_refused() -> None:
    member = new_member()
    with refused(member, errors.InvalidInput, "enrollment_id"):
        enroll(member, "E 1")


def test_a_second_annual_rating_for_a_year_is_refused() -> None:
    member = new_member()
    rate(member, 2022)
    with refused(member, errors.DuplicateEvaluation, "year"):
        rate(member, 2022, Rating.EXCELLENT)


def test_an_annual_rating_needs_its_year() -> None:
    member = new_member()
    with refused(member, errors.InvalidInput, "year"):
        member.evaluate(
            Evaluate(kind=EvaluationKind.ANNUAL, rating=Rating.GOOD, evaluator="x"),
            today=TODAY,
            recorded_by=REGISTRAR,
        )


def test_an_unknown_rating_is_refused() -> None:
    member = new_member()
    with refused(member, errors.InvalidInput, "rating"):
        member.evaluate(
            Evaluate(kind=EvaluationKind.ANNUAL, year=2022, rating="superb", evaluator="x"),
            today=TODAY,
            recorded_by=REGISTRAR,
        )


def test_an_annual_rating_is_dated_the_last_day_of_its_year() -> None:
    member = new_member()
    rate(member, 2022)
    assert member.record.evaluations[0].effective_on == date(2022, 12, 31)


# ------------------------------------------------------ post-training evaluation


@pytest.mark.parametrize("closer", [None, "failed", "withdrawn"])
def test_a_post_training_evaluation_of_an_enrollment_not_completed_is_refused(closer: str | None) -> None:
    member = new_member()
    enroll(member)
    if closer is not None:
        CLOSERS[closer](member)
    with refused(member, errors.EnrollmentNotCompleted, "enrollment_id"):
        evaluate_after(member)


def test_a_post_training_evaluation_of_an_unknown_enrollment_is_refused() -> None:
    member = new_member()
    with refused(member, errors.EnrollmentNotFound, "enrollment_id"):
        evaluate_after(member, "E404")


def test_a_post_training_evaluation_before_the_completion_is_refused() -> None:
    member = new_member()
    enroll(member)
    complete(member)
    with refused(member, errors.DateBeforeStart, "on"):
        evaluate_after(member, on=date(2020, 6, 1))


def test_a_post_training_evaluation_of_a_completed_course_is_recorded() -> None:
    member = new_member()
    enroll(member)
    complete(member)
    evaluate_after(member)
    (evaluation,) = member.record.evaluations
    assert evaluation.enrollment_id == "E1"
    assert evaluation.score == Decimal("9.25")


# ---------------------------------------------------------------- corrections


def test_voiding_an_event_that_does_not_exist_is_refused() -> None:
    member = new_member()
    with refused(member, errors.EventNotFound, "event_id"):
        correct(member, "NV001:7")


def test_voiding_something_that_is_not_an_event_id_is_refused() -> None:
    member = new_member()
    with refused(member, errors.EventNotFound, "event_id"):
        correct(member, "the enrollment of last year")


def test_voiding_an_event_of_someone_else_is_refused() -> None:
    member = new_member()
    with refused(member, errors.EventOfAnotherStaff, "event_id"):
        correct(member, "NV002:1")


def test_voiding_an_event_twice_is_refused() -> None:
    member = new_member()
    recognize(member)
    correct(member, "NV001:2")
    with refused(member, errors.AlreadyVoided, "event_id"):
        correct(member, "NV001:2", on=date(2025, 3, 1))


def test_voiding_a_correction_is_refused() -> None:
    member = new_member()
    recognize(member)
    correct(member, "NV001:2")
    with refused(member, errors.CannotVoidCorrection, "event_id"):
        correct(member, "NV001:3", on=date(2025, 3, 1))


def test_voiding_the_registration_is_refused() -> None:
    member = new_member()
    with refused(member, errors.CannotVoidEvent, "event_id"):
        correct(member, "NV001:1")


def test_voiding_an_enrollment_with_a_completion_is_refused() -> None:
    member = new_member()
    enroll(member)
    complete(member)
    with refused(member, errors.CannotVoidEvent, "event_id"):
        correct(member, "NV001:2")


def test_voiding_a_completion_with_a_post_training_evaluation_is_refused() -> None:
    member = new_member()
    enroll(member)
    complete(member)
    evaluate_after(member)
    with refused(member, errors.CannotVoidEvent, "event_id"):
        correct(member, "NV001:3")


def test_the_dependant_error_names_the_events_to_void_first() -> None:
    member = new_member()
    enroll(member)
    withdraw(member)
    with pytest.raises(errors.CannotVoidEvent, match="NV001:3"):
        correct(member, "NV001:2")


def test_an_enrollment_can_be_voided_once_its_closure_is_voided() -> None:
    member = new_member()
    enroll(member)
    withdraw(member)
    correct(member, "NV001:3")
    correct(member, "NV001:2", on=date(2025, 2, 4))
    assert member.record.enrollments == {}


# ------------------------------------------------------------ awards and ranks


def test_a_passed_levelled_course_awards_a_credential_at_its_track_and_level() -> None:
    member = new_member()
    enroll(member, track=Track.STATE_MANAGEMENT, level="principal")
    complete(member, credential=award("CVC-1"))
    credential = member.record.credentials["CVC-1"]
    assert (credential.track, credential.level) == (Track.STATE_MANAGEMENT, "principal")
    assert credential.source == "completion"
    assert credential.enrollment_id == "E1"
    assert member.record.enrollments["E1"].credential_id == "CVC-1"
    assert member.record.enrollments["E1"].status == EnrollmentStatus.COMPLETED
    assert member.record.qualifications()[Track.STATE_MANAGEMENT].level == "principal"


def test_a_passed_course_on_the_other_track_awards_no_credential() -> None:
    member = new_member()
    enroll(member, track=Track.OTHER, level=None)
    complete(member, credential=award("IGNORED"))
    assert member.record.credentials == {}
    assert member.record.enrollments["E1"].status == EnrollmentStatus.COMPLETED


def test_a_failed_course_awards_nothing() -> None:
    member = new_member()
    enroll(member)
    fail(member)
    assert member.record.credentials == {}
    assert member.record.enrollments["E1"].status == EnrollmentStatus.FAILED
    assert member.record.enrollments["E1"].score == Decimal("4.5")


def test_the_highest_level_per_track_follows_rank() -> None:
    member = new_member()
    recognize(member, "P1", level="bachelor", issued_on=date(2002, 6, 15))
    recognize(member, "P2", level="master", issued_on=date(2010, 6, 15))
    recognize(member, "P3", level="college", issued_on=date(2012, 6, 15))
    assert member.record.qualifications()[Track.PROFESSIONAL].credential_id == "P2"


def test_a_political_theory_bachelor_outranks_advanced() -> None:
    member = new_member()
    recognize(member, "CN", track=Track.POLITICAL_THEORY, level="bachelor", title="Cử nhân chính trị",
              issued_on=date(2008, 1, 1))
    recognize(member, "CC", track=Track.POLITICAL_THEORY, level="advanced", title="Cao cấp LLCT",
              issued_on=date(2015, 1, 1))
    qualifications = member.record.qualifications()
    assert qualifications[Track.POLITICAL_THEORY].level == "bachelor"
    assert qualifications[Track.POLITICAL_THEORY].credential_id == "CN"


def test_a_person_holding_bachelor_and_advanced_counts_once_as_bachelor() -> None:
    member = new_member()
    recognize(member, "CC", track=Track.POLITICAL_THEORY, level="advanced", title="Cao cấp LLCT",
              issued_on=date(2008, 1, 1))
    recognize(member, "CN", track=Track.POLITICAL_THEORY, level="bachelor", title="Cử nhân chính trị",
              issued_on=date(2015, 1, 1))
    levels = [q.level for q in member.record.qualifications().values() if q.track == Track.POLITICAL_THEORY]
    assert levels == ["bachelor"]


def test_a_political_theory_bachelor_is_in_the_advanced_tier() -> None:
    bachelor = catalog.level_of(Track.POLITICAL_THEORY, "bachelor")
    advanced = catalog.level_of(Track.POLITICAL_THEORY, "advanced")
    assert bachelor is not None
    assert advanced is not None
    assert bachelor.tier == advanced.tier
    assert bachelor.rank > advanced.rank


# ------------------------------------------------------------------ corrections


def test_voiding_a_completion_removes_its_credential_and_reopens_the_enrollment() -> None:
    member = new_member()
    enroll(member)
    complete(member, credential=award("C1"))
    correct(member, "NV001:3")
    assert "C1" not in member.record.credentials
    enrollment = member.record.enrollments["E1"]
    assert enrollment.status == EnrollmentStatus.ENROLLED
    assert enrollment.credential_id is None
    assert Track.POLITICAL_THEORY not in member.record.qualifications()


def test_a_reopened_enrollment_can_be_completed_again() -> None:
    member = new_member()
    enroll(member)
    complete(member, credential=award("C1"))
    correct(member, "NV001:3")
    complete(member, on=date(2020, 7, 15), credential=award("C1", issued_on=date(2020, 7, 15)))
    assert member.record.credentials["C1"].issued_on == date(2020, 7, 15)


def test_voiding_a_departure_puts_the_person_back_on_the_roll() -> None:
    member = new_member()
    depart(member)
    correct(member, "NV001:2")
    assert member.record.departed_on is None
    assert member.record.is_active_on(date(2025, 1, 1))
    enroll(member, starts_on=AFTER_DEPARTURE, ends_on=None)
    assert "E1" in member.record.enrollments


def test_voiding_a_recognized_credential_removes_it() -> None:
    member = new_member()
    recognize(member)
    correct(member, "NV001:2")
    assert member.record.credentials == {}


def test_voiding_an_appointment_restores_the_position() -> None:
    member = new_member()
    appoint(member)
    assert member.record.position == "Phó Trưởng phòng"
    correct(member, "NV001:2")
    assert member.record.position == "Chuyên viên"
    assert member.record.appointments == []


def test_a_voided_annual_rating_can_be_recorded_again() -> None:
    member = new_member()
    rate(member, 2022, Rating.COMPLETED)
    correct(member, "NV001:2")
    rate(member, 2022, Rating.EXCELLENT)
    rating = member.record.annual_rating(2022)
    assert rating is not None
    assert rating.rating == Rating.EXCELLENT


def test_live_events_drop_the_correction_and_what_it_voided() -> None:
    member = new_member()
    recognize(member)
    correct(member, "NV001:2")
    assert [type(e).__name__ for e in live_events(member.history)] == ["Registered"]


# ----------------------------------------------------------------- time travel


def test_the_aggregate_record_is_the_fold_of_its_events() -> None:
    member = new_member()
    enroll(member)
    complete(member)
    rotate(member)
    appoint(member)
    rate(member, 2022)
    correct(member, "NV001:6")
    assert fold_record(member.history) == member.record


def test_as_of_answers_on_the_business_date() -> None:
    member = new_member()
    enroll(member)
    complete(member)
    depart(member)
    before = fold_record(member.history, as_of=date(2019, 2, 28))
    during = fold_record(member.history, as_of=date(2019, 12, 31))
    after = fold_record(member.history, as_of=date(2021, 1, 1))
    assert before.enrollments == {}
    assert during.enrollments["E1"].status == EnrollmentStatus.ENROLLED
    assert during.credentials == {}
    assert after.enrollments["E1"].status == EnrollmentStatus.COMPLETED
    assert after.qualifications()[Track.POLITICAL_THEORY].level == "intermediate"
    assert after.departed_on is None
    assert fold_record(member.history, as_of=DEPARTED).status_on(DEPARTED) == "departed"


def test_as_of_before_joining_says_not_joined() -> None:
    member = new_member()
    record = fold_record(member.history, as_of=date(2000, 1, 1))
    assert record.status_on(date(2000, 1, 1)) == "not_joined"


@pytest.fixture
def corrected_later() -> StaffMember:
    """A completion recorded in 2020 and voided by a correction recorded in 2025."""
    member = new_member()
    enroll(member)
    complete(member, credential=award("C1"))
    correct(member, "NV001:3", on=date(2025, 2, 3))
    return member


def test_known_at_before_a_correction_still_shows_the_voided_event(corrected_later: StaffMember) -> None:
    record = fold_record(corrected_later.history, known_at=at(date(2024, 1, 1)))
    assert "C1" in record.credentials
    assert record.enrollments["E1"].status == EnrollmentStatus.COMPLETED


def test_known_today_a_correction_removes_the_voided_event(corrected_later: StaffMember) -> None:
    record = fold_record(corrected_later.history)
    assert "C1" not in record.credentials
    assert record.enrollments["E1"].status == EnrollmentStatus.ENROLLED


def test_a_correction_removes_the_voided_event_at_every_business_date(corrected_later: StaffMember) -> None:
    # The correction is dated 2025 but voids the 2020 completion in answers about 2021 too.
    record = fold_record(corrected_later.history, as_of=date(2021, 1, 1))
    assert "C1" not in record.credentials


def test_as_of_and_known_at_combine(corrected_later: StaffMember) -> None:
    known_before = at(date(2024, 1, 1))
    mid_course = fold_record(corrected_later.history, as_of=date(2019, 12, 31), known_at=known_before)
    after_course = fold_record(corrected_later.history, as_of=date(2021, 1, 1), known_at=known_before)
    assert mid_course.credentials == {}
    assert mid_course.enrollments["E1"].status == EnrollmentStatus.ENROLLED
    assert after_course.credentials["C1"].level == "intermediate"


def test_known_at_before_an_event_was_recorded_leaves_it_out() -> None:
    member = new_member()
    # A completion recorded late: business date 2020, recorded in 2023.
    enroll(member)
    complete(member, recorded_at=at(date(2023, 5, 5)))
    record = fold_record(member.history, as_of=date(2021, 1, 1), known_at=at(date(2022, 1, 1)))
    assert record.enrollments["E1"].status == EnrollmentStatus.ENROLLED
    assert record.credentials == {}


def test_folding_without_a_registration_is_refused() -> None:
    member = new_member()
    enroll(member)
    with pytest.raises(errors.StaffNotFound):
        fold_record(member.history[1:])
