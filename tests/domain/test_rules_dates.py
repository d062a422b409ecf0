"""The rules of the record on business dates, checked on the StaffMember aggregate alone: nothing
before birth or joining, nothing after departure, no range ending before it starts.

Each refused command must raise its named error, carry the offending field and a message, and
leave the aggregate exactly as it was.
"""

from __future__ import annotations

from datetime import date

import pytest
from record_rules_fixtures import (
    AFTER_DEPARTURE,
    DEPARTED,
    appoint,
    award,
    complete,
    correct,
    depart,
    enroll,
    evaluate_after,
    fail,
    new_member,
    rate,
    recognize,
    refused,
    rotate,
    withdraw,
)

from ledger.domain import errors
from ledger.domain.record import EnrollmentStatus, Waiver
from ledger.staff import StaffMember

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
