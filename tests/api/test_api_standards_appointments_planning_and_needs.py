"""Position standards over HTTP (issue 6), on SQLite and PostgreSQL: appointments checked against
the rules in force (422 listing every unmet requirement, waivers, grace periods), succession
planning, and the needs and appointments reports.

One app per store serves the module (``api``); tests keep out of each other's way with their own
staff codes, and ask the reports about their own people (``staff_id``). Every request names its
business dates (``as_of``), so nothing depends on today. The rules are the shipped file with its
default variant unless a test says otherwise.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from api_fixtures import Api, module_store, problem_of, running_api
from standards_api_fixtures import BEFORE, appoint, hold, rules_environment

from api.schemas.staff import StaffPublic
from ledger.standards import compliance

WAIVER = {
    "legal_basis": "Nghị định 29/2024/NĐ-CP, Điều 6",
    "deadline": "2025-12-31",
    "reason": "Bổ nhiệm trước, học bổ sung lý luận chính trị và quản lý nhà nước sau",
}
AFTER = {"leadership": "division", "defense_security": "group3"}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def api(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    with (
        module_store(request.param, tmp_path_factory.mktemp("standards")) as store,
        rules_environment(),
        running_api(store) as running,
    ):
        yield running


def trained_for_division_head(api: Api, **overrides: Any) -> str:
    """Someone holding everything a Trưởng phòng needs before appointment, nothing after."""
    staff_id = api.register(**overrides)
    for track, level in BEFORE.items():
        hold(api, staff_id, track, level)
    return staff_id


def needs_of(api: Api, staff_id: str, as_of: str, **params: Any) -> dict[str, Any]:
    response = api.get("/reports/needs", as_of=as_of, staff_id=staff_id, **params)
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert [i["staff_id"] for i in items] == [staff_id]
    return dict(items[0])


def post_gaps(item: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The gaps of the person's post (not their rank), by track."""
    code = item["post"]["position"]
    return {g["track"]: g for g in item["unmet"] if g["position"] == code}


# ------------------------------------------------------------------ appointments


def test_an_appointment_short_of_requirements_due_before_it_is_a_422_listing_every_unmet_one(
    api: Api,
) -> None:
    staff_id = api.register()
    hold(api, staff_id, "political_theory", "elementary")
    head = api.log_head()
    problem = problem_of(appoint(api, staff_id), 422, "requirements_not_met")
    ledger = api.app.state.ledger
    check = compliance.check_appointment(
        ledger.record(staff_id), "Trưởng phòng", date(2024, 10, 1), ledger.rules
    )
    listed = {(u["rule_id"], u["track"]) for u in problem["unmet"]}
    assert listed == {(c.rule_id, str(c.track)) for c in check.gaps}
    by_track = {u["track"]: u for u in problem["unmet"]}
    assert set(by_track) == set(BEFORE) | set(AFTER)
    assert {t for t, u in by_track.items() if u["blocking"]} == set(BEFORE)
    for track, level in {**BEFORE, **AFTER}.items():
        assert by_track[track]["required_level"] == level
        assert by_track[track]["required_tier"] >= 1
        assert by_track[track]["rule_id"]
        assert by_track[track]["legal_basis"]
    held = by_track["political_theory"]
    assert (held["held_level"], held["held_tier"], held["required_tier"]) == ("elementary", 1, 2)
    assert held["held_label"] == "Sơ cấp"
    assert by_track["professional"]["held_level"] is None
    assert by_track["leadership"]["deadline"] == "2025-10-01"
    assert api.log_head() == head


