"""Corrections: voiding an earlier event."""

from __future__ import annotations

from pydantic import ConfigDict, Field

from api.schemas.common import EventId, LongText, RequestModel


class CorrectionCreate(RequestModel):
    """Void an earlier event of this staff member (`Corrected`).

    Every view then behaves as if the event had not happened; the history keeps both. A
    correction cannot itself be voided (record the fact again instead).
    """

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"event_id": "CB0001:4", "reason": "Nhập nhầm ngày bắt đầu khóa học"}]
        }
    )

    event_id: EventId = Field(description="The event to void: STAFF_ID:VERSION, as in the history.")
    reason: LongText
