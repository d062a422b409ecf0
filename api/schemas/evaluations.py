"""Annual ratings and post-training evaluations."""

from __future__ import annotations

from pydantic import ConfigDict

from api.schemas.command_request import CommandRequest
from ledger.domain.commands import Evaluate


class EvaluationCreate(CommandRequest, command=Evaluate):
    """Record an evaluation (`Evaluated`).

    `annual`: give `year` (dated 31 December of it). `post_training`: give the completed
    `enrollment_id` and `on` (defaults to today, the agency's date). Neither may be after today.
    """

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"kind": "annual", "year": 2024, "rating": "good", "evaluator": "Lê Văn Cường"},
                {
                    "kind": "post_training",
                    "enrollment_id": "E-2024-017",
                    "on": "2025-03-01",
                    "rating": "excellent",
                    "score": "92",
                    "evaluator": "Lê Văn Cường",
                    "notes": "Áp dụng tốt kiến thức vào công việc",
                },
            ]
        }
    )
