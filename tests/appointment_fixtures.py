"""Helpers for the tests of the conditions of appointment besides training
(tests/domain/test_appointment_conditions_*.py): Ledgers under any variant of the shipped rules, a
person registered, holding credentials, in a planning pool and appointed through them, and the
conditions' checks read off the result.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any

import pytest

from ledger.application import Ledger
from ledger.domain import errors
from ledger.domain.catalog import Gender, Track
from ledger.domain.record import Evidence
from ledger.staff import StaffMember
from ledger.standards.rules import load_rules
from ledger.standards.verdicts import RequirementCheck
from ledger.store.config import StoreConfig

AT = datetime(2026, 1, 2, 8, 0, tzinfo=UTC)  # when the facts are recorded: after all of them
AS_OF = date(2025, 12, 31)
TP, PTP = "Trưởng phòng", "Phó trưởng phòng"
CONDITIONS = {"experience", "age_headroom", "field_of_study", "planning_pool"}

MakeLedger = Callable[[str], Ledger]


@contextmanager
def ledgers_by_variant(store: StoreConfig) -> Iterator[MakeLedger]:
    """Opens a Ledger on ``store`` under any variant of the shipped rules, all closed on leaving
    (each test module's ``make_ledger`` fixture)."""
    opened: list[Ledger] = []

    def make(variant: str) -> Ledger:
        app = Ledger(store, rules=load_rules(variant=variant))
        opened.append(app)
        return app

    yield make
    for app in opened:
        app.close()


def register(
    ledger: Ledger,
    staff_id: str,
    *,
    born: date = date(1980, 1, 1),
    gender: Gender = Gender.MALE,
    joined: date = date(2010, 1, 1),
    position: str = "Chuyên viên",
) -> None:
    ledger.register(
        staff_id=staff_id,
        full_name=f"Nguyễn Thị Hằng {staff_id}",
        gender=gender,
        birth_date=born,
        unit="Phòng Nghiệp vụ 1",
        joined_on=joined,
        position=position,
        rank="CV",
        recorded_by="hr",
        recorded_at=AT,
    )


def hold(
    ledger: Ledger, staff_id: str, track: Track, level: str, *, title: str = "", field: str | None = None
) -> None:
    ledger.recognize_credential(
        staff_id,
        track=track,
        level=level,
        title=title or f"Chứng chỉ {track} {level}",
        issuer="Học viện Hành chính Quốc gia",
        issued_on=date(2008, 6, 30),
        evidence=Evidence("Phiếu 2C số 15"),
        field=field,
        recorded_by="hr",
        recorded_at=AT,
    )


def plan(ledger: Ledger, staff_id: str, position: str, on: date, years: tuple[int, int]) -> None:
    ledger.plan(
        staff_id,
        position=position,
        from_year=years[0],
        to_year=years[1],
        decision_ref=f"QĐ quy hoạch {on}",
        on=on,
        recorded_by="hr",
        recorded_at=AT,
    )


def appoint(ledger: Ledger, staff_id: str, position: str, on: date) -> StaffMember.Appointed:
    result = ledger.appoint(
        staff_id,
        position=position,
        effective_on=on,
        decision_ref=f"QĐ bổ nhiệm {on}",
        recorded_by="hr",
        recorded_at=AT,
    )
    event = ledger.events_of(staff_id)[result.version - 1]
    assert isinstance(event, StaffMember.Appointed)
    return event


def refused(ledger: Ledger, staff_id: str, position: str, on: date) -> dict[str, Any]:
    """The unmet requirements an appointment is refused for, by track (or condition)."""
    version = ledger.get_member(staff_id).version
    with pytest.raises(errors.RequirementsNotMet) as caught:
        appoint(ledger, staff_id, position, on)
    assert ledger.get_member(staff_id).version == version, "nothing is recorded"
    return {u.track: u for u in caught.value.unmet if u.blocking}


def deputy(
    ledger: Ledger,
    staff_id: str,
    *,
    deputy_on: date = date(2022, 1, 3),
    field: str | None = "Luật kinh tế",
    degree: str = "Cử nhân",
    head_plan: tuple[date, tuple[int, int]] | None = (date(2022, 1, 1), (2022, 2026)),
    born: date = date(1980, 1, 1),
    gender: Gender = Gender.MALE,
) -> None:
    """A specialist since 2010 trained for a Trưởng phòng (before appointment: bachelor, trung cấp
    LLCT, QLNN chuyên viên), in the pool for Phó trưởng phòng and (``head_plan``) for Trưởng phòng,
    appointed Phó trưởng phòng on ``deputy_on``."""
    register(ledger, staff_id, born=born, gender=gender)
    hold(ledger, staff_id, Track.PROFESSIONAL, "bachelor", title=degree, field=field)
    hold(ledger, staff_id, Track.POLITICAL_THEORY, "intermediate")
    hold(ledger, staff_id, Track.STATE_MANAGEMENT, "specialist")
    plan(ledger, staff_id, PTP, date(2020, 6, 1), (2020, 2025))
    if head_plan is not None:
        plan(ledger, staff_id, TP, head_plan[0], head_plan[1])
    appoint(ledger, staff_id, PTP, deputy_on)


def condition(checks: tuple[RequirementCheck, ...], kind: str) -> RequirementCheck:
    found = [c for c in checks if c.track == kind]
    assert len(found) == 1, f"one {kind} requirement, got {found}"
    return found[0]
