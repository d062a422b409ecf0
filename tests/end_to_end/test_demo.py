"""The demo agency (docs/domain.md §3) loaded through the ledger's commands, on SQLite and PostgreSQL,
checked figure by figure against a brute-force oracle over the log (``demo_fixtures``).

The demo is loaded once per store for the whole module (a load takes seconds); every test reads.
"""

from __future__ import annotations

import os
import subprocess
import sys
import unicodedata
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from demo_fixtures import (
    SNAPSHOT,
    Figures,
    LoadedDemo,
    age_band,
    age_on,
    figures_of,
    loaded_demo,
    module_store,
    post_kind,
    staff_ids_in_log,
)
from typer.testing import CliRunner

from api.cli.app import make_app
from api.cli.demo import register as register_demo_command
from ledger.application import Ledger
from ledger.demo import TARGETS, build_plan, demo_digest, load_demo, plan_statistics
from ledger.domain import errors
from ledger.domain.catalog import (
    DepartureCategory,
    Employment,
    EvaluationKind,
    Gender,
    Mode,
    Outcome,
    RotationKind,
    Track,
)
from ledger.domain.commands import Complete, Enroll, Register
from ledger.domain.fold import fold_record
from ledger.domain.record import EnrollmentStatus, StaffRecord
from ledger.staff import StaffMember
from ledger.store.config import StoreConfig
from ledger.store.persistence import iter_notifications

PTP = "Phó trưởng phòng"


@pytest.fixture(scope="module")
def sqlite_demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LoadedDemo]:
    with loaded_demo("sqlite", tmp_path_factory.mktemp("demo")) as loaded:
        yield loaded


@pytest.fixture(scope="module")
def postgres_demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LoadedDemo]:
    with loaded_demo("postgresql", tmp_path_factory.mktemp("demo")) as loaded:
        yield loaded


@pytest.fixture(params=["sqlite", "postgresql"])
def demo(request: pytest.FixtureRequest) -> LoadedDemo:
    """The demo on each store (loaded once per module)."""
    name = "sqlite_demo" if request.param == "sqlite" else "postgres_demo"
    return request.getfixturevalue(name)  # type: ignore[no-any-return]


def by_key(demo: LoadedDemo, case: str) -> list[StaffRecord]:
    return [demo.figures.records[staff_id] for staff_id in demo.summary.edge_cases[case]]


def held(record: StaffRecord, track: Track) -> str | None:
    found = record.qualifications().get(track)
    return found.level if found else None


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


# ------------------------------------------------------------------------------------ careers


def test_annual_ratings_per_year_match_section_3_8(demo: LoadedDemo) -> None:
    ratings = demo.figures.ratings()
    expected = {
        year: Counter({k: v for k, v in row.items() if v}) for year, row in TARGETS["annual_ratings"].items()
    }
    assert ratings == expected


def test_the_excellent_quota_holds_every_year(demo: LoadedDemo) -> None:
    for year, counts in demo.figures.ratings().items():
        assert counts["excellent"] <= 0.2 * counts["good"] + 0.5, year


def test_the_two_not_completed_ratings_are_different_people_and_nobody_repeats_it(demo: LoadedDemo) -> None:
    failed = [
        (record.staff_id, e.year)
        for record in demo.figures.records.values()
        for e in record.evaluations
        if e.kind == EvaluationKind.ANNUAL and e.rating.value == "not_completed"
    ]
    assert sorted(year for _, year in failed) == [2021, 2025]
    assert len({staff_id for staff_id, _ in failed}) == 2


def test_2019_level_3_ratings_carry_the_old_label(demo: LoadedDemo) -> None:
    ids = demo.summary.edge_cases["12_old_level_3_label_2019"]
    assert len(ids) == 4
    for staff_id in ids:
        rating = demo.figures.records[staff_id].annual_rating(2019)
        assert rating is not None
        assert rating.rating.value == "completed"
        assert rating.notes is not None
        assert "còn hạn chế về năng lực" in rating.notes


