"""Liveness, store and view lag; and the documentation of every problem type."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel

from api.deps import ReadSideDep
from api.errors import ApiProblem, all_problem_types
from api.observe import is_degraded, service_version
from api.schemas.health import Health
from api.schemas.problem import problems

router = APIRouter(tags=["health"])


@router.get(
    "/health",
    response_model=Health,
    response_model_exclude_none=True,
    summary="Is the service up, and how far behind are the views",
)
def health(request: Request, read_side: ReadSideDep) -> Any:
    """No key needed, always HTTP 200. `log_position` is the last event in the log; each view
    reports the last position it applied and how far behind it is (`lag_events`, `lag_seconds`).
    `status` is `degraded` while a view is stopped by an event it cannot apply: that view then
    has `error` (view, position, event id, error) and `failure` (the same, field by field); the
    engine retries it with backoff and it catches up by itself once the cause is gone. It is also
    `degraded` while a view lags: its first unapplied event has waited longer than
    `LEDGER_API_DEGRADED_LAG_SECONDS` (default 60)."""
    states = read_side.view_states()
    views = read_side.view_health(states)
    mode = request.app.state.projections_mode
    threshold = request.app.state.settings.degraded_lag_seconds
    return {
        "status": "degraded" if is_degraded(states, threshold, mode) else "ok",
        "version": service_version(),
        "store": read_side.ledger.store.kind,
        "log_position": read_side.log_position(),
        "projections": mode,
        "views": views,
    }


class ProblemTypeDoc(BaseModel):
    type: str
    code: str
    status: int
    title: str
    description: str


@router.get("/problems", response_model=list[ProblemTypeDoc], tags=["problems"], summary="Every problem type")
def problem_types(request: Request) -> Any:
    """The error codes this service answers with, their HTTP status and meaning."""
    base = request.app.state.problem_type_base
    return [
        {"type": f"{base}{p.code}", **vars(p)}
        for p in sorted(all_problem_types().values(), key=lambda p: p.code)
    ]


@router.get(
    "/problems/{code}",
    response_model=ProblemTypeDoc,
    responses=problems(404),
    tags=["problems"],
    summary="One problem type",
)
def problem_type(code: str, request: Request) -> Any:
    """What a problem `type` means (the URI in every error response leads here)."""
    found = all_problem_types().get(code)
    if found is None:
        raise ApiProblem("not_found", f"There is no problem type '{code}'.")
    return {"type": f"{request.app.state.problem_type_base}{found.code}", **vars(found)}
