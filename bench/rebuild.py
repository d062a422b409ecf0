"""Read-side benchmark: rebuilding every view from a realistic log, beside the library, in one run.

Run by hand (not in CI), from the repository root::

    /work/venv/bin/python bench/rebuild.py                          # 1,000,000 events, both stores
    /work/venv/bin/python bench/rebuild.py --events 50000 --stores sqlite   # a quick run

For each store (a fresh SQLite file in a temp dir; a fresh PostgreSQL schema, dropped afterwards)
it generates a log of about ``--events`` events for ``events / 42`` staff: each year from 2010 to
2025 every person on the roll gets that year's annual rating and usually a course (enrolled, then
completed, failed or withdrawn), sometimes a post-training evaluation, a rotation, an appointment,
a correction or a departure; recognized degrees when they join. Years are saved one batch of
aggregates after another (``app.save(*aggregates)``), so a person's events are spread over the
whole log as they would be in a live ledger, not bunched together.

Then, each in a fresh process (so peak memory is each one's own) and one after another:

* ``read+decode``: every notification read in pages of 1,000 and decoded by the application's
  mapper: the ceiling any projection of this log pays before doing anything.
* ``rebuild``: ``projections.building.rebuild`` of all three views (standing, credentials,
  statistics) from scratch, in one pass, including index creation and the switch.
* ``library``: the library's ``ProjectionRunner`` keeping the same three views (each event's
  writes and the tracking row in one transaction, which is all that runner can do) over the first
  ``--sample`` events; and ``library-1row``: the same runner with a minimal view (one row per
  event), the least any view costs it. On SQLite the runner runs through a polling subscription
  (the library has none for SQLite; reference notes §2.6).

It prints events/s and peak RSS (of the process and any worker it ran) for each, and the two
ratios the read side aims at: rebuild / library >= 20 and rebuild / read+decode >= 0.5. Rates are
events of the log per second of wall time; the rebuild uses one worker per CPU (``--jobs``).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]


from rebuild_library import measure_library  # noqa: E402
from rebuild_log import UNITS, fresh_store, generate, peak_rss_mb  # noqa: E402

from ledger.application import Ledger  # noqa: E402
from ledger.store.config import StoreConfig  # noqa: E402

# ------------------------------------------------------------------------------ stores


# -------------------------------------------------------------------------- generation


# ------------------------------------------------------------------------- measurements


def measure_read_decode(store: StoreConfig) -> dict[str, Any]:
    ledger = Ledger(store)
    try:
        started = time.perf_counter()
        after = count = 0
        to_event = ledger.mapper.to_domain_event
        while True:
            page = ledger.recorder.select_notifications(after, 1000, inclusive_of_start=False)
            for notification in page:
                to_event(notification)
            count += len(page)
            if len(page) < 1000:
                break
            after = page[-1].id
        seconds = time.perf_counter() - started
    finally:
        ledger.close()
    return {"events": count, "seconds": seconds, "rate": count / seconds, "peak_mb": peak_rss_mb()}


def measure_rebuild(store: StoreConfig, page_size: int, jobs: int | None) -> dict[str, Any]:
    from projections import generations
    from projections.building import drop_generation, rebuild
    from projections.log import LogReader
    from projections.registry import default_views
    from projections.store import Database

    ledger = Ledger(store)
    try:
        # From scratch, as on a store that has never had views (a re-run must not time the drop
        # of the views the previous run built).
        conn = Database(store).connect()
        generations.ensure_tables(conn)
        with conn.transaction() as tx:
            existing = generations.all_generations(tx)
        views = {view.name: view for view in default_views(ledger)}
        for found in existing:
            if found.view in views:
                drop_generation(conn, views[found.view], found.generation)
        with conn.transaction(write=True) as tx:
            tx.execute(f"DELETE FROM {generations.VIEWS_TABLE}")
        conn.close()
        head = LogReader(ledger).head()
        started = time.perf_counter()
        done = rebuild(ledger, default_views(ledger), page_size=page_size, jobs=jobs)
        seconds = time.perf_counter() - started
        assert all(g.position == head for g in done.values()), done
    finally:
        ledger.close()
    return {"events": head, "seconds": seconds, "rate": head / seconds, "peak_mb": peak_rss_mb()}


def measure_reads(store: StoreConfig, repeat: int) -> dict[str, Any]:
    """Median latency of the read side's queries on the rebuilt views, and of read-your-writes."""
    import statistics as stats

    from projections.engine import Engine
    from projections.queries import ReadModel

    ledger = Ledger(store)
    engine = Engine(ledger)
    engine.start()
    reads = ReadModel(ledger, engine=engine)
    try:
        assert reads.catch_up(timeout=600)
        last = reads.directory(limit=1, q="nguyen", status="active").items[0].staff_id
        known = datetime(2019, 6, 30, tzinfo=UTC)
        queries = {
            "standing (current)": lambda: reads.standing(last),
            "standing (as_of 2018-01-01, known_at 2019-06-30)": lambda: reads.standing(
                last, as_of=date(2018, 1, 1), known_at=known
            ),
            "directory, name search, 50 a page": lambda: reads.directory(q="nguyen van an", limit=50),
            "directory, unit + active, 50 a page": lambda: reads.directory(
                unit=UNITS[1], status="active", limit=50
            ),
            "trail of a credential": lambda: reads.trail(
                last, (reads.standing(last) or _none()).credentials[0].credential_id
            ),
            "qualifications report, today": lambda: reads.qualifications(),
            "qualifications report, 2020-12-31 as known 2021-06-30": lambda: reads.qualifications(
                as_of=date(2020, 12, 31), known_at=datetime(2021, 6, 30, tzinfo=UTC)
            ),
            "attendance report, one year": lambda: reads.attendance(date(2021, 1, 1), date(2021, 12, 31)),
            "attendance report, 2010-2025": lambda: reads.attendance(date(2010, 1, 1), date(2025, 12, 31)),
        }
        out: dict[str, Any] = {}
        for name, query in queries.items():
            times = []
            for _ in range(repeat):
                reads._cache.clear()  # every time answered from the views, not remembered
                started = time.perf_counter()
                query()
                times.append(time.perf_counter() - started)
            out[name] = stats.median(times) * 1000
        reads.qualifications()
        started = time.perf_counter()
        reads.qualifications()
        out["qualifications report, asked again (views unchanged)"] = (time.perf_counter() - started) * 1000
        waits = []
        for i in range(repeat):
            result = ledger.rotate(
                last, to_unit=UNITS[i % len(UNITS)], kind="secondment", starts_on=date(2025, 12, 1),
                ends_on=date(2025, 12, 2), decision_ref=f"bench {i}", recorded_by="bench",
            )
            started = time.perf_counter()
            assert reads.wait_for(result.position, timeout=30)
            waits.append(time.perf_counter() - started)
        out["write, then wait_for until every view has it"] = stats.median(waits) * 1000
        return {"latency_ms": out, "peak_mb": peak_rss_mb()}
    finally:
        reads.close()
        engine.stop()
        ledger.close()


