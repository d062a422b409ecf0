"""``ledger bm01``: form BM01/BNV on the command line.

It brings the views level with the log (as ``ledger demo`` and ``ledger import`` do at their end;
safe beside a running server's engine), then asks the read model the question the HTTP API and
the pages ask (``projections.forms``), and prints one table per group of the form's columns, or
with ``--json`` the same JSON as ``GET /reports/bm01``.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Annotated, Any

import typer
from rich.table import Table

from api.cli.options import AsJson, KnownAt, UnitOption, business_day, known_moment, print_json
from api.cli.session import fail, ledger_session
from ledger.clock import agency_clock
from ledger.domain import errors
from ledger.terminal import table_console
from projections.catch_up import catch_up_views
from projections.forms import BM01_GROUPS, NOT_RECORDED_NOTE, Bm01Report, last_complete_year_end
from projections.queries import ReadModel

NOT_RECORDED_CELL = "không ghi nhận (not recorded)"


def bm01_json(report: Bm01Report) -> dict[str, Any]:
    """The answer as ``GET /reports/bm01`` gives it."""
    return {**dataclasses.asdict(report), "note": NOT_RECORDED_NOTE.en}


def bm01(
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="Business date YYYY-MM-DD (default: 31 December of the last complete year).",
            show_default=False,
        ),
    ] = None,
    unit: UnitOption = None,
    known_at: KnownAt = None,
    as_json: AsJson = False,
) -> None:
    """Form BM01/BNV: the numbers and quality of the staff on the roll on a date, per unit."""
    day: date = business_day(as_of, "--as-of") if as_of else last_complete_year_end(agency_clock().today())
    moment = known_moment(known_at)
    with ledger_session(must_exist=True) as ledger:  # reads only: never create an empty store
        catch_up_views(ledger)
        reads = ReadModel(ledger)
        try:
            report = reads.bm01(as_of=day, unit=unit, known_at=moment)
        except errors.LedgerError as error:
            raise fail(str(error)) from None
        finally:
            reads.close()
    if as_json:
        print_json(bm01_json(report))
        return
    console = table_console()
    rows = [*report.units, report.total]
    names = [row.unit or "Tổng cộng (total)" for row in rows]
    head = Table(title=f"BM01/BNV on {day}" + (f" — {unit}" if unit else ""))
    head.add_column("đơn vị (unit)")
    singles = [g for g in BM01_GROUPS if not g.columns]
    for group in singles:
        head.add_column(group.label.vi, justify="right")
    for name, row in zip(names, rows, strict=True):
        values = (getattr(row, g.key) for g in singles)
        head.add_row(name, *(NOT_RECORDED_CELL if v is None else str(v) for v in values))
    console.print(head)
    for group in BM01_GROUPS:
        if not group.columns:
            continue
        table = Table(title=f"{group.label.vi} ({group.label.en})")
        table.add_column("đơn vị (unit)")
        for column in group.columns:
            table.add_column(column.label.vi, justify="right")
        for name, row in zip(names, rows, strict=True):
            counts = getattr(row, group.key)
            table.add_row(name, *(str(counts[c.key]) for c in group.columns))
        console.print(table)
    ages = ", ".join(f"{a.gender} {a.years}y{a.months}m ({a.rule_id})" for a in report.retirement_ages)
    console.print(f"Retirement ages reached in {day.year}: {ages or 'none in the rules file'}.")
    console.print(NOT_RECORDED_NOTE.en)


def register(app: typer.Typer) -> None:
    """Add ``bm01`` to ``app``."""
    app.command("bm01")(bm01)
