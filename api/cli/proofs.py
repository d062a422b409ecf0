"""``ledger checkpoint`` (verify the log, then sign its size and Merkle root) and ``ledger
verify-credential FILE`` (check a badge offline: ``ledger.store.badge_verify``). See docs/integrity.md.

Exit codes: 0 signed, 1 the log does not verify (nothing is signed), 2 no usable store.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from api.cli.session import fail, ledger_session
from ledger.store.badge_verify import verify_file
from ledger.store.integrity import verify_log
from ledger.store.proofs import sign_checkpoint


def checkpoint_command(
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the signed checkpoint as JSON instead.")
    ] = False,
) -> None:
    """Sign the log's size and Merkle root with the agency's Ed25519 key, after verifying it.

    The last line printed is the signed checkpoint: keep it outside the agency, and check the
    log against it later with `ledger verify --against`."""
    with ledger_session(must_exist=True) as ledger:
        report = verify_log(ledger.chained_recorder, mapper=ledger.mapper)
        if not report.ok:
            raise fail(f"nothing was signed. {report.summary()}")
        signed = sign_checkpoint(ledger.chained_recorder)
    if as_json:
        typer.echo(json.dumps(signed.as_json(), ensure_ascii=False))
        return
    typer.echo(f"Signed the log at {signed.size} events with key {signed.key_id}:")
    typer.echo(str(signed))


def verify_credential_command(
    file: Annotated[Path, typer.Argument(help="A badge downloaded from the ledger (VC-JWT).")],
    keys: Annotated[
        Path | None,
        typer.Option(
            "--keys",
            help="The agency's published keys (/.well-known/ledger-keys.json), kept by the "
            "auditor; default: ledger-keys.json beside FILE.",
        ),
    ] = None,
) -> None:
    """Check a badge with no database and no network: its signature, that it is not voided,
    its checkpoint's signature and every evidence event's inclusion proof. Exit 0 valid, 1 not."""
    outcome = verify_file(file, keys)
    typer.echo(outcome.message)
    if not outcome.valid:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add ``checkpoint`` and ``verify-credential`` to the ``ledger`` command."""
    app.command("checkpoint")(checkpoint_command)
    app.command("verify-credential")(verify_credential_command)
