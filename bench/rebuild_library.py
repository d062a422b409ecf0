"""The library's own projection runner on the same log, for comparison: the eventsourcing
ProjectionRunner following it with the same views (bench/rebuild.py)."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import psycopg
from eventsourcing.persistence import ListenNotifySubscription, Subscription, Tracking
from eventsourcing.postgres import PostgresTrackingRecorder
from eventsourcing.projection import Projection, ProjectionRunner
from eventsourcing.sqlite import SQLiteTrackingRecorder
from eventsourcing.utils import get_topic
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Identifier
from rebuild_log import POSTGRES_URL, peak_rss_mb

from ledger.application import Ledger
from ledger.store.config import StoreConfig
from ledger.store.sqlite import ChainedSQLiteRecorder
from projections.base import envelopes_for
from projections.log import LogReader
from projections.registry import default_views
from projections.store import PostgresTx, SQLiteTx


class PollingSubscription(ListenNotifySubscription[Any]):
    """The library's listen/notify subscription, woken by a timer (SQLite has no NOTIFY)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._ticker = threading.Thread(target=self._tick, daemon=True)
        self._ticker.start()

    def _tick(self) -> None:
        while not self._has_been_stopped:
            self._has_been_notified.set()
            time.sleep(0.05)


class PollingSQLiteRecorder(ChainedSQLiteRecorder):
    def subscribe(self, gt: int | None = None, topics: Sequence[str] = ()) -> Subscription[Any]:
        return PollingSubscription(self, gt=gt, topics=topics)


class FactsView:
    """One row per event, written with the tracking row: the least a view can do per event."""

    def record(self, originator_id: Any, version: int, tracking: Tracking) -> None:
        raise NotImplementedError


class SQLiteFactsView(SQLiteTrackingRecorder, FactsView):
    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            "CREATE TABLE IF NOT EXISTS facts (originator_id TEXT, version INTEGER, "
            "PRIMARY KEY (originator_id, version))",
        ]

    def record(self, originator_id: Any, version: int, tracking: Tracking) -> None:
        with self.datastore.transaction(commit=True) as c:
            self._insert_tracking(c, tracking)
            c.execute("INSERT INTO facts VALUES (?, ?)", (str(originator_id), version))


