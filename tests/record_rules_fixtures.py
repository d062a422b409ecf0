"""Helpers for the tests of the rules of the record on the aggregate alone (the four
tests/domain/test_rules_*.py modules but the position standards' test_rules_engine_*.py): a
StaffMember aggregate built with no database and no clock, each write made as its frozen command,
and ``refused``, which checks that a refused command raised its named error, carried the offending
field and left the aggregate exactly as it was.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from ledger.domain import errors
from ledger.domain.catalog import (
    Employment,
    EvaluationKind,
    Gender,
    Mode,
    Outcome,
    Rating,
    RotationKind,
    Track,
)
from ledger.domain.commands import (
    Appoint,
    Complete,
    Correct,
    Depart,
    Enroll,
    Evaluate,
    RecognizeCredential,
    Register,
    Rotate,
    Withdraw,
)
from ledger.domain.record import CredentialAward, Evidence
from ledger.staff import StaffMember

BORN = date(1980, 5, 17)
JOINED = date(2005, 3, 1)
STARTS = date(2019, 3, 1)
COMPLETED = date(2020, 6, 30)
DEPARTED = date(2024, 9, 30)
REGISTRAR = "to-chuc-can-bo"
# The agency's date when facts without a recording time of their own are recorded: after every
# business date of these tests, so that only the rule under test can refuse them.
TODAY = date(2025, 6, 2)


def as_command(kind: Any, fields: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    """The write ``kind`` made of the fields that are its own, and the others (the envelope,
    what the application resolves) to pass beside it."""
    names = {f.name for f in dataclasses.fields(kind)}
    return kind(**{k: v for k, v in fields.items() if k in names}), {
        k: v for k, v in fields.items() if k not in names
    }

def at(day: date, hour: int = 9) -> datetime:
    """A recording time on ``day`` (UTC)."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def new_member(**overrides: Any) -> StaffMember:
    fields: dict[str, Any] = {
        "staff_id": "NV001",
        "full_name": "Nguyễn Thị Hồng Nhung",
        "gender": Gender.FEMALE,
        "birth_date": BORN,
        "unit": "Phòng Tổ chức cán bộ",
        "joined_on": JOINED,
        "position": "Chuyên viên",
        "rank": "01.003",
        "employment": Employment.CIVIL_SERVANT,
        "recorded_by": REGISTRAR,
        "recorded_at": at(JOINED),
    }
    fields.update(overrides)
    command, beside = as_command(Register, fields)
    return StaffMember.register(command, **beside)


def enroll(member: StaffMember, enrollment_id: str = "E1", **overrides: Any) -> None:
    fields: dict[str, Any] = {
        "enrollment_id": enrollment_id,
        "course_code": "LLCT-TC",
        "course_title": "Trung cấp lý luận chính trị - hành chính",
        "track": Track.POLITICAL_THEORY,
        "level": "intermediate",
        "provider": "Trường Chính trị tỉnh",
        "mode": Mode.PART_TIME,
        "starts_on": STARTS,
        "ends_on": date(2020, 6, 1),
        "decision_ref": "QĐ 123/QĐ-UBND",
        "recorded_by": REGISTRAR,
    }
    fields.update(overrides)
    recorded_at = fields.pop("recorded_at", at(fields["starts_on"]))
    recorded_by = fields.pop("recorded_by")
    member.enroll(Enroll(**fields), recorded_by=recorded_by, recorded_at=recorded_at)


def award(credential_id: str = "C1", issued_on: date = COMPLETED) -> CredentialAward:
    return CredentialAward(
        credential_id=credential_id,
        title="Bằng Trung cấp lý luận chính trị - hành chính",
        issuer="Trường Chính trị tỉnh",
        issued_on=issued_on,
        number="TC-2020-0042",
    )


def complete(
    member: StaffMember,
    enrollment_id: str = "E1",
    *,
    on: date = COMPLETED,
    credential: CredentialAward | None = None,
    outcome: Outcome = Outcome.PASSED,
    **overrides: Any,
) -> None:
    if credential is None and outcome == Outcome.PASSED:
        enrollment = member.record.enrollments.get(enrollment_id)
        if enrollment is not None and enrollment.level is not None:
            credential = award(f"C-{enrollment_id}", on)
    recorded_at = overrides.pop("recorded_at", at(on))
    today = overrides.pop("today", TODAY)
    member.complete(
        Complete(enrollment_id=enrollment_id, completed_on=on, outcome=outcome, **overrides),
        credential=credential,
        recorded_by=REGISTRAR,
        recorded_at=recorded_at,
        today=today,
    )