def test_appointments_since_2019_are_3_heads_5_deputy_heads_1_deputy_director_and_6_reappointments(
    demo: LoadedDemo,
) -> None:
    new: Counter[str] = Counter()
    again = 0
    for record in demo.figures.records.values():
        for appointment in record.appointments:
            if appointment.effective_on < date(2019, 1, 1):
                continue
            if appointment.previous_position == appointment.position:
                again += 1
            else:
                new[appointment.position] += 1
    assert new == {"Trưởng phòng": 3, PTP: 5, "Phó Cục trưởng": 1}
    assert again == 6


def test_appointments_meet_the_shipped_rules_without_waivers(demo: LoadedDemo) -> None:
    assert demo.summary.waived_appointments == ()
    for record in demo.figures.records.values():
        assert all(a.waiver is None for a in record.appointments)


def test_two_rotations_one_out_and_back_one_in_until_2026(demo: LoadedDemo) -> None:
    rotations = [
        (r.staff_id, rot)
        for r in demo.figures.records.values()
        for rot in r.rotations
        if rot.kind == RotationKind.ROTATION
    ]
    assert len(rotations) == 2
    out = dict(rotations)[demo.summary.edge_cases["rotated_out_2019_2022"][0]]
    assert (out.starts_on, out.ends_on, out.position) == (
        date(2019, 10, 1),
        date(2022, 9, 30),
        "Phó Cục trưởng",
    )
    incoming = dict(rotations)[demo.summary.edge_cases["rotated_in_2023"][0]]
    assert incoming.starts_on == date(2023, 3, 1)
    assert incoming.ends_on == date(2026, 2, 28)
    for _, rotation in rotations:
        months = (
            (rotation.ends_on.year - rotation.starts_on.year) * 12
            + rotation.ends_on.month
            - rotation.starts_on.month
        )  # type: ignore[union-attr]
        assert months >= 35


def test_one_transfer_in_and_two_transfers_out(demo: LoadedDemo) -> None:
    units = set(TARGETS["unit_headcounts"])
    transfers = [
        rot for r in demo.figures.records.values() for rot in r.rotations if rot.kind == RotationKind.TRANSFER
    ]
    incoming = [t for t in transfers if t.from_unit not in units and t.to_unit in units]
    outgoing = [t for t in transfers if t.from_unit in units and t.to_unit not in units]
    assert (len(incoming), len(outgoing)) == (1, 2)


def test_12_job_rotations_1_2_1_2_2_2_2_per_year_after_24_to_60_months_in_the_post(demo: LoadedDemo) -> None:
    rotations = demo.summary.job_rotations
    assert len(rotations) == 12
    years: Counter[int] = Counter()
    for event_id in rotations:
        staff_id, _, version = event_id.rpartition(":")
        events = demo.figures.events[staff_id]
        event = events[int(version) - 1]
        assert isinstance(event, StaffMember.Rotated)
        assert event.kind == RotationKind.TRANSFER
        years[event.effective_on.year] += 1
        earlier = [
            e.effective_on
            for e in events[: int(version) - 1]
            if isinstance(e, StaffMember.Rotated | StaffMember.Registered)
        ]
        tenure = event.effective_on - max(earlier)
        assert timedelta(days=24 * 30) <= tenure <= timedelta(days=61 * 30), event_id
    assert [years[y] for y in range(2019, 2026)] == [1, 2, 1, 2, 2, 2, 2]
    assert len(demo.summary.internal_moves) == 9


def test_former_staff_are_four_retirements_and_two_transfers_with_consent(demo: LoadedDemo) -> None:
    categories = Counter(r.departure_category for r in demo.figures.former)
    assert categories == {DepartureCategory.RETIRED: 4, DepartureCategory.TRANSFER_WITH_CONSENT: 2}


