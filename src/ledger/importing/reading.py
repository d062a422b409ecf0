"""Reading the workbook or CSV files into tables: finding the header row and the kind of each table."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ledger.importing.cells import LegacyFileError, RowIssue, cell_text
from ledger.importing.template import (
    COLUMNS,
    HEADER_INDEX,
    HEADER_SEARCH_ROWS,
    IGNORED_IN,
    SHEET_NAMES,
    TableKind,
    header_key,
)

# ------------------------------------------------------------------------------------ reading


@dataclass
class Table:
    """One sheet or CSV file, its header mapped to template fields."""

    source: str
    sheet: str | None
    kind: TableKind
    header_row: int
    columns: dict[str, tuple[int, str]]
    rows: list[tuple[int, tuple[Any, ...]]]
    unknown_headers: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.source if self.sheet is None else f'{self.source}, sheet "{self.sheet}"'

    @property
    def in_vietnamese(self) -> bool:
        """Whether the headers are mostly the template's Vietnamese ones (or their aliases)."""
        spec = {c.field: c for c in COLUMNS[self.kind]}
        english = sum(
            header_key(h) in (header_key(f), header_key(spec[f].en)) for f, (_, h) in self.columns.items()
        )
        return english * 2 < len(self.columns)

    def column_name(self, field_name: str) -> str:
        """The header as the file writes it; for a column the file lacks, the template's header
        in the file's language."""
        found = self.columns.get(field_name)
        if found:
            return found[1]
        spec = next((c for c in COLUMNS[self.kind] if c.field == field_name), None)
        if spec is None:
            return field_name
        return spec.vi if self.in_vietnamese else spec.en

    def value(self, cells: tuple[Any, ...], field_name: str) -> Any:
        found = self.columns.get(field_name)
        if found is None or found[0] >= len(cells):
            return None
        return cells[found[0]]

    def ref(self, row: int) -> str:
        """Where a row came from, as stored in the evidence of what it recorded."""
        return f"{self.source}#{self.sheet}!{row}" if self.sheet is not None else f"{self.source}!{row}"

    def issue(self, row: int | None, field_name: str | None, message: str) -> RowIssue:
        column = self.column_name(field_name) if field_name else None
        return RowIssue(self.source, self.sheet, row, column, message)


def _is_blank(cells: Sequence[Any]) -> bool:
    return all(cell_text(c) == "" for c in cells)


def _match_headers(
    cells: Sequence[Any], kind: TableKind
) -> tuple[dict[str, tuple[int, str]], list[str]]:
    index = HEADER_INDEX[kind]
    columns: dict[str, tuple[int, str]] = {}
    unknown: list[str] = []
    for position, cell in enumerate(cells):
        header = cell_text(cell)
        key = header_key(header)
        if not key or key in IGNORED_IN[kind]:
            continue
        field_name = index.get(key)
        if field_name is None or field_name in columns:
            unknown.append(header)
        else:
            columns[field_name] = (position, header)
    return columns, unknown


def _guess_kind(cells: Sequence[Any]) -> TableKind | None:
    """Which template a header row belongs to: the one with more of its own required columns
    (a training sheet may repeat the name; a staff list may have a 'Trình độ' column)."""
    staff, _ = _match_headers(cells, TableKind.STAFF)
    if "staff_id" not in staff:
        return None
    training, _ = _match_headers(cells, TableKind.TRAINING)
    scores = {
        kind: sum(c.required and c.field in found for c in COLUMNS[kind])
        for kind, found in ((TableKind.STAFF, staff), (TableKind.TRAINING, training))
    }
    if scores[TableKind.STAFF] == scores[TableKind.TRAINING]:
        return None
    return max(scores, key=lambda kind: scores[kind])


def _kind_from_sheet_name(sheet: str) -> TableKind | None:
    key = header_key(sheet)
    for kind, names in SHEET_NAMES.items():
        if key in {header_key(n) for n in names}:
            return kind
    return None


def _build_table(
    source: str, sheet: str | None, rows: Iterator[tuple[int, tuple[Any, ...]]],
    kind_hint: TableKind | None,
) -> Table | None:
    """Find the header (in the first rows: agencies put titles above it), map it, keep the rest.
    None when no header row is recognised."""
    for number, cells in rows:
        if number > HEADER_SEARCH_ROWS:
            break
        kind = _guess_kind(cells) or (kind_hint if _has_staff_id(cells) else None)
        if kind is None:
            continue
        columns, unknown = _match_headers(cells, kind)
        table = Table(source, sheet, kind, number, columns, [], unknown)
        missing = [c for c in COLUMNS[kind] if c.required and c.field not in columns]
        if missing:
            names = "; ".join(f"'{c.vi}' / '{c.en}'" for c in missing)
            raise LegacyFileError(
                f"{table.name}: the header (row {number}) lacks the required column(s) {names}."
            )
        table.rows = [(n, c) for n, c in rows if not _is_blank(c)]
        return table
    return None


def _has_staff_id(cells: Sequence[Any]) -> bool:
    return "staff_id" in _match_headers(cells, TableKind.STAFF)[0]


