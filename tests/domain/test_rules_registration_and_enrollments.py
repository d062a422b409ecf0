"""The rules of the record on registration, levels and closing an enrollment, checked on the
StaffMember aggregate alone: no database, no clock.

Each refused command must raise its named error, carry the offending field and a message, and
leave the aggregate exactly as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from record_rules_fixtures import (
    CLOSERS,
    COMPLETED,
    DEPARTED,
    REGISTRAR,
    TODAY,
    appoint,
    award,
    complete,
    enroll,
    fail,
    new_member,
    recognize,
    refused,
    rotate,
    withdraw,
)

from ledger.domain import errors
from ledger.domain.catalog import (
    EvaluationKind,
    Outcome,
    Rating,
    Track,
)
from ledger.domain.commands import (
    Complete,
    Correct,
    Depart,
    Evaluate,
    Withdraw,
)
from ledger.domain.record import Waiver
from ledger.staff import StaffMember

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
