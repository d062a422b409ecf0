"""The conditions of appointment besides training (issue 15, item 5), on a real store.

Experience in the post below, age headroom before retirement, the field of study and the planning
pool are sections of the rules file with dates, legal basis, timing and variants like the training
rules; they come out in the same ``RequirementCheck`` and so in the appointment check, the needs
report and the appointments report. The shipped file applies them under the option
``appointment_conditions``: ``training_only`` (default: not checked), ``advisory`` (warnings) or
``enforced`` (before appointment). Each store test runs on an SQLite file and on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any

import pytest
from api_fixtures import Api, module_store, problem_of, running_api
from eventsourcing.persistence import StoredEvent

from ledger.application import Ledger
from ledger.domain import errors
from ledger.domain.catalog import Gender, Mode, Outcome, Track
from ledger.domain.record import Evidence
from ledger.service import CredentialDetails
from ledger.staff import StaffMember
from ledger.standards.compliance import post_check, review_appointments
from ledger.standards.model import RequirementKind, Severity
from ledger.standards.rule_file import RulesFileError
from ledger.standards.rules import load_rules, parse_rules
from ledger.standards.ruleset import RuleSet
from ledger.standards.verdicts import RequirementCheck, Status
from ledger.store.config import StoreConfig
from projections.reports import Reports

AT = datetime(2026, 1, 2, 8, 0, tzinfo=UTC)  # when the facts are recorded: after all of them
AS_OF = date(2025, 12, 31)
TP, PTP = "Trưởng phòng", "Phó trưởng phòng"
CONDITIONS = {"experience", "age_headroom", "field_of_study", "planning_pool"}

MakeLedger = Callable[[str], Ledger]


@pytest.fixture
def make_ledger(store: StoreConfig) -> Iterator[MakeLedger]:
    opened: list[Ledger] = []

    def make(variant: str) -> Ledger:
        app = Ledger(store, rules=load_rules(variant=variant))
        opened.append(app)
        return app

    yield make
    for app in opened:
        app.close()


# --------------------------------------------------------------------------- builders


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


# --------------------------------------------------------------------------- planning pool


@pytest.mark.parametrize(("decided_on", "met"), [(date(2024, 9, 2), True), (date(2024, 9, 3), False)])
def test_a_first_appointment_needs_a_planning_place_decided_by_its_day_when_enforced(
    make_ledger: MakeLedger, decided_on: date, met: bool
) -> None:
    ledger = make_ledger("enforced")
    deputy(ledger, "P1", head_plan=(decided_on, (2024, 2029)))
    if met:
        event = appoint(ledger, "P1", TP, date(2024, 9, 2))
        assert not {u.track for u in event.unmet} & CONDITIONS
        return
    unmet = refused(ledger, "P1", TP, date(2024, 9, 2))
    assert set(unmet) == {"planning_pool"}
    assert (unmet["planning_pool"].required_level, unmet["planning_pool"].held_level) == (
        "truong_phong",
        None,
    )


@pytest.mark.parametrize(("on", "met"), [(date(2024, 12, 31), True), (date(2025, 1, 2), False)])
def test_a_planning_place_counts_only_in_its_years(make_ledger: MakeLedger, on: date, met: bool) -> None:
    ledger = make_ledger("enforced")
    deputy(ledger, "P2", head_plan=(date(2022, 1, 1), (2022, 2024)))
    check = condition(post_check(ledger.record("P2"), on, ledger.rules, TP).checks, "planning_pool")
    assert check.status == (Status.MET if met else Status.UNMET)


def test_a_place_in_the_pool_is_a_warning_only_when_advisory(make_ledger: MakeLedger) -> None:
    ledger = make_ledger("advisory")
    deputy(ledger, "P3", head_plan=None)
    event = appoint(ledger, "P3", TP, date(2024, 9, 2))
    (recorded,) = [u for u in event.unmet if u.track == "planning_pool"]
    assert (recorded.blocking, recorded.timing) == (False, "advisory")


# --------------------------------------------------------------------------- reports


def test_a_holder_registered_in_the_post_is_not_judged_on_conditions_of_an_unrecorded_appointment(
    make_ledger: MakeLedger,
) -> None:
    ledger = make_ledger("enforced")
    register(ledger, "R1", position=TP, joined=date(2015, 3, 1))
    hold(ledger, "R1", Track.PROFESSIONAL, "bachelor", field="Hóa học")
    check = post_check(ledger.record("R1"), AS_OF, ledger.rules)
    assert {c.track for c in check.checks} & CONDITIONS == {"field_of_study"}
    assert condition(check.checks, "field_of_study").status == Status.OVERDUE


def test_the_needs_report_lists_a_pool_candidates_conditions_in_words(make_ledger: MakeLedger) -> None:
    ledger = make_ledger("enforced")
    deputy(ledger, "R2", deputy_on=date(2025, 1, 2), head_plan=(date(2025, 6, 1), (2025, 2030)))
    report = Reports(ledger).needs(as_of=AS_OF, staff_id="R2").report
    (person,) = report.people
    ((_, check),) = [(plan, check) for plan, check in person.planned if plan.position == TP]
    experience = condition(check.checks, "experience")
    assert (experience.status, experience.held_text, experience.blocking) == (Status.UNMET, "11 months", True)
    assert experience.kind == RequirementKind.EXPERIENCE
    data = experience.as_dict()
    assert data["required_label"].startswith("ít nhất 24 tháng giữ chức vụ Phó trưởng phòng")
    assert (data["kind"], data["judged_on"], data["required_level"]) == ("experience", "2025-12-31", "P24M")
    (pool,) = [p for p in report.pools if p.position is not None and p.position.code == "truong_phong"]
    assert pool.ready == 0


def test_the_appointments_report_judges_a_past_appointment_by_todays_conditions(
    make_ledger: MakeLedger,
) -> None:
    ledger = make_ledger("lenient,grace")
    deputy(ledger, "R3", head_plan=None, deputy_on=date(2024, 1, 2))
    appoint(ledger, "R3", TP, date(2024, 9, 2))
    enforced = ledger.rules.select("enforced")
    (_, review) = review_appointments(ledger.record("R3"), AS_OF, enforced)
    assert review.met_rules_then is False  # the rules of 2024-09-02 under the enforced choice
    assert {c.track for c in review.then.blocking} == {"experience", "planning_pool"}
    assert condition(review.now.checks, "planning_pool").status == Status.OVERDUE
    assert review.recorded_rule_set is not None
    assert "training_only" in review.recorded_rule_set


# --------------------------------------------------------------------------- rules file


SMALL = """\
[rule_set]
id = "small"
version = "1"

