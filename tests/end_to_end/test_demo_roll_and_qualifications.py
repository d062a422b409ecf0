"""The demo agency (docs/domain.md §3) loaded through the ledger's commands, on SQLite and PostgreSQL,
checked figure by figure against a brute-force oracle over the log (``demo_fixtures``): short
courses, the roll, qualifications, attendances and what is out of scope.

The demo is loaded once per store for the whole session (a load takes seconds); every test reads.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime

import pytest
from conftest import OncePerSession
from demo_fixtures import (
    PTP,
    SNAPSHOT,
    LoadedDemo,
    age_band,
    age_on,
    held,
    post_kind,
    shared_demo,
    staff_ids_in_log,
)

from ledger.demo import TARGETS
from ledger.domain import errors
from ledger.domain.catalog import (
    Employment,
    Gender,
    Mode,
    Outcome,
    Track,
)
from ledger.domain.commands import Complete, Enroll, Register
from ledger.domain.record import EnrollmentStatus
from ledger.staff import StaffMember


@pytest.fixture(params=["sqlite", "postgresql"])
def demo(
    request: pytest.FixtureRequest, once_per_session: OncePerSession, tmp_path_factory: pytest.TempPathFactory
) -> LoadedDemo:
    """The demo on each store (loaded once per session, whichever module asks first)."""
    return shared_demo(request.param, once_per_session, tmp_path_factory)


# ------------------------------------------------------------------------------------ short courses


def member_with_short_course(*, level: str | None) -> StaffMember:
    member = StaffMember.register(
        Register(
            staff_id="NV001",
            full_name="Nguyễn Thị Hồng Nhung",
            gender=Gender.FEMALE,
            birth_date=date(1990, 5, 1),
            unit="Phòng Nghiệp vụ 1",
            joined_on=date(2015, 3, 1),
            position="Chuyên viên",
            rank="01.003",
            employment=Employment.CIVIL_SERVANT,
        ),
        recorded_by="test",
        recorded_at=datetime(2015, 3, 2, tzinfo=UTC),
    )
    member.enroll(
        Enroll(
            enrollment_id="E1",
            course_code="LLCT-CN-2023",
            course_title="Bồi dưỡng cập nhật kiến thức cho cán bộ lãnh đạo, quản lý",
            track=Track.POLITICAL_THEORY,
            level=level,
            provider="Trường Chính trị tỉnh An Khánh",
            mode=Mode.FULL_TIME,
            starts_on=date(2023, 5, 8),
            awards_level=False,
        ),
        recorded_by="test",
        recorded_at=datetime(2023, 5, 8, tzinfo=UTC),
    )
    return member


def test_a_short_course_of_a_levelled_track_may_award_no_level_and_its_completion_no_credential() -> None:
    member = member_with_short_course(level=None)
    member.complete(
        Complete(enrollment_id="E1", completed_on=date(2023, 5, 12), outcome=Outcome.PASSED),
        credential=None,
        today=date(2023, 5, 12), recorded_by="test",
        recorded_at=datetime(2023, 5, 12, tzinfo=UTC),
    )
    enrollment = member.record.enrollments["E1"]
    assert (enrollment.track, enrollment.level, enrollment.status) == (
        Track.POLITICAL_THEORY,
        None,
        "completed",
    )
    assert member.record.credentials == {}


def test_a_course_declared_to_award_no_level_refuses_a_level() -> None:
    with pytest.raises(errors.InvalidLevel):
        member_with_short_course(level="elementary")


# ------------------------------------------------------------------------------------ the roll


def test_the_roll_holds_61_staff_26_of_them_women(demo: LoadedDemo) -> None:
    on_roll = demo.figures.on_roll
    assert len(on_roll) == 61
    assert sum(r.gender == Gender.FEMALE for r in on_roll) == 26
    assert sorted(r.staff_id for r in on_roll) == list(demo.summary.current_staff_ids)


def test_the_log_registers_exactly_the_staff_of_the_summary(demo: LoadedDemo) -> None:
    assert sorted(staff_ids_in_log(demo.ledger)) == list(demo.summary.staff_ids)
    assert all(s.startswith("CB") and len(s) == 6 for s in demo.summary.staff_ids)


def test_units_have_the_headcounts_of_section_3_1(demo: LoadedDemo) -> None:
    units = Counter(r.unit_on(SNAPSHOT) for r in demo.figures.on_roll)
    assert units == Counter(TARGETS["unit_headcounts"])


def test_posts_on_the_snapshot_are_1_director_2_deputies_6_heads_8_deputy_heads(demo: LoadedDemo) -> None:
    posts = Counter(r.position_on(SNAPSHOT) for r in demo.figures.on_roll)
    assert posts["Cục trưởng"] == 1
    assert posts["Phó Cục trưởng"] == 2
    assert posts["Trưởng phòng"] == 6
    assert posts[PTP] == 8


def test_seven_contract_workers_and_54_civil_servants(demo: LoadedDemo) -> None:
    employment = Counter(r.employment.value for r in demo.figures.on_roll)
    assert employment == {"civil_servant": 54, "contract": 7}


def test_ranks_match_section_3_2(demo: LoadedDemo) -> None:
    ranks = Counter(r.rank for r in demo.figures.on_roll)
    assert ranks == {"01.001": 1, "01.002": 12, "01.003": 36, "01.004": 3, "01.005": 2, None: 7}


def test_age_bands_by_gender_match_section_3_5(demo: LoadedDemo) -> None:
    bands: dict[str, Counter[str]] = {}
    for record in demo.figures.on_roll:
        bands.setdefault(age_band(age_on(record.birth_date, SNAPSHOT)), Counter())[record.gender.value] += 1
    assert bands == {band: Counter(split) for band, split in TARGETS["age_bands"].items()}


def test_nobody_on_the_roll_is_past_retirement_age(demo: LoadedDemo) -> None:
    for record in demo.figures.on_roll:
        months = (SNAPSHOT.year - record.birth_date.year) * 12 + SNAPSHOT.month - record.birth_date.month
        limit = 61 * 12 + 3 if record.gender == Gender.MALE else 56 * 12 + 8
        assert months <= limit, record.staff_id


# ------------------------------------------------------------------------------------ qualifications


def test_highest_professional_levels_are_9_masters_42_bachelors_2_college_5_intermediate_3_technical(
    demo: LoadedDemo,
) -> None:
    assert demo.figures.highest(Track.PROFESSIONAL) == Counter(TARGETS["professional"])


def test_highest_political_theory_is_1_bachelor_6_advanced_21_intermediate_33_none(demo: LoadedDemo) -> None:
    assert demo.figures.highest(Track.POLITICAL_THEORY) == Counter(TARGETS["political_theory"])


def test_highest_state_management_is_2_senior_14_principal_31_specialist_1_officer(demo: LoadedDemo) -> None:
    assert demo.figures.highest(Track.STATE_MANAGEMENT) == Counter(TARGETS["state_management"])


def test_leadership_programmes_are_3_department_level_and_18_division_level(demo: LoadedDemo) -> None:
    assert demo.figures.highest(Track.LEADERSHIP) == Counter(TARGETS["leadership"])


def test_12_of_14_division_leaders_hold_the_division_programme(demo: LoadedDemo) -> None:
    leaders = [r for r in demo.figures.on_roll if r.position_on(SNAPSHOT) in ("Trưởng phòng", PTP)]
    assert len(leaders) == 14
    assert sum(held(r, Track.LEADERSHIP) == "division" for r in leaders) == 12


def test_defense_security_is_group2_for_the_three_directors_and_group3_for_11_division_leaders(
    demo: LoadedDemo,
) -> None:
    on_roll = demo.figures.on_roll
    directors = [r for r in on_roll if post_kind(r.position_on(SNAPSHOT)) == "agency"]
    division = [r for r in on_roll if post_kind(r.position_on(SNAPSHOT)) == "division"]
    assert [held(r, Track.DEFENSE_SECURITY) for r in directors] == ["group2"] * 3
    assert sum(held(r, Track.DEFENSE_SECURITY) == "group3" for r in division) == 11


def test_women_hold_9_of_the_28_political_theory_qualifications(demo: LoadedDemo) -> None:
    holders = [r for r in demo.figures.on_roll if held(r, Track.POLITICAL_THEORY)]
    assert len(holders) == 28
    assert sum(r.gender == Gender.FEMALE for r in holders) == 9
    young = [r for r in holders if age_on(r.birth_date, SNAPSHOT) < 35]
    assert (len(young), sum(r.gender == Gender.FEMALE for r in young)) == (3, 2)


def test_masters_are_9_of_whom_3_women_2_young_1_young_woman(demo: LoadedDemo) -> None:
    masters = [r for r in demo.figures.on_roll if held(r, Track.PROFESSIONAL) == "master"]
    young = [r for r in masters if age_on(r.birth_date, SNAPSHOT) < 35]
    assert len(masters) == 9
    assert sum(r.gender == Gender.FEMALE for r in masters) == 3
    assert (len(young), sum(r.gender == Gender.FEMALE for r in young)) == (2, 1)


def test_three_current_staff_earned_their_master_since_2019_in_2020_2022_and_2024(demo: LoadedDemo) -> None:
    years = sorted(
        r.qualifications()[Track.PROFESSIONAL].issued_on.year
        for r in demo.figures.on_roll
        if held(r, Track.PROFESSIONAL) == "master"
        and r.credentials[r.qualifications()[Track.PROFESSIONAL].credential_id].source == "completion"
    )
    assert years == [2020, 2022, 2024]


# ------------------------------------------------------------------------------------ attendances


def test_there_are_167_attendances_since_2019_in_the_three_tracks(demo: LoadedDemo) -> None:
    assert len(demo.figures.attendances) == 167


def test_attendances_by_year_and_track_match_section_3_6(demo: LoadedDemo) -> None:
    found = Counter((a.year, a.track) for a in demo.figures.attendances)
    expected = Counter(
        {
            (year, track): n
            for year, row in TARGETS["attendances_by_year_and_track"].items()
            for track, n in row.items()
        }
    )
    assert found == expected
    assert Counter(a.track for a in demo.figures.attendances) == Counter(TARGETS["attendances_by_track"])


def test_attendance_statuses_are_161_completed_4_in_progress_2_withdrawn(demo: LoadedDemo) -> None:
    statuses = Counter(a.status for a in demo.figures.attendances)
    assert statuses == {
        EnrollmentStatus.COMPLETED: 161,
        EnrollmentStatus.ENROLLED: 4,
        EnrollmentStatus.WITHDRAWN: 2,
    }


def test_attendance_modes_funding_and_places_match_section_3_6(demo: LoadedDemo) -> None:
    attendances = demo.figures.attendances
    assert Counter(a.mode for a in attendances) == Counter(TARGETS["attendance_mode"])
    assert Counter(a.funding for a in attendances) == Counter(TARGETS["attendance_funding"])
    assert sum(a.country != "VN" for a in attendances) == 2


def test_the_two_courses_abroad_are_leadership_courses_of_2019_and_2023(demo: LoadedDemo) -> None:
    abroad = [a for a in demo.figures.attendances if a.country != "VN"]
    assert sorted((a.track, a.year) for a in abroad) == [("leadership", 2019), ("leadership", 2023)]


def test_attendances_split_64_women_and_103_men_with_41_young_of_whom_18_women(demo: LoadedDemo) -> None:
    attendances = demo.figures.attendances
    assert sum(a.female for a in attendances) == 64
    assert sum(not a.female for a in attendances) == 103
    assert sum(a.young for a in attendances) == 41
    assert sum(a.young and a.female for a in attendances) == 18


def test_attendances_by_post_held_that_day_are_14_agency_58_division_95_other(demo: LoadedDemo) -> None:
    assert Counter(a.post for a in demo.figures.attendances) == {"agency": 14, "division": 58, "none": 95}


def test_current_staff_account_for_155_attendances_in_the_distribution_of_section_3_6(
    demo: LoadedDemo,
) -> None:
    figures = demo.figures
    assert sum(a.current for a in figures.attendances) == 155
    assert figures.per_person(current=True) == Counter(TARGETS["attendances_per_current_person"])


def test_former_staff_account_for_12_attendances_as_4_3_2_2_1(demo: LoadedDemo) -> None:
    counts = Counter(a.staff_id for a in demo.figures.attendances if not a.current)
    assert sorted(counts.values(), reverse=True) == [4, 3, 2, 2, 1]


def test_57_distinct_people_attended(demo: LoadedDemo) -> None:
    assert len({a.staff_id for a in demo.figures.attendances}) == 57


def test_contract_workers_and_the_2025_recruits_attended_nothing_in_scope(demo: LoadedDemo) -> None:
    attended = {a.staff_id for a in demo.figures.attendances}
    idle = [r.staff_id for r in demo.figures.on_roll if r.staff_id not in attended]
    assert len(idle) == 9
    recruits = set(demo.summary.edge_cases["6_recruits_2025_without_cv_programme"])
    for staff_id in idle:
        record = demo.figures.records[staff_id]
        assert record.employment.value == "contract" or staff_id in recruits


# ------------------------------------------------------------------------------------ out of scope


def test_out_of_scope_training_of_section_3_7_is_recorded_but_not_counted(demo: LoadedDemo) -> None:
    assert demo.figures.out_of_scope == Counter(TARGETS["out_of_scope"])
    assert sum(demo.figures.out_of_scope.values()) == 143


def test_the_ledger_holds_310_dispatches_since_2019(demo: LoadedDemo) -> None:
    assert len(demo.figures.attendances) + sum(demo.figures.out_of_scope.values()) == 310


def test_opening_balance_credentials_are_recognized_with_evidence_and_never_attendances(
    demo: LoadedDemo,
) -> None:
    recognized = [
        (record, credential)
        for record in demo.figures.records.values()
        for credential in record.credentials.values()
        if credential.source == "recognition"
    ]
    assert len(recognized) > 150
    for record, credential in recognized:
        assert credential.evidence is not None
        assert credential.evidence.document_ref.strip()
        assert credential.issued_on < max(date(2019, 1, 1), record.joined_on)
        assert credential.enrollment_id is None


def test_every_credential_has_exactly_one_provenance(demo: LoadedDemo) -> None:
    for record in demo.figures.records.values():
        for credential in record.credentials.values():
            if credential.source == "completion":
                enrollment = record.enrollments[credential.enrollment_id or ""]
                assert enrollment.status == EnrollmentStatus.COMPLETED
                assert enrollment.starts_on <= credential.issued_on
            else:
                assert credential.source == "recognition"


def test_recognized_credentials_are_verified_by_someone_other_than_the_key_that_recorded_them(
    demo: LoadedDemo,
) -> None:
    for events in demo.figures.events.values():
        for event in events:
            if isinstance(event, StaffMember.CredentialRecognized):
                assert event.evidence.verified_by
                assert event.evidence.verified_by != event.recorded_by
