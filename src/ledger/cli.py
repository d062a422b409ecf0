"""The ``ledger`` command's Typer app. Commands are registered by the modules that own them;
the composition root (``api.cli``) assembles the whole command, since only it may see every
package (imports go ``api`` → ``projections`` → ``ledger``)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

import psycopg
import typer
from eventsourcing.persistence import PersistenceError

from ledger.application import Ledger
from ledger.config import StoreConfig, StoreConfigError, safe_url, store_from_environment
from ledger.signing import SigningKeyError
from ledger.store_check import check_store

STORE_ERROR_EXIT = 2
"""Exit code of every command when LEDGER_DATABASE_URL names no usable store."""


def make_app() -> typer.Typer:
    _hide_flag_types()
    # Markdown: docstrings reflow to the terminal's width and `code` prints without backticks.
    return typer.Typer(
        name="ledger",
        help="An event-sourced ledger of staff training records. "
        "The store is chosen by LEDGER_DATABASE_URL (default sqlite:///./ledger.db).",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        rich_markup_mode="markdown",
    )


def _hide_flag_types() -> None:
    """Typer prints a type beside every option, ``<bool>`` for flags (``--demo``, ``--help``),
    which says nothing a flag's name does not: show none for flags (typer has no setting)."""
    from typer.core import TyperOption

    shown: Callable[[TyperOption, Any], str | None] = TyperOption.display_type_rich
    if getattr(shown, "hides_flags", False):
        return

    def display_type_rich(self: TyperOption, ctx: Any) -> str | None:
        return None if self.is_flag else shown(self, ctx)

    display_type_rich.hides_flags = True  # type: ignore[attr-defined]
    setattr(TyperOption, "display_type_rich", display_type_rich)  # noqa: B010


def configured_store(*, must_exist: bool = False) -> StoreConfig:
    """The store LEDGER_DATABASE_URL names, checked to be usable; else one line on stderr and
    exit code 2. ``must_exist`` for commands that only read: no empty SQLite file is created."""
    try:
        store = store_from_environment()
        check_store(store, must_exist=must_exist)
    except StoreConfigError as error:
        raise _store_error(str(error)) from None
    return store


def open_ledger(*, must_exist: bool = False) -> Ledger:
    """The ledger on the configured store (LEDGER_DATABASE_URL), for every command; a store that
    cannot be opened ends the command with one line on stderr and exit code 2."""
    store = configured_store(must_exist=must_exist)
    try:
        return Ledger(store)
    except SigningKeyError as error:  # the key file is missing or is not this log's (ledger.proofs)
        raise _store_error(str(error)) from None
    except (PersistenceError, psycopg.Error, sqlite3.Error, OSError) as error:
        # Checked a moment ago, so rare: the server went away, or a permission is missing.
        first = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise _store_error(f"cannot open the store {safe_url(store.url)}: {first}") from None


def _store_error(message: str) -> typer.Exit:
    typer.echo(f"Error: {message}", err=True)
    return typer.Exit(STORE_ERROR_EXIT)
