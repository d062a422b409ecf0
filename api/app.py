"""The FastAPI application, built by :func:`create_app`; nothing is wired at import time.

The lifespan builds, once per process: the ``Ledger`` on the configured store, the key and
idempotency tables beside the log, the projection engine (in this process unless
``LEDGER_API_RUN_PROJECTIONS=false``, when a separate ``ledger projections run`` feeds the views)
and the ``ReadModel`` the reads go through.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

from anyio import to_thread
from fastapi import Depends, FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.responses import RedirectResponse
from pydantic.json_schema import models_json_schema

from api import docs, errors, observe
from api.auth import AuthenticationMiddleware, is_public
from api.checkpoint_timer import CheckpointTimer
from api.deps import reject_unknown_query
from api.idempotency import IdempotencyStore
from api.keys import KeyStore
from api.lag import ViewsBehindMiddleware
from api.limits import BodyLimit, HostGate
from api.observe import RequestLogMiddleware, Telemetry
from api.readside import ReadSide
from api.routers import (
    appointments,
    corrections,
    credentials,
    departures,
    enrollments,
    evaluations,
    events,
    health,
    plans,
    proofs,
    reports,
    rotations,
    scans,
    staff,
    units,
)
from api.schemas.problem import PROBLEM_REF, Problem
from api.settings import Settings
from api.writes import StaffLocks
from ledger.application import Ledger
from ledger.service import Clock
from projections.base import View
from projections.engine import Engine
from projections.queries import ReadModel
from projections.service_tables import ServiceTables

logger = logging.getLogger("api")

DESCRIPTION = """\
An event-sourced ledger of the training records of a public agency's staff: enrollments,
completions, credentials, rotations, appointments, evaluations, departures and corrections, each an
immutable event; standings, trails and reports projected from them.

**Keys.** Every path except `/` (a redirect to the pages, `/ui/`), `/health`, `/problems` and these
docs needs `Authorization: Bearer <token>`; tokens come from `ledger keys add NAME --role ROLE`. Roles:
`registrar` (all writes and reads), `auditor` (all reads, including histories, trails, the
global log and the appointments report), `reader` (standings, the directory and the other
reports). Every event records the key's NAME as `recorded_by`.

**Errors** are RFC 9457 `application/problem+json` (`type`, `title`, `status`, `detail`,
`instance`, `code`; `errors: [{field, message, in}]` for invalid fields). `/problems` lists them.

**Writes** answer 201 with `ETag: "<version>"`. Send `If-Match: "<version>"` to write only if
nobody changed the record meanwhile (412 otherwise, nothing recorded), and `Idempotency-Key` to
make a retry safe (the first response is replayed). A read after a write's response sees the write.

