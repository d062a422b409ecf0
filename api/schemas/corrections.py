"""Corrections: voiding an earlier event, or correcting the national_id."""

from __future__ import annotations

from pydantic import ConfigDict

from api.schemas.command_request import CommandRequest, described
from api.schemas.common import EventId, NationalId
from ledger.domain.commands import Correct, CorrectNationalId


class CorrectionCreate(CommandRequest, command=Correct):
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

    # Each is optional here: the body gives one of them (the route refuses both or neither).
    event_id: EventId | None = None
    national_id: NationalId | None = described(CorrectNationalId, "national_id", default=None)

    @property
    def corrects_national_id(self) -> bool:
        """Whether the body gives ``national_id`` (``null`` included: that removes it)."""
        return "national_id" in self.model_fields_set