class PostgresFactsView(PostgresTrackingRecorder, FactsView):
    def __init__(self, datastore: Any, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        self.facts = SQL("{0}.{1}").format(Identifier(self.datastore.schema), Identifier("library_facts"))
        self.sql_create_statements.append(
            SQL("CREATE TABLE IF NOT EXISTS {0} (originator_id uuid, version bigint, "
                "PRIMARY KEY (originator_id, version))").format(self.facts)
        )

    def record(self, originator_id: Any, version: int, tracking: Tracking) -> None:
        with self.datastore.transaction(commit=True) as curs:
            self._insert_tracking(curs, tracking)
            curs.execute(SQL("INSERT INTO {0} VALUES (%s, %s)").format(self.facts), (originator_id, version))


class FactsProjection(Projection[FactsView]):
    name = "library_facts"

    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        self.view.record(domain_event.originator_id, domain_event.originator_version, tracking)


LIBRARY_GENERATION = 9999  # table names of the ledger's views when the library's runner keeps them


class SameViews:
    """The ledger's views kept by the library's runner: one transaction per event (the
    views' writes and the tracking row), which is all the runner can do."""

    def start_views(self) -> None:
        self.views = default_views()
        self.tables = {view.name: view.table_set(LIBRARY_GENERATION) for view in self.views}
        self.reader: LogReader | None = None

    def wrap(self, cursor: Any) -> Any:
        raise NotImplementedError

    def record_event(self, app: Ledger, domain_event: Any, tracking: Tracking) -> None:
        if self.reader is None:
            self.reader = LogReader(app)
        envelope = self.reader.envelope(tracking.notification_id, domain_event)
        with self.datastore.transaction(commit=True) as cursor:  # type: ignore[attr-defined]
            self._insert_tracking(cursor, tracking)  # type: ignore[attr-defined]
            tx = self.wrap(cursor)
            for view in self.views:
                mine = envelopes_for(view, [envelope])
                if mine:
                    view.apply(tx, self.tables[view.name], mine, self.reader)


class SQLiteSameViews(SQLiteTrackingRecorder, SameViews):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.start_views()

    def create_table(self) -> None:
        super().create_table()
        with self.datastore.transaction(commit=True) as cursor:
            tx = self.wrap(cursor)
            for view in self.views:
                view.create(tx, self.tables[view.name], indexes=True)

    def wrap(self, cursor: Any) -> Any:
        return SQLiteTx(cursor.sqlite_cursor)


class PostgresSameViews(PostgresTrackingRecorder, SameViews):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.start_views()

    def create_table(self) -> None:
        super().create_table()
        with self.datastore.transaction(commit=True) as cursor:
            tx = self.wrap(cursor)
            for view in self.views:
                view.create(tx, self.tables[view.name], indexes=True)

    def wrap(self, cursor: Any) -> Any:
        cursor.row_factory = tuple_row
        return PostgresTx(cursor)


class SameViewsProjection(Projection[Any]):
    name = "library_views"
    ledger: Ledger | None = None  # set before the runner starts: its thread starts at once

    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        assert self.ledger is not None
        self.view.record_event(self.ledger, domain_event, tracking)


def measure_library(store: StoreConfig, sample: int, folder: str, same_views: bool) -> dict[str, Any]:
    class BenchLedger(Ledger):
        def __init__(self, env: Any = None) -> None:
            extra = {}
            if store.kind == "sqlite":
                extra["APPLICATION_RECORDER_TOPIC"] = get_topic(PollingSQLiteRecorder)
            super().__init__(store, env=extra)

    ledger = Ledger(store)
    try:
        page = ledger.recorder.select_notifications(0, sample, inclusive_of_start=False)
        target = page[-1].id
    finally:
        ledger.close()
    env = dict(store.application_env())
    projection: type[Any] = SameViewsProjection if same_views else FactsProjection
    if same_views:
        view_class: type[Any] = SQLiteSameViews if store.kind == "sqlite" else PostgresSameViews
    else:
        view_class = SQLiteFactsView if store.kind == "sqlite" else PostgresFactsView
    if store.kind == "sqlite":
        env[f"{projection.name.upper()}_SQLITE_DBNAME"] = str(Path(folder) / "library-view.db")
    if store.kind == "postgresql":
        # The ledger's views name their tables unqualified: point every connection of this
        # process (the library's too, which qualifies its own) at the store's schema.
        schema = store.application_env()["POSTGRES_SCHEMA"]
        os.environ["PGOPTIONS"] = f"-c search_path={schema}"
        # Start from nothing, even on a store measured before.
        stale = ["library_views_tracking", "library_facts_tracking", "library_facts"]
        for view in default_views():
            stale += view.table_set(LIBRARY_GENERATION).names.values()
        with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
            for table in stale:
                drop = SQL("DROP TABLE IF EXISTS {0}.{1}")
                conn.execute(drop.format(Identifier(schema), Identifier(table)))
    reader_ledger = Ledger(store)
    SameViewsProjection.ledger = reader_ledger
    started = time.perf_counter()
    with ProjectionRunner(
        application_class=BenchLedger, projection_class=projection, view_class=view_class, env=env
    ) as runner:
        while (runner.view.max_tracking_id(runner.app.name) or 0) < target:
            runner.run_forever(timeout=0.01)  # re-raises a processing error
        seconds = time.perf_counter() - started
    reader_ledger.close()
    return {"events": len(page), "seconds": seconds, "rate": len(page) / seconds, "peak_mb": peak_rss_mb()}
