"""Bookkeeping of views: which generation of each view is live, and how far each generation got.

``projection_views`` holds one row per view: the *live* generation that reads use (the pointer a
rebuild switches atomically) and the next generation number. ``projection_generations`` holds
one row per generation: its tracking position (the last log position applied to its tables, in
the same transaction as the writes), the schema version of the code that built it, and its state
(``building``, ``live``, ``retired``, ``scratch``).
"""

from __future__ import annotations

from dataclasses import dataclass

import psycopg

from projections.store import Connection, Tx

VIEWS_TABLE = "projection_views"
GENERATIONS_TABLE = "projection_generations"

BUILDING = "building"
LIVE = "live"
RETIRED = "retired"
SCRATCH = "scratch"


@dataclass(frozen=True)
class Generation:
    view: str
    generation: int
    position: int
    schema_version: int
    state: str


def ensure_tables(conn: Connection) -> None:
    """Create the bookkeeping tables if they are missing (safe to race with another process)."""
    statements = [
        f"CREATE TABLE IF NOT EXISTS {VIEWS_TABLE} ("
        "view TEXT PRIMARY KEY, live_generation INTEGER, next_generation INTEGER NOT NULL)",
        f"CREATE TABLE IF NOT EXISTS {GENERATIONS_TABLE} ("
        "view TEXT NOT NULL, generation INTEGER NOT NULL, position BIGINT NOT NULL, "
        "schema_version INTEGER NOT NULL, state TEXT NOT NULL, PRIMARY KEY (view, generation))",
    ]
    for attempt in range(3):
        try:
            with conn.transaction(write=True) as tx:
                for statement in statements:
                    tx.execute(statement)
            return
        except (
            psycopg.errors.UniqueViolation,
            psycopg.errors.DuplicateObject,
            psycopg.errors.DuplicateTable,
        ):
            # Two processes creating the same table at once in PostgreSQL (its row type or the
            # table itself clashes, depending on timing): the other one won.
            if attempt == 2:
                raise


def allocate(tx: Tx, view: str, schema_version: int, state: str) -> Generation:
    """A new generation number for ``view``, with its tracking row at position 0."""
    tx.execute(
        f"INSERT INTO {VIEWS_TABLE} (view, live_generation, next_generation) VALUES (?, NULL, 1) "
        "ON CONFLICT (view) DO NOTHING",
        (view,),
    )
    number = tx.scalar(
        f"SELECT next_generation FROM {VIEWS_TABLE} WHERE view = ?{tx.for_update()}", (view,)
    )
    tx.execute(f"UPDATE {VIEWS_TABLE} SET next_generation = ? WHERE view = ?", (number + 1, view))
    tx.execute(
        f"INSERT INTO {GENERATIONS_TABLE} (view, generation, position, schema_version, state) "
        "VALUES (?, ?, 0, ?, ?)",
        (view, number, schema_version, state),
    )
    return Generation(view, number, 0, schema_version, state)


def live(tx: Tx, views: list[str], *, lock: bool = False) -> dict[str, Generation]:
    """The live generation of each of ``views`` that has one (locked for update if asked)."""
    if not views:
        return {}
    marks = ",".join("?" for _ in views)
    suffix = tx.for_update() if lock else ""
    rows = tx.query(
        f"SELECT g.view, g.generation, g.position, g.schema_version, g.state "
        f"FROM {VIEWS_TABLE} v JOIN {GENERATIONS_TABLE} g "
        f"ON g.view = v.view AND g.generation = v.live_generation "
        f"WHERE v.view IN ({marks}){suffix}",
        views,
    )
    return {r[0]: Generation(r[0], r[1], r[2], r[3], r[4]) for r in rows}


def get(tx: Tx, view: str, generation: int, *, lock: bool = False) -> Generation | None:
    suffix = tx.for_update() if lock else ""
    row = tx.query(
        f"SELECT view, generation, position, schema_version, state FROM {GENERATIONS_TABLE} "
        f"WHERE view = ? AND generation = ?{suffix}",
        (view, generation),
    )
    return Generation(*row[0]) if row else None


def all_generations(tx: Tx) -> list[Generation]:
    rows = tx.query(
        f"SELECT view, generation, position, schema_version, state FROM {GENERATIONS_TABLE} "
        "ORDER BY view, generation"
    )
    return [Generation(*r) for r in rows]


def advance(tx: Tx, generation: Generation, position: int) -> bool:
    """Move a generation's tracking position, only from where the caller found it.

    Returns False (and changes nothing) when another engine moved it first; the caller's
    transaction must then be rolled back.
    """
    tx.execute(
        f"UPDATE {GENERATIONS_TABLE} SET position = ? WHERE view = ? AND generation = ? AND position = ?",
        (position, generation.view, generation.generation, generation.position),
    )
    return tx.rowcount == 1


def switch(tx: Tx, view: str, generation: int) -> int | None:
    """Make ``generation`` the live one; returns the generation it replaced, if any."""
    previous = tx.scalar(
        f"SELECT live_generation FROM {VIEWS_TABLE} WHERE view = ?{tx.for_update()}", (view,)
    )
    tx.execute(f"UPDATE {VIEWS_TABLE} SET live_generation = ? WHERE view = ?", (generation, view))
    tx.execute(
        f"UPDATE {GENERATIONS_TABLE} SET state = ? WHERE view = ? AND generation = ?",
        (LIVE, view, generation),
    )
    if previous is not None and previous != generation:
        tx.execute(
            f"UPDATE {GENERATIONS_TABLE} SET state = ? WHERE view = ? AND generation = ?",
            (RETIRED, view, previous),
        )
    return previous if previous != generation else None


def forget(tx: Tx, view: str, generation: int) -> None:
    tx.execute(
        f"DELETE FROM {GENERATIONS_TABLE} WHERE view = ? AND generation = ?", (view, generation)
    )
