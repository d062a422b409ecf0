"""Concurrency and retries over HTTP: ETag/If-Match (412, nothing recorded), Idempotency-Key
(replay, 422 on another body, surviving a restart, one write under a race), and read-your-writes
(a read issued after a write's response sees it), with the engine in the app or outside it."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from api_fixtures import Api, course, module_store, new_staff_id, person, problem_of, running_api

from ledger.application import Ledger
from ledger.store.config import StoreConfig
from projections.engine import Engine


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def api(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    with module_store(request.param, tmp_path_factory.mktemp("conc")) as store, running_api(store) as running:
        yield running


def history_length(api: Api, staff_id: str) -> int:
    return len(api.get(f"/staff/{staff_id}/history", limit=500).json()["items"])


# ------------------------------------------------------------------ If-Match


def test_a_write_with_the_current_etag_is_recorded(api: Api) -> None:
    staff_id = api.register()
    etag = api.get(f"/staff/{staff_id}").headers["etag"]
    response = api.post(f"/staff/{staff_id}/enrollments", course(), If_Match=etag)
    assert response.status_code == 201
    assert response.headers["etag"] == '"2"'


def test_a_write_with_a_stale_etag_is_412_and_records_nothing(api: Api) -> None:
    staff_id = api.register()
    api.enroll(staff_id)
    head = api.log_head()
    problem = problem_of(
        api.post(f"/staff/{staff_id}/enrollments", course(), If_Match='"1"'), 412, "stale_version"
    )
    assert "version 2" in problem["detail"]
    assert api.log_head() == head
    assert history_length(api, staff_id) == 2


def test_if_match_star_writes_when_the_staff_member_exists(api: Api) -> None:
    staff_id = api.register()
    assert api.post(f"/staff/{staff_id}/enrollments", course(), If_Match="*").status_code == 201


def test_if_match_with_a_list_writes_when_one_tag_is_current(api: Api) -> None:
    staff_id = api.register()
    assert api.post(f"/staff/{staff_id}/enrollments", course(), If_Match='"7", "1"').status_code == 201


def test_a_weak_etag_never_matches(api: Api) -> None:
    staff_id = api.register()
    problem_of(api.post(f"/staff/{staff_id}/enrollments", course(), If_Match='W/"1"'), 412, "stale_version")


def test_a_malformed_if_match_is_400(api: Api) -> None:
    staff_id = api.register()
    problem_of(api.post(f"/staff/{staff_id}/enrollments", course(), If_Match="1"), 400, "invalid_if_match")


def test_if_match_on_an_unknown_staff_member_is_404(api: Api) -> None:
    problem_of(
        api.post(f"/staff/{new_staff_id()}/enrollments", course(), If_Match='"1"'), 404, "staff_not_found"
    )


def test_if_match_on_a_registration_is_412(api: Api) -> None:
    staff_id = new_staff_id()
    problem_of(api.post("/staff", person(staff_id), If_Match='"1"'), 412, "stale_version")
    problem_of(api.get(f"/staff/{staff_id}"), 404)


def test_concurrent_writes_with_one_etag_record_exactly_one(api: Api) -> None:
    staff_id = api.register()

    def attempt(n: int) -> int:
        return api.post(
            f"/staff/{staff_id}/enrollments", course(enrollment_id=f"E{n}"), If_Match='"1"'
        ).status_code

    with ThreadPoolExecutor(6) as pool:
        statuses = list(pool.map(attempt, range(6)))
    assert sorted(statuses) == [201] + [412] * 5
    assert history_length(api, staff_id) == 2


def test_concurrent_writes_without_if_match_are_all_recorded(api: Api) -> None:
    staff_id = api.register()

    def attempt(n: int) -> int:
        return api.post(f"/staff/{staff_id}/enrollments", course(enrollment_id=f"E{n}")).status_code

    with ThreadPoolExecutor(6) as pool:
        statuses = list(pool.map(attempt, range(6)))
    assert statuses == [201] * 6
    assert history_length(api, staff_id) == 7


# ------------------------------------------------------------------ Idempotency-Key


def test_a_repeat_with_the_same_key_and_body_replays_the_first_response(api: Api) -> None:
    staff_id = api.register()
    first = api.post(f"/staff/{staff_id}/enrollments", course(), Idempotency_Key="k-1")
    head = api.log_head()
    again = api.post(f"/staff/{staff_id}/enrollments", course(), Idempotency_Key="k-1")
    assert again.status_code == first.status_code == 201
    assert again.content == first.content
    assert again.headers["etag"] == first.headers["etag"]
    assert again.headers["idempotent-replayed"] == "true"
    assert api.log_head() == head
    assert history_length(api, staff_id) == 2


def test_the_same_key_with_another_body_is_422(api: Api) -> None:
    staff_id = api.register()
    api.post(f"/staff/{staff_id}/enrollments", course(), Idempotency_Key="k-2")
    head = api.log_head()
    response = api.post(f"/staff/{staff_id}/enrollments", course(course_code="KHAC"), Idempotency_Key="k-2")
    problem_of(response, 422, "idempotency_key_reused")
    assert api.log_head() == head


def test_the_same_key_on_another_path_is_422(api: Api) -> None:
    first, second = api.register(), api.register()
    api.post(f"/staff/{first}/enrollments", course(), Idempotency_Key="k-3")
    problem_of(
        api.post(f"/staff/{second}/enrollments", course(), Idempotency_Key="k-3"),
        422,
        "idempotency_key_reused",
    )


def test_keys_are_scoped_to_the_api_key_that_used_them(api: Api) -> None:
    staff_id = api.register()
    other = api.app.state.keys.add(f"van-thu-{new_staff_id().lower()}", "registrar")
    api.post(f"/staff/{staff_id}/enrollments", course(enrollment_id="A"), Idempotency_Key="shared")
    response = api.client.post(
        f"/staff/{staff_id}/enrollments",
        json=course(enrollment_id="B"),
        headers={"Authorization": f"Bearer {other}", "Idempotency-Key": "shared"},
    )
    assert response.status_code == 201


def test_a_refused_write_does_not_use_up_its_key(api: Api) -> None:
    staff_id = api.register()
    refused = api.post(f"/staff/{staff_id}/enrollments", course(level="master"), Idempotency_Key="k-4")
    problem_of(refused, 422, "invalid_level")
    assert api.post(f"/staff/{staff_id}/enrollments", course(), Idempotency_Key="k-4").status_code == 201


def test_a_stale_if_match_with_a_key_records_nothing_and_releases_the_key(api: Api) -> None:
    staff_id = api.register()
    api.enroll(staff_id)
    problem_of(
        api.post(f"/staff/{staff_id}/enrollments", course(), If_Match='"1"', Idempotency_Key="k-5"), 412
    )
    assert (
        api.post(
            f"/staff/{staff_id}/enrollments", course(), If_Match='"2"', Idempotency_Key="k-5"
        ).status_code
        == 201
    )


def test_concurrent_requests_with_one_key_record_once_and_answer_alike(api: Api) -> None:
    staff_id = api.register()

    def attempt(_: int) -> tuple[int, bytes]:
        response = api.post(f"/staff/{staff_id}/enrollments", course(), Idempotency_Key="race")
        return response.status_code, response.content

    with ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(attempt, range(6)))
    assert {status for status, _ in answers} == {201}
    assert len({body for _, body in answers}) == 1
    assert history_length(api, staff_id) == 2


def test_an_idempotency_key_must_be_visible_ascii(api: Api) -> None:
    staff_id = api.register()
    response = api.client.post(
        f"/staff/{staff_id}/enrollments",
        json=course(),
        headers={**api.headers(), "Idempotency-Key": "x" * 300},
    )
    problem = problem_of(response, 422, "validation_error")
    assert problem["errors"][0]["field"] == "Idempotency-Key"


def test_an_idempotent_registration_replays_after_a_restart(store: StoreConfig) -> None:
    staff_id = new_staff_id()
    with running_api(store) as api:
        first = api.post("/staff", person(staff_id), Idempotency_Key="dang-ky-1")
        assert first.status_code == 201
    with running_api(store) as api:
        head = api.log_head()
        again = api.post("/staff", person(staff_id), Idempotency_Key="dang-ky-1")
        assert (again.status_code, again.content) == (201, first.content)
        problem_of(api.post("/staff", person(staff_id, full_name="Khác"), Idempotency_Key="dang-ky-1"), 422)
        assert api.log_head() == head


# ------------------------------------------------------------------ read-your-writes


def test_the_directory_shows_a_registration_as_soon_as_its_response_arrives(api: Api) -> None:
    unit = f"Phòng Mới {new_staff_id()}"
    for n in range(5):
        staff_id = api.register(unit=unit)
        items = api.get("/staff", unit=unit).json()["items"]
        assert staff_id in {i["staff_id"] for i in items}
        assert len(items) == n + 1


def test_the_standing_shows_a_completion_as_soon_as_its_response_arrives(api: Api) -> None:
    staff_id = api.register()
    enrollment_id = api.enroll(staff_id)
    api.post(
        f"/staff/{staff_id}/enrollments/{enrollment_id}/completion",
        {"completed_on": "2020-09-25", "outcome": "passed"},
    )
    assert "political_theory" in api.get(f"/staff/{staff_id}").json()["qualifications"]


def test_reads_see_writes_when_the_engine_runs_outside_the_app(store: StoreConfig) -> None:
    ledger = Ledger(store)
    engine = Engine(ledger)
    engine.start()
    try:
        with running_api(store, run_projections=False) as api:
            assert api.client.get("/health").json()["projections"] == "external"
            unit = "Phòng Tổ chức cán bộ"
            for _ in range(3):
                staff_id = api.register(unit=unit)
                assert staff_id in {i["staff_id"] for i in api.get("/staff", unit=unit).json()["items"]}
    finally:
        engine.stop()
        ledger.close()


def test_without_any_engine_a_write_says_the_views_lag(store: StoreConfig) -> None:
    with running_api(store, run_projections=False, read_your_writes_timeout=0.05) as api:
        staff_id = new_staff_id()
        response = api.post("/staff", person(staff_id))
        assert response.status_code == 201
        assert response.headers["x-ledger-views-lagging"] == "true"
        problem_of(api.get("/staff"), 503, "views_unavailable")
        assert problem_of(api.get(f"/staff/{staff_id}"), 503)["code"] == "views_unavailable"
        assert api.get(f"/staff/{staff_id}/history").status_code == 200  # read from the log itself
