"""Scale benchmark, run by hand (not by the tests): a generated Tổng cục, measured through the
stable interfaces only (a real `ledger serve`, the CLI, and the bare library as the baseline).

    .venv/bin/python bench/scale.py --quick                      # ~1,000 staff, both stores, minutes
    .venv/bin/python bench/scale.py --events 300000 --stores sqlite   # the 7,142-staff log
    .venv/bin/python bench/scale.py                               # 300k and 2.1M events, both stores

For each store and each log size (``--events``, staff = events / 42, units of about 500 people):

1. **generate** (cached): the log of `bench/rebuild_log.py` (same generator, seed and shape: each
   person's events spread over the years 2010-2025, saved 2,000 aggregates per transaction through
   the ledger's chained recorder) with units of about 500 people. The store is kept on disk,
   keyed by its parameters (an SQLite file in ``--cache``; a PostgreSQL schema
   ``bench_scale_e<events>_...``), and reused by the next run; ``--regenerate`` makes it again.
2. **read+decode** (the baseline): `bench/rebuild.py`'s worker reading every notification in pages
   of 1,000 and decoding it with the application's mapper, in its own process.
3. **rebuild**: `ledger projections rebuild` (every view the CLI knows, new ones included), timed
   as a process; its rate beside read+decode's is the ratio the read side aims at (>= 0.5).
   The first run on a freshly generated store builds from scratch; later runs build beside the
   live views and drop the old ones, as an operator's rebuild does (the table says which).
4. **serve**: a real `ledger serve` (one worker, projection engine inside) and an httpx client
   with a per-request timeout (``--timeout``, 60 s): a request that takes longer is printed as
   "> 60 s", the server is restarted (it would keep working on it) and that figure is not asked
   again. The reports are asked ``--rounds`` times, whole agency and one unit (where the endpoint
   takes ``unit=``, as its OpenAPI schema says), today and at a past ``as_of`` with a
   ``known_at``. Before each round one staff member is registered in a unit of their own, so
   no answer is one the server remembered from the previous round (answers are cached until the
   views move). Then standing reads of random staff and directory pages.

Peak memory is the resident high-water mark (RSS) of each phase's process (with the rebuild's
worker processes). The table printed at the end gives each figure beside its baseline from the
same run, their ratio and the issue's goal.
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/http.py is named like the standard library's `http` package: keep this folder off the
# import path, or `import httpx` (which imports `http`) would import that script instead.
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path.pop(0)
# The helper modules beside this script are found after the standard library, never before it.
sys.path.append(str(Path(__file__).resolve().parent))

import argparse
import importlib.util
import json
import os
import random
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx
from scale_stores import (
    LEDGER,
    ROOT,
    SEED,
    UNIT_SIZE,
    Server,
    Store,
    last_json,
    postgres_store,
    run_child,
    sqlite_store,
)

EVENTS_PER_PERSON = 42  # bench/rebuild_log.py's: staff = events // 42
PAST_AS_OF = "2020-12-31"
PAST_KNOWN_AT = "2021-06-30T00:00:00Z"
BENCH_UNIT = "Đơn vị đo hiệu năng (bench)"
GOAL_AGENCY_MS = 300.0
GOAL_UNIT_MS = 50.0
GOAL_GROWTH = 2.0
GOAL_REBUILD = 0.5


def unit_names(staff: int) -> list[str]:
    """Units of about UNIT_SIZE people (people join and rotate among them uniformly)."""
    count = max(1, round(staff / UNIT_SIZE))
    return ["Văn phòng Tổng cục"] + [f"Chi cục khu vực {i:02d}" for i in range(1, count)]


# ------------------------------------------------------------------------ child processes


# ------------------------------------------------------------------------------ stores


# ------------------------------------------------------------------------------ server


# ------------------------------------------------------------------------- measurements


@dataclass
class Figure:
    """One request measured several times; ``samples`` in ms, ``timed_out`` once one took too long."""

    name: str
    path: str
    params: dict[str, Any]
    kind: str  # "agency", "unit", "read", "floor"
    note: str = ""
    samples: list[float] = field(default_factory=list)
    timed_out: bool = False

    def p(self, q: float) -> float | None:
        if not self.samples:
            return None
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def report_figures(openapi: dict[str, Any], unit: str) -> list[Figure]:
    """Every report, whole agency and one unit (where the endpoint takes unit=), today and in the
    past; parameters an endpoint does not take (per its OpenAPI schema) are left out, and said."""
    reports: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
        ("/reports/qualifications", {}, {"as_of": PAST_AS_OF, "known_at": PAST_KNOWN_AT}),
        ("/reports/attendance", {}, {"to": PAST_AS_OF, "known_at": PAST_KNOWN_AT}),
        ("/reports/needs", {"limit": 50}, {"as_of": PAST_AS_OF, "known_at": PAST_KNOWN_AT}),
        ("/reports/appointments", {"limit": 50}, {"as_of": PAST_AS_OF, "known_at": PAST_KNOWN_AT}),
        ("/reports/commitments", {}, {"as_of": PAST_AS_OF, "known_at": PAST_KNOWN_AT}),
        ("/reports/effectiveness", {}, {"as_of": PAST_AS_OF, "known_at": PAST_KNOWN_AT}),
    ]
    figures: list[Figure] = []
    for path, base, past in reports:
        operation = openapi.get("paths", {}).get(path, {}).get("get")
        if operation is None:
            print(f"  {path} is not in the OpenAPI schema: skipped")
            continue
        takes = {p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"}
        past_taken = {k: v for k, v in past.items() if k in takes}
        dropped = sorted(set(past) - set(past_taken))
        past_label = ", ".join(f"{k}={v}" for k, v in past_taken.items())
        scopes: list[tuple[str, dict[str, Any]]] = [("agency", {})]
        if "unit" in takes:
            scopes.append(("unit", {"unit": unit}))
        for scope, extra in scopes:
            for when, params in (("today", {}), (past_label, past_taken)):
                where = "whole agency" if scope == "agency" else "one unit"
                note = f"does not take {', '.join(dropped)}" if dropped and params else ""
                figures.append(
                    Figure(f"{path}, {where}, {when}", path, {**base, **extra, **params}, scope, note)
                )
        if "unit" not in takes:
            figures.append(Figure(f"{path}, one unit", path, {}, "unit", "no unit= filter"))
    return figures


def timed_get(client: httpx.Client, path: str, params: dict[str, Any]) -> float | None:
    """Milliseconds for one GET answered 200, or None when it ran past the client's timeout."""
    started = time.perf_counter()
    try:
        response = client.get(path, params=params)
    except httpx.TimeoutException:
        return None
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise RuntimeError(f"GET {path} {params} answered {response.status_code}: {response.text[:500]}")
    return elapsed


