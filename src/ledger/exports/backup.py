"""``ledger backup FILE``: a consistent copy of a running SQLite store.

Copying the ``.db`` file of a database in WAL mode is not a backup: the latest acknowledged writes
may still sit in the ``-wal`` file beside it, so the copy silently lacks them (and, being an older
but consistent log, still verifies). The copy here uses SQLite's online backup API
(``sqlite3.Connection.backup``), which reads every page, WAL included, in one read transaction:
a snapshot of the store at one instant, taken while the server keeps writing (WAL readers do not
block writers). The result is a single self-contained file (rollback journal mode, no ``-wal``
beside it) that is itself a ledger store: the log, the chain, the views, the keys.

PostgreSQL has its own tools for this (``pg_dump``, see docs/integrity.md): the command refuses.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ledger.application import Ledger
from ledger.domain import errors
from ledger.store.chain import Checkpoint
from ledger.store.config import StoreConfig
from ledger.store.integrity import verify_log
from ledger.store.proofs import key_path
from ledger.store.signing import SIGNING_KEY_VARIABLE

LOCK_TIMEOUT_SECONDS = 30.0


class BackupError(errors.LedgerError):
    code = "backup_error"


class BackupNotSupported(BackupError):
    """The store is not an SQLite file; its own tools make its backups."""

    code = "backup_not_supported"


@dataclass(frozen=True)
class BackupReport:
    path: Path
    events: int
    checkpoint: Checkpoint


def pg_dump_hint(store: StoreConfig) -> str:
    """The commands that back up a PostgreSQL store (its database and schema)."""
    env = store.application_env()
    schema, dbname = env["POSTGRES_SCHEMA"], env["POSTGRES_DBNAME"]
    return (
        "`ledger backup` copies SQLite stores only; back up PostgreSQL with pg_dump, e.g. "
        f"pg_dump -h {env['POSTGRES_HOST']} -p {env['POSTGRES_PORT']} -U {env['POSTGRES_USER']} "
        f"--schema={schema} --format=custom --file=ledger.dump {dbname} "
        "(restore with pg_restore, then `ledger verify`: see docs/integrity.md)."
    )


def backup(store: StoreConfig, target: str | os.PathLike[str]) -> BackupReport:
    """Copy the SQLite store to ``target`` (a new file) while it may be in use; then verify the
    copy's log and return its length and checkpoint.

    The file appears only once complete and verified (written beside it, then renamed).
    """
    if store.kind != "sqlite":
        raise BackupNotSupported(pg_dump_hint(store))
    destination = Path(target)
    source_path = Path(store.sqlite_path)
    if destination.exists():
        raise BackupError(f"{destination} already exists; back up into a new file.")
    if destination.resolve() == source_path.resolve():
        raise BackupError("the backup cannot be the store itself.")
    folder = destination.parent if str(destination.parent) else Path(".")
    if not folder.is_dir():
        raise BackupError(f"the folder '{folder}' does not exist.")
    fd, partial_name = tempfile.mkstemp(
        dir=folder, prefix=f".{destination.name}.", suffix=".partial"
    )
    os.close(fd)
    partial = Path(partial_name)
    try:
        _copy(source_path, partial)
        # The copy's link MACs are checked with the store's own key (it is not copied: see
        # docs/integrity.md, "Backups").
        report = _verify_copy(partial, key_path(store, os.environ)[0])
        _single_file(partial)
        os.replace(partial, destination)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return BackupReport(destination, report[0], report[1])


def _copy(source_path: Path, partial: Path) -> None:
    # Read-only: the backup must never create or change the store it copies.
    source = sqlite3.connect(
        f"{source_path.resolve().as_uri()}?mode=ro", uri=True, timeout=LOCK_TIMEOUT_SECONDS
    )
    copy = sqlite3.connect(partial, timeout=LOCK_TIMEOUT_SECONDS)
    try:
        # pages=-1 (every page in one step): one read transaction, so one consistent snapshot.
        # Copying in steps would restart whenever a writer commits, and might never finish.
        source.backup(copy, pages=-1)
        # One self-contained file: no -wal beside the copy to lose when it is moved.
        copy.execute("PRAGMA journal_mode=DELETE")
        problems = copy.execute("PRAGMA quick_check").fetchall()
        if problems != [("ok",)]:
            raise BackupError(f"the copy failed SQLite's check: {problems[:3]}")
    except sqlite3.Error as error:
        raise BackupError(f"the copy failed: {error}") from None
    finally:
        copy.close()
        source.close()


def _single_file(path: Path) -> None:
    """Leave ``path`` in rollback-journal mode: opening it as a ledger switched it to WAL."""
    conn = sqlite3.connect(path, timeout=LOCK_TIMEOUT_SECONDS)
    try:
        conn.execute("PRAGMA journal_mode=DELETE")
    finally:
        conn.close()


def _verify_copy(partial: Path, source_key: Path) -> tuple[int, Checkpoint]:
    """The copy must be a ledger store whose log verifies."""
    ledger = Ledger(
        StoreConfig(f"sqlite:///{partial.resolve()}"), env={SIGNING_KEY_VARIABLE: str(source_key)}
    )
    try:
        report = verify_log(ledger.chained_recorder, mapper=ledger.mapper)
    finally:
        ledger.close()
    if not report.ok:
        raise BackupError(f"the copy does not verify ({report.summary()}); no backup was written.")
    return report.events, report.checkpoint
