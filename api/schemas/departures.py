"""Leaving the agency."""

from __future__ import annotations

from pydantic import ConfigDict, Field

from api.schemas.common import BusinessDate, LongText, RequestModel
from ledger.domain.catalog import DepartureCategory


class DepartureCreate(RequestModel):
    """Record that the staff member left (`Departed`): off the roll from `on`; the history stays."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"on": "2025-06-30", "reason": "Nghỉ hưu theo chế độ", "category": "retired"},
                {"on": "2025-09-15", "reason": "Xin thôi việc"},
            ]
        }
    )

    on: BusinessDate
    reason: LongText
    category: DepartureCategory | None = Field(
        default=None,
        description="Why, as far as a service commitment cares: `transfer_with_consent`, `retired` "
        "and `deceased` release it (nothing to reimburse); `resigned`, `dismissed` and `other` owe "
        "the prorated cost. Without it the category is read from the reason's words "
        "(điều động, nghỉ hưu, thôi việc, …) and shown as `inferred`.",
    )
