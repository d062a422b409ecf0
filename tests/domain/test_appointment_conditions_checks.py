"""The conditions of appointment besides training (issue 15, item 5), on a real store: the shipped
option, experience in the post below, age headroom before retirement and the field of study.

They are sections of the rules file with dates, legal basis, timing and variants like the training
rules, and come out in the same ``RequirementCheck``. The shipped file applies them under the option
``appointment_conditions``: ``training_only`` (default: not checked), ``advisory`` (warnings) or
``enforced`` (before appointment). Each store test runs on an SQLite file and on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from appointment_fixtures import (
    AS_OF,
    AT,
    CONDITIONS,
    PTP,
    TP,
    MakeLedger,
    appoint,
    condition,
    deputy,
    hold,
    ledgers_by_variant,
    plan,
    refused,
    register,
)
from eventsourcing.persistence import StoredEvent

from ledger.domain.catalog import Gender, Mode, Outcome, Track
from ledger.domain.record import Evidence
from ledger.service import CredentialDetails
from ledger.staff import StaffMember
from ledger.standards.compliance import post_check, review_appointments
from ledger.standards.model import Severity
from ledger.standards.rules import load_rules
from ledger.standards.verdicts import Status
from ledger.store.config import StoreConfig


@pytest.fixture
def make_ledger(store: StoreConfig) -> Iterator[MakeLedger]:
    with ledgers_by_variant(store) as make:
        yield make


# --------------------------------------------------------------------------- the shipped option


def test_by_default_the_shipped_rules_check_no_condition_of_appointment(make_ledger: MakeLedger) -> None:
    ledger = make_ledger("lenient,grace")
    deputy(ledger, "D0", head_plan=None, field="Công nghệ thông tin")
    event = appoint(ledger, "D0", TP, date(2022, 6, 1))  # 5 months as deputy, not in the pool
    assert not {u.track for u in event.unmet} & CONDITIONS
    assert event.rule_set is not None
    assert "training_only" in event.rule_set


# --------------------------------------------------------------------------- experience


@pytest.mark.parametrize(
    ("head_on", "months", "met"), [(date(2024, 9, 1), 24, True), (date(2024, 8, 31), 23, False)]
)
def test_experience_as_deputy_counts_whole_months_to_the_appointment_day_when_enforced(
    make_ledger: MakeLedger, head_on: date, months: int, met: bool
) -> None:
    ledger = make_ledger("enforced")
    deputy(ledger, "E1", deputy_on=date(2022, 9, 1))
    if met:
        event = appoint(ledger, "E1", TP, head_on)
        assert "experience" not in {u.track for u in event.unmet}
        return
    unmet = refused(ledger, "E1", TP, head_on)
    assert set(unmet) == {"experience"}
    assert (unmet["experience"].required_level, unmet["experience"].held_level) == ("P24M", f"P{months}M")
    assert "80-QĐ/TW" in unmet["experience"].legal_basis


def test_experience_short_of_the_months_is_a_warning_recorded_with_the_appointment_when_advisory(
    make_ledger: MakeLedger,
) -> None:
    ledger = make_ledger("advisory")
    deputy(ledger, "E2", deputy_on=date(2022, 9, 1))
    event = appoint(ledger, "E2", TP, date(2024, 8, 31))
    (recorded,) = [u for u in event.unmet if u.track == "experience"]
    assert (recorded.blocking, recorded.timing, recorded.held_level) == (False, "advisory", "P23M")
    check = condition(post_check(ledger.record("E2"), AS_OF, ledger.rules).checks, "experience")
    assert (check.status, check.judged_on, check.held_text) == (Status.UNMET, date(2024, 8, 31), "23 months")
    assert (check.severity, check.blocking) == (Severity.WARNING, False)  # never makes anyone non-compliant


def test_separate_periods_in_the_counted_posts_add_up(make_ledger: MakeLedger) -> None:
    ledger = make_ledger("enforced")
    deputy(ledger, "E3", deputy_on=date(2021, 1, 4))
    # 12 months as deputy, a year seconded elsewhere as a specialist, 12 more months as deputy.
    ledger.rotate(
        "E3",
        to_unit="Cục Thuế tỉnh Bình Sơn",
        kind="secondment",  # type: ignore[arg-type]
        starts_on=date(2022, 1, 4),
        ends_on=date(2023, 1, 3),
        decision_ref="QĐ biệt phái 1",
        position="Chuyên viên",
        recorded_by="hr",
        recorded_at=AT,
    )
    check = condition(
        post_check(ledger.record("E3"), date(2024, 1, 4), ledger.rules, TP).checks, "experience"
    )
    assert (check.held_level, check.status) == ("P24M", Status.MET)
    earlier = condition(
        post_check(ledger.record("E3"), date(2024, 1, 3), ledger.rules, TP).checks, "experience"
    )
    assert (earlier.held_level, earlier.status) == ("P23M", Status.UNMET)


# --------------------------------------------------------------------------- age headroom


# A man born 1966-06-15 reaches 62 (the age of 2028) on 2028-06-15 and retires at the end of June.
@pytest.mark.parametrize(("on", "met"), [(date(2023, 6, 30), True), (date(2023, 7, 1), False)])
def test_a_first_appointment_needs_60_months_before_the_retirement_age_when_enforced(
    make_ledger: MakeLedger, on: date, met: bool
) -> None:
    ledger = make_ledger("enforced")
    register(ledger, "A1", born=date(1966, 6, 15))
    hold(ledger, "A1", Track.PROFESSIONAL, "bachelor", field="Kế toán")
    hold(ledger, "A1", Track.STATE_MANAGEMENT, "specialist")
    plan(ledger, "A1", PTP, date(2021, 1, 4), (2021, 2025))
    if met:
        event = appoint(ledger, "A1", PTP, on)
        assert "age_headroom" not in {u.track for u in event.unmet}
        check = condition(
            review_appointments(ledger.record("A1"), AS_OF, ledger.rules)[0].then.checks, "age_headroom"
        )
        assert check.held_text == "5 years to retirement (retirement age 62 years on 2028-06-30)"
        return
    unmet = refused(ledger, "A1", PTP, on)
    assert set(unmet) == {"age_headroom"}
    assert (unmet["age_headroom"].required_level, unmet["age_headroom"].held_level) == ("P60M", "P59M")


def test_the_age_headroom_is_a_warning_only_when_advisory(make_ledger: MakeLedger) -> None:
    ledger = make_ledger("advisory")
    register(ledger, "A2", born=date(1966, 6, 15))
    hold(ledger, "A2", Track.PROFESSIONAL, "bachelor", field="Kế toán")
    hold(ledger, "A2", Track.STATE_MANAGEMENT, "specialist")
    plan(ledger, "A2", PTP, date(2021, 1, 4), (2021, 2025))
    event = appoint(ledger, "A2", PTP, date(2023, 7, 1))
    (recorded,) = [u for u in event.unmet if u.track == "age_headroom"]
    assert (recorded.blocking, recorded.held_level) == (False, "P59M")


def test_a_reappointment_needs_neither_the_age_headroom_nor_a_planning_place(make_ledger: MakeLedger) -> None:
    ledger = make_ledger("enforced")
    register(ledger, "A3", born=date(1966, 6, 15))
    hold(ledger, "A3", Track.PROFESSIONAL, "bachelor", field="Kế toán")
    hold(ledger, "A3", Track.STATE_MANAGEMENT, "specialist")
    plan(ledger, "A3", PTP, date(2021, 1, 4), (2021, 2022))
    appoint(ledger, "A3", PTP, date(2021, 1, 4))
    event = appoint(ledger, "A3", PTP, date(2026, 1, 4))  # 29 months to retirement, no pool
    assert not {u.track for u in event.unmet} & CONDITIONS


@pytest.mark.parametrize(
    ("gender", "born", "retires_on", "age"),
    [
        (Gender.MALE, date(1961, 9, 15), date(2021, 12, 31), "60y3m"),
        (Gender.MALE, date(1961, 10, 15), date(2022, 4, 30), "60y6m"),
        (Gender.MALE, date(1970, 1, 1), date(2032, 1, 31), "62y"),
        (Gender.FEMALE, date(1966, 9, 10), date(2022, 5, 31), "55y8m"),
        (Gender.FEMALE, date(1970, 1, 10), date(2027, 5, 31), "57y4m"),
        (Gender.FEMALE, date(1980, 3, 3), date(2040, 3, 31), "60y"),
        (Gender.FEMALE, date(1960, 5, 5), date(2015, 5, 31), "55y"),
    ],
)
def test_the_retirement_age_is_the_one_of_the_year_it_is_reached(
    gender: Gender, born: date, retires_on: date, age: str
) -> None:
    found = load_rules().retirement(str(gender), born)
    assert found is not None
    assert (found[0], str(found[1])) == (retires_on, age)


# --------------------------------------------------------------------------- field of study


def test_a_degree_whose_recorded_field_fits_the_post_meets_the_field_of_study(
    make_ledger: MakeLedger,
) -> None:
    ledger = make_ledger("enforced")
    deputy(ledger, "F1", field="Luật kinh tế")
    event = appoint(ledger, "F1", TP, date(2024, 9, 2))
    assert not {u.track for u in event.unmet} & CONDITIONS
    check = condition(post_check(ledger.record("F1"), AS_OF, ledger.rules).checks, "field_of_study")
    assert (check.status, check.held_text) == (Status.MET, "bachelor in Luật")
    assert ledger.record("F1").credentials[check.held.credential_id].field == "Luật kinh tế"  # type: ignore[union-attr]


def test_a_degree_in_another_field_refuses_the_appointment_when_enforced(make_ledger: MakeLedger) -> None:
    ledger = make_ledger("enforced")
    deputy(ledger, "F2", field="Công nghệ thông tin")
    unmet = refused(ledger, "F2", TP, date(2024, 9, 2))
    assert set(unmet) == {"field_of_study"}
    assert (unmet["field_of_study"].required_level, unmet["field_of_study"].held_level) == ("bachelor", None)
    assert "29/2024" in unmet["field_of_study"].legal_basis


@pytest.mark.parametrize(("on", "checked"), [(date(2024, 4, 30), False), (date(2024, 5, 1), True)])
def test_the_field_of_study_is_required_from_decree_29_2024(
    make_ledger: MakeLedger, on: date, checked: bool
) -> None:
    ledger = make_ledger("enforced")
    deputy(ledger, "F3", field="Công nghệ thông tin")
    if checked:
        assert set(refused(ledger, "F3", TP, on)) == {"field_of_study"}
    else:
        assert not {u.track for u in appoint(ledger, "F3", TP, on).unmet} & CONDITIONS


def test_a_degree_recorded_without_a_field_is_read_from_its_title(make_ledger: MakeLedger) -> None:
    ledger = make_ledger("enforced")
    deputy(ledger, "F4", field=None, degree="Cử nhân Tài chính – Ngân hàng")
    appoint(ledger, "F4", TP, date(2024, 9, 2))
    check = condition(post_check(ledger.record("F4"), AS_OF, ledger.rules).checks, "field_of_study")
    assert (check.status, check.held_text) == (
        Status.MET,
        "bachelor in Tài chính – Ngân hàng (read from the title)",
    )


def test_the_field_of_a_completed_course_comes_from_its_certificate(make_ledger: MakeLedger) -> None:
    ledger = make_ledger("enforced")
    register(ledger, "F5")
    enrolled = ledger.enroll(
        "F5",
        course_code="THS-QLC",
        course_title="Thạc sĩ",
        track=Track.PROFESSIONAL,
        level="master",
        provider="Học viện Hành chính Quốc gia",
        mode=Mode.PART_TIME,
        starts_on=date(2022, 9, 1),
        recorded_by="hr",
        recorded_at=AT,
    )
    ledger.complete(
        "F5",
        str(enrolled.enrollment_id),
        completed_on=date(2024, 9, 1),
        outcome=Outcome.PASSED,
        credential=CredentialDetails(field="Quản lý công"),
        recorded_by="hr",
        recorded_at=AT,
    )
    (credential,) = ledger.record("F5").credentials.values()
    assert credential.field == "Quản lý công"
    check = condition(post_check(ledger.record("F5"), AS_OF, ledger.rules, TP).checks, "field_of_study")
    assert (check.status, check.held_level) == (Status.MET, "master")


def test_credentials_recognized_before_fields_were_recorded_read_back_without_one(
    make_ledger: MakeLedger,
) -> None:
    ledger = make_ledger("enforced")
    register(ledger, "F6")
    member = ledger.get_member("F6")
    current = StaffMember.CredentialRecognized(  # type: ignore[call-arg]
        originator_id=member.id,
        originator_version=member.version + 1,
        timestamp=AT,
        recorded_by="legacy",
        effective_on=date(2005, 6, 30),
        credential_id="DH-2005",
        track=Track.PROFESSIONAL,
        level="bachelor",
        title="Cử nhân Kinh tế",
        issuer="Trường Đại học Kinh tế Quốc dân",
        number=None,
        evidence=Evidence("Phiếu 2C"),
        field=None,
    )
    stored = ledger.mapper.to_stored_event(current)
    state = ledger.mapper.transcoder.decode(stored.state)
    del state["field"], state["class_version"]
    ledger.recorder.insert_events(
        [
            StoredEvent(
                stored.originator_id,
                stored.originator_version,
                stored.topic,
                ledger.mapper.transcoder.encode(state),
            )
        ]
    )
    read = ledger.events_of("F6")[-1]
    assert isinstance(read, StaffMember.CredentialRecognized)
    assert read.field is None
    assert ledger.record("F6").credentials["DH-2005"].field is None