def test_an_appointment_with_a_waiver_records_it_and_the_waived_list_in_history_and_standing(
    api: Api,
) -> None:
    staff_id = api.register()
    response = appoint(api, staff_id, waiver=WAIVER)
    assert response.status_code == 201, response.text
    event = api.get(f"/staff/{staff_id}/history").json()["items"][-1]
    assert event["type"] == "Appointed"
    assert event["data"]["waiver"] == WAIVER
    recorded = {u["track"]: u for u in event["data"]["unmet"]}
    assert set(recorded) == set(BEFORE) | set(AFTER)
    assert all(recorded[t]["blocking"] and recorded[t]["deadline"] == "2025-12-31" for t in BEFORE)
    assert all(not recorded[t]["blocking"] and recorded[t]["deadline"] == "2025-10-01" for t in AFTER)
    standing = api.get(f"/staff/{staff_id}", as_of="2025-03-01").json()
    StaffPublic.model_validate(standing)
    appointment = standing["appointments"][0]
    assert appointment["waiver"] == WAIVER
    assert appointment["unmet"] == event["data"]["unmet"]
    assert appointment["rule_set"].startswith("vn-cuc-tong-cuc@")


def test_a_waived_appointment_shows_the_waiver_running_then_overdue_in_the_needs_report(api: Api) -> None:
    staff_id = api.register()
    assert appoint(api, staff_id, waiver=WAIVER).status_code == 201
    running = needs_of(api, staff_id, "2025-03-01")
    assert running["post"]["waiver"] == WAIVER
    assert running["post"]["held_since"] == "2024-10-01"
    assert {"waiver_running", "grace_running"} <= set(running["flags"])
    gaps = post_gaps(running)
    assert {t: (g["status"], g["deadline"]) for t, g in gaps.items() if t in BEFORE} == dict.fromkeys(
        BEFORE, ("waived", "2025-12-31")
    )
    later = post_gaps(needs_of(api, staff_id, "2026-01-15"))
    assert {later[t]["status"] for t in BEFORE} == {"overdue"}


def test_a_requirement_due_within_months_after_lets_the_appointment_through_with_a_grace_period(
    api: Api,
) -> None:
    staff_id = trained_for_division_head(api)
    response = appoint(api, staff_id)
    assert response.status_code == 201, response.text
    appointment = api.get(f"/staff/{staff_id}", as_of="2025-01-15").json()["appointments"][0]
    assert appointment["waiver"] is None
    assert {u["track"]: (u["blocking"], u["deadline"]) for u in appointment["unmet"]} == dict.fromkeys(
        AFTER, (False, "2025-10-01")
    )
    inside = needs_of(api, staff_id, "2025-01-15")
    assert "grace_running" in inside["flags"]
    assert inside["post"]["compliant"] is True
    assert {t: (g["status"], g["deadline"]) for t, g in post_gaps(inside).items()} == dict.fromkeys(
        AFTER, ("pending", "2025-10-01")
    )


def test_a_grace_period_that_ran_out_is_overdue_in_the_needs_report(api: Api) -> None:
    staff_id = trained_for_division_head(api)
    assert appoint(api, staff_id).status_code == 201
    after = needs_of(api, staff_id, "2025-11-01")
    assert "overdue" in after["flags"]
    assert after["post"]["compliant"] is False
    assert {t: g["status"] for t, g in post_gaps(after).items()} == dict.fromkeys(AFTER, "overdue")


def test_training_completed_inside_the_grace_period_closes_the_gap(api: Api) -> None:
    staff_id = trained_for_division_head(api)
    assert appoint(api, staff_id).status_code == 201
    hold(api, staff_id, "leadership", "division", issued_on="2025-04-30")
    hold(api, staff_id, "defense_security", "group3", issued_on="2025-05-30")
    response = api.get("/reports/needs", as_of="2025-11-01", staff_id=staff_id).json()
    assert response["items"][0]["unmet"] == []
    assert response["items"][0]["post"]["fully_met"] is True


# ------------------------------------------------------------------ planning


def plan(api: Api, staff_id: str, path: str = "planning", **fields: Any) -> Any:
    body = {
        "position": "Trưởng phòng",
        "period": "2025-2030",
        "decision_ref": "QĐ 45/QĐ-BCS",
        "on": "2025-03-15",
    }
    body.update(fields)
    return api.post(f"/staff/{staff_id}/{path}", body)


