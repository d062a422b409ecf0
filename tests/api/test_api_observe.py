"""Operations: `/metrics` in Prometheus's format, one JSON log line a request, `/health` degraded
by lag. Each on a store of its own (SQLite and PostgreSQL): the metrics count the whole log."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator

import pytest
from api_fixtures import Api, running_api

from ledger.store.config import StoreConfig


@pytest.fixture
def api(store: StoreConfig) -> Iterator[Api]:
    with running_api(store) as running:
        yield running


def metric(text: str, name: str, **labels: str) -> float:
    """The value of one sample of the exposition ``text``."""
    wanted = ",".join(f'{k}="{v}"' for k, v in labels.items())
    pattern = "^" + re.escape(name) + (r"\{" + re.escape(wanted) + r"\}" if wanted else "") + r" (\S+)$"
    found = re.search(pattern, text, re.MULTILINE)
    assert found is not None, f"{name} {labels} not in:\n{text}"
    return float(found.group(1))


def test_metrics_answer_in_prometheus_text_format_without_a_key(api: Api) -> None:
    response = api.get("/metrics", role=None)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")
    assert "# TYPE ledger_http_requests_total counter" in response.text


def test_metrics_count_requests_by_route_template_not_by_path(api: Api) -> None:
    staff_id = api.register()
    api.get(f"/staff/{staff_id}")
    text = api.get("/metrics", role=None).text
    route = "/staff/{staff_id}"
    assert metric(text, "ledger_http_requests_total", method="GET", route=route, status="200") == 1
    assert metric(text, "ledger_http_request_duration_seconds_count", method="POST", route="/staff") == 1
    assert staff_id not in text


def test_metrics_count_the_events_appended_to_the_log(api: Api) -> None:
    staff_id = api.register()
    api.enroll(staff_id)
    assert metric(api.get("/metrics", role=None).text, "ledger_events_appended_total") == api.log_head() == 2


def test_metrics_show_a_views_lag_rising_while_the_engine_is_stopped_and_falling_after(
    store: StoreConfig,
) -> None:
    # Writes must not wait for the stopped engine: it is stopped on purpose.
    with running_api(store, read_your_writes_timeout=0) as api:
        engine = api.app.state.services.engine
        engine.stop()
        staff_id = api.register()
        api.enroll(staff_id)
        stopped = api.get("/metrics", role=None).text
        assert metric(stopped, "ledger_view_lag_events", view="standing") == 2
        assert metric(stopped, "ledger_view_lag_seconds", view="standing") >= 0
        engine.start()
        assert api.app.state.services.read_model.catch_up(30)
        after = api.get("/metrics", role=None).text
        assert metric(after, "ledger_view_lag_events", view="standing") == 0
        assert metric(after, "ledger_view_lag_seconds", view="standing") == 0


def test_metrics_report_the_projection_engines_errors(api: Api) -> None:
    assert metric(api.get("/metrics", role=None).text, "ledger_engine_errors_total") == 0


def test_no_log_line_carries_a_query_strings_q(api: Api, caplog: pytest.LogCaptureFixture) -> None:
    api.register(full_name="Phạm Thị Thu Hương")
    with caplog.at_level(logging.INFO, logger="ledger.access"):
        assert api.get("/staff", q="Hương").status_code == 200
        assert api.get("/staff", q="huong thu").status_code == 200
        api.client.get("/ui/directory", params={"q": "Hương"})
    lines = [r.getMessage() for r in caplog.records]
    assert lines
    for line in lines:
        assert "Hương" not in line
        assert "huong" not in line.lower()
        assert "q=" not in line


def test_each_request_logs_one_json_line_with_its_id_key_route_status_and_duration(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    staff_id = api.register()
    with caplog.at_level(logging.INFO, logger="ledger.access"):
        response = api.client.get(
            f"/staff/{staff_id}", headers={**api.headers("auditor"), "X-Request-ID": "req-42"}
        )
    (line,) = [json.loads(r.getMessage()) for r in caplog.records if r.name == "ledger.access"]
    assert response.headers["x-request-id"] == "req-42"
    assert line["request_id"] == "req-42"
    assert line["key"] == "thanh-tra"
    assert (line["method"], line["route"], line["status"]) == ("GET", "/staff/{staff_id}", 200)
    assert line["duration_ms"] >= 0
    assert line["time"].endswith("Z")


def test_a_request_id_that_is_not_plain_text_is_replaced(api: Api) -> None:
    response = api.client.get("/health", headers={"X-Request-ID": "a b\tc" * 30})
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])


def test_health_is_degraded_while_a_view_lags_beyond_the_threshold(store: StoreConfig) -> None:
    with running_api(store, read_your_writes_timeout=0, degraded_lag_seconds=0.001) as api:
        api.app.state.services.engine.stop()
        api.register()
        body = api.get("/health", role=None).json()
        assert body["status"] == "degraded"
        api.app.state.services.engine.start()
        assert api.app.state.services.read_model.catch_up(30)
        assert api.get("/health", role=None).json()["status"] == "ok"
