"""Write-side benchmark: ledger commands beside the bare ``eventsourcing`` library, in one run.

Run by hand (not in CI), from the repository root::

    /work/venv/bin/python bench/append.py                          # 3 runs x 2,000 commands, both stores
    /work/venv/bin/python bench/append.py --quick --stores sqlite  # smoke run, a few seconds

Each run, on each store (a fresh SQLite file in a temp dir; a fresh PostgreSQL schema, dropped
afterwards), measures two scenarios, one event per save:

* ``register``: ``Ledger.register`` of new staff, beside the bare library saving one event on a
  new aggregate.
* ``command``: ledger commands (enroll, complete, evaluate, rotate, appoint, recognize, withdraw,
  correct) spread over some of those staff, through the whole application (load and replay the
  staff member, check the rules, trigger, save with hash chaining), beside the bare library doing
  the same load + trigger + save on a minimal aggregate whose one ``@event`` method carries a
  payload padded to the ledger's average stored state size. The aggregates grow alike on both
  sides (same sequence of aggregate indices), to ~15-50 events.

The two sides run in lock-step, step by step, on their own stores (ledger step i, then library
step i; the order flips every run), so a busy disk or a neighbour's test run slows both alike and
the ratio stays meaningful on a shared 2-core machine. The state size to pad to is measured from
an untimed ledger pass (calibration) and again from each timed ledger store.

Printed: events/s per side as the median of the runs with min..max, the ratio ledger / library
(median of the per-run ratios), the CPU time per event of each side (this process: Python,
drivers, SQLite itself; not the PostgreSQL server), the measured sizes, and the raw-driver
ceiling (one commit per row). Diagnostics: ``--profile`` (cProfile of one ledger command pass),
``--no-fsync`` (commits skip the disk flush, to see the software's own cost), ``--ledger-env``
(try the ledger with another recorder or mapper, e.g. a candidate optimisation).
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import io
import os
import pstats
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from uuid import UUID

from append_plan import COMMANDS_PER_STAFF, Plan, Step, make_plan, run_ledger_step
from append_stores import (
    Item,
    Sizes,
    StoreFactory,
    average_state_sizes,
    calibrate,
    created_event,
    disable_fsync,
    events_per_aggregate,
    factory_for,
    padding_for,
    touched_event,
)

DEFAULT_POSTGRES_URL = os.environ.get(
    "LEDGER_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
STORES = ("sqlite", "postgresql")


# --------------------------------------------------------------------------- the workload


# --------------------------------------------------------------------------- the baseline


# --------------------------------------------------------------------------- stores


# --------------------------------------------------------------------------- one pass


@dataclass
class Clock:
    """Wall and CPU time spent in the timed calls of one side."""

    wall: float = 0.0
    cpu: float = 0.0
    count: int = 0

    def time(self, call: Callable[[], None]) -> None:
        wall, cpu = time.perf_counter(), time.process_time()
        call()
        self.cpu += time.process_time() - cpu
        self.wall += time.perf_counter() - wall
        self.count += 1

    @property
    def rate(self) -> float:
        return self.count / self.wall

    @property
    def cpu_us(self) -> float:
        return self.cpu / self.count * 1e6


@dataclass
class PassResult:
    ledger: dict[str, Clock]
    bare: dict[str, Clock]
    sizes: Sizes
    lengths: list[int]


def paired_pass(factory: StoreFactory, plan: Plan, sizes: Sizes, *, ledger_first: bool) -> PassResult:
    """Both sides on fresh stores, step by step in lock-step (ledger step i, then library step i,
    or the other way round), so that a slow disk or a busy neighbour slows both alike."""
    ledger = factory.ledger()
    app = factory.bare()
    try:
        created_payload = padding_for(app, sizes.registered, created_event)
        touched_payload = padding_for(app, sizes.command, touched_event)
        ids: list[UUID] = []

        def create() -> None:
            item = Item(payload=created_payload)
            app.save(item)
            ids.append(item.id)

        def touch(index: int) -> None:
            item: Item = app.repository.get(ids[index])
            item.touch(touched_payload)
            app.save(item)

        bare_call: dict[str, Callable[[Step], Callable[[], None]]] = {
            "register": lambda step: create,
            "command": lambda step: functools.partial(touch, step.staff_index),
        }
        result = PassResult({}, {}, sizes, [])
        for scenario, steps in (("register", plan.registrations), ("command", plan.commands)):
            mine = result.ledger[scenario] = Clock()
            theirs = result.bare[scenario] = Clock()
            for step in steps:
                pair: list[tuple[Clock, Callable[[], None]]] = [
                    (mine, functools.partial(run_ledger_step, ledger, step)),
                    (theirs, bare_call[scenario](step)),
                ]
                for clock, call in pair if ledger_first else reversed(pair):
                    clock.time(call)
        result.sizes = Sizes(*average_state_sizes(ledger))
        result.lengths = events_per_aggregate(ledger, plan)
        return result
    finally:
        ledger.close()
        app.close()


def profile_ledger_commands(factory: StoreFactory, plan: Plan, top: int = 30) -> str:
    ledger = factory.ledger()
    try:
        for step in plan.registrations:
            run_ledger_step(ledger, step)
        profiler = cProfile.Profile()
        profiler.enable()
        for step in plan.commands:
            run_ledger_step(ledger, step)
        profiler.disable()
    finally:
        ledger.close()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    return out.getvalue()


# --------------------------------------------------------------------------- report


@dataclass
class Samples:
    ledger: list[Clock] = field(default_factory=list)
    bare: list[Clock] = field(default_factory=list)

    def ratios(self) -> list[float]:
        return [a.rate / b.rate for a, b in zip(self.ledger, self.bare, strict=True)]


def spread(values: Sequence[float], fmt: str = "{:,.0f}") -> str:
    median = fmt.format(statistics.median(values))
    if len(values) == 1:
        return median
    return f"{median} ({fmt.format(min(values))}..{fmt.format(max(values))})"


SCENARIO_LABELS = {
    "register": "register (new aggregate, 1 event/save)",
    "command": "command (load + rules + 1 event + save)",
}


def table(rows: Sequence[Sequence[str]], left: int = 2) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = [
        " | ".join(
            c.ljust(w) if i < left else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True))
        )
        for r in rows
    ]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines)


def results_table(samples: dict[tuple[str, str], Samples]) -> str:
    rows = [("scenario", "store", "events/s ledger", "events/s baseline", "ratio")]
    for (scenario, store), s in samples.items():
        rows.append((
            SCENARIO_LABELS[scenario],
            store,
            spread([c.rate for c in s.ledger]),
            spread([c.rate for c in s.bare]),
            spread(s.ratios(), "{:.2f}"),
        ))
    return table(rows)


def cpu_table(samples: dict[tuple[str, str], Samples]) -> str:
    rows = [("scenario", "store", "CPU us/event ledger", "CPU us/event baseline", "extra CPU us")]
    for (scenario, store), s in samples.items():
        mine = statistics.median(c.cpu_us for c in s.ledger)
        theirs = statistics.median(c.cpu_us for c in s.bare)
        rows.append((scenario, store, f"{mine:,.0f}", f"{theirs:,.0f}", f"{mine - theirs:+,.0f}"))
    return table(rows)


# --------------------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per store (median reported)")
    parser.add_argument("--events", type=int, default=2000, help="ledger commands per run")
    parser.add_argument("--registrations", type=int, default=None,
                        help="staff registered per run (default: events / 4)")
    parser.add_argument("--stores", default=",".join(STORES), help="comma-separated: sqlite,postgresql")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--quick", action="store_true", help="smoke run: 1 run, 150 commands")
    parser.add_argument("--ledger-env", action="append", default=[], metavar="KEY=VALUE",
                        help="extra environment for the Ledger (repeatable), e.g. to try another "
                        "recorder with APPLICATION_RECORDER_TOPIC=module:Class")
    parser.add_argument("--no-fsync", action="store_true",
                        help="diagnostic: commit without waiting for the disk (SQLite synchronous=OFF, "
                        "PostgreSQL synchronous_commit=off) to see the software's own cost")
    parser.add_argument("--profile", action="store_true",
                        help="after the runs, cProfile one ledger command pass per store")
    args = parser.parse_args(argv)
    if args.quick:
        args.runs, args.events = 1, 150
    args.stores = [s.strip() for s in args.stores.split(",") if s.strip()]
    unknown = [s for s in args.stores if s not in STORES]
    if unknown:
        parser.error(f"unknown store(s) {', '.join(unknown)}; choose from {', '.join(STORES)}")
    if args.registrations is None:
        args.registrations = max(args.events // 4, args.events // COMMANDS_PER_STAFF, 1)
    if args.runs < 1 or args.events < 1:
        parser.error("--runs and --events must be at least 1")
    env: dict[str, str] = {}
    for item in args.ledger_env:
        key, sep, value = item.partition("=")
        if not sep or not key:
            parser.error(f"--ledger-env expects KEY=VALUE, not '{item}'")
        env[key] = value
    args.ledger_env = env
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.no_fsync:
        disable_fsync()
    plan = make_plan(args.registrations, args.events, seed=args.seed)
    mix: dict[str, int] = {}
    for step in plan.commands:
        mix[step.method] = mix.get(step.method, 0) + 1
    print(f"bench/append.py: {args.runs} run(s); per run {len(plan.registrations)} registrations, "
          f"{len(plan.commands)} commands; stores: {', '.join(args.stores)}; "
          f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
    print("command mix: " + ", ".join(f"{k} {v}" for k, v in sorted(mix.items(), key=lambda kv: -kv[1])))
    if args.no_fsync:
        print("NO FSYNC (diagnostic): commits do not wait for the disk; not the figures to publish")
    if args.ledger_env:
        print("ledger env: " + ", ".join(f"{k}={v}" for k, v in args.ledger_env.items()))
    sizes = calibrate(plan, args.stores[0], args.postgres_url, args.ledger_env)
    print(f"calibration ({args.stores[0]} ledger store, untimed): average stored state "
          f"{sizes.registered:,.0f} B per registration, {sizes.command:,.0f} B per command event; "
          "baseline payloads padded to match")
    samples: dict[tuple[str, str], Samples] = {}
    last: dict[str, PassResult] = {}
    raw: dict[str, list[float]] = {}
    for run in range(args.runs):
        for store in args.stores:
            with factory_for(store, args.postgres_url, args.ledger_env) as factory:
                # Alternate which side goes first in each pair, in case going first matters.
                result = paired_pass(factory, plan, sizes, ledger_first=run % 2 == 0)
                raw.setdefault(store, []).append(
                    factory.raw_one_commit_per_row(min(args.events, 2000), round(sizes.command))
                )
            last[store] = result
            for scenario in ("register", "command"):
                s = samples.setdefault((scenario, store), Samples())
                s.ledger.append(result.ledger[scenario])
                s.bare.append(result.bare[scenario])
            print(f"  run {run + 1}/{args.runs} {store}: command ledger "
                  f"{result.ledger['command'].rate:,.0f}/s, baseline {result.bare['command'].rate:,.0f}/s; "
                  f"load average {os.getloadavg()[0]:.2f}", flush=True)
    print()
    print(results_table(samples))
    print()
    print(cpu_table(samples))
    print()
    for store in args.stores:
        result = last[store]
        n = result.lengths
        print(f"{store}: measured in the timed ledger store: average stored state "
              f"{result.sizes.registered:,.0f} B per registration, {result.sizes.command:,.0f} B per command "
              f"event; events per staff member at the end {min(n)}..{max(n)} "
              f"(mean {statistics.fmean(n):.0f})")
    for store in args.stores:
        print(f"raw driver ceiling, {store}, 1 commit per row: {spread(raw[store])} rows/s")
    if args.profile:
        for store in args.stores:
            with factory_for(store, args.postgres_url, args.ledger_env) as factory:
                print(f"\n===== cProfile: ledger commands on {store} =====")
                print(profile_ledger_commands(factory, plan))
    return 0


if __name__ == "__main__":
    sys.exit(main())