def test_planning_pool_holds_12_non_leaders_5_women_4_young_2_young_women(demo: LoadedDemo) -> None:
    pool = [r for r in demo.figures.on_roll if any(p.position == PTP for p in r.plans_on(SNAPSHOT))]
    young = [r for r in pool if age_on(r.birth_date, SNAPSHOT) < 35]
    assert sorted(r.staff_id for r in pool) == sorted(demo.summary.planning_pool)
    assert len(pool) == 12
    assert all(post_kind(r.position_on(SNAPSHOT)) == "none" for r in pool)
    assert sum(r.gender == Gender.FEMALE for r in pool) == 5
    assert (len(young), sum(r.gender == Gender.FEMALE for r in young)) == (4, 2)
    assert sum(held(r, Track.LEADERSHIP) == "division" for r in pool) == 6


def test_post_training_evaluations_cover_most_completed_credential_courses_about_10_percent_poor(
    demo: LoadedDemo,
) -> None:
    completed = 0
    evaluated = 0
    poor = 0
    for record in demo.figures.records.values():
        post = {e.enrollment_id: e for e in record.evaluations if e.kind == EvaluationKind.POST_TRAINING}
        for enrollment in record.enrollments.values():
            in_scope = enrollment.track in (Track.POLITICAL_THEORY, Track.STATE_MANAGEMENT, Track.LEADERSHIP)
            if in_scope and enrollment.level and enrollment.status == EnrollmentStatus.COMPLETED:
                completed += 1
                if enrollment.enrollment_id in post:
                    evaluated += 1
                    poor += post[enrollment.enrollment_id].rating.value in ("completed", "not_completed")
    assert evaluated >= 0.85 * completed
    assert 0.07 <= poor / evaluated <= 0.13


# ------------------------------------------------------------------------------------ edge cases


def test_edge_1_deputy_head_appointed_june_2022_never_took_the_division_programme(demo: LoadedDemo) -> None:
    (record,) = by_key(demo, "1_pho_truong_phong_without_division_leadership")
    (appointment,) = record.appointments
    assert (appointment.position, appointment.effective_on) == (PTP, date(2022, 6, 15))
    assert age_on(record.birth_date, SNAPSHOT) == 45
    assert record.gender == Gender.MALE
    assert held(record, Track.LEADERSHIP) is None
    assert not [e for e in record.enrollments.values() if e.track == Track.LEADERSHIP and e.level]


def test_edge_2_young_woman_appointed_deputy_head_in_march_2025_without_the_programme(
    demo: LoadedDemo,
) -> None:
    (record,) = by_key(demo, "2_young_female_pho_truong_phong_2025")
    (appointment,) = record.appointments
    assert appointment.position == PTP
    assert appointment.effective_on.strftime("%Y-%m") == "2025-03"
    assert record.gender == Gender.FEMALE
    assert age_on(record.birth_date, appointment.effective_on) == 33 == age_on(record.birth_date, SNAPSHOT)
    assert held(record, Track.LEADERSHIP) is None
    assert held(record, Track.POLITICAL_THEORY) == "intermediate"


def test_edge_3_deputy_head_appointed_2023_has_intermediate_political_theory_in_progress(
    demo: LoadedDemo,
) -> None:
    (record,) = by_key(demo, "3_pho_truong_phong_political_theory_in_progress")
    (appointment,) = record.appointments
    assert appointment.effective_on.year == 2023
    assert age_on(record.birth_date, SNAPSHOT) == 41
    assert held(record, Track.POLITICAL_THEORY) is None
    running = [e for e in record.enrollments.values() if e.track == Track.POLITICAL_THEORY]
    assert [(e.level, e.status) for e in running] == [("intermediate", EnrollmentStatus.ENROLLED)]


def test_edge_4_head_of_division_in_the_cv_rank_holds_only_the_cv_certificate(demo: LoadedDemo) -> None:
    (record,) = by_key(demo, "4_truong_phong_cv_rank_cv_certificate_only")
    assert record.position_on(SNAPSHOT) == "Trưởng phòng"
    assert record.rank == "01.003"
    assert held(record, Track.STATE_MANAGEMENT) == "specialist"