def test_planning_records_a_place_for_a_period_as_written_and_the_standing_shows_it(api: Api) -> None:
    staff_id = api.register()
    response = plan(api, staff_id, period="2025–2030")
    assert response.status_code == 201, response.text
    assert response.json()["event_id"] == f"{staff_id}:2"
    planning = api.get(f"/staff/{staff_id}").json()["planning"]
    assert planning == [
        {
            "position": "Trưởng phòng",
            "from_year": 2025,
            "to_year": 2030,
            "decision_ref": "QĐ 45/QĐ-BCS",
            "decided_on": "2025-03-15",
            "event_id": f"{staff_id}:2",
        }
    ]


def test_planning_also_takes_the_period_as_two_years(api: Api) -> None:
    staff_id = api.register()
    body: dict[str, Any] = {"period": None, "from_year": 2026, "to_year": 2031}
    assert plan(api, staff_id, **body).status_code == 201
    place = api.get(f"/staff/{staff_id}").json()["planning"][0]
    assert (place["from_year"], place["to_year"]) == (2026, 2031)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"period": "2025 đến 2030"}, "period"),
        ({"period": "2030-2025"}, "period"),
        ({"period": "1850-1860"}, "period"),
        ({"period": "2025-2030", "from_year": 2025, "to_year": 2030}, "body"),
        ({"period": None}, "body"),
        ({"period": None, "from_year": 2025}, "body"),
    ],
)
def test_a_planning_period_that_cannot_be_read_is_a_422_naming_it(
    api: Api, fields: dict[str, Any], field: str
) -> None:
    staff_id = api.register()
    head = api.log_head()
    problem = problem_of(plan(api, staff_id, **fields), 422, "validation_error")
    assert [e["field"] for e in problem["errors"]] == [field]
    assert api.log_head() == head


def test_the_first_planning_path_still_works_and_is_left_out_of_the_schema(api: Api) -> None:
    staff_id = api.register()
    assert plan(api, staff_id, path="plans").status_code == 201
    assert api.get(f"/staff/{staff_id}").json()["planning"][0]["to_year"] == 2030
    paths = api.client.get("/openapi.json").json()["paths"]
    assert "/staff/{staff_id}/planning" in paths
    assert "/staff/{staff_id}/plans" not in paths


def test_a_planned_candidate_shows_how_ready_they_are_in_the_needs_report_and_the_pool(api: Api) -> None:
    ready = trained_for_division_head(api)
    unready = api.register()
    hold(api, unready, "professional", "bachelor")
    for staff_id in (ready, unready):
        assert plan(api, staff_id).status_code == 201
    report = api.get("/reports/needs", as_of="2025-06-01", staff_id=unready).json()
    planned = report["items"][0]["planned"]
    assert [(p["position_code"], p["from_year"], p["to_year"], p["ready"]) for p in planned] == [
        ("truong_phong", 2025, 2030, False)
    ]
    assert {g["track"] for g in planned[0]["gaps"] if g["blocking"]} == {
        "political_theory",
        "state_management",
    }
    assert all(g["status"] == "unmet" for g in planned[0]["gaps"])
    pool = next(p for p in report["pools"] if p["position"] == "truong_phong")
    mine = {p["staff_id"]: p for p in pool["people"] if p["staff_id"] in (ready, unready)}
    assert (mine[ready]["ready"], mine[unready]["ready"]) == (True, False)
    assert mine[ready]["period"] == "2025-2030"
    assert pool["ready"] == sum(1 for p in pool["people"] if p["ready"])


def test_a_plan_does_not_cover_days_before_its_decision(api: Api) -> None:
    staff_id = api.register()
    assert plan(api, staff_id).status_code == 201
    report = api.get("/reports/needs", as_of="2025-03-14", staff_id=staff_id).json()
    assert report["items"][0]["planned"] == []
    assert all(staff_id not in [p["staff_id"] for p in pool["people"]] for pool in report["pools"])


