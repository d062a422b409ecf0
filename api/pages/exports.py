"""Reports as files to hand on: CSV and XLSX, each opening with a header block that says what
the report is, the filters used, the date it is as of, and when it was generated.

CSV is UTF-8 with a byte-order mark (so spreadsheet programs read Vietnamese correctly), one
section per table separated by a blank line. XLSX (openpyxl) has one sheet per table, the header
block on top, bold column headings, frozen panes and real dates and numbers.

Every text cell, headings and header block included, is written as text (``ledger.cells``): a name
that begins with ``=``, ``+``, ``-`` or ``@`` gets a leading ``'`` in CSV and is a string cell in
XLSX, so an export never carries a live formula (docs/workbench.md, "Exports").
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from fastapi.responses import Response
from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.styles import Alignment, Font, PatternFill  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]

from ledger.cells import csv_text, set_xlsx_cell
from ledger.text import without_diacritics

Cell = str | int | float | Decimal | date | datetime | None

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Table:
    title: str
    columns: Sequence[str]
    rows: Sequence[Sequence[Any]]  # Cell values


@dataclass(frozen=True)
class Report:
    """A report to export: its title, the header block (label, value) pairs, its tables."""

    title: str
    slug: str  # the file name stem (ASCII)
    header: Sequence[tuple[str, Any]]  # (label, value): numbers and dates stay numbers and dates
    tables: Sequence[Table] = field(default_factory=tuple)


def _csv_value(value: Any, zone: tzinfo) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(zone).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _csv_row(values: Sequence[Any], zone: tzinfo) -> list[Any]:
    return [csv_text(v) if isinstance(v, str) else _csv_value(v, zone) for v in values]


def to_csv(report: Report, zone: tzinfo) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([csv_text(report.title)])
    for label, value in report.header:
        writer.writerow(_csv_row([label, value], zone))
    for table in report.tables:
        writer.writerow([])
        if table.title:
            writer.writerow([csv_text(table.title)])
        writer.writerow(_csv_row(table.columns, zone))
        for row in table.rows:
            writer.writerow(_csv_row(row, zone))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


SHEET_NAME_MAX = 31  # Excel's limit


def _whole_words(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters at a word boundary (never mid-word), without a
    trailing comma or dash; a single word longer than the limit is cut, having no boundary."""
    if len(text) <= limit:
        return text
    cut = text[: limit + 1].rsplit(None, 1)[0] if " " in text[: limit + 1] else text[:limit]
    return cut.rstrip(" ,;–-") or text[:limit]


def _sheet_name(title: str, taken: set[str]) -> str:
    base = " ".join(_SHEET_FORBIDDEN.sub(" ", title).split()) or "Sheet"
    name, n = _whole_words(base, SHEET_NAME_MAX), 2
    while name.casefold() in taken:
        suffix = f" ({n})"
        name = _whole_words(base, SHEET_NAME_MAX - len(suffix)) + suffix
        n += 1
    taken.add(name.casefold())
    return name


def _xlsx_value(value: Any, zone: tzinfo) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(zone).replace(tzinfo=None)
    if isinstance(value, Decimal):
        return float(value)
    return value


def _write_row(sheet: Any, row: int, values: Sequence[Any], zone: tzinfo) -> None:
    """One row of cells, each through ``set_xlsx_cell`` (text is never a formula)."""
    for column, value in enumerate(values, start=1):
        set_xlsx_cell(sheet.cell(row=row, column=column), _xlsx_value(value, zone))


def to_xlsx(report: Report, zone: tzinfo) -> bytes:
    book = Workbook()
    default = book.active
    taken: set[str] = set()
    bold = Font(bold=True)
    heading_fill = PatternFill("solid", fgColor="DCE6F2")
    for table in report.tables or (Table(report.title, (), ()),):
        sheet = book.create_sheet(_sheet_name(table.title or report.title, taken))
        row = 1
        _write_row(sheet, row, [report.title], zone)
        sheet.cell(row=row, column=1).font = Font(bold=True, size=13)
        for label, value in report.header:
            row += 1
            _write_row(sheet, row, [label, value], zone)
            sheet.cell(row=row, column=1).font = bold
        if table.title and table.title != report.title:
            row += 2  # a blank row, then the table's title
            _write_row(sheet, row, [table.title], zone)
            sheet.cell(row=row, column=1).font = bold
        row += 2  # a blank row, then the headings
        head = row
        _write_row(sheet, head, table.columns, zone)
        for column in range(1, len(table.columns) + 1):
            cell = sheet.cell(row=head, column=column)
            cell.font = bold
            cell.fill = heading_fill
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for values in table.rows:
            row += 1
            _write_row(sheet, row, values, zone)
            for column, value in enumerate(values, start=1):
                if isinstance(value, datetime):
                    sheet.cell(row=row, column=column).number_format = "dd/mm/yyyy hh:mm"
                elif isinstance(value, date):
                    sheet.cell(row=row, column=column).number_format = "dd/mm/yyyy"
                elif isinstance(value, Decimal | float):
                    # Two decimals; the spreadsheet writes the separator of its locale (a comma
                    # in Vietnamese), which a number stored as text would never do.
                    sheet.cell(row=row, column=column).number_format = "#,##0.00"
        sheet.freeze_panes = sheet.cell(row=head + 1, column=1)
        for column, heading in enumerate(table.columns, start=1):
            longest = max(
                [len(str(heading))]
                + [len(_csv_value(r[column - 1], zone)) for r in table.rows if len(r) >= column]
            )
            sheet.column_dimensions[get_column_letter(column)].width = min(max(12, longest + 2), 60)
    if default is not None:
        book.remove(default)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def ascii_slug(text: str) -> str:
    """``Báo cáo Phòng Nghiệp vụ 1`` → ``bao-cao-phong-nghiep-vu-1`` (for file names)."""
    plain = without_diacritics(text).lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-") or "bao-cao"


def download(content: bytes, media_type: str, filename: str) -> Response:
    """A file response; the name is ASCII with an RFC 6266 UTF-8 form beside it."""
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", filename)
    disposition = f"attachment; filename=\"{safe}\"; filename*=UTF-8''{quote(filename)}"
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": disposition, "Cache-Control": "no-store"},
    )


def respond(report: Report, fmt: str, zone: tzinfo) -> Response:
    """The report as a download; ``zone`` is the agency's, for any recording time in a cell."""
    if fmt == "xlsx":
        return download(to_xlsx(report, zone), XLSX_TYPE, f"{report.slug}.xlsx")
    return download(to_csv(report, zone), CSV_TYPE, f"{report.slug}.csv")
