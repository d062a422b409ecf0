"""``ledger demo``: load the demo agency (see ``ledger.demo`` and docs/demo.md).

The demo belongs in a store of its own. ``ledger demo`` loads it into an empty store; on a store
that already holds it (same seed) it says so and records nothing, so running it twice is safe.
A store with other records is refused unless ``--force``, and even then only when none of the
demo's staff ids is taken: the log is append-only, so nothing here deletes or overwrites.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from functools import partial
from typing import Annotated

import typer

from api.cli.app import hooks_in, hooks_of
from api.cli.progress import progress_bar
from api.cli.session import fail, ledger_session
from api.cli.store import build_views_after_load
from ledger.application import Ledger
from ledger.demo import AGENCY, DEFAULT_SEED, DemoPlan, DemoSummary, apply_plan, build_plan, describe_targets
from ledger.domain import errors
from ledger.store.config import safe_url
from ledger.view_checks import BuildViews


def demo(
    ctx: typer.Context,
    seed: Annotated[
        int,
        typer.Option(help="Seed of the generator: the same seed gives the same log, byte for byte."),
    ] = DEFAULT_SEED,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Load into a store that already holds other records (never over them: a store "
            "where any of the demo's staff ids is taken is refused).",
        ),
    ] = False,
) -> None:
    """Load the demo agency: a provincial Cục of 61 staff and seven years of training history
    that reproduce the reference article's figures (docs/demo.md)."""
    with ledger_session() as ledger:
        try:
            plan = build_plan(seed)
            where = safe_url(ledger.store.url)
            verdict = _check_store(ledger, plan, force)
            if verdict == "loaded":
                typer.echo(f"{where} already holds the demo agency (seed {seed}): nothing recorded.")
                return
            if verdict is not None:
                raise fail(verdict)
            started = time.perf_counter()
            with progress_bar({"demo": "Loading the demo"}) as progress:
                progress.begin("demo")
                summary = apply_plan(ledger, plan, on_progress=partial(progress, "demo"))
            seconds = time.perf_counter() - started
            for line in _summary_lines(summary, where, seconds):
                typer.echo(line)
            build_views_after_load(ledger, hooks_in(ctx))
        except errors.LedgerError as error:
            raise fail(f"the demo could not be loaded: {error.message}") from None


def _check_store(ledger: Ledger, plan: DemoPlan, force: bool) -> str | None:
    """None when the demo may be loaded, "loaded" when the store holds it already, else why not."""
    if ledger.chained_recorder.is_empty():
        return None
    ids = [person.staff_id for person in plan.people.values()]
    taken = [staff_id for staff_id in ids if ledger.staff_exists(staff_id)]
    if len(taken) == len(ids):
        same = all(ledger.record(p.staff_id).full_name == p.full_name for p in plan.people.values())
        if not same:
            return (
                "the store holds a demo agency loaded with another seed; use a fresh store "
                "(LEDGER_DATABASE_URL) for this one."
            )
        recorded = sum(ledger.get_member(staff_id).version for staff_id in ids)
        if recorded >= plan.staff_commands():
            return "loaded"
        return (
            f"the store holds {recorded} of the demo's {plan.staff_commands()} events: an earlier load was "
            "interrupted. Load it into a fresh store (LEDGER_DATABASE_URL)."
        )
    if taken:
        shown = ", ".join(taken[:5]) + (" …" if len(taken) > 5 else "")
        return (
            f"{len(taken)} of the demo's staff ids are already in this store ({shown}); the demo "
            "never records over existing staff. Use a fresh store (LEDGER_DATABASE_URL)."
        )
    if not force:
        return (
            "the store is not empty. The demo is meant for a store of its own: point "
            "LEDGER_DATABASE_URL at a new one (e.g. sqlite:///./demo.db), or pass --force to load "
            "it beside the records already there."
        )
    return None


def _summary_lines(summary: DemoSummary, where: str, seconds: float) -> Iterator[str]:
    yield (
        f"Loaded the demo agency {AGENCY} (seed {summary.seed}) into {where}: {summary.events:,} events "
        f"in {seconds:.1f} s (log positions {summary.first_position}–{summary.last_position})."
    )
    yield (
        f"Staff {summary.current_staff_ids[0]}–{summary.current_staff_ids[-1]}: "
        f"{len(summary.current_staff_ids)} on the roll, {len(summary.former_staff_ids)} former "
        f"({', '.join(summary.former_staff_ids)})."
    )
    yield f"Figures it reproduces on {summary.snapshot.isoformat()} (docs/demo.md):"
    for line in describe_targets():
        yield f"  {line}"
    yield "Edge cases (docs/domain.md §3.9):"
    for name, ids in summary.edge_cases.items():
        label = name.replace("_", " ")
        yield f"  {label}: {', '.join(ids) or '—'}"
    yield f"Corrections: {', '.join(summary.corrections)}"
    if summary.waived_appointments:
        yield (
            "Appointments the configured rules refused, recorded with a waiver: "
            f"{', '.join(summary.waived_appointments)}"
        )
    yield (
        f"Renamed on {summary.agency_renamed_on.isoformat()} to {summary.agency_renamed} "
        "(not an event yet: the ledger records no organisation changes)."
    )
    yield f"Look: GET /staff/{summary.current_staff_ids[0]} · GET /reports/qualifications?as_of=2025-12-31"


def register(app: typer.Typer, *, build_views: BuildViews | None = None) -> None:
    """Add ``demo`` to the ``ledger`` command; ``build_views`` runs once the demo is loaded, so
    the views are ready to read and ``ledger verify`` has them to compare."""
    hooks_of(app).build_views = build_views
    app.command("demo")(demo)
