"""Checking the views: rebuild each into scratch tables and compare with the live generation.

``check_views`` is the read side's part of ``ledger verify`` (one of the view checks ``api.cli``
passes to ``api.cli.store.register``). Each view is rebuilt from the log into a scratch
generation up to the live generation's position; both are then compared table by table with
``EXCEPT`` in one snapshot. If the live view moved on meanwhile (an engine is running), the
scratch generation is brought up to the new position and the comparison is repeated.
"""

from __future__ import annotations

from collections.abc import Sequence

from ledger.application import Ledger
from ledger.view_checks import ViewNote
from projections import generations
from projections.base import View
from projections.building import build_views, drop_generation, fill
from projections.generations import SCRATCH, Generation
from projections.log import LogReader
from projections.registry import default_views
from projections.store import Connection, Database, Tx

ATTEMPTS = 5
SAMPLES = 3


def check_views(ledger: Ledger) -> list[str]:
    """Every difference between the live views and a rebuild from the log (empty: all agree);
    a view never built is a :class:`ViewNote`, not a difference."""
    return compare_views(ledger, default_views(ledger))


def compare_view(ledger: Ledger, view: View, *, page_size: int = 5000) -> list[str]:
    """The differences between ``view``'s live generation and a fresh rebuild of it."""
    return compare_views(ledger, [view], page_size=page_size)


def compare_views(ledger: Ledger, views: Sequence[View], *, page_size: int = 5000) -> list[str]:
    """Rebuild ``views`` into scratch generations in one pass over the log and compare each with
    its live generation."""
    conn = Database(ledger.store).connect()
    reader = LogReader(ledger)
    scratch: dict[str, Generation] = {}
    problems: list[str] = []
    try:
        generations.ensure_tables(conn)
        with conn.transaction() as tx:
            live = generations.live(tx, [v.name for v in views])
        ready = []
        for view in views:
            found = live.get(view.name)
            if found is None:
                # Never built is not broken: there is nothing to disagree with the log yet.
                problems.append(
                    ViewNote(
                        f"the {view.name} view has not been built yet (`ledger projections "
                        "rebuild`, or a running server, builds it); nothing to compare."
                    )
                )
            elif found.schema_version != view.schema_version:
                problems.append(
                    f"The {view.name} view was built by another version of the code (schema "
                    f"{found.schema_version}, expected {view.schema_version}): rebuild it."
                )
            else:
                ready.append(view)
        if not ready:
            return problems
        scratch = build_views(
            ledger, ready, switch=False, state=SCRATCH, page_size=page_size, reader=reader,
            stop_at=min(live[v.name].position for v in ready),
        )
        for view in ready:
            problems += _compare(conn, reader, view, scratch, page_size)
        return problems
    finally:
        for view in views:
            if view.name in scratch:
                drop_generation(conn, view, scratch[view.name].generation)
        conn.close()


def _compare(
    conn: Connection, reader: LogReader, view: View, scratch: dict[str, Generation], page_size: int
) -> list[str]:
    for _ in range(ATTEMPTS):
        with conn.transaction(snapshot=True) as tx:
            now = generations.live(tx, [view.name]).get(view.name)
            mine = generations.get(tx, view.name, scratch[view.name].generation)
            if now is None or mine is None:
                return [f"The {view.name} view disappeared while it was being checked."]
            if mine.position == now.position:
                return _differences(tx, view, now.generation, mine.generation)
        if mine.position > now.position:
            return [
                f"The {view.name} view went back from position {mine.position} to "
                f"{now.position} while it was being checked."
            ]
        scratch[view.name] = fill(conn, reader, view, mine, page_size=page_size, stop_at=now.position)
    return [f"The {view.name} view kept moving; it could not be compared. Try again."]


def _differences(tx: Tx, view: View, live: int, scratch: int) -> list[str]:
    problems = []
    live_tables = view.table_set(live)
    scratch_tables = view.table_set(scratch)
    for logical in view.tables:
        a, b = live_tables[logical], scratch_tables[logical]
        extra = _except(tx, a, b)
        missing = _except(tx, b, a)
        if extra:
            problems.append(
                f"{view.name}.{logical}: {len(extra)} row(s) in the live view that the log does not "
                f"give, e.g. {_show(extra)}"
            )
        if missing:
            problems.append(
                f"{view.name}.{logical}: {len(missing)} row(s) the log gives are missing from the "
                f"live view, e.g. {_show(missing)}"
            )
    return problems


def _except(tx: Tx, a: str, b: str) -> Sequence[tuple[object, ...]]:
    return tx.query(f"SELECT * FROM {a} EXCEPT SELECT * FROM {b}")


def _show(rows: Sequence[tuple[object, ...]]) -> str:
    return "; ".join(repr(tuple(r)) for r in rows[:SAMPLES])
