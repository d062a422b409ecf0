"""HTTP limits (issue 10, item 4), through real HTTP: the app served by uvicorn on a free port,
spoken to over a raw socket so that the test decides, byte by byte, what the server is sent.

"Not read" is proved from the outside: the request announces a 200 MB body and the client sends
none of it (or keeps streaming only until an answer arrives); an answer that comes back at once
cannot have waited for the body.
"""

from __future__ import annotations

import json
import select
import socket
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from api_fixtures import KEY_NAMES, module_store, person
from live_server import Live, live_server

from api.app import create_app
from api.auth import BODYLESS_METHODS, guarded_routes, is_public, route_contexts
from api.limits import BodyLimit, HostGate
from api.settings import Settings

LIMIT = 64 * 1024
HUGE = 200_000_000
CHUNK = 64 * 1024


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def live(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    folder: Path = tmp_path_factory.mktemp("limits")
    with module_store(request.param, folder) as store, live_server(store, max_body_bytes=LIMIT) as found:
        yield found


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    body_bytes_sent: int

    def problem(self) -> dict[str, Any]:
        found: dict[str, Any] = json.loads(self.body)
        return found


def exchange(
    live: Live,
    path: str,
    *,
    headers: dict[str, str],
    chunks: Iterable[bytes] = (),
    chunked: bool = False,
    method: str = "POST",
) -> Answer:
    """Send the request head, then ``chunks`` only while the server has not answered; read the
    answer. Counts the body bytes the client managed to hand to the socket."""
    head = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{live.port}"]
    head += [f"{k}: {v}" for k, v in headers.items()]
    if chunked:
        head.append("Transfer-Encoding: chunked")
    sent = 0
    with socket.create_connection(("127.0.0.1", live.port), timeout=20) as sock:
        sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode("latin-1"))
        for chunk in chunks:
            if select.select([sock], [], [], 0)[0]:
                break  # the server has answered: stop sending
            framed = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n" if chunked else chunk
            try:
                sock.sendall(framed)
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += len(chunk)
        return _read_answer(sock, sent)


def _read_answer(sock: socket.socket, sent: int) -> Answer:
    data = b""
    while b"\r\n\r\n" not in data:
        more = sock.recv(65536)
        assert more, f"the connection closed without an answer: {data!r}"
        data += more
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        more = sock.recv(65536)
        if not more:
            break
        body += more
    return Answer(status, headers, body, sent)


def bearer(live: Live, role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {live.tokens[role]}", "Content-Type": "application/json"}


def endless(total: int = HUGE) -> Iterator[bytes]:
    block = b" " * CHUNK
    for _ in range(total // CHUNK):
        yield block


# ------------------------------------------------------------------ body size


def test_a_body_announced_over_the_limit_answers_413_before_any_of_it_is_sent(live: Live) -> None:
    answer = exchange(live, "/staff", headers={**bearer(live, "registrar"), "Content-Length": str(HUGE)})
    assert answer.status == 413
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.problem()["code"] == "payload_too_large"


def test_a_streamed_body_answers_413_once_it_passes_the_limit_and_is_read_no_further(live: Live) -> None:
    answer = exchange(live, "/staff", headers=bearer(live, "registrar"), chunks=endless(), chunked=True)
    assert answer.status == 413
    assert answer.problem()["code"] == "payload_too_large"
    # What the client got into the socket before the answer: the limit, a chunk in flight and the
    # kernel's buffers; nowhere near the 200 MB offered.
    assert answer.body_bytes_sent < 32 * 1024 * 1024


def test_the_413_names_the_limit_and_the_setting(live: Live) -> None:
    answer = exchange(live, "/staff", headers={**bearer(live, "registrar"), "Content-Length": str(LIMIT + 1)})
    assert str(LIMIT) in answer.problem()["detail"]
    assert "LEDGER_MAX_BODY_BYTES" in answer.problem()["detail"]


def test_a_body_within_the_limit_is_recorded(live: Live) -> None:
    response = httpx.post(
        f"{live.url}/staff",
        json=person("CB-LIMIT-1", full_name="Nguyễn Thị Hạnh"),
        headers=bearer(live, "registrar"),
    )
    assert response.status_code == 201, response.text


def test_a_body_one_byte_over_the_limit_is_refused_and_records_nothing(live: Live) -> None:
    body = json.dumps(person("CB-LIMIT-2")).encode()
    body += b" " * (LIMIT + 1 - len(body))
    answer = exchange(
        live,
        "/staff",
        headers={**bearer(live, "registrar"), "Content-Length": str(len(body))},
        chunks=[body],
    )
    assert answer.status == 413
    found = httpx.get(f"{live.url}/staff/CB-LIMIT-2", headers=bearer(live, "registrar"))
    assert found.status_code == 404


def test_a_sign_in_form_needs_no_key_but_meets_the_limit(live: Live) -> None:
    answer = exchange(
        live,
        "/ui/login",
        headers={"Content-Type": "application/x-www-form-urlencoded", "Content-Length": str(HUGE)},
    )
    assert answer.status == 413


# ------------------------------------------------------------------ key and role first


def test_a_reader_s_oversized_post_answers_403_before_any_of_its_body_is_sent(live: Live) -> None:
    answer = exchange(live, "/staff", headers={**bearer(live, "reader"), "Content-Length": str(HUGE)})
    assert answer.status == 403
    assert answer.problem()["code"] == "forbidden"


def test_a_reader_s_streamed_post_answers_403_before_its_body_is_read(live: Live) -> None:
    answer = exchange(live, "/staff", headers=bearer(live, "reader"), chunks=endless(), chunked=True)
    assert answer.status == 403
    assert answer.body_bytes_sent < 32 * 1024 * 1024


def test_an_auditor_s_write_is_refused_before_its_body_is_read(live: Live) -> None:
    answer = exchange(
        live, "/staff/CB-X/enrollments", headers={**bearer(live, "auditor"), "Content-Length": str(HUGE)}
    )
    assert answer.status == 403


def test_an_unknown_key_s_oversized_post_answers_401_before_any_of_its_body_is_sent(live: Live) -> None:
    headers = {"Authorization": "Bearer not-a-key", "Content-Length": str(HUGE)}
    answer = exchange(live, "/staff", headers=headers)
    assert answer.status == 401


def test_the_403_before_the_body_names_the_key_its_role_and_what_it_may_not_do(live: Live) -> None:
    answer = exchange(live, "/staff", headers={**bearer(live, "reader"), "Content-Length": str(HUGE)})
    assert answer.problem()["detail"] == (
        f"Key '{KEY_NAMES['reader']}' has role 'reader', which may not record events (registrar only)."
    )


def test_a_reader_still_reads(live: Live) -> None:
    assert httpx.get(f"{live.url}/staff", headers=bearer(live, "reader")).status_code == 200


# ------------------------------------------------------------------ trusted hosts


def test_an_untrusted_host_header_is_refused_with_a_problem(live: Live) -> None:
    response = httpx.get(f"{live.url}/ui", headers={"Host": "evil.example"})
    assert response.status_code == 400
    assert response.json()["code"] == "untrusted_host"


def test_an_untrusted_host_cannot_write(live: Live) -> None:
    response = httpx.post(
        f"{live.url}/staff",
        json=person("CB-HOST-1"),
        headers={**bearer(live, "registrar"), "Host": "evil.example"},
    )
    assert response.status_code == 400
    assert httpx.get(f"{live.url}/staff/CB-HOST-1", headers=bearer(live, "registrar")).status_code == 404


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "[::1]"])
def test_the_local_names_are_trusted_by_default(live: Live, host: str) -> None:
    response = httpx.get(f"{live.url}/health", headers={"Host": f"{host}:{live.port}"})
    assert response.status_code == 200


