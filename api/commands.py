"""The ``ledger keys …`` and ``ledger serve`` commands (wired into the CLI by ``api.cli``)."""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from api.keys import KeyCommandError, KeyStore, Role
from api.observe import log_config
from ledger.application import Ledger
from ledger.cli import configured_store, open_ledger
from ledger.demo import load_demo
from projections.store import ServiceTables

DEMO_KEYS = (("demo-registrar", Role.REGISTRAR), ("demo-auditor", Role.AUDITOR), ("demo-reader", Role.READER))


def open_keys(*, must_exist: bool = False) -> tuple[ServiceTables, KeyStore]:
    """The key table of the configured store (exit 2 with one line if there is no such store)."""
    db = ServiceTables(configured_store(must_exist=must_exist))
    keys = KeyStore(db)
    keys.create_table()
    return db, keys


def keys_app() -> typer.Typer:
    app = typer.Typer(help="API keys: who may call the HTTP API, with which role.", no_args_is_help=True)

    @app.command("add")
    def add(
        name: Annotated[
            str, typer.Argument(help="Who the key is for; recorded as recorded_by on every event.")
        ],
        role: Annotated[Role, typer.Option("--role", help="registrar, auditor or reader.")],
    ) -> None:
        """Create a key. The token is printed once, as the last line; only its hash is kept."""
        db, keys = open_keys()
        try:
            token = keys.add(name, role)
        except KeyCommandError as error:
            typer.echo(f"Error: {error}", err=True)
            raise typer.Exit(1) from None
        finally:
            db.close()
        typer.echo(f"Key '{name}' ({role.value}) created. Keep the token: it cannot be shown again.")
        typer.echo(token)

    @app.command("list")
    def list_keys() -> None:
        """Every key: name, role, created, revoked (tokens are never shown)."""
        db, keys = open_keys(must_exist=True)
        try:
            found = keys.list()
        finally:
            db.close()
        if not found:
            typer.echo("No keys yet: ledger keys add NAME --role registrar|auditor|reader")
            return
        width = max(len(k.name) for k in found)
        for key in found:
            revoked = f"revoked {key.revoked_at:%Y-%m-%d %H:%M}" if key.revoked_at else "active"
            typer.echo(
                f"{key.name:<{width}}  {key.role.value:<9}  "
                f"created {key.created_at:%Y-%m-%d %H:%M}  {revoked}"
            )

    @app.command("revoke")
    def revoke(name: Annotated[str, typer.Argument(help="The key to revoke.")]) -> None:
        """Revoke a key: its token stops working (within a second on running servers)."""
        db, keys = open_keys()
        try:
            keys.revoke(name)
        except KeyCommandError as error:
            typer.echo(f"Error: {error}", err=True)
            raise typer.Exit(1) from None
        finally:
            db.close()
        typer.echo(f"Key '{name}' revoked.")

    @app.command("rotate")
    def rotate(name: Annotated[str, typer.Argument(help="The key to give a new token.")]) -> None:
        """Give a key a new token (same name and role); the old token stops working."""
        db, keys = open_keys()
        try:
            token = keys.rotate(name)
        except KeyCommandError as error:
            typer.echo(f"Error: {error}", err=True)
            raise typer.Exit(1) from None
        finally:
            db.close()
        typer.echo(f"Key '{name}' has a new token. Keep it: it cannot be shown again.")
        typer.echo(token)

    return app


def load_demo_agency() -> None:
    """Load the demo agency into the configured store if it is empty; say so if it is not."""
    ledger = open_ledger()
    try:
        if not ledger.chained_recorder.is_empty():
            typer.echo(
                "The store is not empty: the demo agency is not loaded (use a fresh store for --demo)."
            )
            return
        with Progress(
            TextColumn("Loading the demo agency"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn()
        ) as progress:
            task = progress.add_task("demo", total=None)

            def advance(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            summary = load_demo(ledger, on_progress=advance)
        typer.echo(
            f"Demo agency loaded: {summary.agency}, {len(summary.current_staff_ids)} staff on the roll, "
            f"{len(summary.former_staff_ids)} former, {summary.events} events."
        )
    finally:
        ledger.close()


def demo_keys() -> list[tuple[str, Role, str]]:
    """A registrar, an auditor and a reader key, made only when the store has no key at all.

    A second ``serve --demo`` on the same store keeps the keys it finds: rotating them would
    turn away every client holding the first run's tokens. Returns the keys made (none then).
    """
    db, keys = open_keys()
    made = []
    try:
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
    finally:
        db.close()
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
    """Add ``keys`` and ``serve`` to the ``ledger`` command."""
    app.add_typer(keys_app(), name="keys")
    app.command("serve")(serve_command)
