"""``ledger needs``, ``ledger appointments``, ``ledger commitments``, ``ledger effectiveness``.

The position-standards reports on the command line. Each asks the one query layer
(``projections.reports``) that the HTTP API and the pages ask, and only prints its answer: a table,
or with ``--json`` the same JSON data the API gives (every item, without paging). They open the
ledger on the configured store (``LEDGER_DATABASE_URL``) with the rules of
``LEDGER_RULES``/``LEDGER_RULES_VARIANT``, and never create an empty store.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, TypeVar

import typer

from api.cli.options import (
    AsJson,
    AsOf,
    KnownAt,
    StaffOption,
    StructureOption,
    Table,
    UnitOption,
    business_day,
    known_moment,
    print_json,
)
from api.cli.session import fail, ledger_session
from ledger.domain import errors
from ledger.domain.catalog import Track
from ledger.standards.model import RequirementKind
from ledger.standards.ruleset import RuleSet
from ledger.terminal import level_label, position_label, table_console, track_label
from projections.queries import ReadModel
from projections.report_json import appointments_json, commitments_json, effectiveness_json, needs_json
from projections.reports import Reports
from projections.units import UnitStructure

T = TypeVar("T")


def _answer(ask: Callable[[Reports], T]) -> tuple[T, RuleSet]:
    """The answer of the query layer and the rules it applied, or the error it gives as one line
    and exit 1."""
    with ledger_session(must_exist=True) as ledger:  # reads only: never create an empty store
        reads = ReadModel(ledger)
        try:
            # The engine's views, when they are level with the log (a server or `ledger
            # projections run` keeps them); else the records are folded here, which gives the
            # same answer from the log alone.
            reports = reads.reports if reads.level_with_log() else Reports(ledger)
            return ask(reports), reports.rules
        except errors.LedgerError as error:
            raise fail(str(error)) from None
        finally:
            reads.close()


def _when(
    as_of: str | None, known_at: str | None, structure: UnitStructure | None
) -> tuple[date, datetime | None, str | None]:
    """The business date, the recording time and the structure's name every report asks by."""
    mapped = None if structure is None else structure.value
    return business_day(as_of, "--as-of"), known_moment(known_at), mapped


def needs(
    as_of: AsOf = None,
    position: Annotated[
        str | None, typer.Option("--position", help="Check everyone against this post instead of their own.")
    ] = None,
    unit: UnitOption = None,
    staff_id: StaffOption = None,
    known_at: KnownAt = None,
    structure: StructureOption = None,
    everyone: Annotated[bool, typer.Option("--all", help="Include people without gaps (JSON).")] = False,
    as_json: AsJson = False,
) -> None:
    """Training needs on a date: each active person's unmet requirements, and the planning pools."""
    day, moment, mapped = _when(as_of, known_at, structure)
    answer, rules = _answer(
        lambda r: r.needs(
            as_of=day, known_at=moment, position=position, unit=unit, staff_id=staff_id, structure=mapped
        )
    )
    if as_json:
        print_json(needs_json(answer, everyone=everyone))
        return
    report = answer.report
    rules_label = report.rule_set
    table = Table(title=f"Training needs on {day} — {rules_label}")
    for column in (
        "staff",
        "name",
        "post",
        "track",
        "required",
        "holds",
        "status",
        "deadline",
        "rule",
        "flags",
    ):
        table.add_column(column)
    for person in answer.listed:
        for check_ in person.gaps:
            training = check_.kind == RequirementKind.TRAINING
            held = level_label(check_.track, check_.held.level) if check_.held else "—"
            if not training:
                held = check_.held_text or "—"
            if check_.in_training:
                held += " (in training)"
            table.add_row(
                person.staff_id,
                person.full_name,
                position_label(rules, check_.position),
                track_label(check_.track),
                level_label(check_.track, check_.required_level) if training else check_.requirement,
                held,
                str(check_.status),
                str(check_.deadline or ""),
                check_.rule_id,
                ", ".join(person.flags),
            )
    console = table_console()
    console.print(table)
    console.print(
        f"{len(report.with_gaps)} of {len(report.people)} active staff have gaps; "
        f"by status: {report.by_status()}"
    )
    if report.pools:
        pools = Table(title="Planning pools (quy hoạch)")
        for column in ("position", "candidates", "ready", "not ready: missing"):
            pools.add_column(column)
        for pool in report.pools:
            missing = "; ".join(
                f"{c.staff_id}: {', '.join(track_label(g.track) for g in c.check.blocking)}"
                for c in pool.candidates
                if not c.ready
            )
            pools.add_row(pool.position_name, str(len(pool.candidates)), str(pool.ready), missing)
        console.print(pools)


