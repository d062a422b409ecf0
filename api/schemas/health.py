"""Liveness and lag."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from api.schemas.common import ResponseModel


class ViewFailure(ResponseModel):
    position: int = Field(
        description="The view has applied the log up to here (the event before the failing one)."
    )
    event_position: int = Field(description="Log position of the event the view cannot apply.")
    event_id: str = Field(description="That event's id, `STAFF_ID:VERSION`.")
    error: str = Field(description="The error (its type and message).")
    failed_since: datetime = Field(description="When the view first failed on this event (UTC).")
    last_failed_at: datetime = Field(description="The latest attempt (UTC).")
    attempts: int = Field(
        description="Attempts so far; the engine retries with exponential backoff (capped)."
    )
    next_retry_at: datetime = Field(description="When the engine tries again (UTC).")


class ViewHealth(ResponseModel):
    name: str
    generation: int | None = Field(default=None, description="The live generation of the view's tables.")
    position: int = Field(description="Last log position the view has applied.")
    lag: int = Field(description="Events in the log the view has not applied yet (same as `lag_events`).")
    lag_events: int = Field(default=0, description="Events in the log the view has not applied yet.")
    lag_seconds: float = Field(
        default=0.0,
        description="How long the first event the view has not applied has been waiting (0 when level).",
    )
    error: str | None = Field(
        default=None,
        description="Only while a poison event stops the view: the view, the position it stopped at, the "
        "event id and the error, in one sentence.",
    )
    failure: ViewFailure | None = Field(default=None, description="The same as `error`, field by field.")


class Health(ResponseModel):
    status: Literal["ok", "degraded"] = Field(
        description="`degraded` while a view is stopped by an event it cannot apply (see its `error`) or the "
        "projections are unavailable; HTTP 200 either way."
    )
    version: str
    store: Literal["sqlite", "postgresql"]
    log_position: int = Field(description="Last position in the global log (0 when empty).")
    projections: Literal["in_process", "external", "unavailable"] = Field(
        description="Where the projection engine runs for this process."
    )
    views: list[ViewHealth]
