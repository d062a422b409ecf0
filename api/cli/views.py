"""``ledger projections run | rebuild [VIEW] | prune | status``: the read side on the command line."""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType
from typing import Annotated

import typer
from rich.table import Table

from api.cli.progress import progress_bar
from api.cli.session import ledger_session, open_ledger
from ledger.terminal import table_console
from projections.building import prune, rebuild
from projections.engine import Engine
from projections.registry import default_views, view_names
from projections.status import status

VIEW_NAMES = view_names()


def run_command(
    page_size: Annotated[int, typer.Option(min=1, help="Events per transaction.")] = 1000,
    poll_interval: Annotated[
        float, typer.Option(min=0.001, help="SQLite: seconds between looks at the log.")
    ] = 0.025,
    repoll_interval: Annotated[
        float,
        typer.Option(min=0.01, help="PostgreSQL: seconds between re-polls besides LISTEN/NOTIFY."),
    ] = 1.0,
) -> None:
    """Keep every view up to date with the log until interrupted (Ctrl-C / SIGTERM)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    ledger = open_ledger()
    engine = Engine(
        ledger, page_size=page_size, poll_interval=poll_interval, repoll_interval=repoll_interval
    )

    def stop(signum: int, frame: FrameType | None) -> None:
        threading.Thread(target=engine.stop, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    typer.echo(f"Following the log into: {', '.join(v.name for v in engine.views)}.")
    try:
        engine.run_forever()
    except KeyboardInterrupt:
        pass
    finally:
        ledger.close()
    typer.echo("Stopped.")


def rebuild_command(
    view: Annotated[
        str | None,
        typer.Argument(help=f"One view ({', '.join(VIEW_NAMES)}); default all of them."),
    ] = None,
    page_size: Annotated[int, typer.Option(min=1, help="Events per transaction.")] = 5000,
    jobs: Annotated[
        int | None,
        typer.Option(min=1, help="Worker processes loading the log (default: one per CPU, big logs)."),
    ] = None,
) -> None:
    """Rebuild views from the log beside the live ones, then switch reads to them.

    Reads keep seeing the complete previous generation until the new one has caught up.
    """
    if view is not None and view not in VIEW_NAMES:
        raise typer.BadParameter(
            f"'{view}' is not a view (expected one of: {', '.join(VIEW_NAMES)}).",
            param_hint="VIEW",
        )
    with ledger_session() as ledger:
        views = [v for v in default_views(ledger) if view is None or v.name == view]
        names = ", ".join(v.name for v in views)
        with progress_bar(rate=True, transient=False) as bar:
            bar.begin(names)

            def progress(position: int, head: int) -> None:
                bar(names, position, max(head, 1))

            done = rebuild(ledger, views, page_size=page_size, progress=progress, jobs=jobs)
    for name, generation in done.items():
        typer.echo(
            f"{name}: generation {generation.generation} is live at position {generation.position}."
        )


def prune_command() -> None:
    """Drop generations that are not live (left by an interrupted rebuild). Not while a
    rebuild is running."""
    with ledger_session() as ledger:
        dropped = prune(ledger)
    for view, generation in dropped:
        typer.echo(f"dropped {view} generation {generation}")
    typer.echo(f"{len(dropped)} generation(s) dropped.")


def status_command() -> None:
    """Each view's generations: state, position, lag behind the head of the log, and the
    error of a view stopped by an event it cannot apply."""
    with ledger_session(must_exist=True) as ledger:
        rows = status(ledger)
    table = Table("view", "generation", "state", "position", "head", "lag", "lag (s)", "health")
    for row in rows:
        seconds = row["lag_seconds"]
        table.add_row(
            row["view"], str(row["generation"]), row["state"], str(row["position"]),
            str(row["head"]), str(row["lag"]), "" if seconds is None else f"{seconds:.1f}",
            "FAILING" if row["fault"] is not None else ("ok" if row["state"] == "live" else ""),
        )
    if not rows:
        typer.echo("No view has been built yet (run `ledger projections rebuild`).")
        return
    table_console().print(table)
    # A poison event: the view keeps its last good state and the engine retries it with
    # backoff; say exactly where it stopped and why, unwrapped, for the operator to act on.
    for row in rows:
        fault = row["fault"]
        if fault is not None:
            typer.echo(
                f"FAILING {fault.describe()} (attempt {fault.attempts} since "
                f"{fault.failed_since.isoformat(timespec='seconds')}; next retry "
                f"{fault.next_retry_at.isoformat(timespec='seconds')})"
            )


def register(app: typer.Typer) -> None:
    """Add the ``projections`` command group to the ``ledger`` command."""
    group = typer.Typer(
        name="projections",
        help="The read side: follow the log into the views, rebuild them, show how far they are.",
        no_args_is_help=True,
    )
    group.command("run")(run_command)
    group.command("rebuild")(rebuild_command)
    group.command("prune")(prune_command)
    group.command("status")(status_command)
    app.add_typer(group, name="projections")
