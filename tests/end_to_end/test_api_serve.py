"""A real `ledger serve` process on 127.0.0.1 (uvicorn, a free port, one worker or two), on SQLite
and PostgreSQL: client threads post enrollments for one staff member, some with If-Match and some
without; every 201 is in the history, every rejection is not, and nothing else is."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date

import httpx
import pytest
from api_fixtures import course, person
from live_server import LEDGER, free_port, wait_for_health

from api.keys import KeyStore
from ledger.domain.catalog import Gender
from ledger.store.config import StoreConfig
from projections.service_tables import ServiceTables

pytestmark = pytest.mark.slow

# The `ledger` command with this package's commands, whether or not the lead's CLI wires them yet.
@dataclass
class Server:
    url: str
    token: str
    workers: int
    process: subprocess.Popen[bytes]


@pytest.fixture(params=[1, 2], ids=["one-worker", "two-workers"])
def server(request: pytest.FixtureRequest, store: StoreConfig) -> Iterator[Server]:
    """`ledger serve`; with two workers the engine runs in the supervising process."""
    workers: int = request.param
    db = ServiceTables(store)
    try:
        keys = KeyStore(db)
        keys.create_table()
        token = keys.add("phong-tccb", "registrar")
    finally:
        db.close()
    port = free_port()
    env = {**os.environ, "LEDGER_DATABASE_URL": store.url}
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            LEDGER,
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_health(url, process)
        yield Server(url, token, workers, process)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    assert process.returncode == 0, (process.stderr.read() if process.stderr else b"").decode()


def test_concurrent_enrollments_over_a_real_server_record_exactly_the_accepted_ones(server: Server) -> None:
    auth = {"Authorization": f"Bearer {server.token}"}
    with httpx.Client(base_url=server.url, headers=auth, timeout=60) as client:
        assert client.post("/staff", json=person("CB0001", full_name="Nguyễn Văn An")).status_code == 201

    def worker(n: int) -> list[tuple[str, int]]:
        outcomes = []
        with httpx.Client(base_url=server.url, headers=auth, timeout=60) as client:
            for k in range(6):
                enrollment_id = f"E{n}-{k}"
                headers = {}
                if n % 2 == 0:  # half the clients write only on the version they have read
                    headers["If-Match"] = client.get("/staff/CB0001").headers["etag"]
                response = client.post(
                    "/staff/CB0001/enrollments", json=course(enrollment_id=enrollment_id), headers=headers
                )
                # 412: If-Match was stale. 409: across worker processes, a write without If-Match
                # lost the race to save more times than the ledger retries (rare).
                assert response.status_code in {201, 409, 412}, response.text
                if response.status_code != 201:
                    assert response.headers["content-type"] == "application/problem+json"
                outcomes.append((enrollment_id, response.status_code))
        return outcomes

    with ThreadPoolExecutor(6) as pool:
        outcomes = [o for batch in pool.map(worker, range(6)) for o in batch]

    accepted = {e for e, status in outcomes if status == 201}
    refused = {e for e, status in outcomes if status == 412}
    assert len(accepted) + len(refused) == 36
    assert {
        e for e, _ in outcomes if not e.startswith(("E0-", "E2-", "E4-"))
    } <= accepted  # no If-Match: all in
    with httpx.Client(base_url=server.url, headers=auth, timeout=60) as client:
        history = client.get("/staff/CB0001/history", params={"limit": 500}).json()["items"]
        standing = client.get("/staff/CB0001").json()
    recorded = [e["data"]["enrollment_id"] for e in history if e["type"] == "Enrolled"]
    assert sorted(recorded) == sorted(accepted)
    assert not refused & set(recorded)
    assert [e["type"] for e in history] == ["Registered"] + ["Enrolled"] * len(accepted)
    assert [e["version"] for e in history] == list(range(1, len(accepted) + 2))
    assert {e["enrollment_id"] for e in standing["enrollments"]} == accepted
    assert standing["full_name"] == "Nguyễn Văn An"


def test_demo_is_not_loaded_into_a_store_that_already_has_events(
    store: StoreConfig, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from api.cli.serve import load_demo_agency
    from ledger.application import Ledger

    ledger = Ledger(store)
    try:
        ledger.register(
            staff_id="CB0001",
            full_name="Nguyễn Văn An",
            gender=Gender.MALE,
            birth_date=date(1985, 4, 12),
            unit="Phòng Tổ chức cán bộ",
            joined_on=date(2010, 9, 1),
            recorded_by="phong-tccb",
        )
        head = ledger.recorder.max_notification_id()  # type: ignore[attr-defined]
    finally:
        ledger.close()
    monkeypatch.setenv("LEDGER_DATABASE_URL", store.url)
    load_demo_agency()
    assert "not empty" in capsys.readouterr().out
    ledger = Ledger(store)
    try:
        assert ledger.recorder.max_notification_id() == head  # type: ignore[attr-defined]
    finally:
        ledger.close()


def test_demo_keys_give_one_working_token_per_role(
    store: StoreConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    from api.cli.serve import demo_keys

    monkeypatch.setenv("LEDGER_DATABASE_URL", store.url)
    made = demo_keys()
    again = demo_keys()  # a second --demo run keeps the keys it finds and makes none
    db = ServiceTables(store)
    try:
        keys = KeyStore(db)
        assert {(name, role.value) for name, role, _ in made} == {
            ("demo-registrar", "registrar"),
            ("demo-auditor", "auditor"),
            ("demo-reader", "reader"),
        }
        assert all(keys.authenticate(token) is not None for _, _, token in made)
        assert again == []
    finally:
        db.close()
