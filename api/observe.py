"""What an operator sees: `/metrics` in Prometheus's text format and one JSON log line a request.

Both name a request by its **route template** (`/staff/{staff_id}`), never by its path or query
string: the path holds staff codes and the query string holds searched names (`?q=Nguyễn`), which
are personal data and would also give the metrics one series per person. A request that matched
no route is named `unmatched`.

The ledger's own figures (appends, each view's position and lag, engine errors) are read from the
store when `/metrics` is scraped (a custom collector), so every worker process reports the same
state of the shared log and views, and nothing is counted on the request path.
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from projections.status import ViewState

access_log = logging.getLogger("ledger.access")

REQUEST_ID = "x-request-id"
# A client's own request id is kept (so it can be followed across systems) only when it is short
# and plain: anything else could smuggle text into the log lines.
_CLIENT_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
UNMATCHED = "unmatched"

router = APIRouter(tags=["health"])


def service_version() -> str:
    try:
        return version("ledger")
    except PackageNotFoundError:
        return "unknown"


def is_degraded(states: Sequence[ViewState], threshold_seconds: float, projections_mode: str) -> bool:
    """The one rule of ``/health`` and the operator's page: no views to read, a view stopped by an
    event it cannot apply, or a view whose first unapplied event has waited longer than the
    threshold (a stuck or overloaded engine)."""
    return (
        projections_mode == "unavailable"
        or any(state.failing for state in states)
        or any(state.lag_events and state.lag_seconds > threshold_seconds for state in states)
    )


class Telemetry:
    """The metrics of one application (a registry of its own, so that several apps in one
    process, as in the tests, do not share or collide)."""

    def __init__(self, app_state: Any) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "ledger_http_requests",
            "HTTP requests answered, by method, route template and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "ledger_http_request_duration_seconds",
            "Time to answer an HTTP request, by method and route template.",
            ["method", "route"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
            registry=self.registry,
        )
        self.registry.register(LedgerCollector(app_state))

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(method, route).observe(seconds)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


class LedgerCollector(Collector):
    """The log and the views, read from the store at each scrape."""

    def __init__(self, app_state: Any) -> None:
        self.state = app_state

    def collect(self) -> Iterable[Metric]:
        services = getattr(self.state, "services", None)
        if services is None or services.read_model is None:
            return []
        appended = CounterMetricFamily(
            "ledger_events_appended", "Events appended to the log (its head position)."
        )
        appended.add_metric([], float(services.ledger.recorder.max_notification_id() or 0))
        position = GaugeMetricFamily(
            "ledger_view_position", "Last log position a view applied.", labels=["view"]
        )
        lag_events = GaugeMetricFamily(
            "ledger_view_lag_events", "Events in the log a view has not applied yet.", labels=["view"]
        )
        lag_seconds = GaugeMetricFamily(
            "ledger_view_lag_seconds",
            "How long the first event a view has not applied has been waiting.",
            labels=["view"],
        )
        failing = GaugeMetricFamily(
            "ledger_view_failing", "1 while a view is stopped by an event it cannot apply.", labels=["view"]
        )
        for view in services.read_model.view_states():
            position.add_metric([view.name], float(view.position))
            lag_events.add_metric([view.name], float(view.lag_events))
            lag_seconds.add_metric([view.name], float(view.lag_seconds))
            failing.add_metric([view.name], 1.0 if view.failing else 0.0)
        errors = CounterMetricFamily(
            "ledger_engine_errors",
            "Errors of this process's projection engine: failed steps and events a view could not apply.",
        )
        engine = services.engine
        errors.add_metric([], float(engine.errors_total if engine is not None else 0))
        return [appended, position, lag_events, lag_seconds, failing, errors]


def route_of(scope: Scope) -> str:
    """The template of the route that answered (``/staff/{staff_id}``), never the path itself."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) and path else UNMATCHED


def key_name_of(scope: Scope) -> str | None:
    principal = scope.get("state", {}).get("principal")
    name = getattr(principal, "name", None)
    return name if isinstance(name, str) else None


class RequestLogMiddleware:
    """Outermost: times every request, gives it an id (``X-Request-ID``, echoed in the answer),
    counts it in the metrics and writes one JSON line to the ``ledger.access`` logger."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = _request_id(scope)
        status = 500  # what the server answers if the app raises before it starts a response

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                message["headers"] = [*message.get("headers", []), (REQUEST_ID.encode(), request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            route = route_of(scope)
            telemetry: Telemetry | None = getattr(scope["app"].state, "telemetry", None)
            if telemetry is not None:
                telemetry.observe(scope["method"], route, status, seconds)
            if access_log.isEnabledFor(logging.INFO):
                access_log.info(
                    json.dumps(
                        {
                            "time": _utc(datetime.now(UTC)),
                            "request_id": request_id,
                            "key": key_name_of(scope),
                            "method": scope["method"],
                            "route": route,
                            "status": status,
                            "duration_ms": round(seconds * 1000, 2),
                        },
                        ensure_ascii=False,
                    )
                )


def _utc(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _request_id(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == REQUEST_ID.encode():
            given = str(value.decode("latin-1"))
            if _CLIENT_ID.match(given):
                return given
            break
    return os.urandom(16).hex()  # 128 random bits, as a UUID4's hex but without building one


class JsonLineFormatter(logging.Formatter):
    """Access lines are already JSON; any other record (start-up, engine errors) becomes one
    JSON object too, so the whole stream parses line by line."""

    def format(self, record: logging.LogRecord) -> str:
        if record.name == access_log.name:
            return str(record.getMessage())
        line: dict[str, Any] = {
            "time": _utc(datetime.fromtimestamp(record.created, UTC)),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def log_config(level: str) -> dict[str, Any]:
    """uvicorn's ``log_config`` for ``ledger serve``: every logger writes JSON lines to stderr,
    and uvicorn's own access lines (which carry the query string) are off. The request lines are
    INFO: ``--log-level warning`` silences them."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonLineFormatter}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}},
        "root": {"handlers": ["stderr"], "level": level.upper()},
        "loggers": {
            "uvicorn": {"level": level.upper()},
            "uvicorn.error": {"level": level.upper()},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
        },
    }


@router.get(
    "/metrics",
    summary="Prometheus metrics (no key needed: bind it to trusted networks)",
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE_LATEST: {}}, "description": "Prometheus text format"}},
)
def metrics(request: Request) -> Response:
    """Request rate and latency by route template, events appended, each view's position and lag
    (events and seconds) and whether it is failing, and the projection engine's errors."""
    telemetry: Telemetry = request.app.state.telemetry
    return Response(telemetry.exposition(), media_type=CONTENT_TYPE_LATEST)