def read_xlsx(path: Path) -> list[Table]:
    """The staff and training sheets of a workbook (other sheets, e.g. instructions, are skipped)."""
    # A heavy import, made only when a workbook is read.
    import openpyxl  # type: ignore[import-untyped]
    from openpyxl.utils.exceptions import InvalidFileException  # type: ignore[import-untyped]

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, OSError, KeyError, ValueError) as error:
        raise LegacyFileError(f"{path.name} cannot be opened as an Excel workbook: {error}") from None
    except Exception as error:
        # A damaged workbook (broken XML, a missing part) fails deep inside openpyxl in many
        # ways; whatever the way, it is the file that cannot be read, and a registrar needs one line.
        raise LegacyFileError(
            f"{path.name} is a damaged Excel workbook ({type(error).__name__}: {error}): open it "
            "in Excel and save it again, or save it as CSV UTF-8."
        ) from None
    try:
        tables = []
        for sheet in book.worksheets:
            numbered = ((n, tuple(cells)) for n, cells in enumerate(sheet.iter_rows(values_only=True), 1))
            table = _build_table(path.name, sheet.title, numbered, _kind_from_sheet_name(sheet.title))
            if table is not None:
                tables.append(table)
        return tables
    except LegacyFileError:
        raise
    except Exception as error:  # as above: damage found while reading the sheets
        raise LegacyFileError(
            f"{path.name} is a damaged Excel workbook ({type(error).__name__}: {error}): open it "
            "in Excel and save it again, or save it as CSV UTF-8."
        ) from None
    finally:
        book.close()


def decode_csv(path: Path) -> str:
    """The text of a CSV file in UTF-8 (with or without BOM); any other encoding is refused."""
    raw = path.read_bytes()
    save_as = "open it in Excel and save it as 'CSV UTF-8 (Comma delimited) (*.csv)'"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise LegacyFileError(f"{path.name} is UTF-16 text, not UTF-8: {save_as}.")
    if raw.startswith(b"PK\x03\x04"):
        raise LegacyFileError(f"{path.name} is an Excel workbook, not CSV: name it .xlsx.")
    head = raw[:4096]
    if head and head.count(0) * 4 >= len(head):
        # Text saved as UTF-16 without its byte-order mark: every other byte of Latin text is 0.
        raise LegacyFileError(
            f"{path.name} looks like UTF-16 text without a byte-order mark, not UTF-8: {save_as}."
        )
    if head and sum(b < 0x09 or 0x0E <= b < 0x20 for b in head) * 10 >= len(head):
        raise LegacyFileError(
            f"{path.name} is not a text file (it holds binary data): export the sheet as "
            "'CSV UTF-8 (Comma delimited) (*.csv)' or import the .xlsx workbook itself."
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise LegacyFileError(
            f"{path.name} is not UTF-8 (byte 0x{raw[error.start]:02x} on line {line}); it was "
            f"probably saved in a legacy encoding (Windows-1258, TCVN3 or VNI): {save_as}."
        ) from None


def read_csv(path: Path) -> list[Table]:
    text = decode_csv(path)
    first_line = text.split("\n", 1)[0]
    # Vietnamese regional settings make Excel write ';' between cells.
    delimiter = max(",;\t", key=first_line.count)
    # Lines split as the csv module expects (newline=""): str.splitlines would also split on
    # U+2028, U+0085 or a form feed inside a cell, and tear the row apart.
    records = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    table = _build_table(path.name, None, _csv_rows(path, records), None)
    if table is None:
        raise LegacyFileError(
            f"{path.name}: no header row found in the first {HEADER_SEARCH_ROWS} rows. A staff file "
            "needs 'Mã cán bộ' / 'staff_id' with 'Họ và tên' / 'full_name'...; a training file "
            "needs 'Mã cán bộ' / 'staff_id' with 'Lĩnh vực' / 'track'... (see docs/import-records.md)."
        )
    return [table]


def _csv_rows(path: Path, records: Iterator[list[str]]) -> Iterator[tuple[int, tuple[str, ...]]]:
    """Numbered rows; a file the csv module cannot split (a cell over its 128 KiB limit, say)
    is refused as a whole, naming the line, rather than failing halfway with a traceback."""
    number = 0
    while True:
        try:
            cells = next(records)
        except StopIteration:
            return
        except csv.Error as error:
            reason = str(error)
            if "field larger than field limit" in reason:
                reason = (
                    f"a cell holds more than {csv.field_size_limit():,} characters, far more "
                    "than any column of the template takes"
                )
            raise LegacyFileError(
                f"{path.name}, line {number + 1}: cannot be read as CSV ({reason}). Check that "
                "this is the right file."
            ) from None
        number += 1
        yield number, tuple(cells)


def read_tables(paths: Sequence[Path]) -> list[Table]:
    """Every staff and training table of the given files."""
    tables: list[Table] = []
    for path in paths:
        if not path.is_file():
            raise LegacyFileError(f"{path} is not a file.")
        suffix = path.suffix.lower()
        if suffix in {".xlsx", ".xlsm"}:
            found = read_xlsx(path)
            if not found:
                raise LegacyFileError(
                    f"{path.name}: no sheet with a staff or training header in its first "
                    f"{HEADER_SEARCH_ROWS} rows (see docs/import-records.md)."
                )
            tables += found
        elif suffix == ".xls":
            raise LegacyFileError(
                f"{path.name} is an old Excel 97-2003 workbook: save it as .xlsx or as CSV UTF-8."
            )
        else:
            tables += read_csv(path)
    return tables