@pytest.mark.parametrize("path", ["/ui", "/ui/staff/", "/"])
def test_redirects_do_not_repeat_the_host_header(live: Live, path: str) -> None:
    response = httpx.get(f"{live.url}{path}", headers={"Host": f"localhost:{live.port}"})
    assert response.is_redirect
    assert response.headers["location"].startswith("/")


def test_trusted_hosts_come_from_ledger_trusted_hosts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEDGER_TRUSTED_HOSTS", "ledger.sonoivu.gov.vn, *.gov.vn")
    assert Settings().allowed_hosts() == ["ledger.sonoivu.gov.vn", "*.gov.vn"]


def test_the_serve_host_is_trusted_by_default() -> None:
    assert "10.0.0.5" in Settings(serve_host="10.0.0.5").allowed_hosts()


@pytest.mark.parametrize(
    ("host", "trusted"),
    [("ledger.gov.vn", True), ("a.b.gov.vn", True), ("gov.vn.evil.example", False), ("evilgov.vn", False)],
)
def test_a_wildcard_trusts_subdomains_only(host: str, trusted: bool) -> None:
    gate = HostGate(lambda *_: None, ["*.gov.vn"])  # type: ignore[arg-type,return-value]
    assert gate.trusts(host) is trusted


# ------------------------------------------------------------------ settings


def test_the_body_limit_is_one_megabyte_by_default() -> None:
    assert Settings().max_body_bytes == 1_048_576


def test_the_body_limit_comes_from_ledger_max_body_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEDGER_MAX_BODY_BYTES", "5000000")
    assert Settings().max_body_bytes == 5_000_000


def test_a_route_prefix_can_have_a_limit_of_its_own() -> None:
    limit = BodyLimit(lambda *_: None, 1000, overrides=[("/staff/evidence", 9000)])  # type: ignore[arg-type,return-value]
    assert (limit.limit_for("/staff/evidence/scan"), limit.limit_for("/staff")) == (9000, 1000)


def test_every_route_that_takes_a_body_is_public_or_has_its_role_checked_before_the_body() -> None:
    app = create_app(Settings(database_url="sqlite:///unused.db"))
    guarded = {pattern.pattern for pattern, _, _ in guarded_routes(app)}
    unguarded = [
        context.path
        for context in route_contexts(app)
        if set(getattr(context, "methods", None) or ()) - BODYLESS_METHODS
        and not is_public(context.path)
        and context.path_regex.pattern not in guarded
    ]
    assert unguarded == []
