"""Each row of a table checked for its shape (required cells, formats, codes), and given the id a
re-import finds it by."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from ledger.domain import catalog
from ledger.domain.catalog import DepartureCategory, Employment, Funding, Gender, Mode, Track
from ledger.importing.cells import (
    CellError,
    RowIssue,
    accepted_values,
    cell_text,
    parse_choice,
    parse_date,
    parse_decimal,
    parse_level,
    parse_track,
)
from ledger.importing.reading import Table
from ledger.importing.template import (
    DEPARTURE_CATEGORIES,
    EMPLOYMENTS,
    FUNDINGS,
    GENDERS,
    KINDS,
    MODES,
    NO_LEVEL,
    NO_LEVEL_MARKS,
    OUTCOMES,
    RECORD_ID_PATTERN,
    STAFF_ID_PATTERN,
    RecordKind,
    RowOutcome,
    header_key,
)

# ------------------------------------------------------------------------------------ row shape


@dataclass(frozen=True)
class RowRef:
    table: Table
    row: int

    @property
    def ref(self) -> str:
        return self.table.ref(self.row)

    def issue(self, field_name: str | None, message: str) -> RowIssue:
        return self.table.issue(self.row, field_name, message)


@dataclass(frozen=True)
class StaffRow:
    at: RowRef
    staff_id: str
    full_name: str
    gender: Gender
    birth_date: date
    unit: str
    joined_on: date
    position: str | None
    rank: str | None
    employment: Employment
    departed_on: date | None
    departure_reason: str | None
    departure_category: DepartureCategory | None


@dataclass(frozen=True)
class TrainingRow:
    at: RowRef
    staff_id: str
    kind: RecordKind
    record_id: str
    explicit_id: bool
    track: Track
    level: str | None
    awards_level: bool
    title: str
    course_code: str
    provider: str
    mode: Mode | None
    starts_on: date | None
    ends_on: date | None
    completed_on: date | None
    completed_from: str
    outcome: RowOutcome | None
    issued_on: date | None
    number: str | None
    decision_ref: str | None
    document_ref: str | None
    verified_by: str | None
    score: Decimal | None
    reason: str | None
    funding: Funding | None
    cost: Decimal | None
    country: str | None

    @property
    def sort_date(self) -> date:
        return (self.starts_on if self.kind == RecordKind.ENROLLMENT else self.issued_on) or date.max


T = TypeVar("T")


class _Cells:
    """Reads one row's cells by field, collecting every problem instead of stopping at the first."""

    def __init__(self, at: RowRef, cells: tuple[Any, ...]) -> None:
        self.at = at
        self.issues: list[RowIssue] = []
        width = len(cells)
        # Each cell read once: text cells become their clean text, dates and numbers stay typed.
        self.values: dict[str, Any] = {}
        self.texts: dict[str, str] = {}
        for name, (position, _) in at.table.columns.items():
            value = cells[position] if position < width else None
            text = cell_text(value)
            self.texts[name] = text
            self.values[name] = text if isinstance(value, str) or value is None else value

    def raw(self, name: str) -> Any:
        return self.values.get(name)

    def cell(self, name: str) -> str:
        return self.texts.get(name, "")

    def filled(self, name: str) -> bool:
        return self.cell(name) != ""

    def text(self, name: str, *, required: bool = False, what: str = "") -> str | None:
        text = self.cell(name)
        if not text:
            if required:
                self.missing(name, what)
            return None
        return text

    def missing(self, name: str, what: str) -> None:
        table = self.at.table
        column = table.column_name(name)
        if name in table.columns:
            self.problem(name, f"{column} is empty; {what or 'this column is required'}.")
        else:
            reason = what or "this column is required"
            self.problem(name, f"{reason[0].upper()}{reason[1:]}: the file has no '{column}' column.")

    def parsed(
        self, name: str, parse: Callable[[Any], T], *, required: bool = False, what: str = ""
    ) -> T | None:
        if not self.filled(name):
            if required:
                self.missing(name, what)
            return None
        try:
            return parse(self.raw(name))
        except CellError as error:
            self.problem(name, str(error))
            return None

    def problem(self, name: str, message: str) -> None:
        self.issues.append(self.at.issue(name, message))


def _staff_id(cells: _Cells) -> str | None:
    staff_id = cells.text("staff_id", required=True, what="every row names a staff member")
    if staff_id is not None and not STAFF_ID_PATTERN.fullmatch(staff_id):
        cells.problem(
            "staff_id",
            f"'{staff_id}' is not a staff code (1 to 40 letters, digits, '.', '_' or '-').",
        )
        return None
    return staff_id


