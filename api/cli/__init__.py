"""The ``ledger`` command (console script ``ledger = "api.cli:main"``): every verb, in one package.

Only the top layer may see every package (imports go ``api`` → ``projections`` → ``ledger``), so the
command line lives here, one module a concern: ``store`` (verify, export, import, backup),
``demo``, ``legacy`` (import-records), ``proofs`` (checkpoint, verify-credential), ``reports``
(needs, appointments, commitments, effectiveness), ``forms`` (bm01), ``serve`` (with ``keys``),
``rules`` and ``views`` (projections …). Each verb is a module-level function; each module's
``register`` adds its verbs to an app made by ``api.cli.app.make_app``.
"""

from __future__ import annotations

import typer

from api.cli import demo, forms, legacy, proofs, reports, rules, serve, store, views
from api.cli.app import make_app
from api.cli.session import say_error
from ledger.clock import ClockConfigError, zone_from_environment
from projections.catch_up import catch_up_views
from projections.verify import check_views


def build_cli() -> typer.Typer:
    app = make_app()
    store.register(app, view_checks=[check_views], build_views=catch_up_views)
    demo.register(app, build_views=catch_up_views)
    legacy.register(app)
    proofs.register(app)
    rules.register(app)
    reports.register(app)
    forms.register(app)
    views.register(app)
    serve.register(app)  # with the keys it hands out
    return app


def main() -> None:
    # Every command dates things by the agency's clock: a bad LEDGER_TIMEZONE is one line and
    # exit 2 before any command starts (or any server says "Serving…").
    try:
        zone_from_environment()
    except ClockConfigError as error:
        say_error(str(error))
        raise SystemExit(2) from None
    build_cli()()
