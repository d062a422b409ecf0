"""The conditions of appointment besides training (issue 15, item 5), on a real store: the planning
pool, the conditions in the needs report and the appointments report, their sections of the rules
file (and its mistakes, named at their line), and the conditions over HTTP.

Each store test runs on an SQLite file and on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import pytest
from api_fixtures import Api, module_store, problem_of, running_api
from appointment_fixtures import (
    AS_OF,
    CONDITIONS,
    PTP,
    TP,
    MakeLedger,
    appoint,
    condition,
    deputy,
    hold,
    ledgers_by_variant,
    refused,
    register,
)

from ledger.domain.catalog import Track
from ledger.standards.compliance import post_check, review_appointments
from ledger.standards.model import RequirementKind
from ledger.standards.rule_file import RulesFileError
from ledger.standards.rules import parse_rules
from ledger.standards.ruleset import RuleSet
from ledger.standards.verdicts import Status
from ledger.store.config import StoreConfig
from projections.reports import Reports


@pytest.fixture
def make_ledger(store: StoreConfig) -> Iterator[MakeLedger]:
    with ledgers_by_variant(store) as make:
        yield make


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
