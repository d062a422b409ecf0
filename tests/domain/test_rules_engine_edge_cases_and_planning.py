"""The position standards on the edge cases of docs/domain.md §3.9, in every variant of the rules;
the same appointment judged by the rules of its day and by today's; and the planning pools' readiness
and needs.
"""

from __future__ import annotations

from datetime import date

import pytest
from standards_fixtures import (
    AS_OF,
    TODAY,
    VARIANTS,
    appoint,
    check_for,
    enroll,
    equip,
    hold,
    rules,
    staff,
)

from ledger.domain import errors
from ledger.domain.catalog import (
    Gender,
    Track,
)
from ledger.domain.commands import (
    Depart,
    Plan,
)
from ledger.domain.history import event_data
from ledger.domain.record import StaffRecord
from ledger.staff import StaffMember
from ledger.standards import compliance
from ledger.standards.needs import needs_of, needs_report
from ledger.standards.verdicts import Status

# --------------------------------------------------------------------------- §3.9 edge cases


@pytest.mark.parametrize("variant", VARIANTS)
def test_edge_1_deputy_appointed_2022_without_the_division_certificate_is_overdue_in_every_mode(
    variant: str,
) -> None:
    member = staff(born=date(1980, 4, 2))
    equip(member, "Phó trưởng phòng", without={Track.LEADERSHIP})
    appoint(member, "Phó trưởng phòng", date(2022, 6, 1))
    needs = needs_of(member.record, AS_OF, rules(variant))
    leadership = check_for(needs.post, Track.LEADERSHIP)
    assert leadership.status == Status.OVERDUE
    assert "overdue" in needs.flags


@pytest.mark.parametrize(
    ("variant", "status", "deadline", "flagged"),
    [
        ("lenient,grace", Status.PENDING, date(2026, 3, 1), False),
        ("strict,grace", Status.PENDING, date(2026, 3, 1), False),
        ("lenient,before", Status.OVERDUE, date(2025, 3, 1), True),
        ("strict,before", Status.OVERDUE, date(2025, 3, 1), True),
    ],
)
def test_edge_2_deputy_appointed_2025_03_without_the_division_certificate(
    variant: str, status: Status, deadline: date, flagged: bool
) -> None:
    """Grace mode (TT 12/2022, 12 months): pending. Before mode (Directive 28): the appointment is
    flagged "appointed without meeting the standard"."""
    member = staff(born=date(1992, 5, 10), gender=Gender.FEMALE, joined=date(2015, 3, 1))
    equip(member, "Phó trưởng phòng", without={Track.LEADERSHIP})
    appoint(member, "Phó trưởng phòng", date(2025, 3, 1))
    needs = needs_of(member.record, AS_OF, rules(variant))
    leadership = check_for(needs.post, Track.LEADERSHIP)
    assert (leadership.status, leadership.deadline) == (status, deadline)
    (review,) = needs.appointments
    assert review.appointed_without_meeting_standard is flagged
    assert ("appointed_without_meeting_standard" in needs.flags) is flagged


@pytest.mark.parametrize(
    ("variant", "status"),
    [("lenient,grace", Status.OVERDUE), ("strict,grace", Status.OVERDUE)],
)
def test_edge_3_deputy_with_political_theory_in_progress_has_that_gap(variant: str, status: Status) -> None:
    member = staff(born=date(1984, 2, 2))
    equip(member, "Phó trưởng phòng", without={Track.POLITICAL_THEORY})
    appoint(member, "Phó trưởng phòng", date(2023, 6, 15))
    course = enroll(member, Track.POLITICAL_THEORY, "intermediate", date(2024, 9, 1), date(2026, 6, 30))
    llct = check_for(needs_of(member.record, AS_OF, rules(variant)).post, Track.POLITICAL_THEORY)
    assert llct.status == status
    assert llct.in_training == course
    assert llct.held is None


