"""The log of a real `ledger serve` process (uvicorn, a free port, SQLite): one JSON line a
request, by route template, and no line carrying a query string's `q` (a searched name)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from live_server import LEDGER, free_port, wait_for_health

from api.keys import KeyStore
from ledger.store.config import StoreConfig
from projections.service_tables import ServiceTables

pytestmark = pytest.mark.slow

SEARCHED = "Phạm Thị Thu Hương"


@pytest.fixture(scope="module")
def log_lines(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    folder = tmp_path_factory.mktemp("serve-logs")
    store = StoreConfig(f"sqlite:///{folder / 'ledger.db'}")
    db = ServiceTables(store)
    try:
        keys = KeyStore(db)
        keys.create_table()
        token = keys.add("thanh-tra", "auditor")
    finally:
        db.close()
    port = free_port()
    log: Path = folder / "stderr.log"
    with log.open("wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-c", LEDGER, "serve", "--port", str(port), "--log-level", "info"],
            env={**os.environ, "LEDGER_DATABASE_URL": store.url},
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            wait_for_health(url, process)
            headers = {"Authorization": f"Bearer {token}", "X-Request-ID": "search-1"}
            for q in (SEARCHED, "huong", "nguyen van"):
                assert httpx.get(f"{url}/staff", params={"q": q}, headers=headers).status_code == 200
            httpx.get(f"{url}/ui/staff", params={"q": SEARCHED})
            httpx.get(f"{url}/no/such/path", params={"q": SEARCHED})
        finally:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=20)
    return log.read_text(encoding="utf-8").splitlines()


def test_every_line_of_the_servers_log_is_json(log_lines: list[str]) -> None:
    assert log_lines
    for line in log_lines:
        json.loads(line)


def test_no_log_line_carries_a_query_strings_q(log_lines: list[str]) -> None:
    for line in log_lines:
        assert "Hương" not in line
        assert "huong" not in line.lower()
        assert "nguyen" not in line.lower()
        assert "q=" not in line


def test_each_request_is_one_line_with_its_route_template_status_key_and_id(log_lines: list[str]) -> None:
    requests = [json.loads(line) for line in log_lines if '"route"' in line]
    searches = [r for r in requests if r["route"] == "/staff"]
    assert len(searches) == 3
    assert {(r["status"], r["key"], r["method"]) for r in searches} == {(200, "thanh-tra", "GET")}
    assert searches[0]["request_id"] == "search-1"
    # A path no route matches (refused for want of a key) is named, never written out.
    assert any(r["route"] == "unmatched" and r["status"] == 401 for r in requests)
    assert not any("/no/such/path" in line for line in log_lines)
