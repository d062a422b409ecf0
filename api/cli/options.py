"""What the report commands share: their options, the parsing of dates and times, the tables
(plain text, never markup) and the JSON they print."""

from __future__ import annotations

import enum
import json
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table as RichTable

from api.cli.session import STORE_ERROR_EXIT, fail
from ledger.clock import ClockConfigError, agency_clock
from projections.units import UnitStructure

AsOf = Annotated[
    str | None, typer.Option("--as-of", help="Business date YYYY-MM-DD (default: today).", show_default=False)
]
Variant = Annotated[
    str | None,
    typer.Option(
        "--variant", help="Variant choices, e.g. 'strict' or 'strict,before' (default: the file's)."
    ),
]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]
UnitOption = Annotated[str | None, typer.Option("--unit", help="Only people in this unit on the date.")]
KnownAt = Annotated[
    str | None,
    typer.Option("--known-at", help="Recording time (RFC 3339): the report as the ledger knew it then."),
]
StaffOption = Annotated[str | None, typer.Option("--staff-id", help="Only this staff member.")]
StructureOption = Annotated[
    UnitStructure | None,
    typer.Option(
        "--structure",
        help="With --unit: map each person's unit onto the structure of the date (as_of, the default) "
        "or today's (current), where a unit merged since counts under the one it was merged into.",
    ),
]


def business_day(text: str | None, option: str) -> date:
    """The date given to ``option``, or the agency's today; a bad date is a usage error."""
    if text is None:
        # The agency's date (LEDGER_TIMEZONE), not the machine's: before 07:00 in Vietnam the
        # two differ.
        try:
            return agency_clock().today()
        except ClockConfigError as error:  # a bad LEDGER_TIMEZONE is set up wrong, like a bad store
            raise fail(str(error), STORE_ERROR_EXIT) from None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"'{text}' is not a date (YYYY-MM-DD).", param_hint=option) from None


def known_moment(text: str | None) -> datetime | None:
    """The recording time given to ``--known-at``, if any; a bad one is a usage error."""
    if text is None:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"'{text}' is not a time (RFC 3339).", param_hint="--known-at") from None


class Table(RichTable):
    """A rich table whose title and cells are plain text: legal bases like "[S]" and labels
    like "[strict,before]" are not markup."""

    def __init__(self, *, title: str) -> None:
        super().__init__(title=escape(title))

    def add_row(self, *cells: Any, **kwargs: Any) -> None:
        super().add_row(*(escape(str(c)) for c in cells), **kwargs)


def _plain(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal | enum.Enum):
        return str(value.value if isinstance(value, enum.Enum) else value)
    raise TypeError(f"{type(value).__name__} is not JSON")


def print_json(data: Any) -> None:
    """``data`` as indented JSON, dates as ISO text and decimals as strings."""
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=_plain))
