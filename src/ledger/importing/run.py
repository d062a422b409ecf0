"""Running an import: parse every row, plan every person, then save the people whose rows all pass,
in batches, and report what happened."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from eventsourcing.persistence import IntegrityError

from ledger.application import Ledger
from ledger.importing.cells import RowIssue, cell_text
from ledger.importing.plan import Counts, GroupPlan, Planner, StaffGroup
from ledger.importing.reading import Table, read_tables
from ledger.importing.rows import RowRef, StaffRow, TrainingRow, parse_staff_row, parse_training_row
from ledger.importing.template import DEFAULT_RECORDED_BY, STAFF_ID_PATTERN, TableKind

# ------------------------------------------------------------------------------------- running


@dataclass
class ImportReport:
    """What an import found and did (or, on a dry run or a refusal, would have done)."""

    files: list[str]
    dry_run: bool
    partial: bool
    tables: list[str] = field(default_factory=list)
    staff_rows: int = 0
    training_rows: int = 0
    issues: list[RowIssue] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    counts: Counts = field(default_factory=Counts)
    staff_left_out: int = 0
    rows_left_out: int = 0
    recorded: bool = False
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return self.staff_rows + self.training_rows

    @property
    def ok(self) -> bool:
        return not self.issues

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0


@dataclass
class ParsedRows:
    groups: dict[str, StaffGroup]
    issues: list[RowIssue]
    staff_rows: int
    training_rows: int
    ungrouped_bad_rows: int


def group_rows(tables: Sequence[Table]) -> ParsedRows:
    """Parse every row and gather them by staff member (bad rows too, when their staff code
    can be read, so that ``partial`` leaves that person out)."""
    groups: dict[str, StaffGroup] = {}
    issues: list[RowIssue] = []
    staff_rows = training_rows = ungrouped = 0

    def group_of(staff_id: str) -> StaffGroup:
        found = groups.get(staff_id)
        if found is None:
            found = groups[staff_id] = StaffGroup(staff_id)
        return found

    for table in tables:
        for number, cells in table.rows:
            at = RowRef(table, number)
            parsed: StaffRow | TrainingRow | None
            if table.kind == TableKind.STAFF:
                staff_rows += 1
                parsed, found = parse_staff_row(at, cells)
            else:
                training_rows += 1
                parsed, found = parse_training_row(at, cells)
            issues += found
            if parsed is None:
                staff_id = cell_text(table.value(cells, "staff_id"))
                if STAFF_ID_PATTERN.fullmatch(staff_id):
                    group_of(staff_id).bad_rows.append(at)
                else:
                    ungrouped += 1
            elif isinstance(parsed, StaffRow):
                group_of(parsed.staff_id).staff_rows.append(parsed)
            else:
                group_of(parsed.staff_id).training_rows.append(parsed)
    return ParsedRows(groups, issues, staff_rows, training_rows, ungrouped)


# Events per save: one transaction each. Larger batches amortise the commit; beyond a few thousand
# the gain is small and a failed batch costs more to redo.
BATCH_EVENTS = 2000


def import_records(
    ledger: Ledger,
    paths: Sequence[Path],
    *,
    dry_run: bool = False,
    partial: bool = False,
    recorded_by: str = DEFAULT_RECORDED_BY,
    batch_events: int = BATCH_EVENTS,
) -> ImportReport:
    """Validate every row of the files, then (unless ``dry_run``, and only if every row is good
    or ``partial``) record what is not yet on the ledger. Raises ``LegacyFileError`` when a file
    cannot be read as a template at all."""
    started = time.perf_counter()
    report = ImportReport(files=[p.name for p in paths], dry_run=dry_run, partial=partial)
    tables = read_tables(paths)
    report.tables = [f"{t.name} ({t.kind.value}, {len(t.rows)} rows)" for t in tables]
    for table in tables:
        if table.unknown_headers:
            names = ", ".join(f"'{h}'" for h in table.unknown_headers)
            report.warnings.append(f"{table.name}: column(s) {names} not in the template; ignored.")
    parsed = group_rows(tables)
    report.staff_rows, report.training_rows = parsed.staff_rows, parsed.training_rows
    report.issues += parsed.issues
    report.rows_left_out = parsed.ungrouped_bad_rows
    planner = Planner(ledger, recorded_by=recorded_by, recorded_at=ledger.clock())
    good: list[GroupPlan] = []
    for group in parsed.groups.values():
        plan = planner.plan(group)
        report.issues += plan.issues
        report.warnings += plan.warnings
        if plan.issues or group.bad_rows:
            report.staff_left_out += 1
            report.rows_left_out += group.row_count
        else:
            good.append(plan)
    report.issues.sort(key=lambda i: (i.source, i.sheet or "", i.row or 0))
    for plan in good:
        report.counts.add(plan.counts)
    if dry_run or (report.issues and not partial):
        report.seconds = time.perf_counter() - started
        return report
    save_plans(ledger, planner, good, report, batch_events)
    report.recorded = True
    report.seconds = time.perf_counter() - started
    return report


def save_plans(
    ledger: Ledger, planner: Planner, plans: list[GroupPlan], report: ImportReport, batch_events: int
) -> None:
    """Save the planned staff members, many per transaction; a batch that lost a race with
    another writer is planned again and saved one staff member at a time."""
    batch: list[GroupPlan] = []
    size = 0
    for plan in plans:
        if plan.pending == 0:
            continue
        batch.append(plan)
        size += plan.pending
        if size >= batch_events:
            _save_batch(ledger, planner, batch, report)
            batch, size = [], 0
    if batch:
        _save_batch(ledger, planner, batch, report)


def _save_batch(
    ledger: Ledger, planner: Planner, batch: list[GroupPlan], report: ImportReport
) -> None:
    try:
        ledger.save(*(p.member for p in batch))
    except IntegrityError:
        # Someone else wrote to one of these staff members since they were loaded: nothing of
        # this batch was recorded. Plan each again on its fresh record and save it alone.
        _redo_one_by_one(ledger, planner, batch, report)


def _redo_one_by_one(
    ledger: Ledger, planner: Planner, batch: list[GroupPlan], report: ImportReport
) -> None:
    for stale in batch:
        # What was counted at planning time was not recorded; count what this round records.
        _subtract(report.counts, stale.counts)
        plan = planner.plan(stale.group)
        issues = plan.issues
        if not issues and plan.member is not None and plan.pending:
            try:
                ledger.save(plan.member)
            except IntegrityError:
                first = (stale.group.staff_rows or stale.group.training_rows)[0].at
                issues = [
                    first.issue(
                        "staff_id",
                        f"{stale.group.staff_id} changed while it was being imported; nothing "
                        "was recorded for them: run the import again.",
                    )
                ]
        if issues:
            report.issues += issues
            report.staff_left_out += 1
            report.rows_left_out += stale.group.row_count
        else:
            report.counts.add(plan.counts)


def _subtract(total: Counts, part: Counts) -> None:
    for name in vars(total):
        setattr(total, name, getattr(total, name) - getattr(part, name))
