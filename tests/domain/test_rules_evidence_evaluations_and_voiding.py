"""The rules of the record on evidence and duplicate ids, annual ratings, post-training
evaluations and which events a correction may void, checked on the StaffMember aggregate alone.

Each refused command must raise its named error, carry the offending field and a message, and
leave the aggregate exactly as it was.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from record_rules_fixtures import (
    CLOSERS,
    REGISTRAR,
    TODAY,
    award,
    complete,
    correct,
    enroll,
    evaluate_after,
    new_member,
    rate,
    recognize,
    refused,
    withdraw,
)

from ledger.domain import errors
from ledger.domain.catalog import (
    EvaluationKind,
    Rating,
)
from ledger.domain.commands import (
    Evaluate,
)
from ledger.domain.record import Evidence

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
