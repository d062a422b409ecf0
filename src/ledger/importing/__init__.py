"""Bulk import of legacy staff and training records kept in Excel (XLSX) or CSV.

Agencies keep their staff lists and training histories in spreadsheets. This package reads them
(one table of staff, one of credentials and enrollments; Vietnamese or English headers; dates as
agencies write them), checks every row twice, and only then records anything:

1. shape: required cells, date and number formats, known codes and labels (``parse_*``);
2. rules: each staff member's rows are run through the aggregate's own commands
   (``StaffMember.register``, ``enroll``, ``complete``, ``withdraw``, ``recognize_credential``) on an
   in-memory aggregate, so a row that breaks a rule of the record (a completion before its start, a
   level that does not belong to its track, a course dated before birth) is reported with its row
   number and column, exactly as the application would refuse it.

By default nothing is recorded when any row is bad; ``partial=True`` records the staff members whose
rows are all good (all of a person's rows or none). Re-running the same file records nothing twice:
enrollment and credential ids are derived from the staff code and the row's content (or taken from
the ``record_id`` column), facts already on the record are skipped, and a staff member already
registered with identical details is skipped.

The aggregates that pass are saved in batches (many aggregates per ``Ledger.save`` call, one
transaction each), which is what makes a 50,000-row file take seconds rather than minutes.

The template (every column, both languages, accepted values) is documented in
``docs/import-records.md``; the column tables below are its source of truth.
"""


from ledger.importing.cells import CellError, LegacyFileError, RowIssue, parse_date, parse_level
from ledger.importing.plan import Planner
from ledger.importing.reading import read_tables
from ledger.importing.run import BATCH_EVENTS, ImportReport, group_rows, import_records, save_plans
from ledger.importing.template import DEFAULT_RECORDED_BY, TableKind, header_key

__all__ = [
    "BATCH_EVENTS",
    "DEFAULT_RECORDED_BY",
    "CellError",
    "ImportReport",
    "LegacyFileError",
    "Planner",
    "RowIssue",
    "TableKind",
    "group_rows",
    "header_key",
    "import_records",
    "parse_date",
    "parse_level",
    "read_tables",
    "save_plans",
]