**Lists** page with `limit` (default 50, max 500) and the opaque `cursor` from `next_cursor`.
"""

TAGS = [
    {
        "name": "staff",
        "description": "Register staff; standing on any date, as known at any time; directory; history.",
    },
    {"name": "enrollments", "description": "Dispatch to courses; completion (pass or fail); withdrawal."},
    {"name": "credentials", "description": "Credentials earned elsewhere; how any credential was obtained."},
    {
        "name": "rotations",
        "description": "Rotations (luân chuyển), transfers (điều động), secondments (biệt phái).",
    },
    {"name": "appointments", "description": "Appointments, checked against the position standard in force."},
    {"name": "evaluations", "description": "Annual ratings and post-training evaluations."},
    {"name": "planning", "description": "Succession planning (quy hoạch): candidates for a position."},
    {"name": "departures", "description": "Leaving the agency."},
    {"name": "corrections", "description": "Voiding an earlier event; the history keeps both."},
    {"name": "scans", "description": "Evidence scans (PDF, JPEG, PNG), kept by SHA-256 digest."},
    {
        "name": "reports",
        "description": "Qualification counts, attendance, training needs, appointments against the rules "
        "then and now, service commitments, training effectiveness.",
    },
    {"name": "events", "description": "The global log, for downstream systems."},
    {"name": "health", "description": "Liveness and view lag (no key needed)."},
    {"name": "problems", "description": "The error types (no key needed)."},
]


class Services:
    """What the lifespan builds and closes."""

    def __init__(
        self, settings: Settings, views: Sequence[View] | None = None, clock: Clock | None = None
    ) -> None:
        store = settings.store()
        # The ledger's clock is the one source of "now" and of the agency's "today"
        # (LEDGER_TIMEZONE) for writes, reads and pages; tests inject their instant here.
        self.ledger = Ledger(store, clock=clock)
        self.db = ServiceTables(store)
        self.engine: Engine | None = None
        self.read_model: ReadModel | None = None
        # At least one signed checkpoint a day when the log moved (docs/integrity.md).
        self.checkpoint_timer = CheckpointTimer(self.ledger)
        self.checkpoint_timer.start()
        try:
            self.keys = KeyStore(self.db, cache_seconds=settings.key_cache_seconds)
            self.keys.create_table()
            self.idempotency = IdempotencyStore(self.db, wait_seconds=settings.idempotency_wait_seconds)
            self.idempotency.create_table()
            self.idempotency.prune(timedelta(hours=settings.idempotency_retention_hours))
            if settings.run_projections:
                self.engine = Engine(self.ledger, views)
                self.engine.start()
            self.read_model = ReadModel(self.ledger, engine=self.engine)
            if self.engine is not None and not self.wait_for_views(settings.startup_wait_seconds):
                logger.warning(
                    "The views are not level with the log: being built (reads from them answer 503 "
                    "until then) or stopped by an event they cannot apply (see /health)."
                )
            self.read_side = ReadSide(
                self.ledger, self.read_model, wait_timeout=settings.read_your_writes_timeout
            )
        except BaseException:
            self.close()
            raise

    def wait_for_views(self, timeout: float) -> bool:
        """Wait until every view is built by this code and level with the log as it is now;
        False if that takes longer than ``timeout`` seconds."""
        assert self.read_model is not None
        return self.read_model.catch_up(timeout)

    @property
    def projections_mode(self) -> str:
        return "in_process" if self.engine is not None else "external"

    def close(self) -> None:
        self.checkpoint_timer.stop()
        if self.engine is not None:
            self.engine.stop()
        if self.read_model is not None:
            self.read_model.close()
        self.db.close()
        self.ledger.close()


def create_app(
    settings: Settings | None = None,
    *,
    views: Sequence[View] | None = None,
    clock: Clock | None = None,
) -> FastAPI:
    """A new application; each one builds its own services when its lifespan starts. ``views``:
    the views its in-process engine keeps (default: the ledger's own; tests pass others).
    ``clock`` gives "now" (default: the system clock, read in ``LEDGER_TIMEZONE``)."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        to_thread.current_default_thread_limiter().total_tokens = settings.threads
        services = Services(settings, views, clock)
        app.state.services = services
        app.state.ledger = services.ledger
        app.state.keys = services.keys
        app.state.idempotency = services.idempotency
        app.state.read_side = services.read_side
        app.state.projections_mode = services.projections_mode
        # Everything built so far lives as long as the process: keep it out of the collector's
        # full passes, which otherwise rescan it every time and show up as latency spikes.
        gc.collect()
        gc.freeze()
        try:
            if services.read_model is not None:
                await services.read_model.open_async()
            yield
        finally:
            if services.read_model is not None:
                await services.read_model.close_async()
            services.close()

    app = FastAPI(
        title=settings.title,
        version="1",
        description=DESCRIPTION,
        openapi_tags=TAGS,
        lifespan=lifespan,
        # /docs and /redoc are served with local assets by api.docs, not from a CDN.
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.staff_locks = StaffLocks()
    app.state.problem_type_base = settings.problem_type_base
    errors.install(app)
    docs.install(app)
    # The last added runs first: the Host, then the key and the role, then the body's size; all
    # before anything reads the body (docs/api.md, "Limits"). The lag header is said only to
    # requests that got past the key.
    app.add_middleware(ViewsBehindMiddleware)
    # Scans (and the forms that carry one) may be larger than a JSON body; a little room for the
    # multipart envelope and the form's other fields.
    scan_body = settings.max_scan_bytes + 64 * 1024
    app.add_middleware(
        BodyLimit,
        limit=settings.max_body_bytes,
        overrides=[("/scans", scan_body), ("/ui/staff/", max(scan_body, settings.max_body_bytes))],
    )
    app.add_middleware(AuthenticationMiddleware)
    app.add_middleware(HostGate, trusted=settings.allowed_hosts())
    # Outermost: every request is timed, counted by route template and logged (api.observe).
    app.state.telemetry = Telemetry(app.state)
    app.add_middleware(RequestLogMiddleware)
    for module in (
        staff,
        enrollments,
        credentials,
        rotations,
        appointments,
        evaluations,
        plans,
        departures,
        corrections,
        scans,
        reports,
        units,
        events,
        proofs,
        health,
        observe,
    ):
        app.include_router(module.router, dependencies=[Depends(reject_unknown_query)])
    app.include_router(units.staff_router, dependencies=[Depends(reject_unknown_query)])
    # The auditor's workbench: HTML pages under /ui with their own sign-in (docs/workbench.md).
    from api import pages

    pages.install(app)

    @app.get("/", include_in_schema=False)
    def home() -> RedirectResponse:
        """A browser pointed at the service lands on the pages (``/`` needs no key)."""
        return RedirectResponse(f"{pages.PREFIX}/", status_code=307)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = build_openapi(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


def build_openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's document, with the problem schema every error response refers to."""
    schema = get_openapi(
        title=app.title,
        version=app.version,
        description=app.description,
        routes=app.routes,
        tags=app.openapi_tags,
    )
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    _, definitions = models_json_schema(
        [(Problem, "serialization")], ref_template="#/components/schemas/{model}"
    )
    components.update(definitions.get("$defs", {}))
    problem_content = {"application/problem+json": {"schema": {"$ref": PROBLEM_REF}}}
    for path_item in schema.get("paths", {}).values():
        for operation in path_item.values():
            for status, response in operation.get("responses", {}).items():
                content = response.get("content", {})
                ref = content.get("application/json", {}).get("schema", {}).get("$ref", "")
                if status == "422" and ref.endswith("/HTTPValidationError"):
                    response["content"] = problem_content
    for unused in ("HTTPValidationError", "ValidationError"):
        components.pop(unused, None)
    # The bearer scheme (the "Authorize" button of /docs), on every operation that needs a key.
    # Declared here rather than by a security dependency: the middleware checks the key, and a
    # dependency per request would only cost time.
    schema["components"]["securitySchemes"] = {
        "bearer": {
            "type": "http",
            "scheme": "bearer",
            "description": "A token made by `ledger keys add NAME --role ROLE`.",
        }
    }
    for path, path_item in schema.get("paths", {}).items():
        if not is_public(path):
            for operation in path_item.values():
                operation["security"] = [{"bearer": []}]
    return schema
