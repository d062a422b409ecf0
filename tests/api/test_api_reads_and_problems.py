"""The HTTP contract's reads (docs/api.md) through the real ASGI app, on SQLite and PostgreSQL: a
person's standing, history and lists, and the problem documents answering malformed requests.

The writes are in ``test_api_writes.py``; roles and keys in ``test_api_auth.py``; If-Match,
idempotency and read-your-writes in ``test_api_concurrency.py``; the global log and reports (which
need a log of their own) in ``test_api_log.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from api_fixtures import (
    VIETNAMESE_NAMES,
    Api,
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