def make_token(store: Store) -> str:
    name = f"bench-scale-{uuid.uuid4().hex[:8]}"
    child = run_child([*LEDGER, "keys", "add", name, "--role", "registrar"], store.env)
    return child.stdout.strip().splitlines()[-1].strip()


def measure_http(store: Store, args: argparse.Namespace, log: Path) -> dict[str, Any]:
    token = make_token(store)
    server = Server(store, log)
    server.start()
    print(f"  server up in {server.started_in[0]:.1f} s (views at the head of the log)", flush=True)
    headers = {"Authorization": f"Bearer {token}"}
    units = unit_names(store.staff)
    unit = units[0]
    run_id = uuid.uuid4().hex[:6].upper()
    rng = random.Random(SEED)

    def client() -> httpx.Client:
        return httpx.Client(base_url=server.base, headers=headers, timeout=args.timeout)

    try:
        http = client()
        openapi = http.get("/openapi.json").json()
        in_unit = http.get("/reports/qualifications", params={"unit": unit}).json().get("headcount")
        print(f"  unit measured: {unit!r}, {in_unit} on the roll today", flush=True)
        figures = report_figures(openapi, unit)
        for round_ in range(args.rounds):
            # One new event: every view moves, so no answer below is remembered from the last round.
            body = {
                "staff_id": f"BENCH-{run_id}-{round_}", "full_name": "Nguyễn Thị Bảo Ngọc",
                "gender": "female", "birth_date": "1990-02-03", "unit": BENCH_UNIT,
                "joined_on": "2024-01-02", "position": "Chuyên viên", "rank": "01.003",
            }
            written = http.post("/staff", json=body)
            if written.status_code != 201:
                raise RuntimeError(f"POST /staff answered {written.status_code}: {written.text[:500]}")
            for figure in figures:
                if figure.timed_out or figure.note == "no unit= filter":
                    continue
                ms = timed_get(http, figure.path, figure.params)
                if ms is None:
                    figure.timed_out = True
                    print(f"  {figure.name}: > {args.timeout:g} s; restarting the server", flush=True)
                    http.close()
                    server.restart()
                    http = client()
                    continue
                figure.samples.append(ms)
            print(f"  round {round_ + 1}/{args.rounds} done", flush=True)
        reads = [
            Figure("GET /health (round trip)", "/health", {}, "floor"),
            Figure("GET /staff/{id} (standing), random staff", "/staff/{id}", {}, "read"),
            Figure("GET /staff?limit=50 (directory)", "/staff", {"limit": 50}, "read"),
            Figure("GET /staff?unit=…&limit=50", "/staff", {"unit": unit, "limit": 50}, "read"),
            Figure("GET /staff?q=nguyen van&limit=50", "/staff", {"q": "nguyen van", "limit": 50}, "read"),
        ]
        for figure in reads:
            count = args.reads if figure.path == "/staff/{id}" else max(10, args.reads // 5)
            for _ in range(count):
                path = figure.path
                if path == "/staff/{id}":
                    path = f"/staff/CB{rng.randrange(store.staff):06d}"
                ms = timed_get(http, path, figure.params)
                if ms is None:
                    figure.timed_out = True
                    break
                figure.samples.append(ms)
        http.close()
    finally:
        peak = server.high_water_mb()
        server.stop()
    return {"figures": figures, "reads": reads, "unit": unit, "unit_headcount": in_unit, "peak_mb": peak,
            "restarts": len(server.started_in) - 1}


def measure_store(store: Store, args: argparse.Namespace, log_dir: Path) -> dict[str, Any]:
    read_decode = run_child(
        [sys.executable, str(ROOT / "bench" / "rebuild.py"), "--worker", "read+decode", store.url, "0"],
        store.env,
    )
    baseline = last_json(read_decode.stdout)
    baseline["peak_mb"] = read_decode.peak_mb
    print(
        f"  read+decode: {baseline['events']:,} events in {baseline['seconds']:.1f} s "
        f"= {baseline['rate']:,.0f} events/s, peak {read_decode.peak_mb:,.0f} MB",
        flush=True,
    )
    status = run_child([*LEDGER, "projections", "status"], store.env)
    from_scratch = "No view has been built yet" in status.stdout
    rebuilt = run_child([*LEDGER, "projections", "rebuild"], store.env)
    rebuild = {
        "seconds": rebuilt.seconds, "rate": baseline["events"] / rebuilt.seconds,
        "peak_mb": rebuilt.peak_mb, "from_scratch": from_scratch, "cli_seconds": status.seconds,
        "views": [line.split(":")[0] for line in rebuilt.stdout.splitlines() if "is live at" in line],
    }
    print(
        f"  rebuild ({'from scratch' if from_scratch else 'beside the live views'}) of "
        f"{', '.join(rebuild['views'])}: {rebuilt.seconds:.1f} s = {rebuild['rate']:,.0f} events/s, "
        f"{rebuild['rate'] / baseline['rate']:.2f} of read+decode, peak {rebuilt.peak_mb:,.0f} MB "
        f"(a bare `ledger projections status` took {status.seconds:.1f} s)",
        flush=True,
    )
    http = measure_http(store, args, log_dir / f"serve-{store.kind}-{store.events_asked}.log")
    return {"store": store, "read_decode": baseline, "rebuild": rebuild, "http": http}


# ------------------------------------------------------------------------------ the table


def ms_text(figure: Figure, timeout: float) -> str:
    if figure.timed_out and not figure.samples:
        return f"> {timeout:g} s"
    p50, p95 = figure.p(0.5), figure.p(0.95)
    if p50 is None or p95 is None:
        return "n/a"
    text = f"{p50:,.1f} ms (p95 {p95:,.1f})"
    return f"{text}, then > {timeout:g} s" if figure.timed_out else text


def verdict(ok: bool, goal: str) -> str:
    return f"{goal}: {'met' if ok else '**not met**'}"


def table(results: list[dict[str, Any]], timeout: float) -> list[str]:
    rows = ["| store, log | figure | value | baseline | ratio | goal |", "|---|---|---:|---:|---:|---|"]
    smallest: dict[tuple[str, str], tuple[Store, Figure]] = {}
    for result in results:
        store: Store = result["store"]
        label = store.label
        floor = result["http"]["reads"][0]
        floor_p50 = floor.p(0.5)
        floor_text = f"{floor_p50:,.1f} ms (`/health`)" if floor_p50 is not None else "n/a"
        for figure in result["http"]["figures"]:
            if figure.note == "no unit= filter":
                rows.append(f"| {label} | `{figure.path}`, one unit | n/a: no `unit=` filter | | | |")
                continue
            p50 = figure.p(0.5)
            limit = GOAL_AGENCY_MS if figure.kind == "agency" else GOAL_UNIT_MS
            ok = p50 is not None and not figure.timed_out and p50 <= limit
            ratio = f"{p50 / floor_p50:,.0f}×" if p50 is not None and floor_p50 else ""
            name = f"`{figure.name}`" + (f" ({figure.note})" if figure.note else "")
            rows.append(
                f"| {label} | {name} | {ms_text(figure, timeout)} | {floor_text} | {ratio} "
                f"| {verdict(ok, f'p50 ≤ {limit:.0f} ms')} |"
            )
            if figure.kind == "unit":
                key = (store.kind, figure.name)
                earlier = smallest.get(key)
                if earlier is None:
                    smallest[key] = (store, figure)
                elif earlier[0].staff < store.staff:
                    small = earlier[1].p(0.5)
                    if small is not None and p50 is not None and not figure.timed_out:
                        growth = p50 / small
                        rows.append(
                            f"| {label} | growth of `{figure.name}` from {earlier[0].staff:,} staff "
                            f"| {p50:,.1f} ms | {small:,.1f} ms | {growth:.2f}× "
                            f"| {verdict(growth < GOAL_GROWTH, '< 2×')} |"
                        )
                    else:
                        rows.append(
                            f"| {label} | growth of `{figure.name}` from {earlier[0].staff:,} staff "
                            f"| {ms_text(figure, timeout)} | {ms_text(earlier[1], timeout)} | | "
                            f"< 2×: unknown (a request timed out) |"
                        )
        for figure in result["http"]["reads"][1:]:
            p50 = figure.p(0.5)
            ratio = f"{p50 / floor_p50:,.1f}×" if p50 is not None and floor_p50 else ""
            value = ms_text(figure, timeout)
            rows.append(f"| {label} | `{figure.name}` | {value} | {floor_text} | {ratio} | |")
        base, rebuild = result["read_decode"], result["rebuild"]
        how = "from scratch" if rebuild["from_scratch"] else "beside the live views, old ones dropped"
        ratio_value = rebuild["rate"] / base["rate"]
        rows.append(
            f"| {label} | rebuild of {len(rebuild['views'])} views ({how}), `ledger projections rebuild` "
            f"| {rebuild['rate']:,.0f} events/s ({rebuild['seconds']:,.1f} s, of which the command's "
            f"start ≈ {rebuild['cli_seconds']:,.1f} s) "
            f"| read+decode {base['rate']:,.0f} events/s ({base['seconds']:,.1f} s) | {ratio_value:.2f} "
            f"| {verdict(ratio_value >= GOAL_REBUILD, '≥ 0.5')} |"
        )
        made = store.made
        generated = (
            f"{made['events'] / made['seconds']:,.0f} events/s ({made['seconds']:,.0f} s"
            + (", cached from an earlier run)" if made.get("reused") else ")")
        )
        rows.append(f"| {label} | generation of the log | {generated} | | | |")
        peaks = [
            ("generate", made.get("peak_mb")), ("rebuild", rebuild["peak_mb"]),
            ("serve (all the reads above)", result["http"]["peak_mb"]),
        ]
        for phase, peak in peaks:
            if peak is None:
                continue
            rows.append(
                f"| {label} | peak RSS, {phase} | {peak:,.0f} MB | read+decode {base['peak_mb']:,.0f} MB "
                f"| {peak / base['peak_mb']:.1f}× | |"
            )
    return rows


# ------------------------------------------------------------------------------ main


def worker(task: str, url: str, argument: str) -> None:
    sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
    from ledger.store.config import StoreConfig

    if task != "generate":
        raise SystemExit(f"unknown worker task {task}")
    spec = importlib.util.spec_from_file_location("rebuild_log", ROOT / "bench" / "rebuild_log.py")
    assert spec is not None
    assert spec.loader is not None
    rebuild_log = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(rebuild_log)
    events = int(argument)
    result = rebuild_log.generate(
        StoreConfig(url), events, seed=SEED, units=unit_names(events // EVENTS_PER_PERSON)
    )
    print(json.dumps(result))


@contextmanager
def log_folder(keep: Path | None) -> Iterator[Path]:
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
        yield keep
        return
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as folder:
        yield Path(folder)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--events", default="300000,2100000",
                        help="comma-separated log sizes, smallest first (staff = events / 42)")
    parser.add_argument("--stores", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql")
    parser.add_argument("--rounds", type=int, default=5, help="times each report is asked")
    parser.add_argument("--reads", type=int, default=200, help="standing reads (directory: a fifth)")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds a request may take")
    parser.add_argument("--cache", type=Path, default=Path("/var/tmp/ledger-bench-scale"),
                        help="folder of the generated SQLite stores and signing keys")
    parser.add_argument("--regenerate", action="store_true", help="generate the logs again")
    parser.add_argument("--logs", type=Path, help="keep the servers' logs in this folder")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--generate-only", action="store_true",
                        help="only generate (or find) the cached logs, and say how fast they were made")
    parser.add_argument("--quick", action="store_true",
                        help="a check of the harness: 42,000 events (1,000 staff), 3 rounds, 50 reads")
    parser.add_argument("--worker", nargs=3, metavar=("TASK", "URL", "ARG"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(*args.worker)
        return
    if args.quick:
        args.events, args.rounds, args.reads = "42000", 3, 50
    sizes = sorted(int(size) for size in args.events.split(","))
    print(f"Scale benchmark: logs of {', '.join(f'{s:,}' for s in sizes)} events; stores {args.stores}; "
          f"{args.rounds} rounds; timeout {args.timeout:g} s.")
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, {date.today()}.\n", flush=True)
    results: list[dict[str, Any]] = []
    with log_folder(args.logs) as logs:
        for kind in args.stores.split(","):
            for events in sizes:
                print(f"[{kind}, {events:,} events]", flush=True)
                make = sqlite_store if kind == "sqlite" else postgres_store
                store = make(events, args.cache, args.regenerate)
                if not args.generate_only:
                    results.append(measure_store(store, args, logs))
    if args.generate_only:
        return
    rows = table(results, args.timeout)
    print()
    print("\n".join(rows))
    if args.json is not None:
        args.json.write_text(json.dumps(_plain(results), ensure_ascii=False, indent=1), encoding="utf-8")


def _plain(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for result in results:
        store: Store = result["store"]
        http = dict(result["http"])
        for name in ("figures", "reads"):
            http[name] = [
                {"name": f.name, "params": f.params, "p50_ms": f.p(0.5), "p95_ms": f.p(0.95),
                 "samples_ms": f.samples, "timed_out": f.timed_out, "note": f.note}
                for f in http[name]
            ]
        out.append({"store": store.kind, "url": store.url, "made": store.made,
                    "read_decode": result["read_decode"], "rebuild": result["rebuild"], "http": http})
    return out


if __name__ == "__main__":
    main()
