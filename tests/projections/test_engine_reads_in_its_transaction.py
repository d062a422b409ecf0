"""A view reads a person's earlier events through the engine's own transaction, never through
the application's connection pool. On SQLite the engine's transaction holds the file's write
lock while a view reads, and writers waiting for that lock can hold every pooled connection: with
16 concurrent writers (`bench/http.py`) every write stalled until the busy timeout. Here the pool
is emptied while the view applies its page; real stores."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from typing import Any

from projections_fixtures import Clock

from ledger.application import Ledger
from ledger.store.config import StoreConfig
from projections import generations
from projections.base import Envelope, LogSource, Tables
from projections.engine import Engine
from projections.findings import FindingsView
from projections.store import Database, Tx


@contextmanager
def every_pooled_connection_taken(ledger: Ledger) -> Iterator[int]:
    """Hold every connection the application's pool will give until the block ends."""
    pool: Any = ledger.recorder.datastore.pool  # type: ignore[attr-defined]
    taken: list[Any] = []
    psycopg_pool = hasattr(pool, "getconn")
    while True:
        try:
            taken.append(pool.getconn(timeout=0.2) if psycopg_pool else pool.get_connection(timeout=0.2))
        except Exception:  # the pool's own "none left" error, whichever pool it is
            break
    try:
        yield len(taken)
    finally:
        for connection in taken:
            if psycopg_pool:
                pool.putconn(connection)
            else:
                pool.put_connection(connection)


class FindingsWithThePoolTaken(FindingsView):
    """The findings view, applying each page with no pooled connection left to the application."""

    taken: list[int]

    def apply(self, tx: Tx, tables: Tables, envelopes: Sequence[Envelope], log: LogSource) -> None:
        with every_pooled_connection_taken(self.ledger) as count:
            self.taken.append(count)
            super().apply(tx, tables, envelopes, log)


def test_a_view_reads_a_person_s_earlier_events_with_every_pooled_connection_taken(
    store: StoreConfig,
) -> None:
    ledger = Ledger(store)
    clock = Clock()
    view = FindingsWithThePoolTaken(ledger.rules, today=ledger.today)
    view.ledger = ledger  # type: ignore[attr-defined]
    view.taken = []
    engine = Engine(ledger, views=[view], listen=False)
    try:
        ledger.register(
            staff_id="CB001",
            full_name="Nguyễn Thị Hường",
            gender="female",
            birth_date=date(1985, 4, 2),
            unit="Văn phòng",
            joined_on=date(2010, 1, 1),
            position="Chuyên viên",
            recorded_by="r",
            recorded_at=clock.tick(),
        )
        engine.run_until_idle()
        # The enrollment arrives alone, so the view must read the registration back to judge.
        head = ledger.enroll(
            "CB001",
            course_code="TH",
            course_title="Tin học",
            track="it",
            level="basic",
            provider="Trung tâm",
            mode="online",
            starts_on=date(2020, 1, 6),
            recorded_by="r",
            recorded_at=clock.tick(),
        ).position

        engine.run_until_idle()

        conn = Database(ledger.store).connect()
        try:
            with conn.transaction() as tx:
                faults = generations.faults(tx)
                live = generations.live(tx, ["findings"])["findings"]
                people = view.table_set(live.generation)["people"]
                versions = [version for (version,) in tx.query(f"SELECT version FROM {people}")]
        finally:
            conn.close()
        assert faults == {}
        assert live.position == head
        assert versions == [2]
        # Applied twice, each time with the pool emptied: the build, then the enrollment's page at
        # the first try (a failed page is applied again event by event, a third time).
        assert len(view.taken) == 2
        assert min(view.taken) > 0
    finally:
        engine.stop()
        ledger.close()
