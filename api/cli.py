"""Composition root of the ``ledger`` command: assembles the commands of every package."""

from __future__ import annotations

import typer

from ledger.cli import make_app


def build_cli() -> typer.Typer:
    app = make_app()
    return app


def main() -> None:
    build_cli()()
