"""A standing view that cannot apply one chosen event, for the poison-event tests.

The fault can be a Python exception in ``apply`` or an SQL error (which, on PostgreSQL, aborts
the transaction it runs in); ``poison.cure()`` removes it, as an upgrade of the view's code would.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import date

from ledger.application import Ledger
from projections.anomalies import AnomaliesView
from projections.base import Envelope, LogSource, Tables, View
from projections.credentials import CredentialsView
from projections.standing import StandingView
from projections.statistics import StatisticsView
from projections.store import Tx


class Poison:
    def __init__(self, event_id: str | None = None, *, kind: str = "python") -> None:
        self.event_id = event_id
        self.kind = kind
        self.active = True

    def cure(self) -> None:
        self.active = False


class PoisonedStandingView(StandingView):
    """The real standing view, except that it fails on ``poison.event_id`` while the poison is active."""

    def __init__(self, poison: Poison) -> None:
        super().__init__()
        self.poison = poison

    def apply(self, tx: Tx, tables: Tables, envelopes: Sequence[Envelope], log: LogSource) -> None:
        poison = self.poison
        if poison.active and any(e.event_id == poison.event_id for e in envelopes):
            if poison.kind == "sql":
                tx.execute("INSERT INTO no_such_table_for_the_poison (x) VALUES (?)", (1,))
            raise RuntimeError(f"the standing view cannot apply {poison.event_id}")
        super().apply(tx, tables, envelopes, log)


def poisoned_views(poison: Poison) -> list[View]:
    return [PoisonedStandingView(poison), CredentialsView(), StatisticsView(), AnomaliesView()]


def register(ledger: Ledger, staff_id: str, name: str = "Nguyễn Văn An") -> int:
    """Register one person; returns the log position of the registration."""
    return ledger.register(
        staff_id=staff_id,
        full_name=name,
        gender="male",
        birth_date=date(1985, 4, 12),
        unit="Phòng Tổ chức cán bộ",
        joined_on=date(2010, 9, 1),
        recorded_by="phong-tccb",
    ).position


def wait_until(condition: Callable[[], object], timeout: float = 60.0, what: str = "condition") -> None:
    """Poll ``condition`` until it holds (a wait for a condition, never a sleep of fixed length)."""
    deadline = time.monotonic() + timeout
    delay = 0.01
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(delay)
        delay = min(delay * 2, 0.2)
