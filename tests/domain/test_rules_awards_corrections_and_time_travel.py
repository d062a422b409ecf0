"""What the record says once the rules have let the events in: the credentials a course awards and
how levels rank, what voiding an event undoes, and the record on any business date as known at any
recording time (the fold the aggregate, the queries and the tests share).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from record_rules_fixtures import (
    AFTER_DEPARTURE,
    DEPARTED,
    appoint,
    at,
    award,
    complete,
    correct,
    depart,
    enroll,
    fail,
    new_member,
    rate,
    recognize,
    rotate,
)

from ledger.domain import catalog, errors
from ledger.domain.catalog import (
    Rating,
    Track,
)
from ledger.domain.fold import fold_record, live_events
from ledger.domain.record import EnrollmentStatus
from ledger.staff import StaffMember

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
