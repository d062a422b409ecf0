"""``ledger verify``, ``ledger export FILE`` and ``ledger import FILE``.

``verify`` checks the log's hash chain (see ``ledger.integrity``), then runs the view checks given
to :func:`register`: the read side passes its "rebuild into scratch and compare with the live
views" check there (the write side cannot import it), so one command answers for the log and for
the views. Exit code 0 when all is
well, 1 when anything is broken (the first broken place of the log is printed).
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
from ledger.cli import open_ledger
from ledger.config import StoreConfigError
from ledger.errors import LedgerError
from ledger.integrity import Anchor, verify_against, verify_log
from ledger.transfer import export_log, import_log

ViewCheck = Callable[[Ledger], list[str]]
"""A check of the views: given the ledger, the problems it found (empty when all is well)."""


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


def _open() -> Ledger:
    try:
        return open_ledger()
    except StoreConfigError as error:
        typer.echo(f"Error: {error}", err=True)
        raise typer.Exit(2) from None


def _fail(message: str) -> typer.Exit:
    typer.echo(f"Error: {message}", err=True)
    return typer.Exit(1)


def register(app: typer.Typer, *, view_checks: Sequence[ViewCheck] = ()) -> None:
    """Add ``verify``, ``export`` and ``import`` to the ``ledger`` command; ``verify`` also runs
    ``view_checks`` after the log verifies."""

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
                "SEQ:DIGEST, or a bare digest), recomputing every digest from the stored events.",
            ),
        ] = None,
    ) -> None:
        """Check the integrity of the log (hash chain) and of the views; exit 1 if broken."""
        anchor = None
        if against is not None:
            try:
                anchor = Anchor.parse(against)
            except ValueError as error:
                raise typer.BadParameter(str(error), param_hint="--against") from None
        ledger = _open()
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
            view_problems = run_view_checks(ledger, view_checks)
            for problem in view_problems:
                typer.echo(f"BROKEN view: {problem}")
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
        ledger = _open()
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
    ) -> None:
        """Load an exported log into an empty store; a malformed or tampered file imports nothing."""
        ledger = _open()
        try:
            with _progress_bar() as progress:
                result = import_log(ledger, file, progress=progress)
        except LedgerError as error:
            raise _fail(str(error)) from None
        finally:
            ledger.close()
        typer.echo(f"Imported {result.events} events from {file}; the log ends at:")
        typer.echo(str(result.checkpoint))