def test_edge_5_three_division_leaders_lack_defense_security(demo: LoadedDemo) -> None:
    records = by_key(demo, "5_division_leaders_without_defense_security")
    assert len(records) == 3
    for record in records:
        assert post_kind(record.position_on(SNAPSHOT)) == "division"
        assert held(record, Track.DEFENSE_SECURITY) is None


def test_edge_6_the_two_recruits_of_2025_lack_the_cv_programme(demo: LoadedDemo) -> None:
    records = by_key(demo, "6_recruits_2025_without_cv_programme")
    assert len(records) == 2
    for record in records:
        assert record.joined_on.year == 2025
        assert record.rank == "01.003"
        assert held(record, Track.STATE_MANAGEMENT) is None


def test_edge_7_the_director_holds_bachelor_and_advanced_and_counts_once_as_bachelor(
    demo: LoadedDemo,
) -> None:
    (record,) = by_key(demo, "7_bachelor_and_advanced_political_theory")
    levels = {
        c.level: c.issued_on.year for c in record.credentials.values() if c.track == Track.POLITICAL_THEORY
    }
    assert levels["advanced"] == 2003
    assert "bachelor" in levels
    assert held(record, Track.POLITICAL_THEORY) == "bachelor"
    assert record.position_on(SNAPSHOT) == "Cục trưởng"


def test_edge_8_the_2015_equivalence_certificate_is_a_recognized_intermediate(demo: LoadedDemo) -> None:
    (record,) = by_key(demo, "8_equivalence_certificate_2015")
    (credential,) = [c for c in record.credentials.values() if c.track == Track.POLITICAL_THEORY]
    assert credential.title == "Giấy xác nhận tương đương trung cấp lý luận chính trị"
    assert (credential.level, credential.issued_on.year, credential.source) == (
        "intermediate",
        2015,
        "recognition",
    )


def test_edge_9_a_head_of_division_holds_cao_cap_llct_hanh_chinh_from_2012(demo: LoadedDemo) -> None:
    (record,) = by_key(demo, "9_truong_phong_llct_hanh_chinh_2012")
    (credential,) = [c for c in record.credentials.values() if c.track == Track.POLITICAL_THEORY]
    assert "hành chính" in credential.title
    assert credential.issued_on.year == 2012
    assert credential.level == "advanced"
    assert held(record, Track.STATE_MANAGEMENT) == "specialist"
    assert record.position_on(SNAPSHOT) == "Trưởng phòng"
    assert record.rank == "01.002"


def test_edge_10_the_maternity_withdrawal_of_2021_was_re_enrolled_and_completed_in_2022(
    demo: LoadedDemo,
) -> None:
    (record,) = by_key(demo, "10_withdrawn_then_reenrolled")
    cv = sorted(
        (e for e in record.enrollments.values() if e.course_code == "QLNN-CV"), key=lambda e: e.starts_on
    )
    assert [(e.starts_on.year, e.status) for e in cv] == [
        (2021, EnrollmentStatus.WITHDRAWN),
        (2022, EnrollmentStatus.COMPLETED),
    ]
    assert cv[0].withdrawal_reason == "Nghỉ chế độ thai sản"


def test_edge_11_the_agency_funded_master_left_by_transfer_with_consent_within_the_commitment(
    demo: LoadedDemo,
) -> None:
    (record,) = by_key(demo, "11_master_transferred_with_consent")
    (master,) = [e for e in record.enrollments.values() if e.level == "master"]
    assert master.status == EnrollmentStatus.COMPLETED
    assert master.closed_on
    assert master.closed_on.year == 2021
    assert master.funding is not None
    assert master.funding.value == "state_budget"
    assert master.cost is not None
    assert master.cost > 0
    assert record.departed_on is not None
    assert record.departed_on.year == 2023
    assert record.departure_category == DepartureCategory.TRANSFER_WITH_CONSENT
    length = (master.closed_on - master.starts_on).days
    assert (record.departed_on - master.closed_on).days < 2 * length


