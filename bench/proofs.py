# ruff: noqa: E402  (the standard library must come first on sys.path: see below)
"""Proof benchmark (issue 13): proof size, proof latency through the API, offline badge checking,
and what keyed links and the Merkle tree cost the write path. Run by hand (not in CI)::

    .venv/bin/python bench/proofs.py                        # a log of 1,000,000 events (SQLite)
    .venv/bin/python bench/proofs.py --events 100000 --store postgresql

Every figure is printed beside a baseline measured in the same run, as a ratio:

* the log is built through the store's own insert path (chain, tree and link MACs in the same
  transaction, batches of 1,000), after one real staff member with a passed course;
* proof size: the inclusion proof into the tree of the whole log, as raw bytes (32 × hashes) and
  as the API's JSON; beside the issue's 1 KB budget;
* proof latency: ``GET /events/{position}/proof?size=N`` through the ASGI app (in-process
  TestClient, an auditor key), random positions, p50/p95; beside ``GET /checkpoints/latest`` (a
  one-row read through the same stack);
* offline ``verify-credential``: ``python -m ledger.store.badge_verify BADGE --keys KEYS`` as a new
  process, median wall time including interpreter start-up; beside ``python -c pass``;
* write cost: ledger commands (register, then enroll, each one event) with the proof tables, in
  lock-step with the same commands on a ledger whose recorder skips them (chain only: the write
  path before issue 13); events/s and the ratio.
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/http.py would shadow the standard library's http package (httpx imports it).
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse
import json
import os
import random
import statistics
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import psycopg
from eventsourcing.persistence import StoredEvent
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from ledger.application import Ledger
from ledger.domain.catalog import Gender, Mode, Outcome, Track
from ledger.store.config import StoreConfig

ROOT = Path(__file__).resolve().parents[1]
POSTGRES_URL = os.environ.get("LEDGER_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


@contextmanager
def a_store(kind: str, folder: Path, name: str) -> Iterator[StoreConfig]:
    if kind == "sqlite":
        yield StoreConfig(f"sqlite:///{folder / f'{name}.db'}")
        return
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield StoreConfig(f"{POSTGRES_URL}?schema={schema}")
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def awarded_staff(ledger: Ledger) -> tuple[str, str]:
    ledger.register(
        staff_id="CB0001", full_name="Nguyễn Thị Minh Khai", gender=Gender.FEMALE,
        birth_date=date(1988, 3, 8), unit="Phòng Tổ chức – Cán bộ", joined_on=date(2012, 9, 1),
        recorded_by="bench",
    )
    enrolled = ledger.enroll(
        "CB0001", course_code="QLNN-CV", course_title="Bồi dưỡng ngạch chuyên viên",
        track=Track.STATE_MANAGEMENT, level="specialist", provider="Học viện Hành chính Quốc gia",
        mode=Mode.FULL_TIME, starts_on=date(2024, 3, 4), ends_on=date(2024, 6, 28),
        decision_ref="QĐ 12/QĐ-UBND", recorded_by="bench",
    )
    done = ledger.complete(
        "CB0001", enrolled.enrollment_id or "", completed_on=date(2024, 6, 28),
        outcome=Outcome.PASSED, recorded_by="bench",
    )
    return "CB0001", done.credential_id or ""


def build_log(ledger: Ledger, events: int) -> float:
    recorder: Any = ledger.recorder
    started = time.perf_counter()
    state = json.dumps({"padding": "x" * 400}).encode()  # about a ledger event's stored size
    for start in range(0, events, 1000):
        recorder.insert_events(
            [StoredEvent(uuid.uuid4(), 1, "bench.filler", state) for _ in range(min(1000, events - start))]
        )
        if start and start % 100_000 == 0:
            print(f"  … {start:,} events", file=sys.stderr, flush=True)
    return time.perf_counter() - started


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def api_latency(store: StoreConfig, size: int, samples: int) -> tuple[list[float], list[float], int]:
    app = create_app(Settings(database_url=store.url, run_projections=False, trusted_hosts="testserver"))
    with TestClient(app) as client:
        token = app.state.keys.add("bench-auditor", "auditor")
        headers = {"Authorization": f"Bearer {token}"}
        proof_times, baseline_times = [], []
        body_size = 0
        rng = random.Random(13)
        for _ in range(samples):
            position = rng.randint(1, size)
            t0 = time.perf_counter()
            proof = client.get(f"/events/{position}/proof", params={"size": size}, headers=headers)
            t1 = time.perf_counter()
            latest = client.get("/checkpoints/latest", headers=headers)
            t2 = time.perf_counter()
            if proof.status_code == 200:
                proof_times.append((t1 - t0) * 1000)
                body_size = max(body_size, len(proof.content))
            assert latest.status_code == 200, latest.text
            baseline_times.append((t2 - t1) * 1000)
        return proof_times, baseline_times, body_size


def offline_verify(
    store: StoreConfig, staff_id: str, credential_id: str, folder: Path, runs: int
) -> tuple[float, float]:
    app = create_app(Settings(database_url=store.url, run_projections=False, trusted_hosts="testserver"))
    with TestClient(app) as client:
        token = app.state.keys.add("bench-registrar", "registrar")
        badge = client.get(
            f"/staff/{staff_id}/credentials/{credential_id}/badge",
            headers={"Authorization": f"Bearer {token}"},
        )
        assert badge.status_code == 200, badge.text
        keys = client.get("/.well-known/ledger-keys.json").text
    (folder / "badge.jwt").write_text(badge.text, encoding="utf-8")
    (folder / "keys.json").write_text(keys, encoding="utf-8")
    badge_file, keys_file = str(folder / "badge.jwt"), str(folder / "keys.json")
    verify = [sys.executable, "-m", "ledger.store.badge_verify", badge_file, "--keys", keys_file]
    bare = [sys.executable, "-c", "pass"]
    verify_times, bare_times = [], []
    for _ in range(runs):
        for command, into in ((verify, verify_times), (bare, bare_times)):
            t0 = time.perf_counter()
            done = subprocess.run(command, capture_output=True, text=True, check=False)
            into.append((time.perf_counter() - t0) * 1000)
            if command is verify:
                assert done.returncode == 0, done.stdout + done.stderr
    return statistics.median(verify_times), statistics.median(bare_times)


def write_cost(kind: str, folder: Path, staff: int, runs: int) -> list[tuple[float, float]]:
    """(events/s with the proof tables, events/s without) per run, in lock-step."""
    results = []
    for run in range(runs):
        with (
            a_store(kind, folder, f"with-{run}") as with_store,
            a_store(kind, folder, f"without-{run}") as bare_store,
        ):
            proven, unproven = Ledger(with_store), Ledger(bare_store)
            # The write path before issue 13: the chain only, no tree, no MACs, no checkpoints.
            unproven.chained_recorder.proofs.append = lambda *_args: None  # type: ignore[method-assign]
            timings: dict[str, float] = {"with": 0.0, "without": 0.0}
            order = [("with", proven), ("without", unproven)]
            if run % 2:
                order.reverse()
            for i in range(staff):
                for side, ledger in order:
                    t0 = time.perf_counter()
                    staff_id = f"CB{i:05d}"
                    ledger.register(
                        staff_id=staff_id, full_name="Trần Văn Bình", gender=Gender.MALE,
                        birth_date=date(1990, 1, 1), unit="Phòng Đào tạo", joined_on=date(2015, 1, 1),
                        recorded_by="bench",
                    )
                    ledger.enroll(
                        staff_id, course_code="TH-CB", course_title="Tin học cơ bản",
                        track=Track.IT, level="basic", provider="Sở Thông tin và Truyền thông",
                        mode=Mode.PART_TIME, starts_on=date(2024, 3, 4), ends_on=date(2024, 4, 28),
                        decision_ref="QĐ 7/QĐ-STTTT", recorded_by="bench",
                    )
                    timings[side] += time.perf_counter() - t0
            proven.close()
            unproven.close()
            results.append((2 * staff / timings["with"], 2 * staff / timings["without"]))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--store", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--verify-runs", type=int, default=15)
    parser.add_argument("--staff", type=int, default=300, help="staff per write-cost run (2 events each)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        with a_store(args.store, folder, "log") as store:
            ledger = Ledger(store)
            staff_id, credential_id = awarded_staff(ledger)
            seconds = build_log(ledger, args.events - 3)
            size = ledger.chained_recorder.proofs.sign_checkpoint().size
            ledger.close()
            print(f"log: {size:,} events on {args.store}, built in {seconds:.0f} s "
                  f"({size / seconds:,.0f} events/s through the insert path with proofs)")
            path = (size - 1).bit_length()
            proof_times, base_times, body = api_latency(store, size, args.samples)
            print(f"proof size: {path} hashes = {32 * path} B raw (budget 1,024 B: "
                  f"{32 * path / 1024:.2f}x); {body} B as the API's JSON (hex, with fields)")
            p50, base50 = statistics.median(proof_times), statistics.median(base_times)
            p95 = percentile(proof_times, 0.95)
            print(f"proof latency through the API: p50 {p50:.2f} ms, p95 {p95:.2f} ms "
                  f"| baseline GET /checkpoints/latest p50 {base50:.2f} ms | ratio {p50 / base50:.2f} "
                  f"| budget 5 ms: {p50 / 5:.2f}x")
            verify_ms, bare_ms = offline_verify(store, staff_id, credential_id, folder, args.verify_runs)
            print(f"offline verify-credential (new process): median {verify_ms:.1f} ms | baseline "
                  f"`python -c pass` {bare_ms:.1f} ms | ratio {verify_ms / bare_ms:.2f} | budget 50 ms: "
                  f"{verify_ms / 50:.2f}x")
        costs = write_cost(args.store, folder, args.staff, args.runs)
        ratios = [w / b for w, b in costs]
        print(
            f"write cost ({args.store}, register+enroll, {args.runs} runs x {2 * args.staff} events, "
            "lock-step): "
            f"with proofs {statistics.median(w for w, _ in costs):,.0f} events/s, chain only "
            f"{statistics.median(b for _, b in costs):,.0f} events/s | ratio {statistics.median(ratios):.3f} "
            f"(min {min(ratios):.3f}, max {max(ratios):.3f}) | budget ≥ 0.90"
        )


if __name__ == "__main__":
    main()
