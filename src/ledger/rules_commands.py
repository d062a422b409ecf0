"""``ledger rules check|show``, ``ledger needs``, ``ledger commitments``, ``ledger effectiveness``.

Register with :func:`register` on the ``ledger`` Typer app. ``rules`` commands read only the rules
file; the others open the ledger on the configured store (``LEDGER_DATABASE_URL``) with the rules
of ``LEDGER_RULES``/``LEDGER_RULES_VARIANT``.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table as RichTable

from ledger.catalog import Track
from ledger.clock import ClockConfigError, agency_clock
from ledger.rules import (
    RULES_PATH_VARIABLE,
    RuleSet,
    RulesFileError,
    load_rules,
    rules_from_environment,
)
from ledger.standards import json_value
from ledger.terminal import level_label, position_label, table_console, track_label

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


def _day(text: str | None, option: str) -> date:
    if text is None:
        # The agency's date (LEDGER_TIMEZONE), not the machine's: before 07:00 in Vietnam the
        # two differ.
        try:
            return agency_clock().today()
        except ClockConfigError as error:
            typer.echo(f"Error: {error}", err=True)
            raise typer.Exit(2) from None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"'{text}' is not a date (YYYY-MM-DD).", param_hint=option) from None


class Table(RichTable):
    """A rich table whose title and cells are plain text: legal bases like "[S]" and labels
    like "[strict,before]" are not markup."""

    def __init__(self, *, title: str) -> None:
        super().__init__(title=escape(title))

    def add_row(self, *cells: Any, **kwargs: Any) -> None:
        super().add_row(*(escape(str(c)) for c in cells), **kwargs)


def _print_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _load(file: Path | None, variant: str | None) -> RuleSet:
    try:
        if file is not None:
            return load_rules(file, variant=variant)
        rules = rules_from_environment()
        return rules.select(variant) if variant else rules
    except RulesFileError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(1) from None


def check(
    file: Annotated[
        Path | None,
        typer.Argument(help=f"The rules file (default: ${RULES_PATH_VARIABLE}, else the shipped one)."),
    ] = None,
    variant: Variant = None,
) -> None:
    """Validate a rules file: print FILE:LINE: reason for every mistake (exit 1), or a summary."""
    rules = _load(file, variant)
    typer.echo(f"OK {rules.source}")
    typer.echo(f"rule set {rules.id} version {rules.version}: {rules.title}")
    for option in rules.options:
        typer.echo(
            f"variant {option.name}: {' | '.join(option.choices)} (selected: {rules.choices[option.name]})"
        )
    typer.echo(
        f"{len(rules.positions)} positions, {len(rules.rules)} rules, "
        f"{len(rules.equivalences)} equivalences, {len(rules.restrictions)} restrictions, "
        f"{len(rules.commitments)} commitment rules"
    )
    typer.echo(f"label recorded on appointments: {rules.label}")


def show(
    on: Annotated[
        str | None, typer.Option("--on", help="Date the rules are in force (default: today).")
    ] = None,
    position: Annotated[
        str | None, typer.Option("--position", help="Only this post or rank (title, code or alias).")
    ] = None,
    file: Annotated[
        Path | None, typer.Option("--file", help="A rules file instead of the configured one.")
    ] = None,
    variant: Variant = None,
    as_json: AsJson = False,
) -> None:
    """List the rules, equivalences and restrictions in force on a date."""
    rules = _load(file, variant)
    day = _day(on, "--on")
    codes = [p.code for p in rules.positions]
    if position is not None:
        found = rules.resolve(position)
        if found is None:
            known = ", ".join(f"{p.code} ({p.title})" for p in rules.positions)
            raise typer.BadParameter(
                f"no position '{position}' in the rules; known: {known}", param_hint="--position"
            )
        codes = [found.code]
    in_force = [r for r in rules.rules_in_force(day) if set(r.positions) & set(codes)]
    equivalences = [
        e for e in rules.equivalences if any(e.applies(c, day) for c in codes) and rules.applies(e.variants)
    ]
    if as_json:
        _print_json(
            {
                "rule_set": rules.label,
                "on": day.isoformat(),
                "positions": codes,
                "rules": [json_value(r) for r in in_force],
                "equivalences": [json_value(e) for e in equivalences],
                "restrictions": [json_value(r) for r in rules.active_restrictions()],
            }
        )
        return
    console = table_console()
    table = Table(title=f"{rules.title} ({rules.label}) — rules in force on {day}")
    for column in ("rule", "positions", "requires", "timing", "severity", "valid", "legal basis"):
        table.add_column(column)
    for rule in in_force:
        timing = str(rule.timing) + (f" {rule.grace_months}m" if rule.grace_months else "")
        table.add_row(
            rule.id,
            ", ".join(position_label(rules, p) for p in rule.positions if p in codes),
            ", ".join(f"{track_label(r.track)} ≥ {level_label(r.track, r.level)}" for r in rule.requires),
            timing,
            str(rule.severity),
            f"{rule.valid_from} → {rule.valid_to or ''}",
            rule.legal_basis,
        )
    console.print(table)
    if equivalences or rules.active_restrictions():
        extra = Table(title="Equivalences and restrictions")
        for column in ("id", "credential", "counts as / recognized if", "legal basis"):
            extra.add_column(column)
        for e in equivalences:
            m = e.match
            extra.add_row(
                e.id,
                f"{m.track} {m.level or m.min_level or ''} {' | '.join(m.title_contains)}"
                + (f" issued before {m.issued_before}" if m.issued_before else ""),
                f"{e.counts_as.track} {e.counts_as.level}",
                e.legal_basis,
            )
        for r in rules.active_restrictions():
            extra.add_row(
                r.id,
                f"{r.match.track} {' | '.join(r.match.title_contains)}",
                (f"issued before {r.issued_before}" if r.issued_before else "")
                + (f" issued on/after {r.issued_on_or_after}" if r.issued_on_or_after else ""),
                r.legal_basis,
            )
        console.print(extra)


def needs(
    as_of: AsOf = None,
    position: Annotated[
        str | None, typer.Option("--position", help="Check everyone against this post instead of their own.")
    ] = None,
    everyone: Annotated[bool, typer.Option("--all", help="Include people without gaps (JSON).")] = False,
    as_json: AsJson = False,
) -> None:
    """Training needs on a date: each active person's unmet requirements, and the planning pools."""
    from ledger.cli import open_ledger
    from ledger.needs import ledger_needs

    day = _day(as_of, "--as-of")
    ledger = open_ledger(must_exist=True)  # reads only: never create an empty store
    try:
        report = ledger_needs(ledger, as_of=day, position=position)
        rules = ledger.rules
    finally:
        ledger.close()
    if as_json:
        _print_json(report.as_dict(everyone=everyone))
        return
    console = table_console()
    table = Table(title=f"Training needs on {day} — {report.rule_set}")
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
    for person in report.with_gaps:
        for check_ in person.gaps:
            held = level_label(check_.track, check_.held.level) if check_.held else "—"
            if check_.in_training:
                held += " (in training)"
            table.add_row(
                person.staff_id,
                person.full_name,
                position_label(rules, check_.position),
                track_label(check_.track),
                level_label(check_.track, check_.required_level),
                held,
                str(check_.status),
                str(check_.deadline or ""),
                check_.rule_id,
                ", ".join(person.flags),
            )
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


