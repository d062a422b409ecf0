"""Group enrollment in the service layer (``ledger.group``) on a real SQLite file and PostgreSQL:
one transaction for everybody, or nothing for anybody."""

from __future__ import annotations

from datetime import date

import pytest

from ledger.application import Ledger
from ledger.domain import errors
from ledger.domain.catalog import Gender, Mode, Track
from ledger.domain.commands import Enroll
from ledger.group import GroupRefused, enroll_group

COURSE = Enroll(
    course_code="BD-CV-24",
    course_title="Bồi dưỡng ngạch chuyên viên",
    track=Track.STATE_MANAGEMENT,
    level="officer",
    provider="Trường Chính trị tỉnh",
    mode=Mode.PART_TIME,
    starts_on=date(2024, 3, 4),
    decision_ref="QĐ 77/QĐ-UBND",
)


def register(ledger: Ledger, staff_id: str, joined_on: date = date(2010, 9, 1)) -> None:
    ledger.register(
        staff_id=staff_id,
        full_name="Lê Văn Tám",
        gender=Gender.MALE,
        birth_date=date(1985, 4, 12),
        unit="Phòng Tổ chức – Hành chính",
        joined_on=joined_on,
        recorded_by="hr",
    )


def test_every_person_of_the_group_is_enrolled_under_the_same_decision(ledger: Ledger) -> None:
    for staff_id in ("G1", "G2", "G3"):
        register(ledger, staff_id)
    results = enroll_group(ledger, ["G1", "G2", "G3"], COURSE, recorded_by="hr")
    assert [r.staff_id for r in results] == ["G1", "G2", "G3"]
    for result in results:
        enrollment = ledger.record(result.staff_id).enrollments[str(result.enrollment_id)]
        assert enrollment.decision_ref == "QĐ 77/QĐ-UBND"


def test_one_refusal_enrolls_nobody_and_names_the_person(ledger: Ledger) -> None:
    register(ledger, "G1")
    register(ledger, "G2", joined_on=date(2025, 1, 1))
    head = ledger.recorder.max_notification_id()
    with pytest.raises(GroupRefused) as refused:
        enroll_group(ledger, ["G1", "G2"], COURSE, recorded_by="hr")
    assert [staff_id for staff_id, _ in refused.value.failures] == ["G2"]
    assert ledger.recorder.max_notification_id() == head


def test_a_record_changed_since_the_group_was_shown_enrolls_nobody(ledger: Ledger) -> None:
    register(ledger, "G1")
    register(ledger, "G2")
    head = ledger.recorder.max_notification_id()
    with pytest.raises(errors.StaleVersion):
        enroll_group(ledger, ["G1", "G2"], COURSE, recorded_by="hr", expected_versions={"G1": 1, "G2": 0})
    assert ledger.recorder.max_notification_id() == head


def test_a_group_with_nobody_in_it_is_refused_naming_the_field(ledger: Ledger) -> None:
    with pytest.raises(errors.InvalidInput) as refused:
        enroll_group(ledger, [], COURSE, recorded_by="hr")
    assert refused.value.field == "staff_ids"