def parse_staff_row(at: RowRef, raw: tuple[Any, ...]) -> tuple[StaffRow | None, list[RowIssue]]:
    """One staff row, or every problem with its shape."""
    cells = _Cells(at, raw)
    staff_id = _staff_id(cells)
    full_name = cells.text("full_name", required=True)
    gender = cells.parsed(
        "gender", lambda v: Gender(parse_choice(v, GENDERS, "gender", accepted_values(Gender))),
        required=True,
    )
    birth_date = cells.parsed("birth_date", parse_date, required=True)
    unit = cells.text("unit", required=True)
    joined_on = cells.parsed("joined_on", parse_date, required=True)
    employment = cells.parsed(
        "employment",
        lambda v: Employment(parse_choice(v, EMPLOYMENTS, "employment", accepted_values(Employment))),
    )
    departed_on = cells.parsed("departed_on", parse_date)
    departure_category = cells.parsed(
        "departure_category",
        lambda v: DepartureCategory(
            parse_choice(v, DEPARTURE_CATEGORIES, "departure category", accepted_values(DepartureCategory))
        ),
    )
    if departed_on is None and (cells.filled("departure_reason") or departure_category is not None):
        cells.missing("departed_on", "a reason for leaving needs the date they left")
    if (
        cells.issues or staff_id is None or full_name is None or gender is None
        or birth_date is None or unit is None or joined_on is None
    ):
        return None, cells.issues
    return (
        StaffRow(
            at=at,
            staff_id=staff_id,
            full_name=full_name,
            gender=gender,
            birth_date=birth_date,
            unit=unit,
            joined_on=joined_on,
            position=cells.text("position"),
            rank=cells.text("rank"),
            employment=employment or Employment.CIVIL_SERVANT,
            departed_on=departed_on,
            departure_reason=cells.text("departure_reason"),
            departure_category=departure_category,
        ),
        [],
    )


def derived_id(prefix: str, staff_id: str, parts: Iterable[str]) -> str:
    """An id that depends only on whose fact it is and what it says, so a re-import finds it."""
    digest = hashlib.sha256("\x1f".join([staff_id, *parts]).encode()).hexdigest()
    return f"{prefix}-{digest[:16]}"


@dataclass
class _Course:
    """What an enrollment row says of the course, beyond what every training row says."""

    mode: Mode | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    completed_on: date | None = None
    completed_from: str = "completed_on"
    outcome: RowOutcome | None = None


def _record_id(cells: _Cells) -> str | None:
    record_id = cells.text("record_id")
    if record_id is not None and not RECORD_ID_PATTERN.fullmatch(record_id):
        cells.problem(
            "record_id", f"'{record_id}' is not an id (1 to 35 letters, digits, '.', '_' or '-')."
        )
    return record_id


def _record_kind(cells: _Cells) -> RecordKind | None:
    """The row's kind, or, when the cell is empty, an enrollment if it has a start date."""
    kind_choices = "Văn bằng, chứng chỉ / credential, Khóa học / enrollment"
    kind = cells.parsed("kind", lambda v: RecordKind(parse_choice(v, KINDS, "kind", kind_choices)))
    if kind is None and not cells.filled("kind"):
        kind = RecordKind.ENROLLMENT if cells.filled("starts_on") else RecordKind.CREDENTIAL
    return kind


def _level(cells: _Cells, kind: RecordKind | None, track: Track | None) -> tuple[str | None, bool]:
    """The level the row names, and whether it awards one at all ('Không' / '-' say it does not)."""
    level_text = cells.cell("level")
    awards_level = not (header_key(level_text) in NO_LEVEL or level_text in NO_LEVEL_MARKS)
    if track is None:
        return None, awards_level
    if not awards_level:
        if kind == RecordKind.CREDENTIAL and catalog.track_info(track).has_levels:
            cells.problem("level", f"A credential of track '{track.value}' has a level: say which.")
        return None, awards_level
    try:
        return parse_level(track, level_text), awards_level
    except CellError as error:
        message = str(error)
        if kind == RecordKind.ENROLLMENT and not level_text:
            message += " For a course that awards no level (a refresher), write 'Không' (none)."
        cells.problem("level", message)
        return None, awards_level


def _course(cells: _Cells, at: RowRef) -> _Course:
    """An enrollment's mode, dates and result, and the date it ended (from 'ends_on' when the
    completion date is left empty)."""
    course = _Course(
        mode=cells.parsed(
            "mode", lambda v: Mode(parse_choice(v, MODES, "mode", accepted_values(Mode))),
            required=True, what="an enrollment needs its mode of study",
        ),
        starts_on=cells.parsed(
            "starts_on", parse_date, required=True, what="an enrollment needs its start date"
        ),
        ends_on=cells.parsed("ends_on", parse_date),
        completed_on=cells.parsed("completed_on", parse_date),
    )
    accepted = "Đạt / passed, Không đạt / failed, Thôi học / withdrawn, or empty"
    outcome_value = cells.parsed("outcome", lambda v: parse_choice(v, OUTCOMES, "outcome", accepted))
    course.outcome = RowOutcome(outcome_value) if outcome_value else None
    if course.outcome is not None and course.completed_on is None:
        if course.ends_on is not None and not cells.filled("completed_on"):
            course.completed_on, course.completed_from = course.ends_on, "ends_on"
        elif not cells.filled("completed_on"):
            cells.problem(
                "completed_on" if "completed_on" in at.table.columns else "outcome",
                f"A course with a result ({course.outcome.value}) needs the date it ended: fill "
                f"'{at.table.column_name('completed_on')}' or '{at.table.column_name('ends_on')}'.",
            )
    elif course.outcome is None and cells.filled("completed_on") and not cells.filled("outcome"):
        cells.problem(
            "outcome",
            f"The row has a completion date but no result: fill "
            f"'{at.table.column_name('outcome')}' (Đạt / passed, Không đạt / failed, "
            "Thôi học / withdrawn).",
        )
    return course


