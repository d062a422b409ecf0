"""``ledger import-records``: bulk import of legacy staff and training records (XLSX or CSV).

Exit status: 0 when every row was good (and, unless ``--dry-run``, recorded); 1 when some rows
are bad (nothing recorded, or with ``--partial`` only the staff members whose rows are all good);
2 when a file cannot be read as a template at all, or the store cannot be opened or used.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Annotated

import typer
from eventsourcing.persistence import PersistenceError

from api.cli.session import open_ledger
from ledger.cells import csv_cell
from ledger.importing import (
    DEFAULT_RECORDED_BY,
    ImportReport,
    LegacyFileError,
    RowIssue,
    import_records,
)

# Enough to fix a file by; the rest go to --report.
SHOWN_ISSUES = 200


def import_records_command(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="One workbook (.xlsx) with a staff sheet and a training sheet, or one or two "
            "CSV files (UTF-8) recognised by their headers. See docs/import-records.md.",
            show_default=False,
        ),
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check every row and report; record nothing.")
    ] = False,
    partial: Annotated[
        bool,
        typer.Option(
            "--partial",
            help="Record the staff members whose rows are all good; leave out the others "
            "(all of a person's rows or none). Default: record nothing if any row is bad.",
        ),
    ] = False,
    recorded_by: Annotated[
        str,
        typer.Option(
            "--recorded-by",
            help="The name recorded as the author of the events. Imported credentials name "
            "their verifier from the file's verified_by column (Người xác minh), else none.",
        ),
    ] = DEFAULT_RECORDED_BY,
    report_path: Annotated[
        Path | None,
        typer.Option(
            "--report",
            help="Also write every bad row to this CSV file (UTF-8 with BOM, opens in Excel).",
            dir_okay=False,
        ),
    ] = None,
) -> None:
    """Import staff, credentials and enrollments from legacy spreadsheets.

    Every row is checked first (formats, codes and the record's rules) and every bad row named.

    By default nothing is recorded if any row is bad. Running the same file again records nothing twice.
    """
    if len(files) > 2:
        raise typer.BadParameter("give one workbook, or one or two CSV files.", param_hint="FILES")
    if not recorded_by.strip():
        raise typer.BadParameter("must not be blank.", param_hint="--recorded-by")
    ledger = open_ledger()  # a store that cannot be opened is one line and exit 2
    try:
        report = import_records(
            ledger, files, dry_run=dry_run, partial=partial, recorded_by=recorded_by.strip()
        )
    except LegacyFileError as error:
        typer.echo(f"Cannot import: {error.message}", err=True)
        raise typer.Exit(2) from None
    except PersistenceError as error:
        # A PostgreSQL schema that does not exist is only found at the first query.
        typer.echo(f"Cannot import: the store cannot be used (LEDGER_DATABASE_URL): {error}", err=True)
        raise typer.Exit(2) from None
    finally:
        ledger.close()
    if report_path is not None:
        write_issue_report(report_path, report.issues)
    typer.echo(render(report, report_path=report_path))
    if report.issues:
        raise typer.Exit(1)


def render(report: ImportReport, *, report_path: Path | None = None) -> str:
    """The import's outcome in a few lines a registrar can act on."""
    lines = [f"Read {', '.join(report.tables)}."]
    lines += [f"Note: {w}" for w in report.warnings[:SHOWN_ISSUES]]
    if report.issues:
        bad_rows = len({(i.source, i.sheet, i.row) for i in report.issues})
        lines.append(f"{bad_rows} bad row(s), {len(report.issues)} problem(s):")
        lines += [f"  {issue}" for issue in report.issues[:SHOWN_ISSUES]]
        if len(report.issues) > SHOWN_ISSUES:
            more = len(report.issues) - SHOWN_ISSUES
            hint = f" (all in {report_path})" if report_path else " (use --report FILE to list all)"
            lines.append(f"  ... and {more} more{hint}")
    c = report.counts
    facts = (
        f"{c.staff_registered} staff registered ({c.staff_unchanged} already registered), "
        f"{c.enrollments} enrollments, {c.completions} completions, {c.withdrawals} withdrawals, "
        f"{c.credentials} recognized credentials, {c.departures} departures; "
        f"{c.facts_skipped} facts already on the record"
    )
    rate = f"{report.rows} rows in {report.seconds:.1f} s ({report.rows_per_second:,.0f} rows/s)"
    if report.dry_run:
        verdict = "every row is good" if report.ok else "fix the rows above before importing"
        lines.append(f"Dry run, nothing recorded ({verdict}). Would record: {facts}; "
                     f"{c.events} events. {rate}.")
    elif not report.recorded:
        lines.append(
            "Nothing recorded: fix the rows above and run again, or use --partial to record the "
            "staff members whose rows are all good."
        )
    else:
        left_out = ""
        if report.staff_left_out:
            left_out = (f" Left out {report.staff_left_out} staff member(s) with bad rows "
                        f"({report.rows_left_out} rows).")
        lines.append(f"Recorded: {facts}; {c.events} events. {rate}.{left_out}")
    return "\n".join(lines)


def write_issue_report(path: Path, issues: list[RowIssue]) -> None:
    """Every bad row as CSV, with a BOM so that Excel shows the Vietnamese text correctly."""
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["file", "sheet", "row", "column", "problem"])
        for issue in issues:
            # The cells quote the bad file's own text: written so that they cannot run as formulas.
            cells = (issue.source, issue.sheet or "", issue.row or "", issue.column or "", issue.message)
            writer.writerow([csv_cell(v) for v in cells])


def register(app: typer.Typer) -> None:
    """Add ``import-records`` to the ``ledger`` command."""
    app.command("import-records")(import_records_command)
