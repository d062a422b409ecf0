"""HTTP benchmark, run by hand: `GET /staff/{id}` and `POST /staff/{id}/enrollments` of a real
`ledger serve` (uvicorn, one worker, projection engine in the process), beside a bare FastAPI app
answering the same paths with JSON bodies of the same size, in the same run.

    /work/venv/bin/python bench/http.py                      # SQLite file, wrk if installed
    /work/venv/bin/python bench/http.py --store postgresql   # a fresh schema on LEDGER_TEST_POSTGRES_URL
    /work/venv/bin/python bench/http.py --client python      # httpx threads instead of wrk

Load: `--connections` concurrent clients (default 16) for `--duration` seconds per scenario, after
a short warm-up, each request for a random staff member. The writes are real: each POST records an
enrollment and answers only after the views have applied it (read-your-writes).
"""

from __future__ import annotations

import sys
from pathlib import Path

# This file is named like the standard library's `http` package: keep its folder off the import
# path, or `import httpx` (which imports `http`) would import this script instead.
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path.pop(0)

import argparse
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import httpx
from fastapi import FastAPI, Request

LEDGER = (
    "import sys; from api.cli.app import make_app; from api.cli.serve import register; "
    "app = make_app(); register(app); sys.argv[0] = 'ledger'; app()"
)
POSTGRES_URL = os.environ.get("LEDGER_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
ENROLLMENT = {
    "course_code": "BD-QLNN",
    "course_title": "Bồi dưỡng kiến thức quản lý nhà nước ngạch chuyên viên",
    "track": "state_management",
    "level": "specialist",
    "provider": "Học viện Hành chính Quốc gia",
    "mode": "blended",
    "starts_on": "2024-03-04",
}


@dataclass
class Result:
    name: str
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


# ----------------------------------------------------------------------------- the bare app


def bare_app(get_body: dict[str, Any], post_body: dict[str, Any]) -> Any:
    """FastAPI answering the benchmarked paths with fixed bodies of the real responses' size."""
    app = FastAPI()

    @app.get("/staff/{staff_id}")
    def standing(staff_id: str) -> dict[str, Any]:
        return get_body

    @app.post("/staff/{staff_id}/enrollments", status_code=201)
    async def enroll(staff_id: str, request: Request) -> dict[str, Any]:
        await request.json()
        return post_body

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    return app


def serve_bare(port: int, bodies: Path) -> None:
    import uvicorn

    loaded = json.loads(bodies.read_text(encoding="utf-8"))
    uvicorn.run(bare_app(loaded["get"], loaded["post"]), host="127.0.0.1", port=port, log_level="warning")


# ----------------------------------------------------------------------------- setup


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def store_url(kind: str) -> Iterator[str]:
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="ledger-bench-") as folder:
            yield f"sqlite:///{folder}/ledger.db"
        return
    import psycopg

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{POSTGRES_URL}?schema={schema}"
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def seed(url: str, staff: int) -> str:
    """Register ``staff`` people with a few completed courses each; returns a registrar token."""
    from api.keys import KeyStore
    from ledger.application import Ledger
    from ledger.domain.catalog import Gender, Mode, Outcome, Track
    from ledger.service import CredentialDetails
    from ledger.store.config import StoreConfig
    from projections.service_tables import ServiceTables

    store = StoreConfig(url)
    ledger = Ledger(store)
    names = ["Nguyễn Văn An", "Trần Thị Bích Ngọc", "Lê Hoàng Phúc", "Phạm Thị Thu Hương", "Đặng Quốc Bảo"]
    at = datetime(2025, 1, 6, 8, tzinfo=UTC)
    try:
        for n in range(1, staff + 1):
            staff_id = f"S{n:04d}"
            ledger.register(
                staff_id=staff_id,
                full_name=names[n % len(names)],
                gender=Gender.FEMALE if n % 2 else Gender.MALE,
                birth_date=date(1970 + n % 30, 1 + n % 12, 1 + n % 28),
                unit=f"Phòng Nghiệp vụ {n % 7 + 1}",
                joined_on=date(2005, 3, 1),
                position="Chuyên viên",
                rank="01.003",
                recorded_by="bench",
                recorded_at=at,
            )
            for k, (track, level, year) in enumerate(
                (
                    (Track.PROFESSIONAL, "bachelor", 2008),
                    (Track.POLITICAL_THEORY, "intermediate", 2015),
                    (Track.IT, "basic", 2019),
                )
            ):
                result = ledger.enroll(
                    staff_id,
                    enrollment_id=f"E{k}",
                    course_code=f"K{k}",
                    course_title=f"Khóa học {k}",
                    track=track,
                    level=level,
                    provider="Trường Chính trị tỉnh",
                    mode=Mode.PART_TIME,
                    starts_on=date(year, 3, 1),
                    decision_ref=f"QĐ {n}/{k}",
                    recorded_by="bench",
                    recorded_at=at,
                )
                ledger.complete(
                    staff_id,
                    result.enrollment_id or "",
                    completed_on=date(year, 9, 30),
                    outcome=Outcome.PASSED,
                    credential=CredentialDetails(credential_id=f"C{k}"),
                    recorded_by="bench",
                    recorded_at=at,
                )
    finally:
        ledger.close()
    db = ServiceTables(store)
    try:
        keys = KeyStore(db)
        keys.create_table()
        return keys.add("bench", "registrar")
    finally:
        db.close()


