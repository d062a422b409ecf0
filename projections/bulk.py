"""Bulk loading of new generations: the log read person by person, in one process or in worker processes."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from typing import Any

from eventsourcing.utils import get_topic, resolve_topic

from ledger.application import Ledger
from ledger.store.config import StoreConfig
from projections import generations
from projections.base import View, envelopes_for
from projections.generations import BUILDING, Generation
from projections.log import LogReader, TransactionLog
from projections.pages import PositionMoved, Progress
from projections.store import Connection, Database, ReadAttempted, RecordingTx

PARALLEL_FROM = 50_000  # events: below this, starting worker processes costs more than it saves


def bulk_load(
    conn: Connection,
    reader: LogReader,
    views: Sequence[View],
    empty: dict[str, Generation],
    *,
    upto: int,
    batch: int,
    progress: Progress | None = None,
    jobs: int | None = None,
) -> dict[str, Generation]:
    """Load new, empty generations with the whole log up to position ``upto``, read one staff
    member after another (every view keeps its state per person, so the order of people does not
    matter, only each person's own order).

    With ``jobs`` > 1 worker processes each load a slice of the staff (default: one per CPU, up
    to 4, for a log of 50,000 events or more; the loads compute in parallel, SQLite serialises
    only their short write transactions). A batch's rows are computed with no lock held and
    written in one short transaction. The generations' positions move from 0 to ``upto`` only
    at the end, so a build that dies half-way leaves generations that never claim to hold
    anything (dropped, never resumed).
    """
    if jobs is None:
        jobs = min(os.cpu_count() or 1, 4) if upto >= PARALLEL_FROM else 1
    if any("<locals>" in type(view).__qualname__ for view in views):
        jobs = 1  # a worker process could not import the view's class
    done = 0

    def report(count: int) -> None:
        nonlocal done
        done += count
        if progress is not None:
            progress(min(done, upto), max(upto, 1))

    if jobs > 1:
        _load_in_parallel(reader.ledger.store, views, empty, upto=upto, batch=batch, jobs=jobs, report=report)
    else:
        load_part(conn, reader, views, empty, upto=upto, batch=batch, part=(0, 1), report=report)
    mine = dict(empty)
    with conn.transaction(write=True) as tx:
        for view in views:
            start = mine[view.name]
            if not generations.advance(tx, start, upto):
                raise PositionMoved(f"{view.name} generation {start.generation} moved while loading")
            mine[view.name] = Generation(
                start.view, start.generation, upto, start.schema_version, start.state
            )
    return mine


def load_part(
    conn: Connection,
    reader: LogReader,
    views: Sequence[View],
    generations_of: dict[str, Generation],
    *,
    upto: int,
    batch: int,
    part: tuple[int, int],
    report: Callable[[int], None],
) -> None:
    """Load one slice of the staff into the given (not live) generations."""
    for envelopes in reader.by_person(upto, batch, part=part):
        recording = RecordingTx(conn.dialect)
        try:
            for view in views:
                mine = envelopes_for(view, envelopes)
                if mine:
                    tables = view.table_set(generations_of[view.name].generation)
                    view.apply(recording, tables, mine, TransactionLog(recording, reader))
        except ReadAttempted:
            with conn.transaction(write=True) as tx:
                for view in views:
                    mine = envelopes_for(view, envelopes)
                    if mine:
                        tables = view.table_set(generations_of[view.name].generation)
                        view.apply(tx, tables, mine, TransactionLog(tx, reader))
        else:
            with conn.transaction(write=True) as tx:
                recording.replay(tx)
        report(len(envelopes))


def _load_worker(spec: dict[str, Any]) -> None:
    """One worker process of a parallel bulk load (see :func:`bulk_load`); reports on stdout."""
    # The store exists: workers starting together must not race to create its tables.
    ledger = Ledger(StoreConfig(spec["url"]), env={"CREATE_TABLE": "false"})
    conn = Database(ledger.store).connect()
    try:
        views: list[View] = [
            resolve_topic(topic)(**settings)
            for topic, settings in zip(spec["views"], spec["settings"], strict=True)
        ]
        targets = {
            view.name: Generation(view.name, number, 0, view.schema_version, BUILDING)
            for view, number in zip(views, spec["generations"], strict=True)
        }

        def report(count: int) -> None:
            print(count, flush=True)

        load_part(
            conn, LogReader(ledger), views, targets, upto=spec["upto"], batch=spec["batch"],
            part=(spec["part"], spec["parts"]), report=report,
        )
    finally:
        conn.close()
        ledger.close()


WORKER = (
    "import json, sys; from projections.bulk import _load_worker; _load_worker(json.loads(sys.argv[1]))"
)


def _load_in_parallel(
    store: StoreConfig,
    views: Sequence[View],
    empty: dict[str, Generation],
    *,
    upto: int,
    batch: int,
    jobs: int,
    report: Callable[[int], None],
) -> None:
    """Run ``jobs`` worker processes (plain interpreters, so nothing of the caller's ``__main__``
    is re-imported), each loading a slice of the staff; their progress comes on their stdout."""
    base = {
        "url": store.url,
        "views": [get_topic(type(v)) for v in views],
        "settings": [v.settings() for v in views],
        "generations": [empty[v.name].generation for v in views],
        "upto": upto,
        "batch": batch,
        "parts": jobs,
    }
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, json.dumps({**base, "part": index})],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)},
        )
        for index in range(jobs)
    ]
    lines: queue.Queue[int | None] = queue.Queue()

    def relay(stream: Any) -> None:
        for line in stream:
            if line.strip().isdigit():
                lines.put(int(line))
        lines.put(None)

    readers = [threading.Thread(target=relay, args=(w.stdout,), daemon=True) for w in workers]
    for thread in readers:
        thread.start()
    try:
        ended = 0
        while ended < jobs:
            count = lines.get()
            if count is None:
                ended += 1
            else:
                report(count)
        for worker in workers:
            if worker.wait() != 0:
                error = worker.stderr.read() if worker.stderr else ""
                raise RuntimeError(f"a rebuild worker failed:\n{error.strip()[-2000:]}")
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait()
