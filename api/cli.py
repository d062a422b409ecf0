"""Composition root of the ``ledger`` command: assembles the commands of every package.

Only this module may see every package (imports go ``api`` → ``projections`` → ``ledger``), so the
pieces register themselves here: the write side's log commands, demo, legacy import and rules; the
read side's projection commands and view checks; the server and keys.
"""

from __future__ import annotations

import typer

from api import commands as api_commands
from ledger import commands as log_commands
from ledger import demo_commands, legacy_commands, proof_commands, rules_commands
from ledger.cli import make_app
from ledger.clock import ClockConfigError, zone_from_environment
from projections import commands as projection_commands
from projections import form_commands, report_commands
from projections.commands import catch_up_views
from projections.verify import check_views


def build_cli() -> typer.Typer:
    app = make_app()
    log_commands.register(app, view_checks=[check_views], build_views=catch_up_views)
    demo_commands.register(app, build_views=catch_up_views)
    legacy_commands.register(app)
    proof_commands.register(app)
    rules_commands.register(app)
    report_commands.register(app)
    form_commands.register(app)
    projection_commands.register(app)
    api_commands.register(app)
    return app


def main() -> None:
    # Every command dates things by the agency's clock: a bad LEDGER_TIMEZONE is one line and
    # exit 2 before any command starts (or any server says "Serving…").
    try:
        zone_from_environment()
    except ClockConfigError as error:
        typer.echo(f"Error: {error}", err=True)
        raise SystemExit(2) from None
    build_cli()()
