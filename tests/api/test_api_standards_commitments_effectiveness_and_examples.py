"""Position standards over HTTP (issue 6), on SQLite and PostgreSQL: the commitments and
effectiveness reports, who may read them, a change of rules, and the documented examples of the
reports against the demo agency's real answers.

One app per store serves the module (``api``); tests keep out of each other's way with their own
staff codes and course codes, and ask the reports about their own people (``staff_id``) or
programmes. Every request names its business dates (``as_of``), so nothing depends on today.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from api_fixtures import Api, course, module_store, new_staff_id, problem_of, running_api
from standards_api_fixtures import BEFORE, appoint, hold, rules_environment

from api.schemas.reports import AttendanceReport, QualificationsReport
from api.schemas.staff import StaffPublic
from ledger.demo import SNAPSHOT, load_demo
from ledger.store.config import StoreConfig


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def api(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    with (
        module_store(request.param, tmp_path_factory.mktemp("standards")) as store,
        rules_environment(),
        running_api(store) as running,
    ):
        yield running


def complete(api: Api, staff_id: str, enrollment_id: str, on: str) -> None:
    response = api.post(
        f"/staff/{staff_id}/enrollments/{enrollment_id}/completion", {"completed_on": on, "outcome": "passed"}
    )
    assert response.status_code == 201, response.text


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
