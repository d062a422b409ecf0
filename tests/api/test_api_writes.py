"""The HTTP contract's writes (docs/api.md) through the real ASGI app, on SQLite and PostgreSQL:
registration, enrollments, credentials, rotations, appointments, evaluations, departures and
corrections, their status codes, their problem documents, and Vietnamese text round-tripping byte
for byte.

Reads and the problems of malformed requests are in ``test_api_reads_and_problems.py``; roles and
keys in ``test_api_auth.py``; If-Match, idempotency and read-your-writes in
``test_api_concurrency.py``; the global log and reports (which need a log of their own) in
``test_api_log.py``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

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
