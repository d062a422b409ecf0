"""Appointments to positions, checked against the position standard in force."""

from __future__ import annotations

from pydantic import ConfigDict, Field

from api.schemas.common import BusinessDate, LongText, Name, Reference, RequestModel, ShortText


class WaiverCreate(RequestModel):
    legal_basis: Reference = Field(description="The provision that allows appointing first, training later.")
    deadline: BusinessDate = Field(description="By when the missing training must be done.")
    reason: LongText


class AppointmentCreate(RequestModel):
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

    position: Name
    effective_on: BusinessDate
    decision_ref: ShortText
    waiver: WaiverCreate | None = None
