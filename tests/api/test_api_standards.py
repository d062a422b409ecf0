"""Position standards over HTTP (issue 6), on SQLite and PostgreSQL: appointments checked against
the rules in force (422 listing every unmet requirement, waivers, grace periods), succession
planning, the needs, appointments, commitments and effectiveness reports, who may read them, and
the documented examples of the reports against the demo agency's real answers.

One app per store serves the module (``module_api``); tests keep out of each other's way with
their own staff codes and course codes, and ask the reports about their own people (``staff_id``)
or programmes. Every request names its business dates (``as_of``), so nothing depends on today.
The rules are the shipped file with its default variant unless a test says otherwise.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from api_fixtures import Api, course, module_store, new_staff_id, problem_of, running_api

from api.schemas.reports import AttendanceReport, QualificationsReport
from api.schemas.staff import StaffPublic
from ledger.demo import SNAPSHOT, load_demo
from ledger.standards import compliance
from ledger.store.config import StoreConfig

WAIVER = {
    "legal_basis": "Nghị định 29/2024/NĐ-CP, Điều 6",
    "deadline": "2025-12-31",
    "reason": "Bổ nhiệm trước, học bổ sung lý luận chính trị và quản lý nhà nước sau",
}
# What a Trưởng phòng needs from 2024-05-01 under the shipped rules (lenient, grace): these before
# appointment; a division leadership course and defence group 3 within 12 months after.
BEFORE = {"professional": "bachelor", "political_theory": "intermediate", "state_management": "specialist"}
AFTER = {"leadership": "division", "defense_security": "group3"}


@contextmanager
def rules_environment(variant: str | None = None) -> Iterator[None]:
    """The shipped rules file, with ``variant`` (default: the file's defaults), whatever the
    environment running the tests says."""
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("LEDGER_RULES", raising=False)
        if variant is None:
            patch.delenv("LEDGER_RULES_VARIANT", raising=False)
        else:
            patch.setenv("LEDGER_RULES_VARIANT", variant)
        yield


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def api(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    with (
        module_store(request.param, tmp_path_factory.mktemp("standards")) as store,
        rules_environment(),
        running_api(store) as running,
    ):
        yield running


# ------------------------------------------------------------------ helpers


def hold(api: Api, staff_id: str, track: str, level: str, issued_on: str = "2020-06-30") -> None:
    """Recognise a credential earned elsewhere."""
    response = api.post(
        f"/staff/{staff_id}/credentials",
        {
            "track": track,
            "level": level,
            "title": f"Chứng chỉ {track} {level}",
            "issuer": "Học viện Hành chính Quốc gia",
            "issued_on": issued_on,
            "evidence": {"document_ref": f"HS-{staff_id}-{track}"},
        },
    )
    assert response.status_code == 201, response.text


def trained_for_division_head(api: Api, **overrides: Any) -> str:
    """Someone holding everything a Trưởng phòng needs before appointment, nothing after."""
    staff_id = api.register(**overrides)
    for track, level in BEFORE.items():
        hold(api, staff_id, track, level)
    return staff_id


def appoint(api: Api, staff_id: str, **fields: Any) -> Any:
    body = {"position": "Trưởng phòng", "effective_on": "2024-10-01", "decision_ref": "QĐ 301/QĐ-CT"}
    body.update(fields)
    return api.post(f"/staff/{staff_id}/appointments", body)


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


def complete(api: Api, staff_id: str, enrollment_id: str, on: str) -> None:
    response = api.post(
        f"/staff/{staff_id}/enrollments/{enrollment_id}/completion", {"completed_on": on, "outcome": "passed"}
    )
    assert response.status_code == 201, response.text


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


# ------------------------------------------------------------------ commitments


def masters_course(staff_id: str, **overrides: Any) -> dict[str, Any]:
    body = course(
        enrollment_id=f"{staff_id}-THS",
        course_code="SDH-THS",
        course_title="Đào tạo trình độ thạc sĩ ngành Quản lý công",
        track="professional",
        level="master",
        provider="Học viện Hành chính Quốc gia",
        mode="full_time",
        starts_on="2021-09-06",
        ends_on="2023-09-05",
        decision_ref="QĐ 210/QĐ-CT",
        funding="state_budget",
        cost="90000000",
    )
    body.update(overrides)
    return body


def with_masters(api: Api, **overrides: Any) -> str:
    """Someone who finished a state-funded master's course of 24 months on 2023-09-05."""
    staff_id = api.register()
    enrollment_id = api.enroll(staff_id, **masters_course(staff_id, **overrides))
    complete(api, staff_id, enrollment_id, overrides.get("ends_on", "2023-09-05"))
    return staff_id


def test_a_funded_masters_course_commits_twice_its_length_in_the_standing(api: Api) -> None:
    staff_id = with_masters(api)
    standing = api.get(f"/staff/{staff_id}", as_of="2024-09-05").json()
    StaffPublic.model_validate(standing)
    commitments = standing["commitments"]
    assert len(commitments) == 1
    commitment = commitments[0]
    assert commitment["enrollment_id"] == f"{staff_id}-THS"
    assert (commitment["course_months"], commitment["multiplier"], commitment["committed_months"]) == (
        24,
        "2",
        48,
    )
    assert (commitment["service_from"], commitment["service_until"]) == ("2023-09-05", "2027-09-05")
    assert (commitment["status"], commitment["served_months"], commitment["remaining_months"]) == (
        "serving",
        12,
        36,
    )
    assert commitment["reimbursement"] is None
    assert commitment["rule_id"]
    assert commitment["legal_basis"]


def test_a_course_started_from_2025_07_01_commits_three_times_its_length(api: Api) -> None:
    staff_id = api.register()
    api.enroll(staff_id, **masters_course(staff_id, starts_on="2025-09-01", ends_on="2026-08-31"))
    commitment = api.get(f"/staff/{staff_id}", as_of="2026-01-15").json()["commitments"][0]
    assert (commitment["status"], commitment["multiplier"], commitment["committed_months"]) == (
        "in_training",
        "3",
        36,
    )


def test_a_self_funded_course_commits_nothing(api: Api) -> None:
    staff_id = with_masters(api, funding="self_funded")
    assert api.get(f"/staff/{staff_id}", as_of="2024-09-05").json()["commitments"] == []


def test_resigning_halfway_through_the_commitment_owes_half_the_cost(api: Api) -> None:
    staff_id = with_masters(api)
    response = api.post(
        f"/staff/{staff_id}/departure",
        {"on": "2025-09-05", "reason": "Xin nghỉ việc", "category": "resigned"},
    )
    assert response.status_code == 201, response.text
    assert api.get(f"/staff/{staff_id}", as_of="2025-12-31").json()["departure_category"] == "resigned"
    report = api.get("/reports/commitments", as_of="2025-12-31", staff_id=staff_id).json()
    (item,) = report["items"]
    assert (item["status"], item["committed_months"], item["served_months"]) == ("breached", 48, 24)
    expected = Decimal("90000000") / 48 * (48 - 24)
    assert Decimal(item["reimbursement"]) == expected == Decimal("45000000")
    assert (item["departure_category"], item["category_source"]) == ("resigned", "recorded")
    assert report["summary"] == {"commitments": 1, "open": 0, "owing": 1, "total_owed": "45000000"}


def test_a_transfer_with_consent_releases_the_commitment(api: Api) -> None:
    staff_id = with_masters(api)
    body = {"on": "2025-09-05", "reason": "Điều động theo đề nghị", "category": "transfer_with_consent"}
    assert api.post(f"/staff/{staff_id}/departure", body).status_code == 201
    item = api.get(f"/staff/{staff_id}", as_of="2025-12-31").json()["commitments"][0]
    assert (item["status"], item["reimbursement"]) == ("released", "0")


def test_a_departure_without_a_category_is_read_from_its_reason(api: Api) -> None:
    staff_id = with_masters(api)
    body = {"on": "2025-09-05", "reason": "Xin thôi việc để chuyển sang doanh nghiệp"}
    assert api.post(f"/staff/{staff_id}/departure", body).status_code == 201
    assert api.get(f"/staff/{staff_id}", as_of="2025-12-31").json()["departure_category"] is None
    (item,) = api.get("/reports/commitments", as_of="2025-12-31", staff_id=staff_id).json()["items"]
    assert (item["departure_category"], item["category_source"], item["status"]) == (
        "resigned",
        "inferred",
        "breached",
    )


def test_a_departure_category_outside_the_catalog_is_a_422(api: Api) -> None:
    staff_id = api.register()
    head = api.log_head()
    body = {"on": "2025-09-05", "reason": "Nghỉ", "category": "fired"}
    problem = problem_of(api.post(f"/staff/{staff_id}/departure", body), 422, "validation_error")
    assert problem["errors"][0]["field"] == "category"
    assert api.log_head() == head


def test_the_commitments_report_filters_by_status(api: Api) -> None:
    staff_id = with_masters(api)
    serving = api.get("/reports/commitments", as_of="2024-09-05", staff_id=staff_id, status="serving").json()
    assert len(serving["items"]) == 1
    done = api.get("/reports/commitments", as_of="2024-09-05", staff_id=staff_id, status="fulfilled").json()
    assert done["items"] == []
    assert done["summary"]["commitments"] == 0
    problem_of(api.get("/reports/commitments", status="owing"), 422, "validation_error")


# ------------------------------------------------------------------ effectiveness


def trained_and_rated(api: Api, code: str, before: str, after: str, post: str | None) -> str:
    """A leadership course run 2021-03-01 to 2021-06-30, rated `before` for 2020 and `after` for 2022."""
    staff_id = api.register()
    enrollment_id = api.enroll(
        staff_id,
        course_code=code,
        course_title="Bồi dưỡng lãnh đạo cấp phòng",
        track="leadership",
        level="division",
        starts_on="2021-03-01",
        ends_on="2021-06-30",
    )
    complete(api, staff_id, enrollment_id, "2021-06-30")
    for year, rating in ((2020, before), (2022, after)):
        body = {"kind": "annual", "year": year, "rating": rating, "evaluator": "Lê Văn Cường"}
        assert api.post(f"/staff/{staff_id}/evaluations", body).status_code == 201
    if post is not None:
        body = {
            "kind": "post_training",
            "enrollment_id": enrollment_id,
            "on": "2021-12-15",
            "rating": post,
            "evaluator": "Lê Văn Cường",
        }
        assert api.post(f"/staff/{staff_id}/evaluations", body).status_code == 201
    return staff_id


def programme(report: dict[str, Any], code: str) -> dict[str, Any]:
    (found,) = [i for i in report["items"] if i["course_code"] == code]
    return dict(found)


def test_effectiveness_compares_the_ratings_before_and_after_a_programme(api: Api) -> None:
    code = f"BDLD-{new_staff_id('P')}"
    trained_and_rated(api, code, "completed", "excellent", "good")
    trained_and_rated(api, code, "good", "good", "completed")
    params: dict[str, Any] = {
        "as_of": "2025-12-31",
        "from_year": 2021,
        "to_year": 2021,
        "track": "leadership",
    }
    report = api.get("/reports/effectiveness", **params).json()
    item = programme(report, code)
    assert item["year"] == 2021
    assert (item["completions"], item["compared"], item["improved"], item["unchanged"], item["declined"]) == (
        2,
        2,
        1,
        1,
        0,
    )
    assert (item["mean_before"], item["mean_after"], item["mean_change"]) == ("2.50", "3.50", "1.00")
    assert item["post_training"] == {"completed": 1, "good": 1}
    assert (item["evaluated"], item["applied_share"]) == (2, "0.50")
    assert set(report["by_track"]) == {"leadership"}


def test_effectiveness_counts_only_ratings_known_on_as_of(api: Api) -> None:
    code = f"BDLD-{new_staff_id('P')}"
    trained_and_rated(api, code, "completed", "excellent", None)
    item = programme(api.get("/reports/effectiveness", as_of="2022-06-30", track="leadership").json(), code)
    assert (item["completions"], item["compared"], item["mean_after"]) == (1, 0, None)


def test_effectiveness_leaves_out_years_outside_the_range(api: Api) -> None:
    code = f"BDLD-{new_staff_id('P')}"
    trained_and_rated(api, code, "good", "good", None)
    report = api.get("/reports/effectiveness", as_of="2025-12-31", from_year=2022).json()
    assert all(i["course_code"] != code for i in report["items"])


@pytest.mark.parametrize(
    ("params", "field"),
    [({"from_year": 2024, "to_year": 2020}, "to_year"), ({"track": "politics"}, "track")],
)
def test_an_effectiveness_filter_that_makes_no_sense_is_a_422_naming_it(
    api: Api, params: dict[str, Any], field: str
) -> None:
    problem = problem_of(api.get("/reports/effectiveness", **params), 422)
    assert problem["errors"][0]["field"] == field


# ------------------------------------------------------------------ roles and the front door


@pytest.mark.parametrize("path", ["/reports/needs", "/reports/commitments", "/reports/effectiveness"])
@pytest.mark.parametrize("role", ["reader", "auditor", "registrar"])
def test_the_aggregate_reports_are_open_to_every_role(api: Api, path: str, role: str) -> None:
    assert api.get(path, role=role, as_of="2025-12-31").status_code == 200


def test_the_appointments_report_is_for_registrars_and_auditors_only(api: Api) -> None:
    problem = problem_of(api.get("/reports/appointments", role="reader"), 403, "forbidden")
    assert "reader" in problem["detail"]
    assert api.get("/reports/appointments", role="auditor", as_of="2025-12-31").status_code == 200


@pytest.mark.parametrize(
    "path", ["/reports/needs", "/reports/appointments", "/reports/commitments", "/reports/effectiveness"]
)
def test_the_new_reports_need_a_key(api: Api, path: str) -> None:
    problem_of(api.get(path, role=None), 401, "unauthorized")


def test_the_root_sends_a_browser_to_the_pages_without_a_key(api: Api) -> None:
    response = api.client.get("/", follow_redirects=False)
    assert response.status_code == 307
    assert response.headers["location"] == "/ui/"


# ------------------------------------------------------------------ a change of rules


def test_a_change_of_rules_changes_the_verdicts_and_no_event(store: StoreConfig) -> None:
    """A Phó Cục trưởng appointed in 2021 with intermediate political theory met the rules then;
    the strict reading of Decree 29/2024 asks for advanced: the same appointment now fails
    today's rules, and the log is exactly what it was."""
    with rules_environment(), running_api(store) as api:
        staff_id = api.register()
        for track, level in {**BEFORE, "state_management": "principal"}.items():
            hold(api, staff_id, track, level, issued_on="2019-06-30")
        response = appoint(api, staff_id, position="Phó Cục trưởng", effective_on="2021-03-01")
        assert response.status_code == 201, response.text
        lenient = api.get("/reports/appointments", as_of="2025-12-31", staff_id=staff_id).json()
        history = api.get(f"/staff/{staff_id}/history").json()
        head = api.log_head()
    with rules_environment("strict"), running_api(store) as api:
        strict = api.get("/reports/appointments", as_of="2025-12-31", staff_id=staff_id).json()
        assert api.get(f"/staff/{staff_id}/history").json() == history
        assert api.log_head() == head
    assert lenient["rule_set"] != strict["rule_set"]
    before, after = lenient["items"][0], strict["items"][0]
    assert (before["met_rules_then"], before["would_meet_todays_rules_then"]) == (True, True)
    assert (after["met_rules_then"], after["would_meet_todays_rules_then"]) == (True, False)
    assert after["recorded_rule_set"] == before["recorded_rule_set"] == lenient["rule_set"]
    (failing,) = [g for g in after["today_rules_then"]["requirements"] if g["blocking"]]
    assert (failing["track"], failing["required_level"], failing["held"]["level"]) == (
        "political_theory",
        "advanced",
        "intermediate",
    )


# ------------------------------------------------------------------ documented examples


@pytest.fixture(scope="module")
def demo_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """The demo agency behind a running app (SQLite: the answers do not depend on the store, and
    the stores' agreement is tested elsewhere)."""
    folder: Path = tmp_path_factory.mktemp("demo")
    with module_store("sqlite", folder) as store, rules_environment():
        from ledger.application import Ledger

        ledger = Ledger(store)
        try:
            load_demo(ledger)
        finally:
            ledger.close()
        with running_api(store) as running:
            yield running


@pytest.mark.parametrize(
    ("model", "path", "params"),
    [
        (QualificationsReport, "/reports/qualifications", {"as_of": SNAPSHOT.isoformat()}),
        (
            AttendanceReport,
            "/reports/attendance",
            {
                "from": "2019-01-01",
                "to": SNAPSHOT.isoformat(),
                "tracks": "political_theory,state_management,leadership",
            },
        ),
    ],
)
def test_the_documented_report_examples_are_the_demo_agencys_real_answers(
    demo_api: Api, model: Any, path: str, params: dict[str, str]
) -> None:
    (example,) = model.model_config["json_schema_extra"]["examples"]
    model.model_validate(example)
    response = demo_api.get(path, **params)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert shown_part(answer, example) == example


def shown_part(answer: Any, example: Any) -> Any:
    """The part of ``answer`` an example shows (an example may leave out keys of a breakdown)."""
    if isinstance(example, dict) and isinstance(answer, dict):
        return {key: shown_part(answer.get(key), value) for key, value in example.items()}
    return answer