def test_the_technical_worker_later_earned_an_intermediate_degree(demo: LoadedDemo) -> None:
    (record,) = by_key(demo, "technical_worker_then_intermediate")
    levels = sorted(
        (c.issued_on, c.level) for c in record.credentials.values() if c.track == Track.PROFESSIONAL
    )
    assert [level for _, level in levels] == ["technical_worker", "intermediate"]
    assert held(record, Track.PROFESSIONAL) == "intermediate"


# ------------------------------------------------------------------------------------ corrections


def naive(figures: Figures) -> Figures:
    """The same figures with the corrections ignored (voided facts left in)."""
    records = {
        staff_id: fold_record([e for e in events if not isinstance(e, StaffMember.Corrected)], as_of=SNAPSHOT)
        for staff_id, events in figures.events.items()
    }
    return Figures(events=figures.events, records=records)


def test_the_demo_records_five_corrections(demo: LoadedDemo) -> None:
    assert len(demo.summary.corrections) == 5
    for event_id in demo.summary.corrections:
        staff_id, _, version = event_id.rpartition(":")
        assert isinstance(demo.figures.events[staff_id][int(version) - 1], StaffMember.Corrected)


def test_voided_facts_would_change_the_figures_if_they_counted(demo: LoadedDemo) -> None:
    wrong = naive(demo.figures)
    assert len(wrong.on_roll) == 60  # a retirement recorded on the wrong person
    advanced = {
        staff_id
        for staff_id, events in demo.figures.events.items()
        for e in events
        if isinstance(e, StaffMember.CredentialRecognized)
        and e.track == Track.POLITICAL_THEORY
        and e.level == "advanced"
        and demo.figures.records[staff_id].is_active_on(SNAPSHOT)
        and held(demo.figures.records[staff_id], Track.POLITICAL_THEORY) != "bachelor"
    }
    assert len(advanced) == 4  # a level typed wrong: 3 holders recognized from dossiers, plus one
    assert sum(wrong.ratings()[2022].values()) == 57  # a rating typed wrong
    in_scope = sum(
        1
        for record in wrong.records.values()
        for e in record.enrollments.values()
        if e.track in (Track.POLITICAL_THEORY, Track.STATE_MANAGEMENT, Track.LEADERSHIP)
        and date(2019, 1, 1) <= e.starts_on <= SNAPSHOT
    )
    assert in_scope == 168  # a dispatch entered twice


def test_a_mistyped_completion_was_voided_and_recorded_again_with_the_same_certificate(
    demo: LoadedDemo,
) -> None:
    found = []
    for events in demo.figures.events.values():
        voided = {e.voided_event_id for e in events if isinstance(e, StaffMember.Corrected)}
        for event in events:
            if (
                isinstance(event, StaffMember.Completed)
                and f"{events[0].staff_id}:{event.originator_version}" in voided
            ):  # type: ignore[attr-defined]
                again = [
                    e
                    for e in events
                    if isinstance(e, StaffMember.Completed)
                    and e.enrollment_id == event.enrollment_id
                    and e is not event
                ]
                assert len(again) == 1
                assert again[0].credential
                assert event.credential
                assert again[0].credential.credential_id == event.credential.credential_id
                assert again[0].effective_on != event.effective_on
                found.append(event)
    assert len(found) == 1


# ------------------------------------------------------------------------------------ the log


def test_recording_times_come_after_business_dates_except_annual_ratings_decided_before_year_end(
    demo: LoadedDemo,
) -> None:
    cap = datetime(2025, 12, 31, 10, 0, tzinfo=UTC)
    late = 0
    for events in demo.figures.events.values():
        voided = {e.voided_event_id for e in events if isinstance(e, StaffMember.Corrected)}
        staff_id = events[0].staff_id  # type: ignore[attr-defined]
        for event in events:
            assert event.timestamp <= cap
            if f"{staff_id}:{event.originator_version}" in voided:
                continue  # a mistake, such as a completion typed with a date still to come
            if isinstance(event, StaffMember.Evaluated) and event.kind == EvaluationKind.ANNUAL:
                assert event.timestamp.date() < event.effective_on
                assert event.timestamp.month in (11, 12)
                assert event.timestamp.year == event.year
                continue
            assert event.timestamp.date() >= event.effective_on, event
            if (
                event.timestamp.date() - event.effective_on > timedelta(days=60)
                and event.effective_on.year >= 2019
            ):
                late += 1
    assert late > 5  # some entries are deliberately backdated


