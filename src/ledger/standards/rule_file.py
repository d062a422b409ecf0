"""A rules file as text: its errors (each with its line), where each table and key is in it, and
the conversion of one value at a time.

:class:`FileReader` is the base of the loader: it collects every problem it finds instead of
stopping at the first, so that a file with mistakes is refused once, with all of them.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from ledger.domain import catalog
from ledger.domain.catalog import Track
from ledger.standards.model import Age

RULES_PATH_VARIABLE = "LEDGER_RULES"
RULES_VARIANT_VARIABLE = "LEDGER_RULES_VARIANT"


# --------------------------------------------------------------------------- errors


@dataclass(frozen=True)
class Problem:
    line: int | None
    reason: str
    column: int | None = None


class RulesFileError(ValueError):
    """A rules file that cannot be used: every problem found, each with its line."""

    def __init__(self, source: str, problems: Sequence[Problem]) -> None:
        self.source = source
        self.problems = tuple(problems)
        super().__init__(str(self))

    @property
    def line(self) -> int | None:
        return self.problems[0].line if self.problems else None

    @property
    def reason(self) -> str:
        return self.problems[0].reason if self.problems else ""

    def __str__(self) -> str:
        return "\n".join(self._where(p) + p.reason for p in self.problems)

    def _where(self, problem: Problem) -> str:
        if problem.line is None:
            return f"{self.source}: "
        if problem.column is None:
            return f"{self.source}:{problem.line}: "
        return f"{self.source}:{problem.line}:{problem.column}: "


# --------------------------------------------------------------------------- source lines

_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_-]+(?:\s*\.\s*[A-Za-z0-9_-]+)*)\s*\]\]?\s*(?:#.*)?$")


class _SourceMap:
    """Finds the line of a table, an array item or a key in the text tomllib parsed.

    tomllib reports lines only for syntax errors; for the meaning of a file (an unknown track, a
    bad date, overlapping periods) the loader asks this map where the offending item is: the n-th
    ``[[rule]]`` header, then the first line of each key on the path inside that item.
    """

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.headers: list[tuple[int, str, bool]] = []
        for number, line in enumerate(self.lines, start=1):
            found = _HEADER.match(line)
            if found:
                self.headers.append((number, re.sub(r"\s+", "", found[2]), found[1] == "[["))

    def block(self, table: str | None, index: int | None = None) -> tuple[int, int]:
        """First and one-past-last line of a table (``index``: the n-th item of an array)."""
        end_of_file = len(self.lines) + 1
        if table is None:  # top-level keys: before the first header
            first = self.headers[0][0] if self.headers else end_of_file
            return 1, first
        if index is not None:
            starts = [n for n, name, is_array in self.headers if is_array and name == table]
        else:
            starts = [n for n, name, is_array in self.headers if not is_array and name == table]
        if not starts:
            return 1, end_of_file
        start = starts[min(index or 0, len(starts) - 1)]
        for number, name, _ in self.headers:
            if number > start and not (name.startswith(table + ".")):
                return start, number
        return start, end_of_file

    def line_of(self, table: str | None, index: int | None = None, path: Sequence[str] = ()) -> int:
        start, end = self.block(table, index)
        line = start
        for key in path:
            found = self._find_key(key, line, end)
            if found is None:
                break
            line = found
        return line

    def _find_key(self, key: str, start: int, end: int) -> int | None:
        assignment = re.compile(rf'(^|[{{,\s]){re.escape(key)}\s*=|(^|[{{,\s])"{re.escape(key)}"\s*=')
        header_names = {n: name for n, name, _ in self.headers}
        for number in range(start, min(end, len(self.lines) + 1)):
            text = self.lines[number - 1].split("#", 1)[0]
            header = header_names.get(number)
            if header is not None and header.split(".")[-1] == key and number != start:
                return number
            if assignment.search(text):
                return number
        return None


# --------------------------------------------------------------------------- validation

_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]*")


class InvalidValue(Exception):
    """One problem with a value; the loader records it with the value's line."""


@dataclass
class TableItem:
    """One table of the file being read, with where it is, for messages and line numbers."""

    loader: FileReader
    table: str | None
    index: int | None
    data: Mapping[str, Any]

    @property
    def name(self) -> str:
        if self.table is None:
            return "the top level"
        return f"[[{self.table}]] #{self.index + 1}" if self.index is not None else f"[{self.table}]"

    def line(self, *path: str) -> int:
        return self.loader.map.line_of(self.table, self.index, path)

    def problem(self, reason: str, *path: str) -> None:
        self.loader.problems.append(Problem(self.line(*path), reason))

    def allow(self, keys: Iterable[str]) -> None:
        allowed = list(keys)
        for key in self.data:
            if key not in allowed:
                hint = difflib.get_close_matches(key, allowed, n=1)
                suggestion = f" (did you mean '{hint[0]}'?)" if hint else ""
                self.problem(
                    f"unknown key '{key}' in {self.name}{suggestion}; allowed: {', '.join(allowed)}", key
                )

    def get(
        self,
        key: str,
        convert: Callable[[Any], Any],
        *,
        required: bool = False,
        default: Any = None,
        path: Sequence[str] = (),
    ) -> Any:
        """``data[key]`` converted, or ``default``; a missing required key or a bad value is
        recorded as a problem (and ``default`` returned) so that loading reports them all."""
        where = (*path, key)
        if key not in self.data:
            if required:
                self.problem(f"{self.name} needs '{'.'.join(where)}'", *path)
            return default
        try:
            return convert(self.data[key])
        except InvalidValue as error:
            self.problem(f"'{'.'.join(where)}' in {self.name}: {error}", *where)
            return default


