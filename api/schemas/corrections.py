"""Corrections: voiding an earlier event, or correcting the national_id."""

from __future__ import annotations

from pydantic import ConfigDict, Field

from api.schemas.common import EventId, LongText, NationalId, RequestModel


class CorrectionCreate(RequestModel):
    """Void an earlier event of this staff member (`Corrected`), or set, change or remove the
    personal identification number (`NationalIdCorrected`).

    Give either `event_id` (void that event: every view then behaves as if it had not happened;
    the history keeps both; a correction cannot itself be voided, record the fact again instead)
    or `national_id` (the new number, or `null` to remove it; the history keeps the old one).
    """

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"event_id": "CB0001:4", "reason": "Nhập nhầm ngày bắt đầu khóa học"},
                {"national_id": "001085012345", "reason": "Bổ sung số định danh cá nhân theo CCCD"},
            ]
        }
    )

    event_id: EventId | None = Field(
        default=None, description="The event to void: STAFF_ID:VERSION, as in the history."
    )
    national_id: NationalId | None = Field(
        default=None,
        description="The person's personal identification number (12 digits) from now on; `null` "
        "removes it. 409 if another staff member holds it.",
    )
    reason: LongText

    @property
    def corrects_national_id(self) -> bool:
        """Whether the body gives ``national_id`` (``null`` included: that removes it)."""
        return "national_id" in self.model_fields_set
