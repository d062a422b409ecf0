"""The scale benchmark's stores and processes: child processes measured for time and peak memory, the
generated SQLite and PostgreSQL stores (cached), and the API server under test."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psycopg
from psycopg.sql import SQL, Identifier

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_URL = os.environ.get("LEDGER_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
LEDGER = [sys.executable, "-c", "import sys; sys.argv[0] = 'ledger'; from api.cli import main; main()"]
UNIT_SIZE = 500
SEED = 7
GENERATOR = 1  # bump when the generated log changes: stores cached by an older one are not reused


MARKER_TABLE = "bench_scale_generated"


@dataclass
class Child:
    stdout: str
    stderr: str
    seconds: float
    peak_mb: float  # RSS high-water of the process and of the children it waited for


def run_child(args: list[str], env: dict[str, str]) -> Child:
    """Run a process to its end; its wall time and peak RSS (os.wait4 gives the rusage of that
    process, with the largest RSS among the children it reaped, e.g. the rebuild's workers)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(args, stdout=out, stderr=err, env=env, cwd=ROOT)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        child = Child(out.read().decode(), err.read().decode(), seconds, usage.ru_maxrss / 1024)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args[-3:])} failed ({proc.returncode}):\n{child.stderr[-3000:]}")
    return child


def last_json(text: str) -> dict[str, Any]:
    found: dict[str, Any] = json.loads(text.strip().splitlines()[-1])
    return found


@dataclass
class Store:
    kind: str
    events_asked: int
    url: str
    env: dict[str, str]
    made: dict[str, Any]  # the generation's figures (events, staff, seconds, peak_mb, reused)

    @property
    def staff(self) -> int:
        return int(self.made["staff"])

    @property
    def label(self) -> str:
        return f"{self.kind}, {self.made['events']:,} events, {self.staff:,} staff"


def store_name(events: int) -> str:
    return f"bench_scale_e{events}_s{SEED}_u{UNIT_SIZE}_g{GENERATOR}"


def store_env(url: str, cache: Path) -> dict[str, str]:
    """The environment of every command run on this store. Its signing key is the default one:
    beside the SQLite file, or (PostgreSQL) named after the schema in ``cache``/state/ledger."""
    env = dict(os.environ)
    env["LEDGER_DATABASE_URL"] = url
    env.pop("LEDGER_SIGNING_KEY", None)
    env["XDG_STATE_HOME"] = str(cache / "state")
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), str(ROOT)])
    return env


def generate_into(url: str, env: dict[str, str], events: int) -> dict[str, Any]:
    script = str(ROOT / "bench" / "scale.py")  # its --worker generate writes the log
    child = run_child([sys.executable, script, "--worker", "generate", url, str(events)], env)
    made = last_json(child.stdout)
    made["peak_mb"] = child.peak_mb
    made["reused"] = False
    print(
        f"  generated {made['events']:,} events for {made['staff']:,} staff in {made['seconds']:.0f} s "
        f"({made['events'] / made['seconds']:,.0f} events/s), peak {child.peak_mb:,.0f} MB",
        flush=True,
    )
    return made


def sqlite_store(events: int, cache: Path, regenerate: bool) -> Store:
    cache.mkdir(parents=True, exist_ok=True)
    name = store_name(events)
    path, marker, key = cache / f"{name}.db", cache / f"{name}.json", cache / f"{name}.signing-key.pem"
    url = f"sqlite:///{path}"
    env = store_env(url, cache)
    if marker.exists() and path.exists() and not regenerate:
        made = json.loads(marker.read_text(encoding="utf-8"))
        made["reused"] = True
        print(f"  reusing {path} ({made['events']:,} events, generated in {made['seconds']:.0f} s)")
        return Store("sqlite", events, url, env, made)
    for leftover in (marker, path, Path(f"{path}-wal"), Path(f"{path}-shm"), key):
        leftover.unlink(missing_ok=True)
    made = generate_into(url, env, events)
    marker.write_text(json.dumps({k: v for k, v in made.items() if k != "reused"}), encoding="utf-8")
    return Store("sqlite", events, url, env, made)


def postgres_store(events: int, cache: Path, regenerate: bool) -> Store:
    cache.mkdir(parents=True, exist_ok=True)
    schema = store_name(events)
    url = f"{POSTGRES_URL}?schema={schema}"
    env = store_env(url, cache)
    marker = SQL("{0}.{1}").format(Identifier(schema), Identifier(MARKER_TABLE))
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        found = conn.execute("SELECT to_regclass(%s)", (f'"{schema}".{MARKER_TABLE}',)).fetchone()
        if found is not None and found[0] is not None and not regenerate:
            row = conn.execute(SQL("SELECT info FROM {0}").format(marker)).fetchone()
            if row is not None:
                made = dict(row[0])
                made["reused"] = True
                print(f"  reusing schema {schema} ({made['events']:,} events)")
                return Store("postgresql", events, url, env, made)
        conn.execute(SQL("DROP SCHEMA IF EXISTS {0} CASCADE").format(Identifier(schema)))
        conn.execute(SQL("CREATE SCHEMA {0}").format(Identifier(schema)))
    made = generate_into(url, env, events)
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(SQL("CREATE TABLE {0} (info jsonb NOT NULL)").format(marker))
        info = json.dumps({k: v for k, v in made.items() if k != "reused"})
        conn.execute(SQL("INSERT INTO {0} VALUES (%s::jsonb)").format(marker), (info,))
    return Store("postgresql", events, url, env, made)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """A real `ledger serve` on a free port; restarted when a request had to be abandoned."""

    def __init__(self, store: Store, log: Path) -> None:
        self.store = store
        self.log = log
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.peak_mb = 0.0
        self.started_in: list[float] = []

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [*LEDGER, "serve", "--port", str(self.port)], stdout=out, stderr=subprocess.STDOUT,
                env=self.store.env, cwd=ROOT, start_new_session=True,
            )
        started = time.perf_counter()
        deadline = started + 1800
        while time.perf_counter() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"ledger serve exited ({self.proc.returncode}); see {self.log}")
            try:
                health = httpx.get(f"{self.base}/health", timeout=10).json()
                views = health.get("views", [])
                if health.get("status") == "ok" and views and all(v.get("lag_events") == 0 for v in views):
                    self.started_in.append(time.perf_counter() - started)
                    return
            except (httpx.HTTPError, ValueError):
                pass
            time.sleep(0.25)
        raise RuntimeError(f"ledger serve did not catch up within 30 minutes; see {self.log}")

    def high_water_mb(self) -> float:
        if self.proc is not None and self.proc.poll() is None:
            status = Path(f"/proc/{self.proc.pid}/status").read_text(encoding="ascii")
            for line in status.splitlines():
                if line.startswith("VmHWM:"):
                    self.peak_mb = max(self.peak_mb, int(line.split()[1]) / 1024)
        return self.peak_mb

    def stop(self, kill: bool = False) -> None:
        if self.proc is None:
            return
        self.high_water_mb()
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL if kill else signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.proc = None

    def restart(self) -> None:
        self.stop(kill=True)
        self.start()