@contextmanager
def process(args: list[str], env: dict[str, str], url: str, ready: str = "/health") -> Iterator[None]:
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                raise RuntimeError((proc.stderr.read() if proc.stderr else b"").decode())
            try:
                if httpx.get(url + ready, timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(url)
            time.sleep(0.1)
        yield
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


# ----------------------------------------------------------------------------- load


def run_wrk(
    name: str, base: str, method: str, token: str, staff: int, seconds: float, connections: int
) -> Result:
    # ASCII JSON (\uXXXX escapes) so the body survives as a Lua string literal byte for byte.
    body = json.dumps(ENROLLMENT) if method == "POST" else None
    script = f"""
math.randomseed({random.randrange(1 << 30)})
wrk.method = "{method}"
wrk.headers["Authorization"] = "Bearer {token}"
wrk.headers["Content-Type"] = "application/json"
local body = {json.dumps(body) if body else "nil"}
request = function()
  local path = string.format("/staff/S%04d", math.random(1, {staff}))
  if wrk.method == "POST" then path = path .. "/enrollments" end
  return wrk.format(nil, path, nil, body)
end
"""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False, encoding="utf-8") as handle:
        handle.write(script)
    try:
        threads = min(2, connections)
        command = [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{int(seconds)}s",
            "--latency",
            "-s",
            handle.name,
            base,
        ]
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(handle.name)
    requests = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    duration = float(re.search(r"requests in ([\d.]+)s", output).group(1))  # type: ignore[union-attr]
    errors = int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", output)) else 0
    return Result(name, requests, duration, _wrk_ms(output, "50%"), _wrk_ms(output, "99%"), errors)


