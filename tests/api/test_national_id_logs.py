"""A real `ledger serve` process (uvicorn, a free port, SQLite) handling requests that carry a
national_id in the body and in the query string, accepted and refused: the number appears in no
line of the server's log (access lines, errors, start-up) and in no problem+json body."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from live_server import LEDGER, free_port, wait_for_health

pytestmark = pytest.mark.slow

NUMBER = "079185004321"
OTHER = "079185004322"
MALFORMED = "07918500432x"


def _key(env: dict[str, str], name: str, role: str) -> str:
    """A key made the way an operator makes one: `ledger keys add` prints the token last."""
    done = subprocess.run(
        [sys.executable, "-c", LEDGER, "keys", "add", name, "--role", role],
        env=env, capture_output=True, text=True, check=True,
    )
    return done.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[str], list[httpx.Response]]:
    """The server's log lines and the answers to requests carrying the numbers."""
    folder = tmp_path_factory.mktemp("nid-logs")
    env = {**os.environ, "LEDGER_DATABASE_URL": f"sqlite:///{folder / 'ledger.db'}"}
    registrar = {"Authorization": f"Bearer {_key(env, 'phong-tccb', 'registrar')}"}
    reader = {"Authorization": f"Bearer {_key(env, 'bao-cao', 'reader')}"}
    port = free_port()
    log: Path = folder / "stderr.log"
    answers: list[httpx.Response] = []
    person = {
        "full_name": "Nguyễn Thị Hồng Nhung", "gender": "female", "birth_date": "1985-04-12",
        "unit": "Phòng Tổ chức cán bộ", "joined_on": "2010-09-01",
    }
    with log.open("wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-c", LEDGER, "serve", "--port", str(port), "--log-level", "debug"],
            env=env, stdout=subprocess.DEVNULL, stderr=stderr,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            wait_for_health(url, process)
            with httpx.Client(base_url=url, timeout=30) as client:
                def post(path: str, body: dict[str, object]) -> None:
                    answers.append(client.post(path, json=body, headers=registrar))

                def get(path: str, headers: dict[str, str], **params: str) -> None:
                    answers.append(client.get(path, params=params, headers=headers))

                post("/staff", {**person, "staff_id": "NID1", "national_id": NUMBER})  # 201
                post("/staff", {**person, "staff_id": "NID2", "national_id": NUMBER})  # 409
                post("/staff", {**person, "staff_id": "NID3", "national_id": MALFORMED})  # 422
                post("/staff", {**person, "staff_id": "NID4"})  # 201
                post("/staff/NID4/corrections", {"national_id": NUMBER, "reason": "Nhầm"})  # 409
                post("/staff/NID4/corrections", {"national_id": OTHER, "reason": "Bổ sung"})  # 201
                get("/staff", registrar, national_id=NUMBER)  # 200
                get("/staff", reader, national_id=NUMBER)  # 403
                get("/staff", registrar, national_id=MALFORMED)  # 422
                get("/staff/NID1", registrar)  # 200, with the number
                get("/staff/NID1/export", registrar)  # 200, with the number
                get("/staff/NID1", reader)  # 200, without
                get("/ui/staff", {}, national_id=NUMBER)  # the pages: not signed in
        finally:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=20)
    return log.read_text(encoding="utf-8").splitlines(), answers


Served = tuple[list[str], list[httpx.Response]]


def test_the_requests_were_answered_as_expected(served: Served) -> None:
    _, answers = served
    expected = [201, 409, 422, 201, 409, 201, 200, 403, 422, 200, 200, 200]
    assert [a.status_code for a in answers[:12]] == expected


def test_no_line_of_the_servers_log_carries_a_national_id(served: Served) -> None:
    lines, _ = served
    assert len(lines) >= 13
    for line in lines:
        for number in (NUMBER, OTHER, MALFORMED):
            assert number not in line
        assert "national_id=" not in line


def test_no_problem_body_echoes_a_national_id(served: Served) -> None:
    _, answers = served
    problems = [a for a in answers if a.headers.get("content-type") == "application/problem+json"]
    assert len(problems) >= 5
    for answer in problems:
        for number in (NUMBER, OTHER, MALFORMED):
            assert number not in answer.text
