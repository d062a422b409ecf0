"""Liveness and lag."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from api.schemas.common import ResponseModel


class ViewHealth(ResponseModel):
    name: str
    position: int = Field(description="Last log position the view has applied.")
    lag: int = Field(description="Events in the log the view has not applied yet.")


class Health(ResponseModel):
    status: Literal["ok", "degraded"]
    version: str
    store: Literal["sqlite", "postgresql"]
    log_position: int = Field(description="Last position in the global log (0 when empty).")
    projections: Literal["in_process", "external", "unavailable"] = Field(
        description="Where the projection engine runs for this process."
    )
    views: list[ViewHealth]
