"""The real ASGI app served by uvicorn in a thread on a free port of 127.0.0.1, for tests that
need real HTTP (raw sockets, a browser) but not a separate process."""

from __future__ import annotations

import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import uvicorn
from api_fixtures import KEY_NAMES, settings_for
from fastapi import FastAPI

from api.app import create_app
from ledger.store.config import StoreConfig


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Live:
    app: FastAPI
    port: int
    tokens: dict[str, str]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@contextmanager
def live_server(store: StoreConfig, **settings: Any) -> Iterator[Live]:
    """Serve the app on ``store``, with one key per role; the default trusted hosts unless given."""
    app = create_app(settings_for(store, **{"trusted_hosts": "", **settings}))
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 60
        while not server.started:
            assert thread.is_alive(), "uvicorn stopped"
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.05)
        tokens = {role: app.state.keys.add(name, role) for role, name in KEY_NAMES.items()}
        yield Live(app, port, tokens)
    finally:
        server.should_exit = True
        thread.join(30)


LEDGER = (
    "import sys; from api.cli.app import make_app; from api.cli.serve import register; "
    "app = make_app(); register(app); sys.argv[0] = 'ledger'; app()"
)


def wait_for_health(url: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"ledger serve exited with {process.returncode}")
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise TimeoutError("ledger serve did not answer /health")
