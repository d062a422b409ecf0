"""Opening the configured store for a command, and the one way a command reports a failure.

Every command exits 2 with one line on stderr when LEDGER_DATABASE_URL names no usable store;
other failures are one ``Error: …`` line and the exit code the command documents.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import typer
from eventsourcing.persistence import PersistenceError

from ledger.application import Ledger
from ledger.store.config import StoreConfig, StoreConfigError, safe_url, store_from_environment
from ledger.store.signing import SigningKeyError
from ledger.store.store_check import check_store

STORE_ERROR_EXIT = 2
"""Exit code of every command when LEDGER_DATABASE_URL names no usable store."""


def say_error(message: str) -> None:
    """``Error: message`` as one line on stderr."""
    typer.echo(f"Error: {message}", err=True)


def fail(message: str, code: int = 1) -> typer.Exit:
    """Say ``message`` as an error and return the exit to raise (``raise fail(...) from None``)."""
    say_error(message)
    return typer.Exit(code)


def configured_store(*, must_exist: bool = False) -> StoreConfig:
    """The store LEDGER_DATABASE_URL names, checked to be usable; else one line on stderr and
    exit code 2. ``must_exist`` for commands that only read: no empty SQLite file is created."""
    try:
        store = store_from_environment()
        check_store(store, must_exist=must_exist)
    except StoreConfigError as error:
        raise fail(str(error), STORE_ERROR_EXIT) from None
    return store


def open_ledger(*, must_exist: bool = False) -> Ledger:
    """The ledger on the configured store (LEDGER_DATABASE_URL), for every command; a store that
    cannot be opened ends the command with one line on stderr and exit code 2."""
    store = configured_store(must_exist=must_exist)
    try:
        return Ledger(store)
    except SigningKeyError as error:  # the key file is missing or is not this log's (ledger.store.proofs)
        raise fail(str(error), STORE_ERROR_EXIT) from None
    except (PersistenceError, psycopg.Error, sqlite3.Error, OSError) as error:
        # Checked a moment ago, so rare: the server went away, or a permission is missing.
        first = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise fail(f"cannot open the store {safe_url(store.url)}: {first}", STORE_ERROR_EXIT) from None


@contextmanager
def ledger_session(*, must_exist: bool = False) -> Iterator[Ledger]:
    """:func:`open_ledger`, closed when the block ends however it ends."""
    ledger = open_ledger(must_exist=must_exist)
    try:
        yield ledger
    finally:
        ledger.close()