def text_value(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidValue("expected non-empty text")
    return value.strip()


def version_value(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise InvalidValue("expected text or a number")
    return str(value).strip()


def code_value(value: Any) -> str:
    text = text_value(value)
    if not _CODE.fullmatch(text):
        raise InvalidValue(f"'{text}' is not a code (letters, digits, '_', '.', '-')")
    return text


def texts_value(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (text_value(value),)
    if not isinstance(value, list):
        raise InvalidValue("expected a list of text")
    return tuple(text_value(v) for v in value)


def date_value(value: Any) -> date:
    if isinstance(value, datetime):
        raise InvalidValue(f"expected a date without a time, got {value.isoformat()}")
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            raise InvalidValue(f"'{value}' is not a date (YYYY-MM-DD)") from None
    raise InvalidValue(f"expected a date (YYYY-MM-DD), got {value!r}")


def positive_int_value(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise InvalidValue(f"expected a whole number above 0, got {value!r}")
    return value


def bool_value(value: Any) -> bool:
    if not isinstance(value, bool):
        raise InvalidValue(f"expected true or false, got {value!r}")
    return value


def age_value(value: Any) -> Age:
    if not isinstance(value, dict):
        raise InvalidValue("expected a table { years = N, months = M }")
    extra = set(value) - {"years", "months"}
    if extra:
        raise InvalidValue(f"unknown key '{sorted(extra)[0]}' (allowed: years, months)")
    years, months = value.get("years"), value.get("months", 0)
    if isinstance(years, bool) or not isinstance(years, int) or not 15 <= years <= 100:
        raise InvalidValue(f"'years' must be a whole number of years from 15 to 100, got {years!r}")
    if isinstance(months, bool) or not isinstance(months, int) or not 0 <= months <= 11:
        raise InvalidValue(f"'months' must be a whole number from 0 to 11, got {months!r}")
    return Age(years, months)


def multiplier_value(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise InvalidValue(f"expected a number above 0, got {value!r}")
    return Decimal(str(value))


def enum_value(kind: type[StrEnum]) -> Callable[[Any], Any]:
    def convert(value: Any) -> Any:
        try:
            return kind(value)
        except ValueError:
            allowed = ", ".join(member.value for member in kind)
            raise InvalidValue(f"'{value}' is not one of: {allowed}") from None

    return convert


def track_value(value: Any) -> Track:
    try:
        return Track(value)
    except ValueError:
        allowed = ", ".join(t.value for t in Track if catalog.track_info(t).has_levels)
        raise InvalidValue(f"unknown track '{value}' (tracks with levels: {allowed})") from None


def table_value(value: Any) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise InvalidValue('expected a table, e.g. { track = "...", level = "..." }')
    return value


def regex_value(value: Any) -> str:
    text = text_value(value)
    try:
        re.compile(text)
    except re.error as error:
        raise InvalidValue(f"not a valid regular expression: {error}") from None
    return text


class FileReader:
    """The text being read, its map of lines, and the problems found so far."""

    def __init__(self, text: str, source: str) -> None:
        self.text = text
        self.source = source
        self.map = _SourceMap(text)
        self.problems: list[Problem] = []
        self.choice_option: dict[str, str] = {}

    def fail_if_any(self) -> None:
        if self.problems:
            ordered = sorted(self.problems, key=lambda p: p.line or 0)
            raise RulesFileError(self.source, ordered)

    def _top_level_line(self, key: str) -> int:
        for number, name, _ in self.map.headers:
            if name == key or name.startswith(key + "."):
                return number
        return self.map.line_of(None, None, (key,))

    def _table_item(self, name: str, value: Any, *, required: bool = False) -> TableItem | None:
        if value is None:
            if required:
                self.problems.append(Problem(1, f"the file needs a [{name}] table (id, version, title)"))
            return None
        if not isinstance(value, dict):
            self.problems.append(Problem(self._top_level_line(name), f"'{name}' must be a table: [{name}]"))
            return None
        return TableItem(self, name, None, value)

    def _array(self, top: TableItem, name: str) -> list[TableItem]:
        value = top.data.get(name, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.problems.append(
                Problem(self._top_level_line(name), f"'{name}' must be written as [[{name}]] tables")
            )
            return []
        return [TableItem(self, name, index, item) for index, item in enumerate(value)]

    def _unique_ids(self, table: str, items: Sequence[Any]) -> None:
        seen: dict[str, int | None] = {}
        for item in items:
            if item.id in seen:
                self.problems.append(
                    Problem(
                        item.line, f"[[{table}]] id '{item.id}' is used twice (first at line {seen[item.id]})"
                    )
                )
            else:
                seen[item.id] = item.line

    def _variants(self, item: TableItem) -> frozenset[str]:
        def convert(value: Any) -> frozenset[str]:
            names = texts_value(value)
            unknown = [n for n in names if n not in self.choice_option]
            if unknown:
                declared = ", ".join(sorted(self.choice_option)) or "none declared"
                raise InvalidValue(f"unknown variant choice '{unknown[0]}' (declared: {declared})")
            return frozenset(names)

        result: frozenset[str] = item.get("variants", convert, default=frozenset())
        return result
