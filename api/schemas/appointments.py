"""Appointments to positions, checked against the position standard in force."""

from __future__ import annotations

from pydantic import ConfigDict

from api.schemas.command_request import CommandRequest
from ledger.domain.commands import Appoint
from ledger.domain.record import Waiver


class WaiverCreate(CommandRequest, command=Waiver):
    # The fields of ledger.domain.record.Waiver, described there.
    pass


class AppointmentCreate(CommandRequest, command=Appoint):
    """Appoint the staff member to a position (`Appointed`).

    Refused with 422 listing every unmet requirement of the position standard in force on
    `effective_on`, unless a `waiver` is given (it is then recorded with the appointment).
    """

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "position": "Phó trưởng phòng",
                    "effective_on": "2024-10-01",
                    "decision_ref": "QĐ 301/QĐ-CT",
                },
                {
                    "position": "Trưởng phòng",
                    "effective_on": "2025-01-15",
                    "decision_ref": "QĐ 12/QĐ-CT",
                    "waiver": {
                        "legal_basis": "Nghị định 29/2024/NĐ-CP",
                        "deadline": "2025-12-31",
                        "reason": "Bồi dưỡng lãnh đạo cấp phòng sau khi bổ nhiệm",
                    },
                },
            ]
        }
    )

    waiver: WaiverCreate | None = None
