"""``ledger checkpoint``: verify the log, then sign its size and Merkle root (docs/integrity.md).

Exit codes: 0 signed, 1 the log does not verify (nothing is signed), 2 no usable store.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer

from ledger.cli import open_ledger
from ledger.integrity import verify_log
from ledger.proofs import sign_checkpoint


def register(app: typer.Typer) -> None:
    @app.command("checkpoint")
    def checkpoint_command(
        as_json: Annotated[
            bool, typer.Option("--json", help="Print the signed checkpoint as JSON instead.")
        ] = False,
    ) -> None:
        """Sign the log's size and Merkle root with the agency's Ed25519 key, after verifying it.

        The last line printed is the signed checkpoint: keep it outside the agency, and check the
        log against it later with `ledger verify --against`."""
        ledger = open_ledger(must_exist=True)
        try:
            report = verify_log(ledger.chained_recorder, mapper=ledger.mapper)
            if not report.ok:
                typer.echo(f"Error: nothing was signed. {report.summary()}", err=True)
                raise typer.Exit(1)
            signed = sign_checkpoint(ledger.chained_recorder)
        finally:
            ledger.close()
        if as_json:
            typer.echo(json.dumps(signed.as_json(), ensure_ascii=False))
            return
        typer.echo(f"Signed the log at {signed.size} events with key {signed.key_id}:")
        typer.echo(str(signed))
