"""Time ``load_demo`` (the demo agency, ~1,400 commands) on SQLite and PostgreSQL.

    python bench/demo_load.py [--runs 5] [--postgres postgresql://postgres@127.0.0.1:5432/test]

Each run loads the demo into a fresh store (an SQLite file in a temporary folder, a fresh
PostgreSQL schema) through the ledger's commands, one transaction per command, as ``ledger demo``
does. Printed per store: the median, min and max of the runs, and commands per second. Two
variants: as shipped, and with the library's aggregate cache on (``AGGREGATE_CACHE_MAXSIZE``),
which removes the replay of each staff member's stream before every command but keeps one
transaction per command. A third variant is a prototype of a batch mode, defined here and only
here (``BatchingLedger``): commands run on aggregates kept in memory and every event is inserted in
one transaction at the end, in the order the commands were issued. The script checks that it
writes the same log, byte for byte, as the command-by-command load.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import psycopg
from eventsourcing.persistence import Notification, Recording

from ledger.application import Ledger
from ledger.demo import build_plan, load_demo
from ledger.staff import StaffEvent, StaffMember
from ledger.store.config import StoreConfig
from ledger.store.persistence import iter_notifications


class BatchingLedger(Ledger):
    """A measuring prototype of a batch mode (not the application's API): members stay in memory
    between commands, events are held, and ``flush`` inserts them all in one transaction."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._members: dict[str, StaffMember] = {}
        self._held: list[StaffEvent] = []

    def get_member(self, staff_id: str) -> StaffMember:
        member = self._members.get(staff_id)
        if member is None:
            member = self._members[staff_id] = super().get_member(staff_id)
        return member

    def staff_exists(self, staff_id: str) -> bool:
        return staff_id in self._members or super().staff_exists(staff_id)

    def save(self, *objs: Any, **kwargs: Any) -> list[Recording[Any]]:  # type: ignore[override]
        recordings: list[Recording[Any]] = []
        for member in objs:
            self._members[member.staff_id] = member
            for event in member.collect_events():
                self._held.append(event)
                position = Notification(
                    originator_id=event.originator_id,
                    originator_version=event.originator_version,
                    topic="",
                    state=b"",
                    id=0,
                )
                recordings.append(Recording(event, position))
        return recordings

    def flush(self) -> None:
        self.recorder.insert_events([self.mapper.to_stored_event(e) for e in self._held])
        self._held.clear()


BATCH = "batch prototype (one transaction)"
VARIANTS: dict[str, dict[str, str]] = {
    "commands (as shipped)": {},
    "commands + aggregate cache": {"AGGREGATE_CACHE_MAXSIZE": "1000", "AGGREGATE_CACHE_FASTFORWARD": "n"},
    BATCH: {},
}
LOGS: dict[str, list[tuple[Any, ...]]] = {}


def one_load(store: StoreConfig, env: dict[str, str], label: str) -> tuple[float, int]:
    ledger = BatchingLedger(store, env=env) if label == BATCH else Ledger(store, env=env)
    try:
        started = time.perf_counter()
        summary = load_demo(ledger)
        if isinstance(ledger, BatchingLedger):
            ledger.flush()
        seconds = time.perf_counter() - started
        log = [
            (n.id, n.originator_id, n.originator_version, n.topic, bytes(n.state))
            for n in iter_notifications(ledger.chained_recorder)
        ]
        if LOGS.setdefault(store.kind, log) != log:
            raise SystemExit(f"{label} wrote another log than the first run on {store.kind}")
        return seconds, summary.events
    finally:
        ledger.close()


def sqlite_store(folder: Path) -> StoreConfig:
    return StoreConfig(f"sqlite:///{folder / f'{uuid.uuid4().hex}.db'}")


def postgres_load(url: str, env: dict[str, str], label: str) -> tuple[float, int]:
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        return one_load(StoreConfig(f"{url}?schema={schema}"), env, label)
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def report(label: str, runs: list[tuple[float, int]]) -> None:
    seconds = [s for s, _ in runs]
    events = runs[0][1]
    median = statistics.median(seconds)
    print(
        f"{label:<52} median {median:6.2f} s  (min {min(seconds):.2f}, max {max(seconds):.2f})  "
        f"{events / median:7.0f} commands/s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()

    plans = []
    for _ in range(args.runs):
        started = time.perf_counter()
        build_plan()
        plans.append(time.perf_counter() - started)
    print(f"{'build_plan (pure, no store)':<52} median {statistics.median(plans):6.2f} s")

    with tempfile.TemporaryDirectory() as folder:
        for label, env in VARIANTS.items():
            runs = [one_load(sqlite_store(Path(folder)), env, label) for _ in range(args.runs)]
            report(f"SQLite, {label}", runs)
    if not args.no_postgres:
        for label, env in VARIANTS.items():
            runs = [postgres_load(args.postgres, env, label) for _ in range(args.runs)]
            report(f"PostgreSQL, {label}", runs)


if __name__ == "__main__":
    main()
