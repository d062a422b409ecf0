"""The BM01/BNV page (``/ui/reports/bm01``, every role) and its files: an XLSX laid out like the
paper form (its title, the agency, the date, a two-level header of groups over columns, one row
per unit and a total row, the notes) and a CSV of the same table. The figures are the read
side's (``projections.forms``); a column the ledger does not record says so ("Không ghi nhận"),
never 0."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.styles import Alignment, Border, Font, Side  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]

from api.pages.dates import show_moment
from api.pages.exports import XLSX_TYPE, Report, Table, ascii_slug, download, respond
from api.pages.i18n import Translator
from api.pages.shared import FORMATS, guarded
from api.pages.web import PREFIX, Page, open_page
from ledger.cells import set_xlsx_cell
from projections.forms import BM01_GROUPS, Bm01Report, Bm01Row, RetirementAgeInYear, last_complete_year_end

router = APIRouter(prefix=PREFIX, include_in_schema=False)

LEADING = 2  # STT and the unit, before the form's groups


def cells_of(row: Bm01Row, t: Translator) -> list[Any]:
    """A row's values in the form's column order; "not recorded" as words, never 0."""
    values: list[Any] = []
    for group in BM01_GROUPS:
        value = getattr(row, group.key)
        if not group.columns:
            values.append(t("bm01.not_recorded") if value is None else value)
        else:
            values.extend(value[column.key] for column in group.columns)
    return values


def headings(t: Translator) -> tuple[list[tuple[str, int, bool]], list[str | None]]:
    """The two header rows: each group's label, how many columns it spans and whether it spans
    both rows (a group that is one column of its own); and the columns' labels (None under such
    a group)."""
    groups: list[tuple[str, int, bool]] = [(t("bm01.index"), 1, True), (t("bm01.unit"), 1, True)]
    columns: list[str | None] = [None, None]
    for group in BM01_GROUPS:
        groups.append((t.label(group.label), max(1, len(group.columns)), not group.columns))
        columns.extend([t.label(c.label) for c in group.columns] or [None])
    return groups, columns


def body_rows(report: Bm01Report, t: Translator) -> list[list[Any]]:
    rows: list[list[Any]] = [[n, row.unit, *cells_of(row, t)] for n, row in enumerate(report.units, 1)]
    rows.append(["", t("bm01.total_row"), *cells_of(report.total, t)])
    return rows


def _age(age: RetirementAgeInYear | None, t: Translator) -> str:
    if age is None:
        return "…"
    if age.months:
        return t("bm01.age", years=age.years, months=age.months)
    return t("bm01.age_years", years=age.years)


def notes(report: Bm01Report, t: Translator) -> list[str]:
    ages = {a.gender: a for a in report.retirement_ages}
    return [
        t("bm01.not_recorded_note"),
        t(
            "bm01.age_note",
            year=report.as_of.year,
            male=_age(ages.get("male"), t),
            female=_age(ages.get("female"), t),
        ),
        t("bm01.leaders_note"),
    ]


def header_block(page: Page, report: Bm01Report) -> list[tuple[str, Any]]:
    t = page.t
    block: list[tuple[str, Any]] = [
        (t("bm01.agency"), page.state.settings.agency_name or "." * 40),
        (t("bm01.as_of"), t.date(report.as_of)),
        (t("common.unit"), report.unit or t("common.units_all")),
    ]
    if report.known_at is not None:
        block.append((t("common.known_at"), f"{t.when(report.known_at)} ({t('common.local_time')})"))
    block.append((t("common.generated_at"), f"{t.when(page.now())} ({t('common.local_time')})"))
    block.append((t("export.source"), t("export.source_value")))
    return block


def form_xlsx(page: Page, report: Bm01Report) -> bytes:
    """The form as one sheet: title, agency and date, the two-level header (merged cells), a row
    per unit, the total row, then the notes."""
    t = page.t
    groups, columns = headings(t)
    width = len(columns)
    book = Workbook()
    sheet = book.active
    sheet.title = "BM01-BNV"
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)

    def put(row: int, column: int, value: Any, **style: Any) -> Any:
        cell = sheet.cell(row=row, column=column)
        set_xlsx_cell(cell, value)
        for name, setting in style.items():
            setattr(cell, name, setting)
        return cell

    put(1, 1, t("bm01.form_title"), font=Font(bold=True, size=13))
    put(2, 1, t("bm01.basis"), font=Font(italic=True))
    row = 3
    for label, value in header_block(page, report):
        put(row, 1, f"{label}: {value}")
        row += 1
    top = row + 1
    column = 1
    for label, span, tall in groups:
        put(top, column, label, font=Font(bold=True), alignment=centre, border=box)
        if tall or span > 1:
            sheet.merge_cells(
                start_row=top, start_column=column, end_row=top + tall, end_column=column + span - 1
            )
        column += span
    for index, heading in enumerate(columns, start=1):
        if heading is not None:
            put(top + 1, index, heading, font=Font(bold=True), alignment=centre, border=box)
    row = top + 2
    body = body_rows(report, t)
    for values in body:
        bold = values is body[-1]
        for index, value in enumerate(values, start=1):
            put(row, index, value, border=box, font=Font(bold=bold))
        row += 1
    row += 1
    for note in notes(report, t):
        put(row, 1, note, font=Font(italic=True))
        row += 1
    sheet.freeze_panes = sheet.cell(row=top + 2, column=LEADING + 1)
    sheet.column_dimensions[get_column_letter(1)].width = 6
    sheet.column_dimensions[get_column_letter(2)].width = 30
    for index in range(LEADING + 1, width + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 11
    sheet.row_dimensions[top + 1].height = 60
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def form_csv_report(page: Page, report: Bm01Report, slug: str) -> Report:
    """The form for the CSV writer: the group row as the headings, the columns' row first."""
    t = page.t
    groups, columns = headings(t)
    group_row: list[str] = []
    for label, span, _ in groups:
        group_row.extend([label] + [""] * (span - 1))
    rows: Sequence[Sequence[Any]] = [
        [label or "" for label in columns],
        *body_rows(report, t),
        *([note] for note in notes(report, t)),
    ]
    return Report(t("bm01.form_title"), slug, header_block(page, report), [Table("", group_row, rows)])


@router.get("/reports/bm01")
def bm01_page(request: Request) -> Response:
    page = open_page(request)
    t = page.t
    wb = page.workbench
    as_of = page.day("as_of") or last_complete_year_end(page.today())
    unit = page.text("unit")
    known_at = page.moment("known_at")
    report: Bm01Report = guarded(page, lambda: wb.read_model.bm01(as_of=as_of, unit=unit, known_at=known_at))
    fmt = page.choice("format", FORMATS)
    if fmt:
        slug = f"bm01-bnv-{as_of.isoformat()}" + (f"-{ascii_slug(unit)}" if unit else "")
        if fmt == "xlsx":
            return download(form_xlsx(page, report), XLSX_TYPE, f"{slug}.xlsx")
        return respond(form_csv_report(page, report, slug), fmt, t.zone)
    groups, columns = headings(t)
    return page.render(
        "pages/bm01.html",
        report=report,
        groups=groups,
        columns=columns,
        rows=body_rows(report, t),
        notes=notes(report, t),
        header=header_block(page, report),
        as_of=as_of,
        unit=unit or "",
        units=guarded(page, wb.units),
        known_at=known_at,
        known_at_value=show_moment(known_at, t.zone),
        export_csv=page.with_query(format="csv"),
        export_xlsx=page.with_query(format="xlsx"),
        title=t("bm01.title"),
    )

