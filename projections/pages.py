"""One page of the log applied to one view, the unit every build and every step of the engine commits."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from projections import generations
from projections.base import Envelope, View, envelopes_for
from projections.generations import Generation
from projections.log import LogReader, TransactionLog
from projections.store import Tx

Progress = Callable[[int, int], None]
"""Called after each committed page of a build with (position reached, log head)."""


class PositionMoved(Exception):
    """Another engine moved a view's position while this one was applying a page."""


def apply_page(
    tx: Tx,
    view: View,
    generation: Generation,
    envelopes: Sequence[Envelope],
    end: int,
    reader: LogReader,
) -> Generation:
    """Apply the envelopes after the generation's position and move its tracking to ``end``."""
    if end <= generation.position:
        return generation  # this view is ahead of the page (others lag behind it): nothing to do
    fresh = [e for e in envelopes_for(view, envelopes) if e.position > generation.position]
    if fresh:
        view.apply(tx, view.table_set(generation.generation), fresh, TransactionLog(tx, reader))
    if not generations.advance(tx, generation, end):
        raise PositionMoved(f"{view.name} generation {generation.generation} moved")
    return Generation(
        generation.view, generation.generation, end, generation.schema_version, generation.state
    )
