"""What issue 14's operations part costs, each figure beside its baseline from the same run:

* a request through the request log and metrics (``api.observe``, a JSON line written at INFO to
  a null handler) against the same app without that middleware;
* the directory's word-prefix search with its result count, against listing the same directory
  page without a search;
* a ``/metrics`` scrape (it reads the log's head and each view's state from the store) against a
  ``/health`` answer (which reads the same state).

Run by hand, from the repository root::

    .venv/bin/python bench/ops.py [PEOPLE] [REQUESTS]

A fresh SQLite store in a temporary folder, PEOPLE (default 2000) registered with Vietnamese names;
requests go through the real ASGI app in process (Starlette's test client), medians of 5 rounds.
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/http.py would shadow the standard library's `http` (which httpx imports): drop this folder.
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path.pop(0)

import logging
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from fastapi.testclient import TestClient

from api.app import create_app
from api.observe import RequestLogMiddleware
from api.settings import Settings
from ledger.application import Ledger
from ledger.domain.catalog import Gender
from ledger.store.config import StoreConfig

FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ")
MIDDLE = ("Văn", "Thị", "Hữu", "Đức", "Thu", "Minh", "Ngọc", "Quốc")
GIVEN = ("An", "Anh", "Bình", "Cường", "Dũng", "Đạt", "Hà", "Hương", "Hường", "Lan", "Long", "Thắng", "Tuấn")


def populate(store: StoreConfig, people: int) -> None:
    ledger = Ledger(store)
    start = datetime(2020, 1, 1, tzinfo=UTC)
    try:
        for n in range(people):
            ledger.register(
                staff_id=f"CB{n:05d}",
                full_name=f"{FAMILY[n % 12]} {MIDDLE[n % 8]} {GIVEN[n % 13]}",
                gender=Gender.FEMALE if n % 2 else Gender.MALE,
                birth_date=date(1980 + n % 20, 1 + n % 12, 1 + n % 28),
                unit=f"Phòng {n % 9 + 1}",
                joined_on=date(2010, 1, 1),
                position="Chuyên viên",
                recorded_by="bench",
                recorded_at=start + timedelta(seconds=n),
            )
    finally:
        ledger.close()


def timed(call: Callable[[], object], requests: int) -> float:
    """Median over 5 rounds of the mean time of one call (ms)."""
    rounds = []
    for _ in range(5):
        began = time.perf_counter()
        for _ in range(requests):
            call()
        rounds.append((time.perf_counter() - began) / requests * 1000)
    return statistics.median(rounds)


def client(store: StoreConfig, *, observed: bool) -> tuple[TestClient, str]:
    app = create_app(Settings(database_url=store.url, trusted_hosts="testserver", startup_wait_seconds=120))
    if not observed:
        app.user_middleware = [m for m in app.user_middleware if m.cls is not RequestLogMiddleware]
    test_client = TestClient(app)
    test_client.__enter__()
    token = app.state.keys.add(f"bench-{'on' if observed else 'off'}", "auditor")
    return test_client, token


def main() -> None:
    people = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    requests = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    access = logging.getLogger("ledger.access")
    access.setLevel(logging.INFO)
    access.addHandler(logging.NullHandler())
    access.propagate = False
    with tempfile.TemporaryDirectory() as folder:
        store = StoreConfig(f"sqlite:///{Path(folder) / 'bench.db'}")
        began = time.perf_counter()
        populate(store, people)
        took = time.perf_counter() - began
        print(f"{people} people registered in {took:.1f} s; {requests} requests a round")
        with_log, token_on = client(store, observed=True)
        without, token_off = client(store, observed=False)
        try:
            on = {"Authorization": f"Bearer {token_on}"}
            off = {"Authorization": f"Bearer {token_off}"}
            rows = []
            base = timed(lambda: without.get("/staff/CB00042", headers=off), requests)
            new = timed(lambda: with_log.get("/staff/CB00042", headers=on), requests)
            rows.append(("GET /staff/{id}, request log + metrics", new, "same, without them", base))
            base = timed(lambda: with_log.get("/staff", params={"limit": 50}, headers=on), requests)
            for q in ("an", "huong", "Hường", "nguyen van an"):
                params = {"q": q, "limit": 50}
                new = timed(lambda p=params: with_log.get("/staff", params=p, headers=on), requests)
                rows.append((f"GET /staff?q={q}", new, "GET /staff (no q)", base))
            base = timed(lambda: with_log.get("/health"), requests)
            new = timed(lambda: with_log.get("/metrics"), requests)
            rows.append(("GET /metrics", new, "GET /health", base))
        finally:
            with_log.__exit__(None, None, None)
            without.__exit__(None, None, None)
    print(f"{'measured':<40} {'ms':>7}   {'baseline':<20} {'ms':>7}  ratio")
    for name, value, baseline_name, baseline in rows:
        print(f"{name:<40} {value:7.2f}   {baseline_name:<20} {baseline:7.2f}  {value / baseline:5.2f}x")


if __name__ == "__main__":
    main()
