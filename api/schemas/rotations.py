"""Rotations, transfers and secondments."""

from __future__ import annotations

from pydantic import ConfigDict

from api.schemas.command_request import CommandRequest
from ledger.domain.commands import Rotate


class RotationCreate(CommandRequest, command=Rotate):
    """Move the staff member to another unit (`Rotated`, effective on `starts_on`).

    A `transfer` (điều động) is permanent; a `rotation` (luân chuyển) or `secondment` (biệt phái)
    lasts until `ends_on`, after which the home unit applies again.
    """

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "to_unit": "Chi cục Thuế khu vực Vinh",
                    "position": "Phó Chi cục trưởng",
                    "kind": "rotation",
                    "starts_on": "2024-07-01",
                    "ends_on": "2026-06-30",
                    "decision_ref": "QĐ 88/QĐ-TCCB",
                }
            ]
        }
    )
