"""The annual report "Kết quả đào tạo, bồi dưỡng" as a spreadsheet laid out like the paper form:
the agency's name and the national motto on top, the title with the year, the date it was made,
two rows of merged column headings with the columns numbered (1), (2) …, the rows by content and
level with the sections in bold, and what "not recorded" means underneath.

Cells go through ``ledger.cells`` like every export: text is never a formula."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from typing import Any

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.styles import Alignment, Border, Font, Side  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]

from api.pages.attendance_splits import annual_cells, annual_columns
from api.pages.i18n import Translator
from ledger.cells import set_xlsx_cell
from projections.results import AnnualReport

MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
HEAD = 7  # the first row of the column headings


def _put(sheet: Any, row: int, column: int, value: Any, **style: Any) -> Any:
    cell = sheet.cell(row=row, column=column)
    set_xlsx_cell(cell, float(value) if isinstance(value, Decimal) else value)
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell


def annual_xlsx(
    t: Translator, report: AnnualReport, *, agency: str, made_on: date, known_at: str | None = None
) -> bytes:
    """The form of ``report`` as an XLSX file, headed by ``agency`` (a dotted line when empty);
    ``known_at``: the sentence saying the report is as the ledger knew it then, if it is."""
    book = Workbook()
    sheet = book.active
    sheet.title = f"{t('annual.year')} {report.year}"
    groups = annual_columns(t)
    width = sum(max(1, len(parts)) for _, parts in groups)
    bold, center = Font(bold=True), Alignment(horizontal="center", vertical="center", wrap_text=True)
    half = width // 2
    _put(sheet, 1, 1, agency or "…………………………", font=bold)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=half)
    for row, text in enumerate(MOTTO, start=1):
        _put(sheet, row, half + 1, text, font=bold, alignment=center)
        sheet.merge_cells(start_row=row, start_column=half + 1, end_row=row, end_column=width)
    _put(
        sheet,
        4,
        1,
        f"{t('annual.title')} {report.year}".upper(),
        font=Font(bold=True, size=13),
        alignment=center,
    )
    sheet.merge_cells(start_row=4, start_column=1, end_row=4, end_column=width)
    _put(sheet, 5, 1, f"{t('annual.made_on')}: {t.date(made_on)}", alignment=center)
    sheet.merge_cells(start_row=5, start_column=1, end_row=5, end_column=width)
    if known_at:
        _put(sheet, 6, 1, known_at, alignment=center)
        sheet.merge_cells(start_row=6, start_column=1, end_row=6, end_column=width)

    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    column = 1
    for group, parts in groups:
        if not parts:
            _put(sheet, HEAD, column, group, font=bold, alignment=center, border=box)
            sheet.merge_cells(start_row=HEAD, start_column=column, end_row=HEAD + 1, end_column=column)
            column += 1
            continue
        _put(sheet, HEAD, column, group, font=bold, alignment=center, border=box)
        sheet.merge_cells(
            start_row=HEAD, start_column=column, end_row=HEAD, end_column=column + len(parts) - 1
        )
        for part in parts:
            _put(sheet, HEAD + 1, column, part, font=bold, alignment=center, border=box)
            column += 1
    for n in range(1, width + 1):
        _put(sheet, HEAD + 2, n, f"({n})", alignment=center, border=box)

    row = HEAD + 2
    for line in report.lines:
        row += 1
        emphasis = line.key.startswith("section_") or line.key == "total"
        for n, value in enumerate(annual_cells(t, line), start=1):
            cell = _put(sheet, row, n, value, border=box, font=Font(bold=emphasis))
            if isinstance(value, Decimal):
                cell.number_format = "#,##0.00"
    row += 2
    _put(sheet, row, 1, f"{t('annual.not_recorded')}:", font=bold)
    for key in report.not_recorded:
        row += 1
        _put(sheet, row, 1, f"– {t(f'annual.nr.{key}')}")

    sheet.column_dimensions["A"].width = 48
    for n in range(2, width + 1):
        sheet.column_dimensions[get_column_letter(n)].width = 13
    sheet.freeze_panes = sheet.cell(row=HEAD + 3, column=2)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
