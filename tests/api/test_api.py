"""The HTTP contract (docs/api.md) through the real ASGI app, on SQLite and PostgreSQL: every endpoint,
its status codes, its problem documents, and Vietnamese text round-tripping byte for byte.

Roles and keys are in ``test_api_auth.py``; If-Match, idempotency and read-your-writes in
``test_api_concurrency.py``; the global log and reports (which need a log of their own) in
``test_api_log.py``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from api_fixtures import (
    VIETNAMESE_NAMES,
    Api,
    course,
    module_store,
    new_staff_id,
    person,
    problem_of,
    running_api,
)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def api(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    with module_store(request.param, tmp_path_factory.mktemp("api")) as store, running_api(store) as running:
        yield running


def history_types(api: Api, staff_id: str) -> list[str]:
    return [e["type"] for e in api.get(f"/staff/{staff_id}/history").json()["items"]]


# ------------------------------------------------------------------ registration


def test_registration_answers_201_with_version_event_and_position(api: Api) -> None:
    staff_id = new_staff_id()
    response = api.post("/staff", person(staff_id))
    assert response.status_code == 201
    body = response.json()
    assert body["staff_id"] == staff_id
    assert body["version"] == 1
    assert body["event_id"] == f"{staff_id}:1"
    assert body["position"] >= 1
    assert response.headers["etag"] == '"1"'
    assert response.headers["location"] == f"/staff/{staff_id}"


@pytest.mark.parametrize("name", VIETNAMESE_NAMES)
def test_vietnamese_names_round_trip_byte_for_byte(api: Api, name: str) -> None:
    staff_id = api.register(full_name=name, unit="Phòng Kế hoạch - Tài chính")
    raw = api.get(f"/staff/{staff_id}").content
    assert json.dumps(name, ensure_ascii=False).encode("utf-8") in raw
    assert api.get(f"/staff/{staff_id}").json()["full_name"].encode("utf-8") == name.encode("utf-8")
    history = api.get(f"/staff/{staff_id}/history").json()
    assert history["items"][0]["data"]["full_name"] == name


def test_decomposed_unicode_is_stored_composed(api: Api) -> None:
    decomposed = "Nguye\u0302\u0303n Va\u0306n An"  # the same name written with combining marks
    staff_id = api.register(full_name=decomposed)
    assert api.get(f"/staff/{staff_id}").json()["full_name"] == "Nguy\u1ec5n V\u0103n An"


def test_registering_an_existing_staff_id_is_a_409_problem(api: Api) -> None:
    staff_id = api.register()
    problem = problem_of(api.post("/staff", person(staff_id)), 409, "duplicate_registration")
    assert staff_id in problem["detail"]


def test_registration_defaults_employment_to_civil_servant(api: Api) -> None:
    staff_id = api.register()
    assert api.get(f"/staff/{staff_id}").json()["employment"] == "civil_servant"


def test_joining_before_birth_is_a_422_naming_the_field(api: Api) -> None:
    problem = problem_of(
        api.post("/staff", person(new_staff_id(), birth_date="1990-01-01", joined_on="1980-01-01")), 422
    )
    assert problem["errors"][0]["field"] == "joined_on"


# ------------------------------------------------------------------ enrollments


def test_enrollment_answers_the_enrollment_id_it_was_given(api: Api) -> None:
    staff_id = api.register()
    response = api.post(f"/staff/{staff_id}/enrollments", course(enrollment_id="E-2020-01"))
    assert response.status_code == 201
    assert response.json()["enrollment_id"] == "E-2020-01"
    assert response.json()["version"] == 2


def test_enrollment_without_an_id_gets_one_from_the_server(api: Api) -> None:
    staff_id = api.register()
    enrollment_id = api.enroll(staff_id)
    enrollments = api.get(f"/staff/{staff_id}").json()["enrollments"]
    assert [e["enrollment_id"] for e in enrollments] == [enrollment_id]
    assert enrollments[0]["status"] == "enrolled"


def test_a_level_of_another_track_is_a_422_naming_level(api: Api) -> None:
    staff_id = api.register()
    problem = problem_of(
        api.post(f"/staff/{staff_id}/enrollments", course(level="master")), 422, "invalid_level"
    )
    assert problem["errors"] == [{"field": "level", "message": problem["detail"], "in": "body"}]


def test_enrolling_an_unknown_staff_member_is_404(api: Api) -> None:
    problem_of(api.post(f"/staff/{new_staff_id()}/enrollments", course()), 404, "staff_not_found")


def test_passed_completion_awards_the_credential_at_the_course_level(api: Api) -> None:
    staff_id = api.register()
    enrollment_id = api.enroll(staff_id)
    response = api.post(
        f"/staff/{staff_id}/enrollments/{enrollment_id}/completion",
        {
            "completed_on": "2020-09-25",
            "outcome": "passed",
            "score": "8.50",
            "credential": {"credential_id": "TC-LLCT-01", "number": "B 012345"},
        },
    )
    assert response.status_code == 201
    assert response.json()["credential_id"] == "TC-LLCT-01"
    standing = api.get(f"/staff/{staff_id}").json()
    assert standing["qualifications"]["political_theory"] == {
        "track": "political_theory",
        "level": "intermediate",
        "credential_id": "TC-LLCT-01",
        "title": "Trung cấp lý luận chính trị - hành chính",
        "issued_on": "2020-09-25",
    }
    assert standing["enrollments"][0]["status"] == "completed"
    assert standing["enrollments"][0]["score"] == "8.50"


def test_failed_completion_records_failed_and_awards_nothing(api: Api) -> None:
    staff_id = api.register()
    enrollment_id = api.enroll(staff_id)
    response = api.post(
        f"/staff/{staff_id}/enrollments/{enrollment_id}/completion",
        {"completed_on": "2020-09-25", "outcome": "failed"},
    )
    assert response.status_code == 201
    assert "credential_id" not in response.json()
    standing = api.get(f"/staff/{staff_id}").json()
    assert standing["enrollments"][0]["status"] == "failed"
    assert standing["qualifications"] == {}


def test_completing_a_withdrawn_enrollment_is_409_and_records_nothing(api: Api) -> None:
    staff_id = api.register()
    enrollment_id = api.enroll(staff_id)
    withdrawn = api.post(
        f"/staff/{staff_id}/enrollments/{enrollment_id}/withdrawal",
        {"on": "2020-05-10", "reason": "Được điều động công tác khác"},
    )
    assert withdrawn.status_code == 201
    head = api.log_head()
    response = api.post(
        f"/staff/{staff_id}/enrollments/{enrollment_id}/completion",
        {"completed_on": "2020-09-25", "outcome": "passed"},
    )
    problem_of(response, 409, "enrollment_closed")
    assert api.log_head() == head


def test_completing_an_unknown_enrollment_is_404(api: Api) -> None:
    staff_id = api.register()
    response = api.post(
        f"/staff/{staff_id}/enrollments/NO-SUCH/completion",
        {"completed_on": "2020-09-25", "outcome": "passed"},
    )
    problem_of(response, 404, "enrollment_not_found")


def test_completion_before_the_start_is_a_422(api: Api) -> None:
    staff_id = api.register()
    enrollment_id = api.enroll(staff_id)
    response = api.post(
        f"/staff/{staff_id}/enrollments/{enrollment_id}/completion",
        {"completed_on": "2019-01-01", "outcome": "passed"},
    )
    problem_of(response, 422, "date_before_start")


# ------------------------------------------------------------------ credentials


def test_recognised_credential_appears_with_its_evidence(api: Api) -> None:
    staff_id = api.register()
    response = api.post(
        f"/staff/{staff_id}/credentials",
        {
            "credential_id": "THS-2015",
            "track": "professional",
            "level": "master",
            "title": "Thạc sĩ Quản lý công",
            "issuer": "Học viện Hành chính Quốc gia",
            "issued_on": "2015-11-20",
            "evidence": {"document_ref": "HS-07", "verified_by": "Trần Thị Bình"},
        },
    )
    assert response.status_code == 201
    assert response.json()["credential_id"] == "THS-2015"
    credential = api.get(f"/staff/{staff_id}").json()["credentials"][0]
    assert credential["source"] == "recognition"
    assert credential["document_ref"] == "HS-07"
    assert credential["verified_by"] == "Trần Thị Bình"


def test_recognised_credential_without_evidence_is_a_422_naming_evidence(api: Api) -> None:
    staff_id = api.register()
    response = api.post(
        f"/staff/{staff_id}/credentials",
        {
            "track": "it",
            "level": "basic",
            "title": "Ứng dụng CNTT cơ bản",
            "issuer": "Trung tâm Tin học",
            "issued_on": "2016-01-01",
        },
    )
    problem = problem_of(response, 422, "validation_error")
    assert {"field": "evidence", "message": "Required.", "in": "body"} in problem["errors"]


def test_trail_shows_how_a_credential_was_obtained(api: Api) -> None:
    staff_id = api.register()
    enrollment_id = api.enroll(staff_id)
    api.post(
        f"/staff/{staff_id}/enrollments/{enrollment_id}/completion",
        {"completed_on": "2020-09-25", "outcome": "passed", "credential": {"credential_id": "C-1"}},
    )
    response = api.get(f"/staff/{staff_id}/credentials/C-1/trail")
    assert response.status_code == 200
    trail = response.json()
    assert trail["credential"]["credential_id"] == "C-1"
    assert [s["type"] for s in trail["steps"]] == ["Registered", "Enrolled", "Completed"]
    assert trail["steps"][1]["data"]["decision_ref"] == "QĐ 125/QĐ-CT"
    assert all(s["recorded_by"] == "phong-tccb" for s in trail["steps"])
    assert isinstance(trail["flags"], list)
    assert response.headers["etag"] == '"3"'


def test_trail_of_an_unknown_credential_is_404(api: Api) -> None:
    staff_id = api.register()
    problem_of(api.get(f"/staff/{staff_id}/credentials/NOPE/trail"), 404, "credential_not_found")


def test_trail_of_an_unknown_staff_member_is_404(api: Api) -> None:
    problem_of(api.get(f"/staff/{new_staff_id()}/credentials/NOPE/trail"), 404, "staff_not_found")


# ------------------------------------------------------------------ rotations, appointments, evaluations


def test_secondment_changes_the_unit_while_it_runs(api: Api) -> None:
    staff_id = api.register()
    response = api.post(
        f"/staff/{staff_id}/rotations",
        {
            "to_unit": "Chi cục Thuế khu vực Vinh",
            "kind": "secondment",
            "starts_on": "2021-01-01",
            "ends_on": "2021-12-31",
            "decision_ref": "QĐ 88/QĐ-TCCB",
        },
    )
    assert response.status_code == 201
    assert api.get(f"/staff/{staff_id}", as_of="2021-06-01").json()["unit"] == "Chi cục Thuế khu vực Vinh"
    later = api.get(f"/staff/{staff_id}", as_of="2022-06-01").json()
    assert later["unit"] == "Phòng Tổ chức cán bộ"
    assert later["rotations"][0]["from_unit"] == "Phòng Tổ chức cán bộ"


def test_appointment_without_the_required_training_is_422_listing_every_unmet_requirement(api: Api) -> None:
    staff_id = api.register()
    head = api.log_head()
    response = api.post(
        f"/staff/{staff_id}/appointments",
        {"position": "Trưởng phòng", "effective_on": "2024-10-01", "decision_ref": "QĐ 301/QĐ-CT"},
    )
    problem = problem_of(response, 422, "requirements_not_met")
    tracks = {u["track"] for u in problem["unmet"]}
    assert {"professional", "political_theory"} <= tracks
    assert all({"rule_id", "required_level", "legal_basis"} <= set(u) for u in problem["unmet"])
    assert api.log_head() == head


def test_appointment_with_a_waiver_is_recorded_with_it(api: Api) -> None:
    staff_id = api.register()
    response = api.post(
        f"/staff/{staff_id}/appointments",
        {
            "position": "Trưởng phòng",
            "effective_on": "2024-10-01",
            "decision_ref": "QĐ 301/QĐ-CT",
            "waiver": {
                "legal_basis": "Nghị định 29/2024/NĐ-CP",
                "deadline": "2025-12-31",
                "reason": "Bồi dưỡng sau khi bổ nhiệm",
            },
        },
    )
    assert response.status_code == 201
    appointment = api.get(f"/staff/{staff_id}").json()["appointments"][0]
    assert appointment["position"] == "Trưởng phòng"
    assert appointment["waiver"]["deadline"] == "2025-12-31"


def test_annual_evaluation_is_recorded_once_per_year(api: Api) -> None:
    staff_id = api.register()
    body = {"kind": "annual", "year": 2023, "rating": "good", "evaluator": "Lê Văn Cường"}
    assert api.post(f"/staff/{staff_id}/evaluations", body).status_code == 201
    problem_of(api.post(f"/staff/{staff_id}/evaluations", body), 409, "duplicate_evaluation")
    evaluation = api.get(f"/staff/{staff_id}").json()["evaluations"][0]
    assert evaluation["effective_on"] == "2023-12-31"
    assert evaluation["rating"] == "good"


def test_post_training_evaluation_of_an_open_enrollment_is_422(api: Api) -> None:
    staff_id = api.register()
    enrollment_id = api.enroll(staff_id)
    response = api.post(
        f"/staff/{staff_id}/evaluations",
        {
            "kind": "post_training",
            "enrollment_id": enrollment_id,
            "on": "2021-01-01",
            "rating": "good",
            "evaluator": "Lê Văn Cường",
        },
    )
    problem_of(response, 422, "enrollment_not_completed")


def test_planning_pool_entry_is_recorded(api: Api) -> None:
    staff_id = api.register()
    body = {
        "position": "Trưởng phòng",
        "from_year": 2025,
        "to_year": 2030,
        "decision_ref": "QĐ 45",
        "on": "2025-03-15",
    }
    assert api.post(f"/staff/{staff_id}/plans", body).status_code == 201
    assert history_types(api, staff_id) == ["Registered", "Planned"]


def test_a_planning_period_ending_before_it_starts_is_a_422(api: Api) -> None:
    staff_id = api.register()
    body = {
        "position": "Trưởng phòng",
        "from_year": 2030,
        "to_year": 2025,
        "decision_ref": "QĐ 45",
        "on": "2025-03-15",
    }
    problem_of(api.post(f"/staff/{staff_id}/plans", body), 422, "invalid_dates")


# ------------------------------------------------------------------ departures and corrections


def test_departure_takes_the_person_off_the_roll_from_that_date(api: Api) -> None:
    staff_id = api.register()
    assert (
        api.post(f"/staff/{staff_id}/departure", {"on": "2024-06-30", "reason": "Nghỉ hưu"}).status_code
        == 201
    )
    assert api.get(f"/staff/{staff_id}").json()["status"] == "departed"
    assert api.get(f"/staff/{staff_id}", as_of="2024-06-29").json()["status"] == "active"


def test_departing_twice_is_409(api: Api) -> None:
    staff_id = api.register()
    api.post(f"/staff/{staff_id}/departure", {"on": "2024-06-30", "reason": "Nghỉ hưu"})
    problem_of(api.post(f"/staff/{staff_id}/departure", {"on": "2024-07-30", "reason": "Nghỉ hưu"}), 409)


def test_correction_voids_the_event_in_the_standing_and_the_history_keeps_both(api: Api) -> None:
    staff_id = api.register()
    api.enroll(staff_id)
    response = api.post(
        f"/staff/{staff_id}/corrections", {"event_id": f"{staff_id}:2", "reason": "Nhập nhầm khóa học"}
    )
    assert response.status_code == 201
    assert api.get(f"/staff/{staff_id}").json()["enrollments"] == []
    items = api.get(f"/staff/{staff_id}/history").json()["items"]
    assert [i["type"] for i in items] == ["Registered", "Enrolled", "Corrected"]
    assert items[1]["voided_by"] == f"{staff_id}:3"


def test_voiding_a_correction_is_409(api: Api) -> None:
    staff_id = api.register()
    api.enroll(staff_id)
    api.post(f"/staff/{staff_id}/corrections", {"event_id": f"{staff_id}:2", "reason": "Nhập nhầm"})
    response = api.post(
        f"/staff/{staff_id}/corrections", {"event_id": f"{staff_id}:3", "reason": "Nhầm lần nữa"}
    )
    problem_of(response, 409, "cannot_void_correction")


def test_voiding_an_event_that_does_not_exist_is_404(api: Api) -> None:
    staff_id = api.register()
    problem_of(
        api.post(f"/staff/{staff_id}/corrections", {"event_id": f"{staff_id}:9", "reason": "Không có"}), 404
    )


# ------------------------------------------------------------------ reads


def test_standing_of_an_unknown_staff_member_is_404(api: Api) -> None:
    problem_of(api.get(f"/staff/{new_staff_id()}"), 404, "staff_not_found")


def test_standing_as_of_a_past_date_leaves_out_later_events(api: Api) -> None:
    staff_id = api.register()
    api.enroll(staff_id, starts_on="2020-03-02")
    before = api.get(f"/staff/{staff_id}", as_of="2020-03-01").json()
    assert before["enrollments"] == []
    assert before["as_of"] == "2020-03-01"
    assert len(api.get(f"/staff/{staff_id}", as_of="2020-03-02").json()["enrollments"]) == 1


def test_standing_as_of_before_joining_says_not_joined(api: Api) -> None:
    staff_id = api.register()
    assert api.get(f"/staff/{staff_id}", as_of="2001-01-01").json()["status"] == "not_joined"


def test_standing_known_at_before_a_correction_still_shows_the_voided_event(api: Api) -> None:
    staff_id = api.register()
    api.enroll(staff_id)
    moment = datetime.now(UTC).isoformat()
    api.post(f"/staff/{staff_id}/corrections", {"event_id": f"{staff_id}:2", "reason": "Nhập nhầm"})
    then = api.get(f"/staff/{staff_id}", known_at=moment)
    assert len(then.json()["enrollments"]) == 1
    assert then.json()["version"] == 2
    assert then.headers["etag"] == '"2"'
    assert api.get(f"/staff/{staff_id}").json()["enrollments"] == []


def test_standing_known_at_before_registration_is_404(api: Api) -> None:
    staff_id = api.register()
    problem_of(api.get(f"/staff/{staff_id}", known_at="2000-01-01T00:00:00Z"), 404, "staff_not_found")


def test_known_at_without_a_time_zone_is_a_422(api: Api) -> None:
    staff_id = api.register()
    problem = problem_of(
        api.get(f"/staff/{staff_id}", known_at="2024-01-01T00:00:00"), 422, "validation_error"
    )
    assert problem["errors"][0] == {
        "field": "known_at",
        "message": problem["errors"][0]["message"],
        "in": "query",
    }


def test_standing_carries_the_version_as_etag(api: Api) -> None:
    staff_id = api.register()
    api.enroll(staff_id)
    response = api.get(f"/staff/{staff_id}")
    assert response.headers["etag"] == '"2"'
    assert response.json()["version"] == 2


def test_if_none_match_with_the_current_etag_is_304(api: Api) -> None:
    staff_id = api.register()
    response = api.client.get(f"/staff/{staff_id}", headers=api.headers(If_None_Match='"1"'))
    assert response.status_code == 304
    assert response.headers["etag"] == '"1"'


def test_directory_search_ignores_case_and_diacritics(api: Api) -> None:
    unit = f"Đội Kiểm tra {new_staff_id()}"
    staff_id = api.register(full_name="Nguyễn Văn Ánh", unit=unit)
    api.register(full_name="Trần Thị Bình", unit=unit)
    found = api.get("/staff", q="nguyen van anh", unit=unit).json()
    assert [i["staff_id"] for i in found["items"]] == [staff_id]
    assert found["items"][0]["full_name"] == "Nguyễn Văn Ánh"


def test_directory_pages_with_limit_and_cursor(api: Api) -> None:
    unit = f"Phòng Nghiệp vụ {new_staff_id()}"
    registered = {api.register(full_name=name, unit=unit) for name in VIETNAMESE_NAMES[:5]}
    seen: list[str] = []
    cursor = None
    for _ in range(5):
        params: dict[str, Any] = {"unit": unit, "limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = api.get("/staff", **params).json()
        seen += [i["staff_id"] for i in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(registered)
    assert len(seen) == len(set(seen))


def test_directory_filters_by_status(api: Api) -> None:
    unit = f"Phòng Thanh tra {new_staff_id()}"
    stays = api.register(unit=unit)
    leaves = api.register(unit=unit)
    api.post(f"/staff/{leaves}/departure", {"on": "2023-01-31", "reason": "Chuyển công tác"})
    assert [i["staff_id"] for i in api.get("/staff", unit=unit, status="active").json()["items"]] == [stays]
    assert [i["staff_id"] for i in api.get("/staff", unit=unit, status="departed").json()["items"]] == [
        leaves
    ]


def test_a_made_up_cursor_is_a_422_naming_cursor(api: Api) -> None:
    problem = problem_of(api.get("/staff", cursor="not-a-cursor"), 422)
    assert problem["errors"][0]["field"] == "cursor"


def test_an_unknown_query_parameter_is_a_422_naming_it(api: Api) -> None:
    staff_id = api.register()
    problem = problem_of(api.get(f"/staff/{staff_id}", asof="2020-01-01"), 422, "validation_error")
    assert problem["errors"] == [{"field": "asof", "message": "Unknown query parameter.", "in": "query"}]


@pytest.mark.parametrize("path", ["/staff", "/reports/qualifications", "/reports/needs"])
def test_a_control_character_in_a_query_filter_is_a_422(api: Api, path: str) -> None:
    problem = problem_of(api.get(path, unit="Phòng\u0000"), 422, "validation_error")
    assert problem["errors"][0]["field"] == "unit"


def test_directory_limit_above_500_is_a_422(api: Api) -> None:
    problem = problem_of(api.get("/staff", limit=501), 422, "validation_error")
    assert problem["errors"][0]["field"] == "limit"


def test_history_lists_every_event_with_who_recorded_it(api: Api) -> None:
    staff_id = api.register()
    api.enroll(staff_id)
    response = api.get(f"/staff/{staff_id}/history")
    body = response.json()
    assert response.headers["etag"] == '"2"'
    assert [(i["event_id"], i["type"], i["version"]) for i in body["items"]] == [
        (f"{staff_id}:1", "Registered", 1),
        (f"{staff_id}:2", "Enrolled", 2),
    ]
    assert all(i["recorded_by"] == "phong-tccb" for i in body["items"])
    assert body["items"][1]["effective_on"] == "2020-03-02"
    assert body["items"][0]["position"] < body["items"][1]["position"]
    assert body["next_cursor"] is None


def test_history_pages_with_limit_and_cursor(api: Api) -> None:
    staff_id = api.register()
    for n in range(3):
        api.enroll(staff_id, enrollment_id=f"E{n}")
    first = api.get(f"/staff/{staff_id}/history", limit=3).json()
    rest = api.get(f"/staff/{staff_id}/history", limit=3, cursor=first["next_cursor"]).json()
    assert [i["version"] for i in first["items"]] == [1, 2, 3]
    assert [i["version"] for i in rest["items"]] == [4]
    assert rest["next_cursor"] is None


def test_history_of_an_unknown_staff_member_is_404(api: Api) -> None:
    problem_of(api.get(f"/staff/{new_staff_id()}/history"), 404, "staff_not_found")


def test_health_answers_without_a_key(api: Api) -> None:
    response = api.client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["store"] in {"sqlite", "postgresql"}
    assert body["log_position"] >= 0
    assert {v["name"] for v in body["views"]} >= {"standing"}


def test_every_problem_type_is_documented(api: Api) -> None:
    listed = {p["code"]: p for p in api.client.get("/problems").json()}
    assert listed["stale_version"]["status"] == 412
    assert listed["requirements_not_met"]["status"] == 422
    assert api.client.get("/problems/enrollment_closed").json()["status"] == 409
    problem_of(api.client.get("/problems/no_such_thing"), 404, "not_found")


# ------------------------------------------------------------------ problems for malformed requests


def test_validation_errors_list_every_bad_field_with_dotted_paths(api: Api) -> None:
    staff_id = api.register()
    enrollment_id = api.enroll(staff_id)
    response = api.post(
        f"/staff/{staff_id}/enrollments/{enrollment_id}/completion",
        {
            "completed_on": "25/09/2020",
            "outcome": "maybe",
            "credential": {"issued_on": "tomorrow", "colour": "red"},
        },
    )
    problem = problem_of(response, 422, "validation_error")
    fields = {e["field"] for e in problem["errors"]}
    assert fields == {"completed_on", "outcome", "credential.issued_on", "credential.colour"}
    assert all(e["in"] == "body" for e in problem["errors"])


def test_an_unknown_field_is_refused_not_ignored(api: Api) -> None:
    problem = problem_of(api.post("/staff", {**person(new_staff_id()), "salary": 1}), 422, "validation_error")
    assert problem["errors"] == [
        {"field": "salary", "message": "Unknown field: this request has no such field.", "in": "body"}
    ]


def test_control_characters_in_a_name_are_refused(api: Api) -> None:
    problem = problem_of(api.post("/staff", person(new_staff_id(), full_name="An\u0000")), 422)
    assert problem["errors"][0]["field"] == "full_name"


def test_a_blank_name_is_refused(api: Api) -> None:
    problem_of(api.post("/staff", person(new_staff_id(), full_name="   ")), 422)


def test_dates_must_be_written_yyyy_mm_dd(api: Api) -> None:
    problem = problem_of(api.post("/staff", person(new_staff_id(), joined_on=20100901)), 422)
    assert problem["errors"][0]["field"] == "joined_on"


def test_malformed_json_is_a_400_problem(api: Api) -> None:
    response = api.client.post(
        "/staff", content=b'{"staff_id": ', headers=api.headers(Content_Type="application/json")
    )
    problem_of(response, 400, "malformed_json")


def test_a_body_that_is_not_json_is_a_415_problem(api: Api) -> None:
    response = api.client.post(
        "/staff", content=b"staff_id=CB1", headers=api.headers(Content_Type="text/plain")
    )
    problem_of(response, 415, "unsupported_media_type")


def test_a_json_array_instead_of_an_object_is_a_422(api: Api) -> None:
    problem_of(api.post("/staff", [person(new_staff_id())]), 422, "validation_error")


def test_an_invalid_staff_code_in_the_path_is_a_422(api: Api) -> None:
    problem = problem_of(api.get("/staff/bad code!"), 422, "validation_error")
    assert problem["errors"][0] == {
        "field": "staff_id",
        "message": problem["errors"][0]["message"],
        "in": "path",
    }


def test_an_unknown_path_is_a_404_problem(api: Api) -> None:
    problem_of(api.get("/nothing/here"), 404, "not_found")


def test_a_wrong_method_is_a_405_problem_listing_the_allowed_ones(api: Api) -> None:
    response = api.client.delete("/staff", headers=api.headers())
    problem_of(response, 405, "method_not_allowed")
    assert response.headers["allow"] == "GET, POST"
