"""The global log, for downstream systems."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from api.deps import Auditor, ReadSideDep
from api.errors import ApiProblem
from api.schemas.common import CodeList
from api.schemas.events import LogPage
from api.schemas.problem import problems
from ledger.staff import EVENT_TYPES

router = APIRouter(prefix="/events", tags=["events"])


@router.get("", response_model=LogPage, responses=problems(401, 403, 422), summary="The global event log")
def events(
    _who: Auditor,
    read_side: ReadSideDep,
    after: Annotated[
        int, Query(ge=0, le=2**62, description="Return events after this position (0: from the start).")
    ] = 0,
    limit: Annotated[
        int, Query(ge=1, le=500, description="At most this many events (default 50, max 500).")
    ] = 50,
    types: Annotated[
        CodeList | None,
        Query(description="Comma-separated event types to keep, e.g. `Completed,Corrected`."),
    ] = None,
) -> Any:
    """Every event of every staff member in log order, with its position. To follow the log, keep
    the last `next_after` and ask again with `after=next_after`; positions only grow, and a page
    never skips an event. Corrections are events too: apply `Corrected` by voiding `voided_event_id`."""
    chosen: list[str] = []
    if types:
        for part in types.split(","):
            name = part.strip()
            if name not in EVENT_TYPES:
                known = ", ".join(EVENT_TYPES)
                raise ApiProblem(
                    "validation_error",
                    f"'{name}' is not an event type.",
                    errors=[
                        {
                            "field": "types",
                            "message": f"'{name}' is not an event type ({known}).",
                            "in": "query",
                        }
                    ],
                )
            chosen.append(name)
    return read_side.log_page(after=after, limit=limit, types=chosen)
