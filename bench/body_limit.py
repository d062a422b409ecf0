"""What a 200 MB POST costs a real `ledger serve`: the server's resident memory before and after,
for a reader's key (403) and a registrar's (413), with `Content-Length` and chunked.

Run by hand (not in CI), from the repository root::

    .venv/bin/python bench/body_limit.py

It makes a fresh SQLite store in a temporary folder, two keys, starts `ledger serve` on a free
port, and for each request streams up to 200 MB in 64 KB blocks until the server answers. It prints
the answer, how much the client got into the socket before it (kernel buffers, not read by the
server) and the server's RSS from /proc (Linux).
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/http.py would shadow the standard library's `http` (which httpx imports): drop this folder.
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path.pop(0)

import os
import re
import select
import socket
import subprocess
import tempfile
import time

import httpx

LEDGER = "import sys; from api.cli import main; sys.argv[0] = 'ledger'; main()"
OFFERED = 200_000_000
BLOCK = b" " * 65536


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "LEDGER_DATABASE_URL": f"sqlite:///{Path(folder) / 'bench.db'}"}
        tokens = {role: add_key(env, f"bench-{role}", role) for role in ("reader", "registrar")}
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = int(probe.getsockname()[1])
        server = subprocess.Popen(
            [sys.executable, "-c", LEDGER, "serve", "--port", str(port), "--log-level", "warning"],
            env=env,
            stdout=subprocess.DEVNULL,
        )
        try:
            wait_for_health(f"http://127.0.0.1:{port}")
            print(f"server RSS at start: {rss_mb(server.pid)} MB")
            for role, token in tokens.items():
                for chunked in (False, True):
                    status, sent = post(port, token, chunked=chunked)
                    framing = "chunked" if chunked else "Content-Length"
                    print(
                        f"{role:<9} {framing:<14} -> {status}; {sent / 1e6:5.1f} MB into the socket; "
                        f"server RSS {rss_mb(server.pid)} MB"
                    )
        finally:
            server.terminate()
            server.wait(timeout=30)


def add_key(env: dict[str, str], name: str, role: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", LEDGER, "keys", "add", name, "--role", role],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip().splitlines()[-1].split()[-1]


def wait_for_health(url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise TimeoutError("ledger serve did not answer /health")


def rss_mb(pid: int) -> int:
    found = re.search(r"VmRSS:\s+(\d+)", Path(f"/proc/{pid}/status").read_text())
    return int(found.group(1)) // 1024 if found else -1


def post(port: int, token: str, *, chunked: bool) -> tuple[str, int]:
    head = (
        f"POST /staff HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\n"
        "Content-Type: application/json\r\n"
    )
    head += "Transfer-Encoding: chunked\r\n\r\n" if chunked else f"Content-Length: {OFFERED}\r\n\r\n"
    sent = 0
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(head.encode())
        while sent < OFFERED:
            if select.select([sock], [], [], 0)[0]:
                break
            try:
                sock.sendall(f"{len(BLOCK):x}\r\n".encode() + BLOCK + b"\r\n" if chunked else BLOCK)
            except OSError:
                break
            sent += len(BLOCK)
        status = sock.recv(100).split(b" ")[1].decode()
    return status, sent


if __name__ == "__main__":
    main()