def _none() -> Any:
    raise LookupError("no standing")


def worker(task: str, url: str, argument: str) -> None:
    store = StoreConfig(url)
    if task == "generate":
        result = generate(store, int(argument))
    elif task == "read+decode":
        result = measure_read_decode(store)
    elif task == "reads":
        result = measure_reads(store, int(argument))
    elif task == "library-views":
        with tempfile.TemporaryDirectory() as folder:
            result = measure_library(store, int(argument), folder, same_views=True)
    elif task == "rebuild":
        page_size, _, jobs = argument.partition(":")
        result = measure_rebuild(store, int(page_size), int(jobs) if jobs else None)
    else:
        with tempfile.TemporaryDirectory() as folder:
            result = measure_library(store, int(argument), folder, same_views=False)
    print(json.dumps(result))


def run(task: str, store: StoreConfig, argument: int | str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--worker", task, store.url, str(argument)],
        check=True, capture_output=True, text=True, cwd=ROOT,
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def stores(args: argparse.Namespace) -> Iterator[tuple[str, StoreConfig, dict[str, Any]]]:
    """Each store to measure, with its log: given ones as they are, or fresh ones generated."""
    for url in args.url:
        store = StoreConfig(url)
        ledger = Ledger(store)
        try:
            count = int(ledger.recorder.max_notification_id() or 0)
        finally:
            ledger.close()
        print(f"[{store.kind}] measuring the existing log of {count:,} events at {url}")
        yield store.kind, store, {"events": count, "staff": 0, "seconds": 0}
    if args.url:
        return
    for kind in args.stores.split(","):
        with fresh_store(kind, args.keep) as store:
            made = run("generate", store, args.events)
            print(
                f"[{kind}] generated {made['events']:,} events for {made['staff']:,} staff "
                f"in {made['seconds']:.0f} s ({made['events'] / made['seconds']:,.0f} events/s)"
            )
            if args.keep is not None:
                print(f"[{kind}] kept at {store.url}")
            yield kind, store, made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000, help="size of the generated log")
    parser.add_argument("--stores", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql")
    parser.add_argument("--sample", type=int, default=20_000, help="events the library's runner processes")
    parser.add_argument("--page-size", type=int, default=5000, help="events per rebuild transaction")
    parser.add_argument("--reads", type=int, default=0, metavar="N",
                        help="also time the queries on the rebuilt views (median of N runs)")
    parser.add_argument("--jobs", type=int, help="rebuild worker processes (default: one per CPU)")
    parser.add_argument(
        "--no-library", action="store_true",
        help="measure only read+decode and the rebuild (skip the library's runner, the slow part)",
    )
    parser.add_argument("--keep", type=Path, help="keep the SQLite file in this folder (and the PG schema)")
    parser.add_argument(
        "--url", action="append", default=[],
        help="measure this existing store (a log made by an earlier --keep run) instead of generating one",
    )
    parser.add_argument("--worker", nargs=3, metavar=("TASK", "URL", "ARG"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(*args.worker)
        return
    print(f"Read-side rebuild benchmark: {args.events:,} events, library sample {args.sample:,} events.")
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs.\n")
    rows = []
    for kind, store, made in stores(args):
        results = {
            "read+decode": run("read+decode", store, 0),
            "rebuild": run("rebuild", store, f"{args.page_size}:{args.jobs or ''}"),
        }
        if not args.no_library:
            results["library"] = run("library-views", store, args.sample)
            results["library-1row"] = run("library", store, args.sample)
        for name, result in results.items():
            print(
                f"[{kind}] {name:<12} {result['events']:>10,} events in {result['seconds']:8.1f} s"
                f" = {result['rate']:>9,.0f} events/s, peak {result['peak_mb']:,.0f} MB"
            )
        rows.append((kind, made, results))
        if args.reads:
            latencies = run("reads", store, args.reads)["latency_ms"]
            for name, ms in latencies.items():
                print(f"[{kind}] read: {name:<58} {ms:8.1f} ms (median of {args.reads})")
    print()
    print(
        "| store | events | read+decode | rebuild, all views | library runner, same views "
        "| library runner, 1-row view | rebuild / library (same views) | rebuild / read+decode "
        "| peak MB: read+decode, rebuild, library |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for kind, made, r in rows:
        rate = {name: result["rate"] for name, result in r.items()}
        peaks = ", ".join(
            f"{r[name]['peak_mb']:,.0f}" for name in ("read+decode", "rebuild", "library") if name in r
        )
        library = (
            f"| {rate['library']:,.0f} | {rate['library-1row']:,.0f} "
            f"| {rate['rebuild'] / rate['library']:.0f}x "
            if "library" in rate
            else "| — | — | — "
        )
        print(
            f"| {kind} | {made['events']:,} | {rate['read+decode']:,.0f} | {rate['rebuild']:,.0f} "
            f"{library}| {rate['rebuild'] / rate['read+decode']:.2f} | {peaks} |"
        )


if __name__ == "__main__":
    main()