def fail(member: StaffMember, enrollment_id: str = "E1", *, on: date = COMPLETED) -> None:
    complete(member, enrollment_id, on=on, outcome=Outcome.FAILED, score=Decimal("4.5"))


def withdraw(member: StaffMember, enrollment_id: str = "E1", *, on: date = date(2019, 9, 1)) -> None:
    member.withdraw(
        Withdraw(enrollment_id=enrollment_id, on=on, reason="Điều động công tác khác"),
        today=TODAY,
        recorded_by=REGISTRAR,
        recorded_at=at(on),
    )


def recognize(member: StaffMember, credential_id: str = "R1", **overrides: Any) -> None:
    fields: dict[str, Any] = {
        "credential_id": credential_id,
        "track": Track.PROFESSIONAL,
        "level": "bachelor",
        "title": "Cử nhân Luật",
        "issuer": "Trường Đại học Luật Hà Nội",
        "issued_on": date(2002, 6, 15),
        "number": "QH-2002-1234",
        "evidence": Evidence(document_ref="Hồ sơ cán bộ số 15/2005", verified_by="Phòng TCCB"),
        "recorded_by": REGISTRAR,
    }
    fields.update(overrides)
    fields.setdefault("recorded_at", at(JOINED, 10))
    fields.setdefault("today", TODAY)
    command, beside = as_command(RecognizeCredential, fields)
    member.recognize_credential(command, **beside)


def rotate(member: StaffMember, **overrides: Any) -> None:
    fields: dict[str, Any] = {
        "to_unit": "Chi cục Thuế khu vực I",
        "kind": RotationKind.ROTATION,
        "starts_on": date(2021, 1, 4),
        "ends_on": date(2024, 1, 3),
        "decision_ref": "QĐ 45/QĐ-TCT",
        "position": "Phó Chi cục trưởng",
        "recorded_by": REGISTRAR,
    }
    fields.update(overrides)
    fields.setdefault("recorded_at", at(fields["starts_on"]))
    command, beside = as_command(Rotate, fields)
    member.rotate(command, **beside)


def appoint(member: StaffMember, **overrides: Any) -> None:
    fields: dict[str, Any] = {
        "position": "Phó Trưởng phòng",
        "effective_on": date(2022, 6, 1),
        "decision_ref": "QĐ 77/QĐ-CT",
        "recorded_by": REGISTRAR,
    }
    fields.update(overrides)
    fields.setdefault("recorded_at", at(fields["effective_on"]))
    command, beside = as_command(Appoint, fields)
    member.appoint(command, **beside)


def rate(member: StaffMember, year: int, rating: Rating = Rating.GOOD) -> None:
    member.evaluate(
        Evaluate(kind=EvaluationKind.ANNUAL, year=year, rating=rating, evaluator="Chi cục trưởng"),
        today=TODAY,
        recorded_by=REGISTRAR,
        recorded_at=at(date(year, 12, 31)),
    )


def evaluate_after(member: StaffMember, enrollment_id: str = "E1", *, on: date = date(2021, 1, 15)) -> None:
    member.evaluate(
        Evaluate(
            kind=EvaluationKind.POST_TRAINING,
            enrollment_id=enrollment_id,
            on=on,
            rating=Rating.EXCELLENT,
            score=Decimal("9.25"),
            evaluator="Trưởng phòng",
        ),
        today=TODAY,
        recorded_by=REGISTRAR,
        recorded_at=at(on),
    )


def depart(member: StaffMember, *, on: date = DEPARTED) -> None:
    member.depart(Depart(on=on, reason="Nghỉ hưu"), today=TODAY, recorded_by=REGISTRAR, recorded_at=at(on))


def correct(member: StaffMember, event_id: str, *, on: date = date(2025, 2, 3)) -> None:
    member.correct(
        Correct(event_id=event_id, reason="Nhập nhầm"),
        on=on,
        recorded_by=REGISTRAR,
        recorded_at=at(on),
    )


@contextmanager
def refused(member: StaffMember | None, error: type[errors.LedgerError], field: str) -> Iterator[None]:
    """The block raises ``error`` about ``field``, with a message, and changes nothing."""
    version = member.version if member is not None else None
    pending = len(member.pending_events) if member is not None else None
    with pytest.raises(error) as caught:
        yield
    assert caught.value.field == field
    assert caught.value.message.strip()
    assert str(caught.value) == caught.value.message
    if member is not None:
        assert member.version == version
        assert len(member.pending_events) == pending


CLOSERS = {"completed": complete, "failed": fail, "withdrawn": withdraw}


AFTER_DEPARTURE = date(2024, 10, 1)
