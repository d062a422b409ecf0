"""Succession planning (quy hoạch)."""

from __future__ import annotations

from typing import Self

from pydantic import ConfigDict, Field, field_validator, model_validator

from api.schemas.command_request import CommandRequest
from api.schemas.common import FIRST_DATE, LAST_DATE, ShortText, Year
from ledger.domain import errors
from ledger.domain.commands import Plan
from ledger.standards.needs import parse_period


class PlanCreate(CommandRequest, command=Plan):
    """Put the staff member in the succession-planning pool for a position (`Planned`).

    The period is either `period` as written in the decision (`"2025-2030"`, `"2025–2030"` or one
    year, `"2026"`) or `from_year` and `to_year`; not both.
    """

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "position": "Trưởng phòng",
                    "period": "2025-2030",
                    "decision_ref": "QĐ 45/QĐ-BCS",
                    "on": "2025-03-15",
                },
                {
                    "position": "Phó Cục trưởng",
                    "from_year": 2026,
                    "to_year": 2031,
                    "decision_ref": "QĐ 12/QĐ-BCS",
                    "on": "2025-11-20",
                },
            ]
        }
    )

    # The period travels either as `period` (not the command's: the route reads the years from it)
    # or as the two years, each then optional here.
    period: ShortText | None = Field(
        default=None,
        description="The planning period as written: 'YYYY-YYYY' (also with an en dash) or one year.",
        examples=["2025-2030"],
    )
    from_year: Year | None = None
    to_year: Year | None = None

    @field_validator("period")
    @classmethod
    def readable_period(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            start, end = parse_period(value)
        except errors.LedgerError as error:
            raise ValueError(error.message) from None
        if not FIRST_DATE.year <= start <= end <= LAST_DATE.year:
            raise ValueError(f"Years lie between {FIRST_DATE.year} and {LAST_DATE.year}.")
        return value

    def years(self) -> tuple[int, int]:
        """(first year, last year) of the period, however it was given."""
        if self.period is not None:
            return parse_period(self.period)
        if self.from_year is None or self.to_year is None:  # one_period refuses this
            raise ValueError("The planning period is required.")
        return self.from_year, self.to_year

    @model_validator(mode="after")
    def one_period(self) -> Self:
        years = (self.from_year, self.to_year)
        if self.period is not None and any(y is not None for y in years):
            raise ValueError("Give the period either as `period` or as `from_year` and `to_year`, not both.")
        if self.period is None and any(y is None for y in years):
            raise ValueError("The planning period is required: `period` (e.g. '2025-2030') or both years.")
        return self
