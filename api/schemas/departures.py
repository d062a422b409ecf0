"""Leaving the agency."""

from __future__ import annotations

from pydantic import ConfigDict

from api.schemas.common import BusinessDate, LongText, RequestModel


class DepartureCreate(RequestModel):
    """Record that the staff member left (`Departed`): off the roll from `on`; the history stays."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"on": "2025-06-30", "reason": "Nghỉ hưu"}]})

    on: BusinessDate
    reason: LongText
