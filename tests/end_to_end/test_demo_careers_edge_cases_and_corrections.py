"""The demo agency (docs/domain.md §3) loaded through the ledger's commands, on SQLite and PostgreSQL,
checked against a brute-force oracle over the log (``demo_fixtures``): careers, the edge cases of
§3.9 and the corrections.

The demo is loaded once per store for the whole session (a load takes seconds); every test reads.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest
from conftest import OncePerSession
from demo_fixtures import (
    PTP,
    SNAPSHOT,
    Figures,
    LoadedDemo,
    age_on,
    held,
    post_kind,
    shared_demo,
)

from ledger.demo import TARGETS
from ledger.domain.catalog import (
    DepartureCategory,
    EvaluationKind,
    Gender,
    RotationKind,
    Track,
)
from ledger.domain.fold import fold_record
from ledger.domain.record import EnrollmentStatus, StaffRecord
from ledger.staff import StaffMember


@pytest.fixture(params=["sqlite", "postgresql"])
def demo(
    request: pytest.FixtureRequest, once_per_session: OncePerSession, tmp_path_factory: pytest.TempPathFactory
) -> LoadedDemo:
    """The demo on each store (loaded once per session, whichever module asks first)."""
    return shared_demo(request.param, once_per_session, tmp_path_factory)


def by_key(demo: LoadedDemo, case: str) -> list[StaffRecord]:
    return [demo.figures.records[staff_id] for staff_id in demo.summary.edge_cases[case]]


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
