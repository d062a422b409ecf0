"""``ledger verify``, ``ledger export FILE``, ``ledger import FILE`` and ``ledger backup FILE``.

``verify`` checks the log's hash chain (see ``ledger.integrity``), then runs the view checks given
to :func:`register`: the read side passes its "rebuild into scratch and compare with the live
views" check there (the write side cannot import it), so one command answers for the log and for
the views. Exit code 0 when all is
well, 1 when anything is broken (the first broken place of the log is printed). A view that was
never built is reported as such (a :class:`ViewNote`), not as broken.

Every command exits 2 when LEDGER_DATABASE_URL names no usable store (``ledger.cli.open_ledger``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)

from ledger.application import Ledger
from ledger.backup import BackupNotSupported, backup
from ledger.cli import STORE_ERROR_EXIT, configured_store, open_ledger
from ledger.errors import LedgerError
from ledger.integrity import Anchor, verify_against, verify_log
from ledger.transfer import export_log, import_log


class ViewNote(str):
    """A view check's finding that is not a fault (e.g. a view not built yet): printed, and the
    exit code stays 0. A plain ``str`` from a check is a problem."""

    __slots__ = ()


ViewCheck = Callable[[Ledger], list[str]]
"""A check of the views: given the ledger, the problems it found (empty when all is well);
entries that are :class:`ViewNote` are only notes."""

BuildViews = Callable[[Ledger], str]
"""Brings the views up to date with the log (after ``import``); returns a line to print."""


STAGE_LABELS = {"check": "Checking", "import": "Importing", "export": "Exporting", "verify": "Verifying"}


def run_view_checks(ledger: Ledger, checks: Sequence[ViewCheck]) -> list[str]:
    """Every problem the view checks report; a check that crashes is a problem too."""
    problems: list[str] = []
    for check in checks:
        name = getattr(check, "__qualname__", repr(check))
        try:
            problems.extend(check(ledger))
        except Exception as error:  # a broken check must not hide the others
            problems.append(f"view check {name} could not run: {type(error).__name__}: {error}")
    return problems


@contextmanager
def _progress_bar() -> Iterator[Callable[[str, int, int], None]]:
    """A rich progress bar on stderr (only on a terminal), fed as ``(stage, done, total)``."""
    console = Console(stderr=True)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(STAGE_LABELS.get(stage, stage), total=max(total, done))
            bar.update(tasks[stage], completed=done, total=max(total, done))

        yield update


def _anchor(value: str, option: str) -> Anchor:
    try:
        return Anchor.load(value)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint=option) from None


def build_views_after_load(ledger: Ledger, build_views: BuildViews | None) -> None:
    """After a load: leave the views built, so ``ledger verify`` has something to compare. The
    load itself is committed by now: a failure here is a warning, not the command's failure."""
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


def _fail(message: str) -> typer.Exit:
    typer.echo(f"Error: {message}", err=True)
    return typer.Exit(1)


def register(
    app: typer.Typer,
    *,
    view_checks: Sequence[ViewCheck] = (),
    build_views: BuildViews | None = None,
) -> None:
    """Add ``verify``, ``export``, ``import`` and ``backup`` to the ``ledger`` command; ``verify``
    also runs ``view_checks`` after the log verifies; ``import`` runs ``build_views`` at its end."""

    @app.command()
    def verify(
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
        ledger = open_ledger(must_exist=True)
        try:
            recorder = ledger.chained_recorder
            total = recorder.max_notification_id() or 0
            with _progress_bar() as progress:

                def report_progress(done: int) -> None:
                    progress("verify", done, total)

                if anchor is None:
                    report = verify_log(recorder, mapper=ledger.mapper, progress=report_progress)
                else:
                    report = verify_against(
                        recorder, anchor, mapper=ledger.mapper, progress=report_progress
                    )
            typer.echo(report.summary())
            if not report.ok:
                raise typer.Exit(1)
            findings = run_view_checks(ledger, view_checks)
            view_problems = [f for f in findings if not isinstance(f, ViewNote)]
            for finding in findings:
                typer.echo(f"Note: {finding}" if isinstance(finding, ViewNote) else f"BROKEN view: {finding}")
            if view_checks and not view_problems:
                typer.echo(f"Views verified: {len(view_checks)} check(s), no problems.")
            if view_problems:
                raise typer.Exit(1)
            if checkpoint:
                typer.echo(str(report.checkpoint))
        finally:
            ledger.close()

    @app.command("export")
    def export_command(
        file: Annotated[Path, typer.Argument(help="Where to write the log (JSON Lines).")],
    ) -> None:
        """Write the whole log as JSON Lines (verified as it is read); round-trip exact."""
        ledger = open_ledger(must_exist=True)
        try:
            with _progress_bar() as progress:
                result = export_log(ledger, file, progress=progress)
        except (LedgerError, OSError) as error:
            raise _fail(str(error)) from None
        finally:
            ledger.close()
        typer.echo(f"Exported {result.events} events to {result.path}.")
        typer.echo(str(result.checkpoint))

    @app.command("import")
    def import_command(
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
        ledger = open_ledger()
        try:
            with _progress_bar() as progress:
                result = import_log(ledger, file, progress=progress, against=anchor)
            typer.echo(f"Imported {result.events} events from {file}; the log ends at:")
            typer.echo(str(result.checkpoint))
            if anchor is not None:
                typer.echo(f"The file extends the checkpoint {anchor}.")
            build_views_after_load(ledger, build_views)
        except LedgerError as error:
            raise _fail(str(error)) from None
        finally:
            ledger.close()

    @app.command("backup")
    def backup_command(
        file: Annotated[Path, typer.Argument(help="The new file to write the copy to.")],
    ) -> None:
        """Copy the SQLite store to FILE consistently, even while the server writes.

        Uses SQLite's online backup API (the -wal file's content included); the copy is a
        ledger store of its own and is verified before it appears. Copying the .db file alone
        is not a backup. On PostgreSQL, use pg_dump (docs/integrity.md); exit 2.
        """
        store = configured_store(must_exist=True)
        try:
            result = backup(store, file)
        except BackupNotSupported as error:
            typer.echo(f"Error: {error}", err=True)
            raise typer.Exit(STORE_ERROR_EXIT) from None
        except LedgerError as error:
            raise _fail(str(error)) from None
        typer.echo(f"Backed up {result.events} events to {result.path}; the copy verifies and ends at:")
        typer.echo(str(result.checkpoint))
