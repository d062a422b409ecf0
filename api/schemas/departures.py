"""Leaving the agency."""

from __future__ import annotations

from pydantic import ConfigDict

from api.schemas.command_request import CommandRequest
from ledger.domain.commands import Depart


class DepartureCreate(CommandRequest, command=Depart):
    """Record that the staff member left (`Departed`): off the roll from `on`; the history stays."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"on": "2025-06-30", "reason": "Nghỉ hưu theo chế độ", "category": "retired"},
                {"on": "2025-09-15", "reason": "Xin thôi việc"},
            ]
        }
    )