[variants.conditions]
choices = ["off", "on"]
default = "off"

[[position]]
code = "tp"
title = "Trưởng phòng"

[[position]]
code = "ptp"
title = "Phó trưởng phòng"

[[position]]
code = "cv"
kind = "rank"
title = "Chuyên viên"

[[experience]]
id = "tp.kinh-nghiem"
positions = ["tp"]
months = 24
in_positions = ["ptp", "tp"]
valid_from = 2022-08-18
timing = "before_appointment"
variants = ["on"]
legal_basis = "Quy định 80-QĐ/TW"

[[age_headroom]]
id = "tp.tuoi"
positions = ["tp", "ptp"]
months = 60
valid_from = 2020-11-27
timing = "before_appointment"
legal_basis = "Nghị định 138/2020/NĐ-CP"

[[field_of_study]]
id = "tp.nganh"
positions = ["tp"]
fields = ["law"]
valid_from = 2024-05-01
timing = "before_appointment"
legal_basis = "Nghị định 29/2024/NĐ-CP"

[[planning_pool]]
id = "tp.quy-hoach"
positions = ["tp"]
pool_positions = ["tp"]
valid_from = 2020-11-27
timing = "advisory"
legal_basis = "Quy định 80-QĐ/TW"

[[retirement_age]]
id = "nam"
gender = "male"
age = { years = 60, months = 3 }
rises_by_months = 3
until = { years = 62 }
valid_from = 2021-01-01
legal_basis = "Bộ luật Lao động 2019"

