"""``ledger serve``: the HTTP API under uvicorn; with ``--demo``, the demo agency and demo keys first."""

from __future__ import annotations

import os
import sys
from functools import partial
from typing import Annotated

import typer

from api.cli import keys
from api.cli.keys import key_store
from api.cli.progress import progress_bar
from api.cli.session import configured_store, ledger_session
from api.keys import Role
from api.observe import log_config
from ledger.application import Ledger
from ledger.demo import load_demo

DEMO_KEYS = (("demo-registrar", Role.REGISTRAR), ("demo-auditor", Role.AUDITOR), ("demo-reader", Role.READER))


def load_demo_agency() -> None:
    """Load the demo agency into the configured store if it is empty; say so if it is not."""
    with ledger_session() as ledger:
        if not ledger.chained_recorder.is_empty():
            typer.echo(
                "The store is not empty: the demo agency is not loaded (use a fresh store for --demo)."
            )
            return
        with progress_bar({"demo": "Loading the demo agency"}, transient=False, on_stdout=True) as progress:
            progress.begin("demo")
            summary = load_demo(ledger, on_progress=partial(progress, "demo"))
        typer.echo(
            f"Demo agency loaded: {summary.agency}, {len(summary.current_staff_ids)} staff on the roll, "
            f"{len(summary.former_staff_ids)} former, {summary.events} events."
        )


def demo_keys() -> list[tuple[str, Role, str]]:
    """A registrar, an auditor and a reader key, made only when the store has no key at all.

    A second ``serve --demo`` on the same store keeps the keys it finds: rotating them would
    turn away every client holding the first run's tokens. Returns the keys made (none then).
    """
    made = []
    with key_store() as keys:
        existing = keys.list()
        if existing:
            names = ", ".join(key.name for key in existing)
            typer.echo(
                f"The store already has {len(existing)} API key(s) ({names}): keeping them and "
                "their tokens. Add one with: ledger keys add NAME --role registrar|auditor|reader"
            )
            return []
        for name, role in DEMO_KEYS:
            made.append((name, role, keys.add(name, role)))
    return made


def serve_command(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
    demo: Annotated[
        bool, typer.Option("--demo", help="Load the demo agency into a fresh store and make demo keys first.")
    ] = False,
    projections: Annotated[
        bool,
        typer.Option(
            "--projections/--no-projections",
            help="Run the projection engine here (default), or leave it to a separate "
            "`ledger projections run`.",
        ),
    ] = True,
    log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "info",
) -> None:
    """Serve the HTTP API with uvicorn (docs at /docs).

    The projection engine runs once per deployment: inside the server with one worker; in this
    supervising process with several workers (the workers then only read the views); or nowhere
    with --no-projections, when `ledger projections run` runs separately (several machines).
    """
    import uvicorn

    store = configured_store()  # a wrong LEDGER_DATABASE_URL ends here: exit 2, one line
    if demo:
        load_demo_agency()
        made = demo_keys()
        if made:
            typer.echo("Demo keys (use as `Authorization: Bearer TOKEN`):")
        for name, role, token in made:
            typer.echo(f"  {role.value:<9}  {name:<15}  {token}")
    engine = None
    ledger = None
    if workers > 1 or not projections:
        # Workers must not each run an engine: they only read the views.
        os.environ["LEDGER_API_RUN_PROJECTIONS"] = "false"
        if projections:
            from projections.engine import Engine

            ledger = Ledger(store)
            engine = Engine(ledger)
            engine.start()
    os.environ.setdefault("LEDGER_DATABASE_URL", store.url)
    # The address served on is a host name the service answers to (docs/api.md, "Limits").
    os.environ["LEDGER_API_SERVE_HOST"] = host
    if host in ("0.0.0.0", "::") and not os.environ.get("LEDGER_TRUSTED_HOSTS"):
        typer.echo(
            "Answering only to Host localhost, 127.0.0.1, ::1 and this machine's name: set "
            "LEDGER_TRUSTED_HOSTS=name.of.this.server (comma-separated) for the names clients use."
        )
    typer.echo(f"Serving the ledger ({store.kind}) on http://{host}:{port} (docs at /docs).")
    sys.stdout.flush()
    try:
        # JSON lines, one a request, by route template (api.observe); uvicorn's access lines
        # would print query strings, which hold searched names.
        uvicorn.run(
            "api.app:create_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level=log_level,
            log_config=log_config(log_level),
            access_log=False,
        )
    finally:
        if engine is not None:
            engine.stop()
        if ledger is not None:
            ledger.close()


def register(app: typer.Typer) -> None:
    """Add the HTTP API's commands to the ``ledger`` command: ``keys`` (who may call it) and
    ``serve``."""
    keys.register(app)
    app.command("serve")(serve_command)
