"""Reports. Qualifications and attendance come from the projected views; needs, appointments,
commitments and effectiveness come from the one query layer of the position standards
(``projections.reports``), which the pages and the command line use too. It applies the rules
(``ledger.standards.rules``) to the records as of the report's date, so a change of the rules file shows at
once and changes no event.

Roles: every report is open to every role (reader included) except `/reports/appointments`, which
lays out each person's appointment history with its decisions and waivers (registrar, auditor)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from api.deps import Auditor, Reader, ReadSideDep
from api.errors import ApiProblem
from api.schemas.common import BusinessDate, Code, CodeList, CursorText, Name, QueryText, Timestamp, Year
from api.schemas.forms import Bm01Report
from api.schemas.problem import problems
from api.schemas.reports import AnnualReport, AttendanceReport, QualificationsReport
from api.schemas.standards_reports import (
    AppointmentsReport,
    CommitmentsReport,
    EffectivenessReport,
    NeedsReport,
)
from ledger.domain.catalog import Employment, Track
from ledger.standards.commitments import CommitmentStatus
from projections.splits import SPLITS

router = APIRouter(prefix="/reports", tags=["reports"])

AsOf = Annotated[
    BusinessDate | None, Query(description="Business date (default: today, the agency's date).")
]
KnownAt = Annotated[
    Timestamp | None, Query(description="Recording time (RFC 3339): the report as the ledger knew it then.")
]
Unit = Annotated[QueryText | None, Query(description="Only this unit (its id, exact).")]
Structure = Annotated[
    Literal["as_of", "current"] | None,
    Query(
        description="Which structure a person's unit is mapped onto: the one in force on the report's "
        "date (`as_of`, the default) or today's (`current`), where a unit merged since counts under the "
        "unit it was merged into (docs/units.md)."
    ),
]
StaffFilter = Annotated[Code | None, Query(description="Only this staff member (404 if unknown).")]
Limit = Annotated[int, Query(ge=1, le=500, description="Page size (default 50, at most 500).")]
Cursor = Annotated[CursorText | None, Query(description="`next_cursor` of the previous page.")]
REPORT_PROBLEMS = problems(401, 403, 422, 503)
PERSON_REPORT_PROBLEMS = problems(401, 403, 404, 422, 503)


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
    structure: Structure = None,
) -> Any:
    """Active staff on `as_of`, each counted once per track under the highest level they hold
    (a political-theory bachelor above advanced). `headcount` is everyone active in the filters."""
    return read_side.qualifications(
        as_of=as_of, unit=unit, employment=employment, known_at=known_at, structure=structure
    )


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
    unit: Annotated[
        QueryText | None,
        Query(description="Only people who worked in this unit (its id) when their course started."),
    ] = None,
    cross: Annotated[
        CodeList | None,
        Query(
            description="Two splits to cross, e.g. `gender,post_at_start`, among: "
            + ", ".join(f"`{name}`" for name in SPLITS)
            + ". The answer's `crossed` gives KEY → KEY → {attendances, persons}.",
        ),
    ] = None,
    structure: Structure = None,
) -> Any:
    """Enrollments whose `starts_on` falls in [`from`, `to`], whatever their outcome, voided ones
    excluded, people who have since left included: `attendances` (lượt) and `persons` (người),
    by track, year, mode, status, gender, location, funding, post and age on the first day, staff
    status on `to` and programme (each summing to the total), and `per_person`: the roll on `to`
    by attendances each. With `unit`, only the enrollments of people who worked in that unit on
    the day their course started (as the ledger knew it at `known_at`). With `cross`, two splits
    crossed."""
    return read_side.attendance(
        from_=from_,
        to=to,
        tracks=parse_tracks(tracks),
        known_at=known_at,
        unit=unit,
        cross=cross.split(",") if cross else None,
        structure=structure,
    )


@router.get(
    "/annual",
    response_model=AnnualReport,
    responses=REPORT_PROBLEMS,
    summary="Annual training results (Kết quả đào tạo, bồi dưỡng)",
)
def annual(
    _who: Reader,
    read_side: ReadSideDep,
    year: Annotated[
        Year | None, Query(description="The year reported (default: the last complete year).")
    ] = None,
    known_at: KnownAt = None,
) -> Any:
    """The form "Kết quả đào tạo, bồi dưỡng" (docs/domain.md §4.1) for `year`: the courses starting in it
    by content and level (I. Đào tạo, II. Bồi dưỡng trong nước, III. ở nước ngoài), with lượt, of
    which women, target groups (from the post on the first day and employment), persons, outcomes on
    31 December and funding in million VND. Columns the ledger does not record are null, never 0."""
    return read_side.annual(year=year, known_at=known_at)


@router.get(
    "/bm01",
    response_model=Bm01Report,
    responses=REPORT_PROBLEMS,
    summary="Form BM01/BNV: numbers and quality of civil servants",
)
def bm01(
    _who: Reader,
    read_side: ReadSideDep,
    as_of: Annotated[
        BusinessDate | None,
        Query(description="Business date (default: 31 December of the last complete year)."),
    ] = None,
    unit: Unit = None,
    known_at: KnownAt = None,
    structure: Structure = None,
) -> Any:
    """Form BM01/BNV of Thông tư 11/2012/TT-BNV: staff on the roll on `as_of`, one row per unit
    they work in that day and one for the agency (`total`): women, leaders by level, rank, highest
    professional, political-theory, state-management, IT and foreign-language levels, and age bands
    (the top two bounded by the retirement ages of the rules file). Party membership, ethnicity,
    religion and ethnic-minority language are not recorded by the ledger: `null`, never 0."""
    return read_side.bm01(as_of=as_of, unit=unit, known_at=known_at, structure=structure)


@router.get(
    "/needs",
    response_model=NeedsReport,
    responses=PERSON_REPORT_PROBLEMS,
    summary="Training needs against position standards",
)
def needs(
    _who: Reader,
    read_side: ReadSideDep,
    as_of: AsOf = None,
    position: Annotated[
        Name | None,
        Query(
            description="Check everyone against this post (e.g. one they are planned for) instead of "
            "their own."
        ),
    ] = None,
    unit: Unit = None,
    staff_id: StaffFilter = None,
    known_at: KnownAt = None,
    limit: Limit = 50,
    cursor: Cursor = None,
    structure: Structure = None,
) -> Any:
    """For each active staff member, the requirements of their post (or of `position`) and of
    their rank that they do not meet on `as_of`, by staff code; people who meet everything are left
    out, unless asked for by `staff_id`.

    Each gap has a `status`: `unmet` (not yet due, e.g. checking a post the person does not hold),
    `pending` (inside the grace period after appointment, until `deadline`), `waived` (covered by
    the appointment's waiver until its deadline) or `overdue`; `in_training` names a running course
    that would meet it. `post` says since when the person holds the post and which waiver covers it;
    `planned`, how ready they are for each post they are planned for; `pools`, how ready each
    planning pool is. Past appointments judged by then's and today's rules: `/reports/appointments`.
    """
    return read_side.needs(
        as_of=as_of,
        position=position,
        unit=unit,
        staff_id=staff_id,
        known_at=known_at,
        limit=limit,
        cursor=cursor,
        structure=structure,
    )


@router.get(
    "/appointments",
    response_model=AppointmentsReport,
    responses=PERSON_REPORT_PROBLEMS,
    summary="Appointments judged by the rules then and now",
)
def appointments(
    _who: Auditor,
    read_side: ReadSideDep,
    as_of: AsOf = None,
    staff_id: StaffFilter = None,
    unit: Annotated[QueryText | None, Query(description="Only people in this unit on as_of.")] = None,
    flagged: Annotated[
        bool,
        Query(
            description="Only appointments that failed the rules then, or fail today's rules (then or now)."
        ),
    ] = False,
    known_at: KnownAt = None,
    limit: Limit = 50,
    cursor: Cursor = None,
    structure: Structure = None,
) -> Any:
    """Every appointment made by `as_of`, of current and former staff, judged twice:
    `met_rules_then` (the rules in force on its day, the credentials held that day),
    `would_meet_todays_rules_then` (the rules in force on `as_of`, the credentials held on its day)
    and `meets_todays_rules` (the rules in force on `as_of`, the credentials held on `as_of`), with
    what was recorded (waiver, unmet requirements, the rule set it was checked against).

    Registrars and auditors only: it lays out each person's appointment history."""
    return read_side.appointments(
        as_of=as_of,
        staff_id=staff_id,
        unit=unit,
        flagged=flagged,
        known_at=known_at,
        limit=limit,
        cursor=cursor,
        structure=structure,
    )


@router.get(
    "/commitments",
    response_model=CommitmentsReport,
    responses=PERSON_REPORT_PROBLEMS,
    summary="Service commitments and reimbursements",
)
def commitments(
    _who: Reader,
    read_side: ReadSideDep,
    as_of: AsOf = None,
    staff_id: StaffFilter = None,
    status: Annotated[
        CommitmentStatus | None,
        Query(description="Only commitments in this state (e.g. `breached`, `serving`)."),
    ] = None,
    unit: Annotated[QueryText | None, Query(description="Only people in this unit on as_of.")] = None,
    known_at: KnownAt = None,
    limit: Limit = 50,
    cursor: Cursor = None,
    structure: Structure = None,
) -> Any:
    """Every service commitment of current and former staff on `as_of`: a degree course (master,
    doctorate) funded by the agency commits the trainee to serve a multiple of its length (2× for
    courses started before 2025-07-01, 3× from then, by the rules file). Leaving early costs
    `reimbursement`: the whole cost F for dropping out or not being awarded the degree,
    S = F / T1 × (T1 − T2) for leaving after it before T1 months, nothing for a transfer with
    consent, retirement or death (the departure's `category`)."""
    return read_side.commitments(
        as_of=as_of,
        staff_id=staff_id,
        unit=unit,
        status=status.value if status else None,
        known_at=known_at,
        limit=limit,
        cursor=cursor,
        structure=structure,
    )


@router.get(
    "/effectiveness",
    response_model=EffectivenessReport,
    responses=REPORT_PROBLEMS,
    summary="Training effectiveness: ratings before and after",
)
def effectiveness(
    _who: Reader,
    read_side: ReadSideDep,
    as_of: Annotated[
        BusinessDate | None, Query(description="Ratings known on this date count (default today).")
    ] = None,
    from_year: Annotated[Year | None, Query(description="First year of completion counted.")] = None,
    to_year: Annotated[Year | None, Query(description="Last year of completion counted.")] = None,
    track: Annotated[
        CodeList | None,
        Query(description="Comma-separated tracks, e.g. `political_theory,leadership` (default: all)."),
    ] = None,
    unit: Annotated[QueryText | None, Query(description="Only people in this unit on as_of.")] = None,
    known_at: KnownAt = None,
    structure: Structure = None,
) -> Any:
    """For each completed course, the annual rating of the year before it started against the
    rating of the year after it ended (excellent 4, good 3, completed 2, not completed 1), and the
    post-training evaluations of the course; per programme (course code, track, level) and year of
    completion, former staff included. Judge the training by performance, not by certificates."""
    return read_side.effectiveness(
        as_of=as_of,
        unit=unit,
        from_year=from_year,
        to_year=to_year,
        tracks=parse_tracks(track, "track"),
        known_at=known_at,
        structure=structure,
    )


def parse_tracks(text: str | None, field: str = "tracks") -> list[Track] | None:
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
                errors=[{"field": field, "message": f"'{code}' is not a track ({allowed}).", "in": "query"}],
            ) from None
    return list(dict.fromkeys(chosen))
