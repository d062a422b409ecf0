"""Aggregate reports, from the projected views."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from api.deps import Reader, ReadSideDep
from api.errors import ApiProblem
from api.schemas.common import BusinessDate, CodeList, CursorText, Name, QueryText, Timestamp
from api.schemas.problem import problems
from api.schemas.reports import AttendanceReport, NeedsReport, QualificationsReport
from ledger.catalog import Employment, Track

router = APIRouter(prefix="/reports", tags=["reports"])

AsOf = Annotated[BusinessDate | None, Query(description="Business date (default today).")]
KnownAt = Annotated[
    Timestamp | None, Query(description="Recording time (RFC 3339): the report as the ledger knew it then.")
]
Unit = Annotated[QueryText | None, Query(description="Only this unit (exact name).")]
REPORT_PROBLEMS = problems(401, 403, 422, 503)


@router.get(
    "/qualifications",
    response_model=QualificationsReport,
    responses=REPORT_PROBLEMS,
    summary="Highest qualifications of active staff",
)
def qualifications(
    _who: Reader,
    read_side: ReadSideDep,
    as_of: AsOf = None,
    unit: Unit = None,
    employment: Annotated[Employment | None, Query(description="Only this kind of employment.")] = None,
    known_at: KnownAt = None,
) -> Any:
    """Active staff on `as_of`, each counted once per track under the highest level they hold
    (a political-theory bachelor above advanced). `headcount` is everyone active in the filters."""
    return read_side.qualifications(as_of=as_of, unit=unit, employment=employment, known_at=known_at)


@router.get(
    "/attendance",
    response_model=AttendanceReport,
    responses=REPORT_PROBLEMS,
    summary="Training attendance (person-times and persons)",
)
def attendance(
    _who: Reader,
    read_side: ReadSideDep,
    from_: Annotated[
        BusinessDate | None,
        Query(alias="from", description="First start date counted (default: the first event)."),
    ] = None,
    to: Annotated[BusinessDate | None, Query(description="Last start date counted (default: today).")] = None,
    tracks: Annotated[
        CodeList | None,
        Query(
            description="Comma-separated tracks to count, e.g. `political_theory,leadership` (default: all).",
        ),
    ] = None,
    known_at: KnownAt = None,
) -> Any:
    """Enrollments whose `starts_on` falls in [`from`, `to`], whatever their outcome, voided ones
    excluded, people who have since left included: `attendances` (lượt) and `persons` (người),
    by track and by year."""
    return read_side.attendance(from_=from_, to=to, tracks=parse_tracks(tracks), known_at=known_at)


@router.get(
    "/needs",
    response_model=NeedsReport,
    responses=REPORT_PROBLEMS,
    summary="Training needs against position standards",
)
def needs(
    _who: Reader,
    read_side: ReadSideDep,
    as_of: AsOf = None,
    position: Annotated[
        Name | None, Query(description="Check everyone against this position instead of their own.")
    ] = None,
    unit: Unit = None,
    known_at: KnownAt = None,
    limit: Annotated[int, Query(ge=1, le=500, description="Page size (default 50, at most 500).")] = 50,
    cursor: Annotated[CursorText | None, Query(description="`next_cursor` of the previous page.")] = None,
) -> Any:
    """For each active staff member, the requirements of their position (or of `position`) that
    they do not meet on `as_of`, by staff code; people who meet everything are left out. A gap is
    `pending` inside a grace period, `waived` under the appointment's waiver, `overdue` after its
    deadline, `unmet` when not yet due (e.g. checking a post the person does not hold)."""
    return read_side.needs(
        as_of=as_of, position=position, unit=unit, known_at=known_at, limit=limit, cursor=cursor
    )


def parse_tracks(text: str | None) -> list[Track] | None:
    if text is None or not text.strip():
        return None
    chosen: list[Track] = []
    for part in text.split(","):
        code = part.strip()
        try:
            chosen.append(Track(code))
        except ValueError:
            allowed = ", ".join(t.value for t in Track)
            raise ApiProblem(
                "validation_error",
                f"'{code}' is not a track.",
                errors=[
                    {"field": "tracks", "message": f"'{code}' is not a track ({allowed}).", "in": "query"}
                ],
            ) from None
    return list(dict.fromkeys(chosen))
