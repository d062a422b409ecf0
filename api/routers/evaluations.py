"""Evaluations: annual ratings and post-training evaluations."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.routers.common import WRITE_RESPONSES, StaffId, command_from
from api.schemas.common import WriteResult
from api.schemas.evaluations import EvaluationCreate
from api.writes import Write
from ledger.domain.commands import Evaluate

router = APIRouter(prefix="/staff/{staff_id}/evaluations", tags=["evaluations"])


@router.post(
    "", status_code=201, response_model=WriteResult, responses=WRITE_RESPONSES, summary="Record an evaluation"
)
def evaluate(staff_id: StaffId, body: EvaluationCreate, write: Write) -> JSONResponse:
    """Record `Evaluated`: an `annual` rating (needs `year`, dated 31 December; one per year) or a
    `post_training` evaluation of a completed enrollment (needs `enrollment_id`; dated `on`)."""
    return write.execute(staff_id, body, command_from(Evaluate, body))
