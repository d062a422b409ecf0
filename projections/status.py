"""The state of every view's generations, for `ledger projections status` and the readiness checks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ledger.application import Ledger
from projections import generations
from projections.generations import Fault
from projections.log import LogReader
from projections.store import Database, Tx


@dataclass(frozen=True)
class ViewState:
    """How far one view's live generation is, and why it is stuck if it is."""

    name: str
    generation: int
    position: int
    lag_events: int
    lag_seconds: float
    fault: Fault | None

    @property
    def failing(self) -> bool:
        return self.fault is not None


def view_states(
    tx: Tx, reader: LogReader, names: Sequence[str], *, head: int | None = None, now: datetime | None = None
) -> list[ViewState]:
    """The live generation of each of ``names`` (those that have one): position, lag behind the
    log's head in events and in seconds (how long the first event it has not applied has been
    waiting), and its fault if a poison event stopped it."""
    live = generations.live(tx, list(names))
    found = generations.faults(tx, live)
    head = reader.head() if head is None else head
    now = now or datetime.now(UTC)
    states = []
    waiting: dict[int, float] = {}
    for name in names:
        g = live.get(name)
        if g is None:
            continue
        fault = found.get(name)
        if fault is not None and fault.position != g.position:
            fault = None  # another engine moved the view past it since
        lag = max(head - g.position, 0)
        seconds = 0.0
        if lag:
            if g.position not in waiting:
                waiting[g.position] = _waiting_since(reader, g.position, now)
            seconds = waiting[g.position]
        states.append(ViewState(name, g.generation, g.position, lag, seconds, fault))
    return states


def _waiting_since(reader: LogReader, position: int, now: datetime) -> float:
    page = reader.page(position, 1)
    if not page:
        return 0.0
    envelope = reader.decode(page)[0]
    moment = envelope.event.timestamp
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return round(max((now - moment).total_seconds(), 0.0), 3)


def status(ledger: Ledger) -> list[dict[str, Any]]:
    """Every generation of every view with its position and lag behind the log's head."""
    conn = Database(ledger.store).connect()
    reader = LogReader(ledger)
    head = reader.head()
    try:
        generations.ensure_tables(conn)
        with conn.transaction() as tx:
            rows = generations.all_generations(tx)
            names = sorted({g.view for g in rows})
            states = {s.name: s for s in view_states(tx, reader, names, head=head, now=ledger.clock())}
    finally:
        conn.close()
    answer = []
    for g in rows:
        state = states.get(g.view)
        live_one = state is not None and state.generation == g.generation
        answer.append(
            {
                "view": g.view,
                "generation": g.generation,
                "state": g.state,
                "position": g.position,
                "head": head,
                "lag": head - g.position,
                "schema_version": g.schema_version,
                "lag_seconds": state.lag_seconds if live_one and state is not None else None,
                "fault": state.fault if live_one and state is not None else None,
            }
        )
    return answer