def appointments(
    as_of: AsOf = None,
    unit: UnitOption = None,
    staff_id: StaffOption = None,
    flagged: Annotated[
        bool, typer.Option("--flagged", help="Only appointments that failed the rules then, or fail today's.")
    ] = False,
    known_at: KnownAt = None,
    structure: StructureOption = None,
    as_json: AsJson = False,
) -> None:
    """Every appointment made by a date, judged by the rules in force then and by today's."""
    day, moment, mapped = _when(as_of, known_at, structure)
    answer, _ = _answer(
        lambda r: r.appointments(
            as_of=day, known_at=moment, staff_id=staff_id, unit=unit, flagged=flagged, structure=mapped
        )
    )
    if as_json:
        print_json(appointments_json(answer))
        return
    table = Table(title=f"Appointments by {day} — {answer.rule_set}")
    for column in (
        "staff",
        "name",
        "post",
        "on",
        "decision",
        "rules then",
        "today's rules then",
        "now",
        "waiver",
    ):
        table.add_column(column)

    def verdict(ok: bool) -> str:
        return "met" if ok else "NOT MET"

    for row in answer.listed:
        review = row.review
        table.add_row(
            row.staff_id,
            row.full_name,
            review.position_name,
            review.effective_on.isoformat(),
            review.decision_ref,
            verdict(review.met_rules_then),
            verdict(review.would_meet_todays_rules_then),
            verdict(review.meets_todays_rules),
            f"{review.waiver.legal_basis} until {review.waiver.deadline}" if review.waiver else "",
        )
    console = table_console()
    console.print(table)
    summary = answer.summary()
    console.print(", ".join(f"{key.replace('_', ' ')}: {value}" for key, value in summary.items()))


def commitments(
    as_of: AsOf = None,
    unit: UnitOption = None,
    staff_id: StaffOption = None,
    status: Annotated[str | None, typer.Option("--status", help="Only commitments in this state.")] = None,
    known_at: KnownAt = None,
    structure: StructureOption = None,
    as_json: AsJson = False,
) -> None:
    """Service commitments of funded degree courses, and what early leavers owe."""
    day, moment, mapped = _when(as_of, known_at, structure)
    answer, _ = _answer(
        lambda r: r.commitments(
            as_of=day, known_at=moment, staff_id=staff_id, unit=unit, status=status, structure=mapped
        )
    )
    if as_json:
        print_json(commitments_json(answer))
        return
    report = answer.report
    table = Table(title=f"Service commitments on {day} — {report.rule_set}")
    for column in ("staff", "course", "F", "T1", "T2", "until", "status", "owes", "formula", "rule"):
        table.add_column(column)
    for c in report.items:
        table.add_row(
            c.staff_id,
            f"{c.course_code} ({c.level})",
            str(c.cost if c.cost is not None else "—"),
            str(c.committed_months if c.committed_months is not None else "—"),
            str(c.served_months if c.served_months is not None else "—"),
            str(c.service_until or ""),
            str(c.status),
            str(c.reimbursement if c.reimbursement is not None else "—"),
            c.formula,
            c.rule_id,
        )
    console = table_console()
    console.print(table)
    console.print(f"{len(report.open)} open; {len(report.owed)} owing, total {report.total_owed}")


def effectiveness(
    as_of: AsOf = None,
    unit: UnitOption = None,
    tracks: Annotated[
        str | None, typer.Option("--tracks", help="Comma-separated tracks (default: all).")
    ] = None,
    from_year: Annotated[int | None, typer.Option("--from-year", help="First year of completion.")] = None,
    to_year: Annotated[int | None, typer.Option("--to-year", help="Last year of completion.")] = None,
    known_at: KnownAt = None,
    structure: StructureOption = None,
    as_json: AsJson = False,
) -> None:
    """Annual ratings before and after each programme, and post-training evaluations, per year."""
    day, moment, mapped = _when(as_of, known_at, structure)
    wanted: list[Track] | None = None
    if tracks:
        try:
            wanted = [Track(t.strip()) for t in tracks.split(",") if t.strip()]
        except ValueError as error:
            raise typer.BadParameter(str(error), param_hint="--tracks") from None
    answer, _ = _answer(
        lambda r: r.effectiveness(
            as_of=day,
            known_at=moment,
            unit=unit,
            tracks=wanted,
            from_year=from_year,
            to_year=to_year,
            structure=mapped,
        )
    )
    if as_json:
        print_json(effectiveness_json(answer))
        return
    table = Table(title=f"Training effectiveness to {day}")
    for column in (
        "programme",
        "track",
        "level",
        "year",
        "done",
        "compared",
        "+",
        "=",
        "−",
        "before",
        "after",
        "applied",
    ):
        table.add_column(column)
    for e in answer.effects:
        table.add_row(
            e.course_code,
            track_label(e.track),
            level_label(e.track, e.level),
            str(e.year),
            str(e.completions),
            str(e.compared),
            str(e.improved),
            str(e.unchanged),
            str(e.declined),
            str(e.mean_before or ""),
            str(e.mean_after or ""),
            f"{e.applied_share}" if e.applied_share is not None else "",
        )
    table_console().print(table)


def register(app: typer.Typer) -> None:
    """Add ``needs``, ``appointments``, ``commitments`` and ``effectiveness`` to ``app``."""
    app.command("needs")(needs)
    app.command("appointments")(appointments)
    app.command("commitments")(commitments)
    app.command("effectiveness")(effectiveness)
