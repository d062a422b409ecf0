"""Over HTTP, a view that cannot apply one event: /health says degraded (HTTP 200) and names the
fault, reads answer from the last good state and say how far behind they are, writes are recorded
and answer without waiting for the failing view, and all is well again once the cause is gone.
Real app, real stores (both), no sleeps as synchronisation."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from api_fixtures import Api, new_staff_id, person, running_api
from poison_fixtures import Poison, poisoned_views, register, wait_until

from ledger.application import Ledger
from ledger.store.config import StoreConfig
from projections.engine import Engine


@dataclass
class Poisoned:
    api: Api
    poison: Poison
    healthy: str  # registered before the poison: in every view
    poisoned: str  # its registration is the event the standing view cannot apply
    write: dict[str, str]  # the headers of the poisoned write's response
    status: int


@pytest.fixture
def poisoned(store: StoreConfig) -> Iterator[Poisoned]:
    healthy, victim = new_staff_id(), new_staff_id()
    poison = Poison(f"{victim}:1")
    # A write that waited for the failing view would wait this long: the test would time out.
    with running_api(store, views=poisoned_views(poison), read_your_writes_timeout=600) as api:
        api.register(healthy, full_name="Nguyễn Văn An")
        response = api.post("/staff", person(victim, full_name="Trần Thị Bích Ngọc"))
        yield Poisoned(api, poison, healthy, victim, dict(response.headers), response.status_code)


def test_a_write_a_view_cannot_apply_is_recorded(poisoned: Poisoned) -> None:
    history = poisoned.api.get(f"/staff/{poisoned.poisoned}/history", role="auditor")
    assert (poisoned.status, history.status_code) == (201, 200)


def test_a_write_a_view_cannot_apply_names_the_view_behind_without_waiting_for_it(poisoned: Poisoned) -> None:
    assert poisoned.write["ledger-views-behind"] == "standing;failing"


def test_health_says_degraded_with_http_200_naming_the_view_position_event_id_and_error(
    poisoned: Poisoned,
) -> None:
    response = poisoned.api.get("/health", role=None)
    body = response.json()
    standing = {view["name"]: view for view in body["views"]}["standing"]
    head = poisoned.api.log_head()
    assert (response.status_code, body["status"]) == (200, "degraded")
    assert standing["error"] == (
        f"view standing stopped at position {head - 1}: event {poisoned.poisoned}:1 (position {head}) "
        f"failed: RuntimeError: the standing view cannot apply {poisoned.poisoned}:1"
    )
    assert (standing["position"], standing["lag_events"], standing["failure"]["event_id"]) == (
        head - 1, 1, f"{poisoned.poisoned}:1"
    )


def test_health_shows_the_other_views_level_and_without_error(poisoned: Poisoned) -> None:
    views = poisoned.api.get("/health", role=None).json()["views"]
    others = [(v["name"], v["lag_events"], "error" in v) for v in views if v["name"] != "standing"]
    assert others == [("anomalies", 0, False), ("credentials", 0, False), ("statistics", 0, False)]


def test_reads_answer_from_the_last_good_state_and_say_how_far_behind(poisoned: Poisoned) -> None:
    response = poisoned.api.get("/staff", role="reader")
    assert response.status_code == 200
    assert [item["staff_id"] for item in response.json()["items"]] == [poisoned.healthy]
    behind = response.headers["ledger-views-behind"]
    assert re.fullmatch(r"standing;events=1;seconds=[0-9]+\.[0-9];failing", behind), behind


def test_reads_from_the_healthy_views_answer_with_the_poisoned_write(poisoned: Poisoned) -> None:
    report = poisoned.api.get("/reports/qualifications", role="reader")
    assert (report.status_code, report.json()["headcount"]) == (200, 2)


def test_a_later_write_answers_without_waiting_for_the_failing_view(poisoned: Poisoned) -> None:
    response = poisoned.api.post("/staff", person(new_staff_id(), full_name="Lê Hoàng Phúc"))
    assert (response.status_code, response.headers["ledger-views-behind"]) == (201, "standing;failing")


def test_health_is_ok_again_once_the_cause_is_gone(poisoned: Poisoned) -> None:
    poisoned.poison.cure()  # an upgrade of the view's code
    wait_until(lambda: poisoned.api.get("/health", role=None).json()["status"] == "ok", what="/health ok")
    views = poisoned.api.get("/health", role=None).json()["views"]
    assert [(v["lag_events"], "error" in v) for v in views] == [(0, False)] * 4


def test_the_failing_view_catches_up_by_itself_once_the_cause_is_gone(poisoned: Poisoned) -> None:
    poisoned.poison.cure()
    wait_until(
        lambda: poisoned.api.get(f"/staff/{poisoned.poisoned}", role="reader").status_code == 200,
        what="the standing of the poisoned registration",
    )
    standing = poisoned.api.get(f"/staff/{poisoned.poisoned}", role="reader").json()
    assert standing["full_name"] == "Trần Thị Bích Ngọc"


def test_reads_stop_saying_a_view_is_behind_once_it_has_caught_up(poisoned: Poisoned) -> None:
    poisoned.poison.cure()
    wait_until(
        lambda: "ledger-views-behind" not in poisoned.api.get("/staff", role="reader").headers,
        what="reads without Ledger-Views-Behind",
    )
    assert len(poisoned.api.get("/staff", role="reader").json()["items"]) == 2


def test_a_poison_event_already_in_the_log_at_start_up_gives_reads_not_a_503_loop(store: StoreConfig) -> None:
    healthy, victim = new_staff_id(), new_staff_id()
    ledger = Ledger(store)
    try:
        register(ledger, healthy)
        register(ledger, victim, "Trần Thị Bích Ngọc")
    finally:
        ledger.close()
    with running_api(store, views=poisoned_views(Poison(f"{victim}:1"))) as api:
        wait_until(lambda: api.get("/staff", role="reader").status_code == 200, what="the directory")
        response = api.get("/staff", role="reader")
    assert [item["staff_id"] for item in response.json()["items"]] == [healthy]


def test_a_server_without_the_engine_sees_the_fault_the_engine_recorded(store: StoreConfig) -> None:
    # Several workers: the engine runs elsewhere (here: beside the app), the fault is in the store.
    healthy, victim = new_staff_id(), new_staff_id()
    ledger = Ledger(store)
    try:
        register(ledger, healthy)
        register(ledger, victim, "Trần Thị Bích Ngọc")
        Engine(ledger, poisoned_views(Poison(f"{victim}:1"))).run_until_idle()
        with running_api(store, run_projections=False, startup_wait_seconds=0) as api:
            body = api.get("/health", role=None).json()
    finally:
        ledger.close()
    standing = {view["name"]: view for view in body["views"]}["standing"]
    assert (body["status"], body["projections"], standing["failure"]["event_id"]) == (
        "degraded", "external", f"{victim}:1"
    )
