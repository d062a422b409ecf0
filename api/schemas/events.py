"""The global log, for downstream systems."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import ConfigDict, Field

from api.schemas.common import ResponseModel, Timestamp


class LogEvent(ResponseModel):
    position: int = Field(description="Place in the global log; strictly increasing.")
    event_id: str = Field(examples=["CB0001:2"])
    staff_id: str
    type: str = Field(examples=["Enrolled"])
    topic: str = Field(
        description="The stored topic, stable across releases.", examples=["staff.enrolled.v1"]
    )
    version: int
    recorded_at: Timestamp
    recorded_by: str
    effective_on: date
    data: dict[str, Any] = Field(description="The event's own fields (dates ISO, decimals as strings).")


class LogPage(ResponseModel):
    """A page of the log. Poll with `after=next_after` to follow it."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [
                        {
                            "position": 1,
                            "event_id": "CB0001:1",
                            "staff_id": "CB0001",
                            "type": "Registered",
                            "topic": "staff.registered.v1",
                            "version": 1,
                            "recorded_at": "2024-03-04T02:15:00Z",
                            "recorded_by": "phong-tccb",
                            "effective_on": "2010-09-01",
                            "data": {"full_name": "Nguyễn Văn An", "unit": "Phòng Tổ chức cán bộ"},
                        }
                    ],
                    "next_after": 1,
                    "last_position": 1207,
                }
            ]
        }
    )

    items: list[LogEvent]
    next_after: int = Field(
        description="The position to pass as `after` next (the last item's, or `after` if none)."
    )
    last_position: int = Field(description="The log's last position when this page was read.")