def _check_course_result(
    cells: _Cells, outcome: RowOutcome | None, issued_on: date | None, score: Decimal | None
) -> None:
    if outcome != RowOutcome.PASSED and issued_on is not None:
        cells.problem("issued_on", "Only a passed course has a certificate issue date.")
    if outcome not in (RowOutcome.PASSED, RowOutcome.FAILED) and score is not None:
        cells.problem("score", "Only a passed or failed course has a score.")


def _credential_issued_on(cells: _Cells) -> date | None:
    issued_on = cells.parsed(
        "issued_on", parse_date, required=True, what="a credential needs its issue date"
    )
    if cells.filled("outcome"):
        value = cells.parsed("outcome", lambda v: parse_choice(v, OUTCOMES, "outcome", "Đạt"))
        if value not in (None, RowOutcome.PASSED):
            cells.problem("outcome", "A recognized credential has no failed or withdrawn result.")
    return issued_on


def _identity(
    kind: RecordKind, track: Track, level: str | None, title: str, provider: str,
    course_code: str | None, number: str | None, course: _Course, issued_on: date | None,
) -> list[str]:
    """What the derived id of a row depends on: the same fact gives the same id on a re-import."""
    if kind == RecordKind.ENROLLMENT:
        # Both were required for an enrollment.
        assert course.starts_on is not None
        assert course.mode is not None
        return ["enrollment", track.value, level or "", title, course_code or "", provider,
                course.mode.value, course.starts_on.isoformat()]
    assert issued_on is not None
    return ["credential", track.value, level or "", title, provider, issued_on.isoformat(),
            number or ""]


def parse_training_row(
    at: RowRef, raw: tuple[Any, ...]
) -> tuple[TrainingRow | None, list[RowIssue]]:
    """One credential or enrollment row, or every problem with its shape."""
    cells = _Cells(at, raw)
    staff_id = _staff_id(cells)
    record_id = _record_id(cells)
    kind = _record_kind(cells)
    track = cells.parsed("track", parse_track, required=True)
    level, awards_level = _level(cells, kind, track)
    title = cells.text("title", required=True)
    provider = cells.text("provider", required=True)
    course_code = cells.text("course_code")
    number = cells.text("number")
    issued_on = cells.parsed("issued_on", parse_date)
    score = cells.parsed("score", parse_decimal)
    cost = cells.parsed("cost", lambda v: parse_decimal(v, thousands=True))
    funding = cells.parsed(
        "funding", lambda v: Funding(parse_choice(v, FUNDINGS, "funding", accepted_values(Funding)))
    )
    course = _Course()
    if kind == RecordKind.ENROLLMENT:
        course = _course(cells, at)
        _check_course_result(cells, course.outcome, issued_on, score)
    elif kind == RecordKind.CREDENTIAL:
        issued_on = _credential_issued_on(cells)
    if (
        cells.issues or staff_id is None or kind is None or track is None or title is None
        or provider is None
    ):
        return None, cells.issues
    identity = _identity(kind, track, level, title, provider, course_code, number, course, issued_on)
    the_id = record_id or derived_id("imp-e" if kind == RecordKind.ENROLLMENT else "imp-c",
                                     staff_id, identity)
    awards_level = awards_level and catalog.track_info(track).has_levels
    return (
        TrainingRow(
            at=at,
            staff_id=staff_id,
            kind=kind,
            record_id=the_id,
            explicit_id=record_id is not None,
            track=track,
            level=level,
            awards_level=awards_level,
            title=title,
            course_code=course_code or ".".join(p for p in (track.value, level) if p),
            provider=provider,
            mode=course.mode,
            starts_on=course.starts_on,
            ends_on=course.ends_on,
            completed_on=course.completed_on,
            completed_from=course.completed_from,
            outcome=course.outcome,
            issued_on=issued_on,
            number=number,
            decision_ref=cells.text("decision_ref"),
            document_ref=cells.text("document_ref"),
            verified_by=cells.text("verified_by"),
            score=score,
            reason=cells.text("reason"),
            funding=funding,
            cost=cost,
            country=cells.text("country"),
        ),
        [],
    )
