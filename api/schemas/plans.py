"""Succession planning (quy hoạch)."""

from __future__ import annotations

from pydantic import ConfigDict, Field

from api.schemas.common import BusinessDate, Name, RequestModel, ShortText, Year


class PlanCreate(RequestModel):
    """Put the staff member in the succession-planning pool for a position (`Planned`)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "position": "Trưởng phòng",
                    "from_year": 2025,
                    "to_year": 2030,
                    "decision_ref": "QĐ 45/QĐ-BCS",
                    "on": "2025-03-15",
                }
            ]
        }
    )

    position: Name
    from_year: Year = Field(description="First year of the planning period.")
    to_year: Year = Field(description="Last year of the planning period.")
    decision_ref: ShortText = Field(description="Number of the planning decision.")
    on: BusinessDate = Field(description="Date of the decision (the event's business date).")
