"""The attendance report's splits (docs/domain.md §3.6) and the annual form (§4.1) as tables: one
definition that the pages render and the CSV/XLSX exports write, in Vietnamese or English."""

from __future__ import annotations

from typing import Any

from api.pages.exports import Table
from api.pages.i18n import TEXT, Translator
from projections.annual import FORM_ROWS_BY_KEY, SECTIONS
from projections.results import AnnualLine, AnnualReport, AttendanceReport, Tally

# The splits shown, in the order of §3.6 (track, year and status have tables of their own).
# The form's target groups, in its order of columns (public employees: never recorded).
TARGET_GROUPS = ("agency_leader", "division_leader", "civil_servant", "public_employee", "contract")
SHOWN = ("mode", "location", "funding", "gender", "post_at_start", "age_at_start", "staff_status")


def key_label(t: Translator, key: str) -> str:
    """The words for a split's key: its own (``key.abroad`` …) or the catalog code's label."""
    return t(f"key.{key}") if f"key.{key}" in TEXT else t.code(key)


def split_tables(t: Translator, report: AttendanceReport) -> list[Table]:
    """One table per split (key, attendances, persons, with the total), then the programmes with
    their outcomes, then the roll by attendances per person."""
    columns = ["", t("common.attendances"), t("common.persons")]
    tables = []
    for name in SHOWN:
        split: dict[str, Tally] = getattr(report, f"by_{name}")
        rows: list[list[Any]] = [[key_label(t, k), v.attendances, v.persons] for k, v in split.items()]
        rows.append([t("common.total"), report.attendances, report.persons])
        tables.append(Table(t(f"split.{name}"), columns, rows))
    outcomes = ("completed", "in_progress", "withdrawn", "failed")
    tables.append(
        Table(
            t("split.programme"),
            [t("split.course_code"), *columns[1:], *(t(f"key.{o}") for o in outcomes)],
            [
                [code, p.attendances, p.persons, *(getattr(p, o) for o in outcomes)]
                for code, p in report.by_programme.items()
            ],
        )
    )
    tables.append(
        Table(
            t("split.per_person"),
            [t("split.courses"), t("split.people")],
            [[int(n), people] for n, people in report.per_person.items()],
        )
    )
    return tables


def annual_columns(t: Translator) -> list[tuple[str, list[str]]]:
    """The form's column groups and their columns, as headed on paper (a group with one column
    spans two heading rows)."""
    return [
        (t("annual.content"), []),
        (t("annual.classes"), []),
        (
            t("annual.attendances"),
            [t("common.total"), t("annual.female"), t("annual.ethnic_minority"), t("annual.party_member")],
        ),
        (
            t("annual.target_groups"),
            [t(f"annual.{g}") for g in TARGET_GROUPS],
        ),
        (t("annual.persons"), []),
        (t("annual.outcomes"), [t("annual.completed"), t("annual.in_progress"), t("annual.not_completed")]),
        (t("annual.funding"), [t("annual.state_budget"), t("annual.other_funding")]),
        (t("annual.plan_percent"), []),
        (t("annual.notes"), []),
    ]


def annual_label(t: Translator, line: AnnualLine) -> str:
    """The row's words as on the form: sections numbered I, II, III; rows under a heading after it."""
    if line.key.startswith("section_"):
        return f"{line.section}. {t.label(SECTIONS[line.section])}"
    label = t.label(line.label)
    group = FORM_ROWS_BY_KEY[line.key].group if line.key in FORM_ROWS_BY_KEY else None
    return f"{t.label(group)}: {label}" if group is not None else label


def annual_cells(t: Translator, line: AnnualLine) -> list[Any]:
    """One line of the form: numbers, and "not recorded" for what the ledger does not hold."""
    nr = t("annual.not_recorded")

    def shown(value: Any) -> Any:
        return nr if value is None else value

    if not line.recorded:
        return [annual_label(t, line), *[nr] * 17, ""]
    notes = ""
    if line.costs_without_funding:
        notes = f"{line.costs_without_funding} × {t('key.not_recorded')} ({t('annual.funding')})"
    return [
        annual_label(t, line),
        shown(line.classes),
        line.attendances,
        line.female,
        shown(line.ethnic_minority),
        shown(line.party_member),
        *(shown(line.target_groups.get(g)) for g in TARGET_GROUPS),
        line.persons,
        line.completed,
        line.in_progress,
        line.not_completed,
        line.funding.get("state_budget"),
        line.funding.get("other"),
        shown(line.plan_percent),
        notes,
    ]


def annual_table(t: Translator, report: AnnualReport) -> Table:
    """The form as one flat table (CSV, and the page): the column groups joined to their columns."""
    columns: list[str] = []
    for group, parts in annual_columns(t):
        columns += [f"{group}: {part}" for part in parts] if parts else [group]
    rows = [annual_cells(t, line) for line in report.lines]
    return Table(f"{t('annual.title')} {report.year}", columns, rows)