def test_edge_3_in_lenient_mode_the_political_theory_grace_runs_24_months() -> None:
    member = staff()
    equip(member, "Phó trưởng phòng", without={Track.POLITICAL_THEORY})
    appoint(member, "Phó trưởng phòng", date(2024, 3, 1))
    lenient = check_for(needs_of(member.record, AS_OF, rules("lenient,grace")).post, Track.POLITICAL_THEORY)
    strict = check_for(needs_of(member.record, AS_OF, rules("strict,grace")).post, Track.POLITICAL_THEORY)
    assert (lenient.status, lenient.deadline) == (Status.PENDING, date(2026, 3, 1))
    assert (strict.status, strict.deadline) == (Status.OVERDUE, date(2024, 3, 1))


@pytest.mark.parametrize(("variant", "meets"), [("lenient,grace", True), ("strict,grace", False)])
def test_edge_4_head_in_cv_rank_with_only_the_cv_certificate_passes_lenient_and_fails_strict(
    variant: str, meets: bool
) -> None:
    member = staff(rank="CV")
    equip(member, "Trưởng phòng", without={Track.STATE_MANAGEMENT})
    hold(member, Track.STATE_MANAGEMENT, "specialist", date(2011, 1, 1))
    appoint(member, "Trưởng phòng", date(2019, 4, 1))
    needs = needs_of(member.record, AS_OF, rules(variant))
    qlnn = check_for(needs.post, Track.STATE_MANAGEMENT)
    assert qlnn.met is meets
    assert needs.post.compliant is meets
    if not meets:
        assert (qlnn.required_level, qlnn.status) == ("principal", Status.OVERDUE)


def test_edge_5_division_leaders_without_group3_defense_training_are_counted() -> None:
    records: list[StaffRecord] = []
    for n, post in enumerate(["Trưởng phòng", "Phó trưởng phòng", "Phó trưởng phòng", "Trưởng phòng"]):
        member = staff(f"L{n}")
        equip(member, post, without={Track.DEFENSE_SECURITY} if n < 3 else set())
        appoint(member, post, date(2020, 1, 1 + n))
        records.append(member.record)
    for variant in VARIANTS:
        report = needs_report(records, AS_OF, rules(variant))
        assert report.by_track().get("defense_security") == {"overdue": 3}, variant


@pytest.mark.parametrize(("variant", "gap"), [("lenient,grace", False), ("strict,grace", True)])
def test_edge_6_cv_recruits_of_2025_lack_the_cv_certificate_only_if_that_rule_is_on(
    variant: str, gap: bool
) -> None:
    records = []
    for n in range(2):
        member = staff(f"R{n}", joined=date(2025, 3, 1), born=date(2000, 1, 1))
        hold(member, Track.PROFESSIONAL, "bachelor", date(2024, 6, 1))
        records.append(member.record)
    report = needs_report(records, AS_OF, rules(variant))
    gaps = [(c.track, c.status, c.deadline) for p in report.people for c in p.gaps]
    if gap:
        assert gaps == [(Track.STATE_MANAGEMENT, Status.PENDING, date(2026, 3, 1))] * 2
    else:
        assert gaps == []


# --------------------------------------------------------------------------- rule changes over time


def _deputy_director_appointed_2021() -> StaffMember:
    member = staff(position="Trưởng phòng", rank="CVC", born=date(1975, 1, 1))
    equip(member, "Phó Cục trưởng", without={Track.POLITICAL_THEORY})
    hold(member, Track.POLITICAL_THEORY, "intermediate", date(2008, 1, 1))
    appoint(member, "Phó Cục trưởng", date(2021, 6, 1), rules("strict,grace"))
    return member