def test_staff_on_the_roll_in_2019_were_registered_by_the_dossier_import_in_early_2019(
    demo: LoadedDemo,
) -> None:
    for events in demo.figures.events.values():
        registration = events[0]
        assert isinstance(registration, StaffMember.Registered)
        if registration.effective_on < date(2019, 1, 1):
            assert registration.recorded_by == "import-2019"
            assert date(2019, 1, 7) <= registration.timestamp.date() <= date(2019, 3, 29)


def test_names_are_vietnamese_with_diacritics_and_include_several_nguyen_van(demo: LoadedDemo) -> None:
    names = [r.full_name for r in demo.figures.records.values()]
    assert len(set(names)) == len(names)
    assert "Nguyễn Văn An" in names
    assert "Trần Thị Bích Ngọc" in names
    assert sum(n.startswith("Nguyễn Văn ") for n in names) >= 5
    assert sum(unicodedata.normalize("NFD", n) != n for n in names) > 0.8 * len(names)
    assert all(unicodedata.is_normalized("NFC", n) for n in names)


def test_the_log_is_the_same_on_both_stores(sqlite_demo: LoadedDemo, postgres_demo: LoadedDemo) -> None:
    def stored(ledger: Ledger) -> list[tuple[object, ...]]:
        return [
            (n.id, str(n.originator_id), n.originator_version, n.topic, bytes(n.state))
            for n in iter_notifications(ledger.chained_recorder)
        ]

    first, second = stored(sqlite_demo.ledger), stored(postgres_demo.ledger)
    assert len(first) == sqlite_demo.summary.events
    assert first == second


def test_the_plan_is_the_same_in_another_process_with_another_hash_seed() -> None:
    code = "from ledger.demo import build_plan, demo_digest; print(demo_digest(build_plan(2019)))"
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == demo_digest(build_plan(2019))


@pytest.mark.parametrize("seed", [1, 7, 2024])
def test_other_seeds_give_other_people_and_days_but_the_same_figures(seed: int) -> None:
    plan = build_plan(seed)
    stats = plan_statistics(plan)
    reference = plan_statistics(build_plan(2019))
    for name in (
        "attendances",
        "by_year_track",
        "status",
        "mode",
        "funding",
        "abroad",
        "female",
        "young",
        "young_female",
        "post",
        "per_current",
        "per_former",
        "out_of_scope",
        "rated",
    ):
        assert stats[name] == reference[name], name
    assert demo_digest(plan) != demo_digest(build_plan(2019))


def test_under_strict_rules_required_before_appointment_the_demo_loads_with_waivers(tmp_path: Path) -> None:
    store = StoreConfig(f"sqlite:///{tmp_path / 'strict.db'}")
    ledger = Ledger(store, env={"LEDGER_RULES_VARIANT": "strict,before"})
    try:
        summary = load_demo(ledger)
        waived = {event_id.rpartition(":")[0] for event_id in summary.waived_appointments}
        edges = summary.edge_cases
        assert edges["1_pho_truong_phong_without_division_leadership"][0] in waived
        assert edges["2_young_female_pho_truong_phong_2025"][0] in waived
        assert edges["4_truong_phong_cv_rank_cv_certificate_only"][0] in waived
        for event_id in summary.waived_appointments:
            staff_id, _, version = event_id.rpartition(":")
            event = ledger.events_of(staff_id)[int(version) - 1]
            assert isinstance(event, StaffMember.Appointed)
            assert event.waiver is not None
        figures = figures_of(ledger, list(summary.staff_ids))
        assert len(figures.attendances) == 167
        assert len(figures.on_roll) == 61
    finally:
        ledger.close()