def _wrk_ms(output: str, percentile: str) -> float:
    match = re.search(rf"^\s*{re.escape(percentile)}\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE)
    if match is None:
        return float("nan")
    value, unit = float(match.group(1)), match.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value


def run_python(
    name: str, base: str, method: str, token: str, staff: int, seconds: float, connections: int
) -> Result:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop = time.monotonic() + seconds
    headers = {"Authorization": f"Bearer {token}"}

    def client() -> None:
        nonlocal errors
        mine: list[float] = []
        failed = 0
        with httpx.Client(base_url=base, headers=headers, timeout=30) as http:
            while time.monotonic() < stop:
                path = f"/staff/S{random.randint(1, staff):04d}"
                started = time.perf_counter()
                if method == "POST":
                    response = http.post(path + "/enrollments", json=ENROLLMENT)
                else:
                    response = http.get(path)
                mine.append(time.perf_counter() - started)
                failed += response.status_code >= 300
        with lock:
            latencies.extend(mine)
            errors += failed

    began = time.monotonic()
    workers = [threading.Thread(target=client) for _ in range(connections)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.monotonic() - began
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] if ordered else float("nan")
    return Result(name, len(latencies), elapsed, statistics.median(ordered) * 1000, p99 * 1000, errors)


# ----------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--store", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--client", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--staff", type=int, default=200)
    parser.add_argument("--bare", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--bodies", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare:
        serve_bare(args.bare, args.bodies)
        return
    client = args.client
    if client == "auto":
        client = "wrk" if subprocess.run(["which", "wrk"], capture_output=True).returncode == 0 else "python"
    load = run_wrk if client == "wrk" else run_python

    load_before = os.getloadavg()
    with store_url(args.store) as url:
        print(f"Seeding {args.staff} staff ({args.store})…", flush=True)
        token = seed(url, args.staff)
        env = {**os.environ, "LEDGER_DATABASE_URL": url}
        ledger_port, bare_port = free_port(), free_port()
        ledger_base, bare_base = f"http://127.0.0.1:{ledger_port}", f"http://127.0.0.1:{bare_port}"
        serve = [sys.executable, "-c", LEDGER, "serve", "--port", str(ledger_port), "--log-level", "warning"]
        with process(serve, env, ledger_base):
            auth = {"Authorization": f"Bearer {token}"}
            get_body = httpx.get(f"{ledger_base}/staff/S0002", headers=auth).json()
            post_body = httpx.post(
                f"{ledger_base}/staff/S0001/enrollments", json=ENROLLMENT, headers=auth
            ).json()
            with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as handle:
                json.dump({"get": get_body, "post": post_body}, handle, ensure_ascii=False)
            bare = [sys.executable, __file__, "--bare", str(bare_port), "--bodies", handle.name]
            try:
                with process(bare, env, bare_base):
                    sizes = {
                        "GET": (
                            len(httpx.get(f"{ledger_base}/staff/S0002", headers=auth).content),
                            len(httpx.get(f"{bare_base}/staff/S0002").content),
                        ),
                    }
                    results = []
                    for method in ("GET", "POST"):
                        for name, base in (("bare FastAPI", bare_base), ("ledger", ledger_base)):
                            load(name, base, method, token, args.staff, 2, args.connections)  # warm-up
                            results.append(
                                (
                                    method,
                                    load(
                                        name, base, method, token, args.staff, args.duration, args.connections
                                    ),
                                )
                            )
            finally:
                os.unlink(handle.name)

    load_average = ", ".join(f"{x:.1f}" for x in load_before)
    print(
        f"\nload average before the run: {load_average}; client={client} connections={args.connections} "
        f"duration={args.duration:.0f}s store={args.store} cores={os.cpu_count()}\n"
        f"standing body: ledger {sizes['GET'][0]} B, bare {sizes['GET'][1]} B\n"
    )
    print(f"{'endpoint':<34}{'server':<14}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}")
    rates: dict[tuple[str, str], float] = {}
    for method, result in results:
        label = "GET /staff/{id}" if method == "GET" else "POST /staff/{id}/enrollments"
        rates[(method, result.name)] = result.rate
        print(
            f"{label:<34}{result.name:<14}{result.rate:>9.0f}{result.p50_ms:>9.1f}{result.p99_ms:>9.1f}"
            f"{result.errors:>8}"
        )
    for method in ("GET", "POST"):
        ratio = rates[(method, "ledger")] / rates[(method, "bare FastAPI")]
        print(f"{method}: ledger at {ratio:.0%} of the bare endpoint's rate")


if __name__ == "__main__":
    main()
