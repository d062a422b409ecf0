"""Bringing every view level with the log in one go: what a load (``ledger demo``, ``ledger
import``) runs at its end, and ``ledger bm01`` before it reads."""

from __future__ import annotations

from ledger.application import Ledger
from projections.engine import Engine


def catch_up_views(ledger: Ledger) -> str:
    """Build every view not built yet and apply the whole log to each (what ``demo`` and
    ``import`` run at their end, so a fresh store's views are ready to read and to verify)."""
    engine = Engine(ledger)
    try:
        engine.run_until_idle()
    finally:
        engine.stop()
    return f"Views built and up to date: {', '.join(v.name for v in engine.views)}."