def test_the_demo_is_defined_only_at_its_snapshot_date() -> None:
    with pytest.raises(ValueError, match="2025-12-31"):
        build_plan(2019, date(2024, 12, 31))


# ------------------------------------------------------------------------------------ command line


def run_cli(args: list[str], url: str) -> tuple[int, str]:
    app = make_app()
    app.callback()(lambda: None)  # a group, as in the assembled ``ledger`` command
    register_demo_command(app)
    result = CliRunner().invoke(app, args, env={"LEDGER_DATABASE_URL": url})
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def cli_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int, str]]:
    """``ledger demo`` run once on a fresh SQLite store: (url, exit code, output)."""
    with module_store("sqlite", tmp_path_factory.mktemp("cli")) as store:
        code, output = run_cli(["demo"], store.url)
        yield store.url, code, output


def test_ledger_demo_loads_the_agency_and_prints_what_it_loaded(cli_store: tuple[str, int, str]) -> None:
    url, code, output = cli_store
    assert code == 0, output
    assert "61 on the roll" in output
    assert "167 attendances" in output
    assert "CB0001" in output
    opened = Ledger(StoreConfig(url))
    try:
        assert len(staff_ids_in_log(opened)) == 67
    finally:
        opened.close()


def test_ledger_demo_run_again_on_the_same_store_records_nothing(cli_store: tuple[str, int, str]) -> None:
    url, _, _ = cli_store
    opened = Ledger(StoreConfig(url))
    try:
        before = opened.chained_recorder.max_notification_id()
    finally:
        opened.close()
    code, output = run_cli(["demo"], url)
    assert code == 0, output
    assert "already holds the demo agency" in output
    opened = Ledger(StoreConfig(url))
    try:
        assert opened.chained_recorder.max_notification_id() == before
    finally:
        opened.close()


def test_ledger_demo_refuses_a_store_with_other_records(tmp_path: Path) -> None:
    store = StoreConfig(f"sqlite:///{tmp_path / 'other.db'}")
    register_someone(store, "NV001")
    code, output = run_cli(["demo"], store.url)
    assert code == 1
    assert "not empty" in output
    assert "--force" in output
    ledger = Ledger(store)
    try:
        assert staff_ids_in_log(ledger) == ["NV001"]
    finally:
        ledger.close()


def test_ledger_demo_refuses_a_store_whose_staff_ids_collide_even_with_force(tmp_path: Path) -> None:
    store = StoreConfig(f"sqlite:///{tmp_path / 'collide.db'}")
    register_someone(store, "CB0001")
    code, output = run_cli(["demo", "--force"], store.url)
    assert code == 1
    assert "CB0001" in output
    ledger = Ledger(store)
    try:
        assert staff_ids_in_log(ledger) == ["CB0001"]
    finally:
        ledger.close()


def register_someone(store: StoreConfig, staff_id: str) -> None:
    ledger = Ledger(store)
    try:
        ledger.register(
            staff_id=staff_id,
            full_name="Lê Thị Hoa",
            gender=Gender.FEMALE,
            birth_date=date(1990, 1, 1),
            unit="Phòng Kế toán",
            joined_on=date(2015, 1, 1),
            employment=Employment.CIVIL_SERVANT,
            recorded_by="test",
        )
    finally:
        ledger.close()


def test_ledger_demo_with_force_loads_beside_other_records(tmp_path: Path) -> None:
    store = StoreConfig(f"sqlite:///{tmp_path / 'beside.db'}")
    register_someone(store, "NV001")
    code, output = run_cli(["demo", "--force"], store.url)
    assert code == 0, output
    ledger = Ledger(store)
    try:
        assert len(staff_ids_in_log(ledger)) == 68
    finally:
        ledger.close()
