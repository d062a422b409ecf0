"""The service commitments a funded course creates (how long, what leaving early owes) and the
training effectiveness report (ratings before and after, per programme and year), computed from the
record without a database or a clock.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from standards_fixtures import AS_OF, TODAY, _ids, enroll, rules, staff

from ledger.domain.catalog import (
    DepartureCategory,
    EvaluationKind,
    Funding,
    Outcome,
    Rating,
    Track,
)
from ledger.domain.commands import (
    Complete,
    Depart,
    Evaluate,
    Withdraw,
)
from ledger.domain.record import CredentialAward
from ledger.staff import StaffMember
from ledger.standards.commitments import (
    CommitmentStatus,
    commitments_of,
    commitments_report,
    departure_category,
)
from ledger.standards.effectiveness import effectiveness_report


def complete(member: StaffMember, enrollment_id: str, on: date) -> None:
    member.complete(
        Complete(enrollment_id=enrollment_id, completed_on=on, outcome=Outcome.PASSED),
        credential=CredentialAward(f"K{next(_ids)}", "Bằng", "Học viện", on),
        today=TODAY, recorded_by="test",
    )


# --------------------------------------------------------------------------- commitments


def _master_graduate(
    starts: date, ends: date, completed: date, cost: Decimal = Decimal(120_000_000)
) -> tuple[StaffMember, str]:
    member = staff("M", joined=date(2012, 1, 1))
    course = enroll(
        member,
        Track.PROFESSIONAL,
        "master",
        starts,
        ends,
        funding=Funding.STATE_BUDGET,
        cost=cost,
        code="THS",
    )
    complete(member, course, completed)
    return member, course


def test_a_state_funded_master_commits_twice_its_length_under_decree_101() -> None:
    member, _ = _master_graduate(date(2019, 9, 1), date(2021, 8, 31), date(2021, 9, 15))
    (commitment,) = commitments_of(member.record, rules(), date(2023, 1, 1))
    assert (commitment.course_months, commitment.committed_months) == (24, 48)
    assert commitment.rule_id == "nd101-2017.dieu-7"
    assert commitment.service_until == date(2025, 9, 15)
    assert commitment.status == CommitmentStatus.SERVING
    assert (commitment.served_months, commitment.remaining_months) == (15, 33)
    (later,) = commitments_of(member.record, rules(), date(2025, 9, 15))
    assert later.status == CommitmentStatus.FULFILLED


def test_a_course_starting_from_2025_07_01_commits_three_times_its_length() -> None:
    member = staff("N", joined=date(2015, 1, 1))
    enroll(
        member,
        Track.PROFESSIONAL,
        "master",
        date(2025, 9, 1),
        date(2027, 8, 31),
        funding=Funding.STATE_BUDGET,
    )
    (commitment,) = commitments_of(member.record, rules(), AS_OF)
    assert (commitment.multiplier, commitment.committed_months) == (Decimal(3), 72)
    assert commitment.rule_id == "nd171-2025.cam-ket"
    assert commitment.status == CommitmentStatus.IN_TRAINING


def test_edge_11_a_transfer_with_consent_before_the_commitment_ends_owes_nothing() -> None:
    member, _ = _master_graduate(date(2019, 9, 1), date(2021, 8, 31), date(2021, 9, 15))
    member.depart(
        Depart(
            on=date(2023, 3, 1),
            reason="Điều động sang Cục Thuế tỉnh B",
            category=DepartureCategory.TRANSFER_WITH_CONSENT,
        ),
        today=TODAY,
        recorded_by="t",
    )
    (commitment,) = commitments_of(member.record, rules(), AS_OF)
    assert commitment.status == CommitmentStatus.RELEASED
    assert commitment.reimbursement == Decimal(0)


def test_edge_11_counterfactual_resigning_early_owes_the_prorated_share() -> None:
    member, _ = _master_graduate(date(2019, 9, 1), date(2021, 8, 31), date(2021, 9, 15))
    member.depart(
        Depart(on=date(2023, 3, 1), reason="Xin thôi việc", category=DepartureCategory.RESIGNED),
        today=TODAY,
        recorded_by="t",
    )
    (commitment,) = commitments_of(member.record, rules(), AS_OF)
    assert commitment.status == CommitmentStatus.BREACHED
    t1, t2, f = 48, 17, Decimal(120_000_000)
    assert (commitment.committed_months, commitment.served_months) == (t1, t2)
    assert commitment.reimbursement == f / t1 * (t1 - t2) == Decimal(77_500_000)
    assert commitment.formula == "S = F / T1 × (T1 − T2) = F / 48 × (48 − 17)"


def test_dropping_out_or_not_being_awarded_owes_everything() -> None:
    member = staff("D", joined=date(2012, 1, 1))
    dropped = enroll(
        member,
        Track.PROFESSIONAL,
        "master",
        date(2019, 9, 1),
        date(2021, 8, 31),
        funding=Funding.STATE_BUDGET,
        cost=Decimal(90_000_000),
    )
    member.withdraw(
        Withdraw(enrollment_id=dropped, on=date(2020, 3, 1), reason="Tự ý bỏ học"),
        today=TODAY,
        recorded_by="t",
    )
    failed = enroll(
        member,
        Track.PROFESSIONAL,
        "doctorate",
        date(2020, 9, 1),
        date(2023, 8, 31),
        funding=Funding.STATE_BUDGET,
        cost=Decimal(300_000_000),
    )
    member.complete(
        Complete(enrollment_id=failed, completed_on=date(2023, 9, 1), outcome=Outcome.FAILED),
        credential=None,
        today=TODAY,
        recorded_by="t",
    )
    report = commitments_report([member.record], rules(), AS_OF)
    assert [(c.status, c.reimbursement) for c in report.items] == [
        (CommitmentStatus.DROPPED_OUT, Decimal(90_000_000)),
        (CommitmentStatus.NOT_AWARDED, Decimal(300_000_000)),
    ]
    assert report.total_owed == Decimal(390_000_000)


def test_a_self_funded_course_creates_no_commitment() -> None:
    member = staff("S")
    enroll(
        member, Track.PROFESSIONAL, "master", date(2019, 9, 1), date(2021, 8, 31), funding=Funding.SELF_FUNDED
    )
    assert commitments_of(member.record, rules(), AS_OF) == []


@pytest.mark.parametrize(
    ("reason", "category"),
    [
        ("Điều động đến Cục Hải quan", DepartureCategory.TRANSFER_WITH_CONSENT),
        ("Nghỉ hưu theo chế độ", DepartureCategory.RETIRED),
        ("Xin thôi việc", DepartureCategory.RESIGNED),
        ("Bị buộc thôi việc", DepartureCategory.DISMISSED),
    ],
)
def test_a_departure_reason_is_read_when_no_category_was_recorded(
    reason: str, category: DepartureCategory
) -> None:
    member = staff("W")
    member.depart(Depart(on=date(2024, 1, 1), reason=reason), today=TODAY, recorded_by="t")
    assert departure_category(member.record) == (category, "inferred")


# --------------------------------------------------------------------------- effectiveness


def test_effectiveness_compares_ratings_before_and_after_per_programme_and_year() -> None:
    records = []
    for staff_id, after, applied in (
        ("E1", Rating.EXCELLENT, Rating.GOOD),
        ("E2", Rating.GOOD, Rating.COMPLETED),
    ):
        member = staff(staff_id)
        for year, rating in ((2021, Rating.GOOD), (2022, Rating.GOOD), (2023, after)):
            member.evaluate(
                Evaluate(kind=EvaluationKind.ANNUAL, year=year, rating=rating, evaluator="TP"),
                today=TODAY,
                recorded_by="t",
            )
        course = enroll(
            member, Track.STATE_MANAGEMENT, "principal", date(2022, 3, 1), date(2022, 5, 1), code="CVC"
        )
        complete(member, course, date(2022, 5, 1))
        member.evaluate(
            Evaluate(
                kind=EvaluationKind.POST_TRAINING,
                enrollment_id=course,
                on=date(2022, 10, 1),
                rating=applied,
                evaluator="TP",
            ),
            today=TODAY,
            recorded_by="t",
        )
        records.append(member.record)
    (effect,) = effectiveness_report(records, AS_OF)
    assert (effect.course_code, effect.track, effect.level, effect.year) == (
        "CVC",
        Track.STATE_MANAGEMENT,
        "principal",
        2022,
    )
    assert (effect.completions, effect.compared, effect.improved, effect.unchanged, effect.declined) == (
        2,
        2,
        1,
        1,
        0,
    )
    assert (effect.mean_before, effect.mean_after) == (Decimal("3.00"), Decimal("3.50"))
    assert effect.post_training == {"good": 1, "completed": 1}
    assert effect.applied_share == Decimal("0.50")


def test_ratings_not_yet_known_on_the_day_are_left_out_of_the_comparison() -> None:
    member = staff("E3")
    member.evaluate(
        Evaluate(kind=EvaluationKind.ANNUAL, year=2024, rating=Rating.GOOD, evaluator="TP"),
        today=TODAY,
        recorded_by="t",
    )
    course = enroll(member, Track.LEADERSHIP, "division", date(2025, 3, 1), date(2025, 4, 1), code="LD")
    complete(member, course, date(2025, 4, 1))
    (effect,) = effectiveness_report([member.record], AS_OF)
    assert (effect.completions, effect.compared) == (1, 0)
