"""One cell of a legacy row read as a date, a number, a code or a label, and the problems found."""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from ledger.domain import catalog, errors
from ledger.domain.catalog import Track
from ledger.importing.template import LEVELS, TRACKS, header_key

# --------------------------------------------------------------------------------------- errors


class LegacyFileError(errors.InvalidInput):
    """A file cannot be read as a template at all (encoding, format, missing columns)."""

    code = "legacy_file_error"


@dataclass(frozen=True)
class RowIssue:
    """A bad row: where it is (as the user sees it in Excel: the header is row 1) and why."""

    source: str
    sheet: str | None
    row: int | None
    column: str | None
    message: str

    @property
    def place(self) -> str:
        place = self.source if self.sheet is None else f'{self.source}, sheet "{self.sheet}"'
        if self.row is not None:
            place += f", row {self.row}"
        if self.column:
            place += f', column "{self.column}"'
        return place

    def __str__(self) -> str:
        return f"{self.place}: {self.message}"


class CellError(ValueError):
    """A cell that cannot be read as its column's kind of value."""


# ---------------------------------------------------------------------------------- cell parsing


def cell_text(value: Any) -> str:
    """A cell as text: composed Unicode (NFC), stripped; whole numbers without '.0'."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value).strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return unicodedata.normalize("NFC", str(value)).strip()


_DMY = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
_YMD = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00(?:\.0+)?)?)?")
_MY = re.compile(r"(\d{1,2})[/.-](\d{4})")


def parse_date(value: Any) -> date:
    """A date as agencies write it: an Excel date cell, dd/mm/yyyy, d/m/yyyy (also with '-' or
    '.'), yyyy-mm-dd, or mm/yyyy (the first day of that month)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise CellError(
            f"{cell_text(value)} is a number, not a date: format the cell as a date or write "
            "it as dd/mm/yyyy."
        )
    text = cell_text(value)
    if (m := _DMY.fullmatch(text)) is not None:
        day, month, year = int(m[1]), int(m[2]), int(m[3])
    elif (m := _YMD.fullmatch(text)) is not None:
        year, month, day = int(m[1]), int(m[2]), int(m[3])
    elif (m := _MY.fullmatch(text)) is not None:
        day, month, year = 1, int(m[1]), int(m[2])
    else:
        raise CellError(f"'{text}' is not a date: write dd/mm/yyyy, yyyy-mm-dd or mm/yyyy.")
    if not 1900 <= year <= 2100:
        raise CellError(f"'{text}': the year {year} is out of range.")
    try:
        return date(year, month, day)
    except ValueError:
        raise CellError(
            f"'{text}' is not a valid date (day {day}, month {month}, year {year}; "
            "dates are read day first: dd/mm/yyyy)."
        ) from None


def parse_decimal(value: Any, *, thousands: bool = False) -> Decimal:
    """A number; a decimal comma is accepted (8,5). With ``thousands``, 12.000.000 and
    12,000,000 read as twelve million."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return Decimal(str(value))
    text = cell_text(value).replace(" ", "").replace("\u00a0", "")
    if thousands and re.fullmatch(r"\d{1,3}([.,]\d{3})+", text):
        text = re.sub(r"[.,]", "", text)
    else:
        text = text.replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise CellError(f"'{cell_text(value)}' is not a number.") from None
    if not number.is_finite():
        raise CellError(f"'{cell_text(value)}' is not a number.")
    return number


def parse_choice(value: Any, choices: dict[str, Any], what: str, accepted: str) -> Any:
    text = cell_text(value)
    key = header_key(text)
    if key not in choices:
        raise CellError(f"'{text}' is not a known {what} (accepted: {accepted}).")
    return choices[key]


@functools.cache
def accepted_values(enum_type: type[StrEnum]) -> str:
    parts = []
    for member in enum_type:
        label = catalog.ENUM_LABELS.get(member)
        parts.append(f"{label.vi} / {member.value}" if label else member.value)
    return ", ".join(parts)


TRACKS_ACCEPTED = ", ".join(f"{i.label.vi} / {i.track.value}" for i in catalog.TRACKS.values())
LEVELS_ACCEPTED = {
    info.track: ", ".join(f"{lv.label.vi} / {lv.code}" for lv in info.levels)
    for info in catalog.TRACKS.values()
}


def parse_track(value: Any) -> Track:
    return Track(parse_choice(value, TRACKS, "track", TRACKS_ACCEPTED))


def parse_level(track: Track, value: Any) -> str | None:
    """A level of ``track`` from its code or its Vietnamese or English name; None when empty."""
    text = cell_text(value)
    info = catalog.track_info(track)
    if not text:
        if info.has_levels:
            raise CellError(f"Track '{track.value}' has levels: say which level.")
        return None
    if not info.has_levels:
        raise CellError(f"Track '{track.value}' has no levels; leave the level empty.")
    return str(parse_choice(value, LEVELS[track], f"level of {info.label.vi}", LEVELS_ACCEPTED[track]))