# ------------------------------------------------------------------ needs


def test_needs_checks_a_person_against_a_post_they_do_not_hold_as_a_candidate(api: Api) -> None:
    staff_id = api.register()
    hold(api, staff_id, "professional", "bachelor")
    item = needs_of(api, staff_id, "2025-06-01", position="Phó trưởng phòng")
    assert item["post"]["position"] == "pho_truong_phong"
    assert item["post"]["held_since"] is None
    gaps = post_gaps(item)
    assert gaps["state_management"]["status"] == "unmet"
    assert gaps["state_management"]["blocking"] is True
    assert gaps["political_theory"]["timing"] == "within_months_after"


def test_needs_of_one_person_lists_them_even_without_a_gap(api: Api) -> None:
    staff_id = api.register(position="Chuyên viên")
    hold(api, staff_id, "professional", "bachelor")
    item = needs_of(api, staff_id, "2025-06-01")
    assert item["unmet"] == []
    assert item["flags"] == []


def test_needs_of_an_unknown_person_is_a_404_naming_the_parameter(api: Api) -> None:
    problem = problem_of(api.get("/reports/needs", staff_id="KHONGCO1"), 404, "staff_not_found")
    assert problem["errors"] == [{"field": "staff_id", "message": problem["detail"], "in": "query"}]


def test_needs_for_a_post_the_rules_do_not_know_is_a_422(api: Api) -> None:
    problem = problem_of(api.get("/reports/needs", position="Kế toán viên"), 422, "invalid_input")
    assert problem["errors"][0]["field"] == "position"


# ------------------------------------------------------------------ appointments report


def test_the_appointments_report_judges_each_appointment_by_the_rules_then_and_now(api: Api) -> None:
    met = trained_for_division_head(api)
    assert appoint(api, met).status_code == 201
    waived = api.register()
    assert appoint(api, waived, waiver=WAIVER).status_code == 201
    items = {}
    for staff_id in (met, waived):
        report = api.get("/reports/appointments", as_of="2026-01-15", staff_id=staff_id).json()
        assert report["summary"]["appointments"] == 1
        items[staff_id] = report["items"][0]
    assert (items[met]["met_rules_then"], items[met]["would_meet_todays_rules_then"]) == (True, True)
    assert items[met]["meets_todays_rules"] is False  # the 12 months for leadership and defence ran out
    assert {(u["track"], u["blocking"]) for u in items[met]["recorded_unmet"]} == {(t, False) for t in AFTER}
    assert items[waived]["met_rules_then"] is False
    assert items[waived]["appointed_without_meeting_standard"] is True
    assert items[waived]["waiver"] == WAIVER
    assert {g["track"] for g in items[waived]["then"]["requirements"] if g["blocking"]} == set(BEFORE)
    assert items[waived]["now"]["waiver"] == WAIVER


def test_the_appointments_report_keeps_only_flagged_ones_when_asked(api: Api) -> None:
    staff_id = trained_for_division_head(api)
    assert appoint(api, staff_id).status_code == 201
    # Inside the grace period it passes every check; after it, today's check fails.
    for as_of, expected in (("2025-01-15", 0), ("2026-01-15", 1)):
        report = api.get("/reports/appointments", as_of=as_of, staff_id=staff_id, flagged="true").json()
        assert len(report["items"]) == expected
        assert report["summary"]["appointments"] == 1


def test_the_appointments_report_pages_by_staff_code_and_date(api: Api) -> None:
    seen: list[tuple[str, str]] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"as_of": "2026-01-15", "limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = api.get("/reports/appointments", **params).json()
        seen += [(i["staff_id"], i["effective_on"]) for i in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(seen)
    assert len(seen) == page["summary"]["appointments"]