[[field]]
code = "law"
title = "Luật"
aliases = ["Luật kinh tế"]
"""


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    return [n for n, line in enumerate(text.splitlines(), start=1) if needle in line][occurrence - 1]


def mistake(text: str) -> RulesFileError:
    with pytest.raises(RulesFileError) as caught:
        parse_rules(text, source="conditions.toml")
    return caught.value


def test_a_file_with_every_condition_section_loads_and_each_section_is_a_rule() -> None:
    loaded: RuleSet = parse_rules(SMALL, variant="on")
    kinds = {rule.id: rule.kind for rule in loaded.rules_for("tp", date(2025, 1, 1))}
    assert kinds == {
        "tp.kinh-nghiem": RequirementKind.EXPERIENCE,
        "tp.tuoi": RequirementKind.AGE_HEADROOM,
        "tp.nganh": RequirementKind.FIELD_OF_STUDY,
        "tp.quy-hoach": RequirementKind.PLANNING_POOL,
    }
    assert "tp.kinh-nghiem" not in {r.id for r in parse_rules(SMALL).rules_for("tp", date(2025, 1, 1))}


def test_an_experience_naming_an_undeclared_position_is_refused_at_its_line() -> None:
    text = SMALL.replace('in_positions = ["ptp", "tp"]', 'in_positions = ["pho_tp", "tp"]')
    error = mistake(text)
    assert error.line == line_of(text, "in_positions")
    assert str(error).startswith(f"conditions.toml:{error.line}: ")
    assert "unknown position 'pho_tp'" in error.reason


def test_an_experience_without_its_months_is_refused_at_its_section() -> None:
    text = SMALL.replace("months = 24\n", "")
    error = mistake(text)
    assert error.line == line_of(text, "[[experience]]")
    assert "needs 'months'" in error.reason


def test_an_age_headroom_after_appointment_is_refused_at_its_timing() -> None:
    text = SMALL.replace(
        'valid_from = 2020-11-27\ntiming = "before_appointment"',
        'valid_from = 2020-11-27\ntiming = "within_months_after"\ngrace_months = 12',
        1,
    )
    error = mistake(text)
    assert error.line == line_of(text, 'timing = "within_months_after"')
    assert "judged on the day the post is taken" in error.reason


def test_an_age_headroom_without_retirement_ages_is_refused() -> None:
    start = SMALL.index("[[retirement_age]]")
    text = SMALL[:start] + SMALL[SMALL.index("[[field]]") :]
    error = mistake(text)
    assert error.line == line_of(text, "[[age_headroom]]")
    assert "declare them in [[retirement_age]]" in error.reason


def test_a_field_of_study_naming_an_undeclared_field_is_refused_with_a_suggestion() -> None:
    text = SMALL.replace('fields = ["law"]', 'fields = ["laws"]')
    error = mistake(text)
    assert error.line == line_of(text, 'fields = ["laws"]')
    assert "unknown field 'laws' (did you mean 'law'?); declare it in a [[field]]" in error.reason


def test_a_planning_pool_for_a_rank_is_refused_at_its_line() -> None:
    text = SMALL.replace('pool_positions = ["tp"]', 'pool_positions = ["cv"]')
    error = mistake(text)
    assert error.line == line_of(text, "pool_positions")
    assert "'cv' is a rank" in error.reason


def test_a_retirement_age_rising_without_its_ceiling_is_refused_at_its_line() -> None:
    text = SMALL.replace("until = { years = 62 }\n", "")
    error = mistake(text)
    assert error.line == line_of(text, "rises_by_months")
    assert "needs 'until'" in error.reason


def test_overlapping_retirement_ages_of_one_gender_are_refused_at_the_later_one() -> None:
    text = SMALL + (
        '\n[[retirement_age]]\nid = "nam-2"\ngender = "male"\nage = { years = 62 }\n'
        'valid_from = 2028-01-01\nlegal_basis = "x"\n'
    )
    error = mistake(text)
    assert error.line == line_of(text, "[[retirement_age]]", 2)
    assert "overlaps 'nam'" in error.reason


def test_a_retirement_age_with_impossible_months_is_refused_at_its_line() -> None:
    text = SMALL.replace("age = { years = 60, months = 3 }", "age = { years = 60, months = 13 }")
    error = mistake(text)
    assert error.line == line_of(text, "months = 13")
    assert "'months' must be a whole number from 0 to 11" in error.reason


def test_a_field_alias_naming_two_fields_is_refused_at_its_line() -> None:
    text = SMALL + '\n[[field]]\ncode = "economic_law"\ntitle = "Luật kinh tế"\n'
    error = mistake(text)
    assert error.line == line_of(text, 'title = "Luật kinh tế"')
    assert "names both field 'law'" in error.reason


def test_two_experience_rules_for_one_post_on_one_day_are_refused_as_overlapping() -> None:
    text = SMALL + (
        '\n[[experience]]\nid = "tp.kinh-nghiem-2"\npositions = ["tp"]\nmonths = 36\n'
        'in_positions = ["ptp"]\nvalid_from = 2024-01-01\ntiming = "advisory"\nlegal_basis = "x"\n'
    )
    error = mistake(text)
    assert error.line == line_of(text, "[[experience]]", 2)
    assert "overlaps rule 'tp.kinh-nghiem'" in error.reason


# --------------------------------------------------------------------------- over HTTP


@contextmanager
def variant_environment(variant: str) -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("LEDGER_RULES", raising=False)
        patch.setenv("LEDGER_RULES_VARIANT", variant)
        yield


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def api(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    with (
        module_store(request.param, tmp_path_factory.mktemp("conditions")) as store,
        variant_environment("enforced"),
        running_api(store) as running,
    ):
        yield running


def http_deputy(api: Api, *, field: str) -> str:
    staff_id = api.register()
    for track, level in (
        ("professional", "bachelor"),
        ("political_theory", "intermediate"),
        ("state_management", "specialist"),
    ):
        body: dict[str, Any] = {
            "track": track,
            "level": level,
            "title": f"Bằng {track}",
            "issuer": "Học viện Hành chính Quốc gia",
            "issued_on": "2009-06-30",
            "evidence": {"document_ref": f"HS-{staff_id}-{track}"},
        }
        if track == "professional":
            body["field"] = field
        assert api.post(f"/staff/{staff_id}/credentials", body).status_code == 201
    for position in (PTP, TP):
        body = {
            "position": position,
            "period": "2021-2026",
            "decision_ref": "QĐ 12/QĐ-CT",
            "on": "2021-01-04",
        }
        assert api.post(f"/staff/{staff_id}/plans", body).status_code == 201, "plan"
    body = {"position": PTP, "effective_on": "2021-01-04", "decision_ref": "QĐ 1/QĐ-CT"}
    assert api.post(f"/staff/{staff_id}/appointments", body).status_code == 201
    return staff_id


def test_the_field_of_study_round_trips_exactly_over_http(api: Api) -> None:
    field = "Quản lý kinh tế – Chính sách công"
    staff_id = http_deputy(api, field=field)
    credentials = api.get(f"/staff/{staff_id}").json()["credentials"]
    assert [c["field"] for c in credentials if c["track"] == "professional"] == [field]


def test_a_blank_field_of_study_is_refused_naming_the_field(api: Api) -> None:
    staff_id = api.register()
    body = {
        "track": "professional",
        "level": "bachelor",
        "title": "Cử nhân Luật",
        "issuer": "Trường Đại học Luật Hà Nội",
        "issued_on": "2009-06-30",
        "evidence": {"document_ref": "HS-1"},
        "field": "   ",
    }
    problem = problem_of(api.post(f"/staff/{staff_id}/credentials", body), 422)
    assert "field" in {e["field"] for e in problem["errors"]}


def test_an_appointment_refused_for_its_field_of_study_lists_it_in_the_problem(api: Api) -> None:
    staff_id = http_deputy(api, field="Hóa học")
    body = {"position": TP, "effective_on": "2024-09-02", "decision_ref": "QĐ 2/QĐ-CT"}
    problem = problem_of(api.post(f"/staff/{staff_id}/appointments", body), 422, "requirements_not_met")
    (item,) = [u for u in problem["unmet"] if u["blocking"]]
    assert (item["track"], item["required_level"], item["held_level"]) == ("field_of_study", "bachelor", None)
    assert (item["required_tier"], item["held_label"]) == (None, None)


def test_the_needs_report_over_http_shows_a_condition_with_what_is_held(api: Api) -> None:
    staff_id = http_deputy(api, field="Luật")
    response = api.get("/reports/needs", as_of="2022-12-31", staff_id=staff_id)
    assert response.status_code == 200, response.text
    (item,) = response.json()["items"]
    (planned,) = [p for p in item["planned"] if p["position"] == TP]
    gaps = {g["track"]: g for g in planned["gaps"]}
    assert gaps["experience"]["held_text"] == "23 months"
    assert (gaps["experience"]["kind"], gaps["experience"]["status"]) == ("experience", "unmet")
    assert gaps["experience"]["blocking"] is True
    assert planned["ready"] is False
