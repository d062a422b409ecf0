"""Bookkeeping of views: which generation of each view is live, and how far each generation got.

``projection_views`` holds one row per view: the *live* generation that reads use (the pointer a
rebuild switches atomically) and the next generation number. ``projection_generations`` holds
one row per generation: its tracking position (the last log position applied to its tables, in
the same transaction as the writes), the schema version of the code that built it, and its state
(``building``, ``live``, ``retired``, ``scratch``).

``projection_faults`` holds one row per view whose live generation the engine could not move
past an event (a *poison* event): the generation, the position it stopped at, the event it could
not apply and the error, written by the engine in the transaction that stopped the view and
deleted in the one that moves it past. It lives in the store, not in the engine's memory, so that
every process (API workers beside an external ``ledger projections run``) sees the same state.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import psycopg

from projections.store import Connection, Tx

VIEWS_TABLE = "projection_views"
GENERATIONS_TABLE = "projection_generations"
FAULTS_TABLE = "projection_faults"

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
        f"CREATE TABLE IF NOT EXISTS {FAULTS_TABLE} ("
        "view TEXT PRIMARY KEY, generation INTEGER NOT NULL, position BIGINT NOT NULL, "
        "event_position BIGINT NOT NULL, event_id TEXT NOT NULL, error TEXT NOT NULL, "
        "failed_since TEXT NOT NULL, last_failed_at TEXT NOT NULL, attempts INTEGER NOT NULL, "
        "next_retry_at TEXT NOT NULL)",
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


@dataclass(frozen=True)
class Fault:
    """Why a view's live generation stopped: it applied the log up to ``position`` and could not
    apply the event at ``event_position`` (``event_id``, ``STAFF_ID:VERSION``)."""

    view: str
    generation: int
    position: int
    event_position: int
    event_id: str
    error: str
    failed_since: datetime
    last_failed_at: datetime
    attempts: int
    next_retry_at: datetime

    def describe(self) -> str:
        return (
            f"view {self.view} stopped at position {self.position}: event {self.event_id} "
            f"(position {self.event_position}) failed: {self.error}"
        )


def record_fault(tx: Tx, fault: Fault) -> None:
    """Write (or replace) the fault of a view."""
    tx.execute(f"DELETE FROM {FAULTS_TABLE} WHERE view = ?", (fault.view,))
    tx.execute(
        f"INSERT INTO {FAULTS_TABLE} (view, generation, position, event_position, event_id, error, "
        "failed_since, last_failed_at, attempts, next_retry_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            fault.view,
            fault.generation,
            fault.position,
            fault.event_position,
            fault.event_id,
            fault.error,
            fault.failed_since.isoformat(),
            fault.last_failed_at.isoformat(),
            fault.attempts,
            fault.next_retry_at.isoformat(),
        ),
    )


def clear_fault(tx: Tx, view: str) -> None:
    tx.execute(f"DELETE FROM {FAULTS_TABLE} WHERE view = ?", (view,))


def faults(tx: Tx, live_generations: dict[str, Generation] | None = None) -> dict[str, Fault]:
    """The recorded faults by view; with ``live_generations``, only those of the live ones (a
    rebuild that replaced a failing generation makes its fault moot)."""
    rows = tx.query(
        f"SELECT view, generation, position, event_position, event_id, error, failed_since, "
        f"last_failed_at, attempts, next_retry_at FROM {FAULTS_TABLE}"
    )
    found = {}
    for row in rows:
        fault = Fault(
            row[0], row[1], row[2], row[3], row[4], row[5], _moment(row[6]), _moment(row[7]), row[8],
            _moment(row[9]),
        )
        if live_generations is not None:
            live_one = live_generations.get(fault.view)
            if live_one is None or live_one.generation != fault.generation:
                continue
        found[fault.view] = fault
    return found


def _moment(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
