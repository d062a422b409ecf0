"""The ``ledger`` command's Typer app. Commands are registered by the modules that own them;
the composition root (``api.cli``) assembles the whole command, since only it may see every
package (imports go ``api`` → ``projections`` → ``ledger``)."""

from __future__ import annotations

import typer

from ledger.application import Ledger
from ledger.config import store_from_environment


def make_app() -> typer.Typer:
    return typer.Typer(
        name="ledger",
        help="An event-sourced ledger of staff training records. "
        "The store is chosen by LEDGER_DATABASE_URL (default sqlite:///./ledger.db).",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )


def open_ledger() -> Ledger:
    """The ledger on the configured store (LEDGER_DATABASE_URL)."""
    return Ledger(store_from_environment())