def commitments(as_of: AsOf = None, as_json: AsJson = False) -> None:
    """Service commitments of funded degree courses, and what early leavers owe."""
    from ledger.cli import open_ledger
    from ledger.commitments import ledger_commitments

    day = _day(as_of, "--as-of")
    ledger = open_ledger(must_exist=True)  # reads only: never create an empty store
    try:
        report = ledger_commitments(ledger, as_of=day)
    finally:
        ledger.close()
    if as_json:
        _print_json(report.as_dict())
        return
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
    tracks: Annotated[
        str | None, typer.Option("--tracks", help="Comma-separated tracks (default: all).")
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Annual ratings before and after each programme, and post-training evaluations, per year."""
    from ledger.cli import open_ledger
    from ledger.effectiveness import ledger_effectiveness

    day = _day(as_of, "--as-of")
    wanted: list[Track] | None = None
    if tracks:
        try:
            wanted = [Track(t.strip()) for t in tracks.split(",") if t.strip()]
        except ValueError as error:
            raise typer.BadParameter(str(error), param_hint="--tracks") from None
    ledger = open_ledger(must_exist=True)  # reads only: never create an empty store
    try:
        effects = ledger_effectiveness(ledger, as_of=day, tracks=wanted)
    finally:
        ledger.close()
    if as_json:
        _print_json({"as_of": day.isoformat(), "programmes": [e.as_dict() for e in effects]})
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
    for e in effects:
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
    """Add ``rules check|show``, ``needs``, ``commitments`` and ``effectiveness`` to ``app``."""
    rules_app = typer.Typer(
        name="rules", help="Position standards: validate and list the rules file.", no_args_is_help=True
    )
    rules_app.command("check")(check)
    rules_app.command("show")(show)
    app.add_typer(rules_app, name="rules")
    app.command("needs")(needs)
    app.command("commitments")(commitments)
    app.command("effectiveness")(effectiveness)
