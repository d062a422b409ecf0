"""``ledger rules check|show``: validate and list the position standards (the rules file).

These commands read only the rules file. The reports that apply the rules to the records
(``ledger needs``, ``appointments``, ``commitments``, ``effectiveness``) are in ``api.cli.reports``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from api.cli.options import AsJson, Table, Variant, business_day, print_json
from ledger.standards.model import Requirement
from ledger.standards.rule_file import RULES_PATH_VARIABLE, RulesFileError
from ledger.standards.rules import load_rules, rules_from_environment
from ledger.standards.ruleset import RuleSet
from ledger.standards.verdicts import json_value
from ledger.terminal import level_label, position_label, table_console, track_label


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
        f"{len(rules.commitments)} commitment rules, {len(rules.retirement_ages)} retirement ages, "
        f"{len(rules.fields)} fields of study"
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
    day = business_day(on, "--on")
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
        print_json(
            {
                "rule_set": rules.label,
                "on": day.isoformat(),
                "positions": codes,
                "rules": [json_value(r) for r in in_force],
                "equivalences": [json_value(e) for e in equivalences],
                "restrictions": [json_value(r) for r in rules.active_restrictions()],
                "retirement_ages": [json_value(r) for r in rules.retirement_ages],
                "fields": [json_value(f) for f in rules.fields],
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
            ", ".join(
                f"{track_label(r.track)} ≥ {level_label(r.track, r.level)}"
                if isinstance(r, Requirement)
                else r.describe()
                for r in rule.requires
            ),
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


def register(app: typer.Typer) -> None:
    """Add ``rules check|show`` to ``app``."""
    rules_app = typer.Typer(
        name="rules", help="Position standards: validate and list the rules file.", no_args_is_help=True
    )
    rules_app.command("check")(check)
    rules_app.command("show")(show)
    app.add_typer(rules_app, name="rules")