def test_the_same_appointment_met_the_rules_then_and_fails_todays_rules() -> None:
    """Trung cấp LLCT was enough for a Phó Cục trưởng in 2021; under Decree 29/2024 (strict
    reading) it takes cao cấp."""
    member = _deputy_director_appointed_2021()
    (review,) = compliance.review_appointments(member.record, AS_OF, rules("strict,grace"))
    assert review.met_rules_then
    assert not review.appointed_without_meeting_standard
    assert not review.would_meet_todays_rules_then
    assert not review.meets_todays_rules
    llct = check_for(review.now, Track.POLITICAL_THEORY)
    assert (llct.rule_id, llct.required_level, llct.status) == (
        "nd29-2024.pho-cuc-truong.llct-strict",
        "advanced",
        Status.OVERDUE,
    )
    assert check_for(review.then, Track.POLITICAL_THEORY).rule_id == "2017.pho-cuc-truong"


def test_under_the_lenient_reading_the_same_appointment_meets_both() -> None:
    member = _deputy_director_appointed_2021()
    (review,) = compliance.review_appointments(member.record, AS_OF, rules("lenient,grace"))
    assert review.met_rules_then
    assert review.would_meet_todays_rules_then
    assert review.meets_todays_rules


def test_changing_the_rules_changes_the_results_and_no_event() -> None:
    member = _deputy_director_appointed_2021()
    before = [event_data(e) for e in member.history]
    lenient = needs_of(member.record, AS_OF, rules("lenient,grace"))
    strict = needs_of(member.record, AS_OF, rules("strict,grace"))
    assert lenient.post.compliant
    assert not strict.post.compliant
    assert [event_data(e) for e in member.history] == before


# --------------------------------------------------------------------------- planning pools


def test_planning_pool_readiness_per_position() -> None:
    ready = staff("A")
    equip(ready, "Trưởng phòng", without={Track.LEADERSHIP, Track.DEFENSE_SECURITY})
    not_ready = staff("B")
    equip(not_ready, "Trưởng phòng", without={Track.POLITICAL_THEORY})
    for member in (ready, not_ready):
        member.plan(
            Plan(
                position="Trưởng phòng",
                from_year=2025,
                to_year=2030,
                decision_ref="QĐ 5/QĐ-CT",
                on=date(2025, 2, 1),
            ),
            recorded_by="test",
        )
    report = needs_report([ready.record, not_ready.record], AS_OF, rules())
    (pool,) = report.pools
    assert pool.position is not None
    assert pool.position.code == "truong_phong"
    assert (len(pool.candidates), pool.ready) == (2, 1)
    by_id = {c.staff_id: c for c in pool.candidates}
    assert by_id["A"].ready  # leadership and QP-AN may follow in their grace periods
    assert [g.track for g in by_id["B"].check.blocking] == [Track.POLITICAL_THEORY]


def test_a_plan_covers_only_its_years() -> None:
    member = staff()
    member.plan(
        Plan(position="TP", from_year=2021, to_year=2025, decision_ref="QĐ 1", on=date(2021, 1, 5)),
        recorded_by="t",
    )
    assert member.record.plans_on(date(2025, 12, 31))
    assert not member.record.plans_on(date(2026, 1, 1))
    assert not member.record.plans_on(date(2021, 1, 4))


def test_a_planning_period_ending_before_it_starts_is_refused() -> None:
    member = staff()
    with pytest.raises(errors.InvalidDates) as caught:
        member.plan(
            Plan(position="TP", from_year=2030, to_year=2025, decision_ref="QĐ 1", on=date(2025, 1, 5)),
            recorded_by="t",
        )
    assert caught.value.field == "to_year"


def test_needs_against_a_given_position_treat_others_as_candidates() -> None:
    member = staff()
    equip(member, "Trưởng phòng", without={Track.LEADERSHIP})
    needs = needs_of(member.record, AS_OF, rules(), position="Trưởng phòng")
    leadership = check_for(needs.post, Track.LEADERSHIP)
    assert (leadership.status, leadership.deadline) == (Status.UNMET, None)


def test_the_needs_report_counts_only_active_staff() -> None:
    gone = staff("G")
    gone.depart(Depart(on=date(2024, 1, 1), reason="Nghỉ hưu"), today=TODAY, recorded_by="t")
    here = staff("H")
    report = needs_report([gone.record, here.record], AS_OF, rules())
    assert [p.staff_id for p in report.people] == ["H"]
