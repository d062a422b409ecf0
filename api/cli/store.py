"""``ledger verify``, ``ledger export FILE``, ``ledger import FILE`` and ``ledger backup FILE``.

``verify`` checks the log's hash chain (see ``ledger.store.integrity``), then runs the view checks of
the app's :class:`~api.cli.app.LoadHooks`: the read side's "rebuild into scratch and compare with
the live views" check, so one command answers for the log and for the views. Exit code 0 when all
is well, 1 when anything is broken (the first broken place of the log is printed). A view that was
never built is reported as such (a :class:`~ledger.view_checks.ViewNote`), not as broken.

Every command exits 2 when LEDGER_DATABASE_URL names no usable store (``api.cli.session``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer

from api.cli.app import LoadHooks, hooks_in, hooks_of
from api.cli.progress import progress_bar
from api.cli.session import STORE_ERROR_EXIT, configured_store, fail, ledger_session
from ledger.application import Ledger
from ledger.domain.errors import LedgerError
from ledger.exports.backup import BackupNotSupported
from ledger.exports.backup import backup as backup_store
from ledger.exports.transfer import export_log, import_log
from ledger.store.integrity import verify_against, verify_log
from ledger.store.log_report import Anchor
from ledger.view_checks import BuildViews, ViewCheck, ViewNote, run_view_checks

STAGE_LABELS = {"check": "Checking", "import": "Importing", "export": "Exporting", "verify": "Verifying"}


def _anchor(value: str, option: str) -> Anchor:
    try:
        return Anchor.load(value)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint=option) from None


def build_views_after_load(ledger: Ledger, hooks: LoadHooks) -> None:
    """After a load: leave the views built, so ``ledger verify`` has something to compare. The
    load itself is committed by now: a failure here is a warning, not the command's failure."""
    build_views = hooks.build_views
    if build_views is None:
        return
    try:
        typer.echo(build_views(ledger))
    except Exception as error:  # any view's failure: the imported log stands regardless
        typer.echo(
            f"Warning: the views could not be built ({type(error).__name__}: {error}); "
            "run `ledger projections rebuild`.",
            err=True,
        )


def _report_views(ledger: Ledger, view_checks: Sequence[ViewCheck]) -> None:
    """Run the view checks and print their findings; exit 1 on a problem (notes are not)."""
    findings = run_view_checks(ledger, view_checks)
    view_problems = [f for f in findings if not isinstance(f, ViewNote)]
    for finding in findings:
        typer.echo(f"Note: {finding}" if isinstance(finding, ViewNote) else f"BROKEN view: {finding}")
    if view_checks and not view_problems:
        typer.echo(f"Views verified: {len(view_checks)} check(s), no problems.")
    if view_problems:
        raise typer.Exit(1)


def verify(
    ctx: typer.Context,
    checkpoint: Annotated[
        bool,
        typer.Option(
            "--checkpoint",
            help="After verifying, print the log's checkpoint as the last line: keep it "
            "somewhere the database's administrators cannot write.",
        ),
    ] = False,
    against: Annotated[
        str | None,
        typer.Option(
            "--against",
            metavar="CHECKPOINT",
            help="Also prove the log still extends this checkpoint (ledger-checkpoint-v1:"
            "SEQ:DIGEST, a bare digest, or a file whose last line is one), recomputing every "
            "digest from the stored events.",
        ),
    ] = None,
) -> None:
    """Check the integrity of the log (hash chain) and of the views; exit 1 if broken.

    A view that was never built is reported, and is not an error."""
    anchor = None if against is None else _anchor(against, "--against")
    with ledger_session(must_exist=True) as ledger:
        recorder = ledger.chained_recorder
        total = recorder.max_notification_id() or 0
        with progress_bar(STAGE_LABELS) as progress:

            def report_progress(done: int) -> None:
                progress("verify", done, total)

            if anchor is None:
                report = verify_log(recorder, mapper=ledger.mapper, progress=report_progress)
            else:
                report = verify_against(recorder, anchor, mapper=ledger.mapper, progress=report_progress)
        typer.echo(report.summary())
        if not report.ok:
            raise typer.Exit(1)
        _report_views(ledger, hooks_in(ctx).view_checks)
        if checkpoint:
            typer.echo(str(report.checkpoint))


def export(
    file: Annotated[Path, typer.Argument(help="Where to write the log (JSON Lines).")],
) -> None:
    """Write the whole log as JSON Lines (verified as it is read); round-trip exact."""
    with ledger_session(must_exist=True) as ledger:
        try:
            with progress_bar(STAGE_LABELS) as progress:
                result = export_log(ledger, file, progress=progress)
        except (LedgerError, OSError) as error:
            raise fail(str(error)) from None
    typer.echo(f"Exported {result.events} events to {result.path}.")
    typer.echo(str(result.checkpoint))


def import_(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A file written by `ledger export`.")],
    against: Annotated[
        str | None,
        typer.Option(
            "--against",
            metavar="CHECKPOINT",
            help="Refuse the file unless it extends this checkpoint, kept by the auditor "
            "(ledger-checkpoint-v1:SEQ:DIGEST, a bare digest, or a file whose last line is "
            "one): this catches a file edited with every hash recomputed.",
        ),
    ] = None,
) -> None:
    """Load an exported log into an empty store, then build the views.

    Every line is checked before anything is written. Plain import proves the file is whole
    and was not edited without recomputing its hashes; the hashes use no secret, so a file
    edited with every hash recomputed passes. --against CHECKPOINT also proves the file
    extends a checkpoint the auditor kept. A refused file imports nothing (exit 1).
    """
    anchor = None if against is None else _anchor(against, "--against")
    with ledger_session() as ledger:
        try:
            with progress_bar(STAGE_LABELS) as progress:
                result = import_log(ledger, file, progress=progress, against=anchor)
            typer.echo(f"Imported {result.events} events from {file}; the log ends at:")
            typer.echo(str(result.checkpoint))
            if anchor is not None:
                typer.echo(f"The file extends the checkpoint {anchor}.")
            build_views_after_load(ledger, hooks_in(ctx))
        except LedgerError as error:
            raise fail(str(error)) from None


def backup(
    file: Annotated[Path, typer.Argument(help="The new file to write the copy to.")],
) -> None:
    """Copy the SQLite store to FILE consistently, even while the server writes.

    Uses SQLite's online backup API (the -wal file's content included); the copy is a
    ledger store of its own and is verified before it appears. Copying the .db file alone
    is not a backup. On PostgreSQL, use pg_dump (docs/integrity.md); exit 2.
    """
    store = configured_store(must_exist=True)
    try:
        result = backup_store(store, file)
    except BackupNotSupported as error:
        raise fail(str(error), STORE_ERROR_EXIT) from None
    except LedgerError as error:
        raise fail(str(error)) from None
    typer.echo(f"Backed up {result.events} events to {result.path}; the copy verifies and ends at:")
    typer.echo(str(result.checkpoint))


def register(
    app: typer.Typer,
    *,
    view_checks: Sequence[ViewCheck] = (),
    build_views: BuildViews | None = None,
) -> None:
    """Add ``verify``, ``export``, ``import`` and ``backup`` to the ``ledger`` command; ``verify``
    also runs ``view_checks`` after the log verifies; ``import`` runs ``build_views`` at its end."""
    hooks = hooks_of(app)
    hooks.view_checks = view_checks
    hooks.build_views = build_views
    app.command("verify")(verify)
    app.command("export")(export)
    app.command("import")(import_)
    app.command("backup")(backup)
