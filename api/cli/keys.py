"""``ledger keys add|list|revoke|rotate``: who may call the HTTP API, with which role."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer

from api.cli.session import configured_store, fail
from api.keys import KeyCommandError, KeyStore, Role
from projections.service_tables import ServiceTables


@contextmanager
def key_store(*, must_exist: bool = False) -> Iterator[KeyStore]:
    """The key table of the configured store (exit 2 with one line if there is no such store),
    closed when the block ends; a refused key command is one line and exit 1."""
    db = ServiceTables(configured_store(must_exist=must_exist))
    try:
        keys = KeyStore(db)
        keys.create_table()
        yield keys
    except KeyCommandError as error:
        raise fail(str(error)) from None
    finally:
        db.close()


def add(
    name: Annotated[str, typer.Argument(help="Who the key is for; recorded as recorded_by on every event.")],
    role: Annotated[Role, typer.Option("--role", help="registrar, auditor or reader.")],
) -> None:
    """Create a key. The token is printed once, as the last line; only its hash is kept."""
    with key_store() as keys:
        token = keys.add(name, role)
    typer.echo(f"Key '{name}' ({role.value}) created. Keep the token: it cannot be shown again.")
    typer.echo(token)


def list_keys() -> None:
    """Every key: name, role, created, revoked (tokens are never shown)."""
    with key_store(must_exist=True) as keys:
        found = keys.list()
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


def revoke(name: Annotated[str, typer.Argument(help="The key to revoke.")]) -> None:
    """Revoke a key: its token stops working (within a second on running servers)."""
    with key_store() as keys:
        keys.revoke(name)
    typer.echo(f"Key '{name}' revoked.")


def rotate(name: Annotated[str, typer.Argument(help="The key to give a new token.")]) -> None:
    """Give a key a new token (same name and role); the old token stops working."""
    with key_store() as keys:
        token = keys.rotate(name)
    typer.echo(f"Key '{name}' has a new token. Keep it: it cannot be shown again.")
    typer.echo(token)


def register(app: typer.Typer) -> None:
    """Add the ``keys`` command group to the ``ledger`` command."""
    group = typer.Typer(help="API keys: who may call the HTTP API, with which role.", no_args_is_help=True)
    group.command("add")(add)
    group.command("list")(list_keys)
    group.command("revoke")(revoke)
    group.command("rotate")(rotate)
    app.add_typer(group, name="keys")
