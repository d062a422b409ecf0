"""The defects a new user meets first (issue 10, item 6), each run through the real ``ledger``
command: ``verify`` on a fresh store, ``serve --demo`` run twice, a wrong LEDGER_DATABASE_URL, and
read-only commands pointed at a file that does not exist."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import POSTGRES_URL, _postgres_or_skip
from integrity_helpers import open_ledger, populate
from typer.testing import CliRunner

from api.cli import build_cli
from api.keys import KeyStore
from ledger.exports.transfer import export_log
from ledger.store.config import StoreConfig
from projections import generations
from projections.engine import Engine
from projections.service_tables import ServiceTables
from projections.store import Database

pytest_plugins = ("integrity_fixtures",)  # make_store


def invoke(url: str, *args: str) -> Any:
    return CliRunner().invoke(build_cli(), list(args), env={"LEDGER_DATABASE_URL": url})


# ------------------------------------------------------------- verify on a fresh store


def test_ledger_verify_after_ledger_demo_passes_because_demo_leaves_the_views_built(
    store: StoreConfig,
) -> None:
    loaded = invoke(store.url, "demo")
    assert loaded.exit_code == 0, loaded.output
    result = invoke(store.url, "verify")
    assert result.exit_code == 0, result.output
    assert "BROKEN" not in result.stdout
    assert "Views verified" in result.stdout


def test_ledger_verify_after_ledger_import_passes_because_import_leaves_the_views_built(
    store: StoreConfig, make_store: Any, tmp_path: Path
) -> None:
    with open_ledger(store) as ledger:
        populate(ledger)
        path = export_log(ledger, tmp_path / "log.jsonl").path
    copy = make_store()
    imported = invoke(copy.url, "import", str(path))
    assert imported.exit_code == 0, imported.output
    result = invoke(copy.url, "verify")
    assert result.exit_code == 0, result.output
    assert "BROKEN" not in result.stdout
    assert "Views verified" in result.stdout


def test_a_view_never_built_is_reported_as_not_built_and_is_not_an_error(store: StoreConfig) -> None:
    with open_ledger(store) as ledger:
        populate(ledger)
    result = invoke(store.url, "verify")
    assert result.exit_code == 0, result.output
    assert "BROKEN" not in result.stdout
    assert "Note: the standing view has not been built yet" in result.stdout


def test_ledger_verify_still_says_broken_for_a_real_difference_in_a_view(store: StoreConfig) -> None:
    with open_ledger(store) as ledger:
        populate(ledger)
        Engine(ledger).run_until_idle()
        conn = Database(ledger.store).connect()
        try:
            with conn.transaction(write=True) as tx:
                live = generations.live(tx, ["statistics"])["statistics"]
                table = f"pv_statistics_{live.generation}_people"
                tx.execute(f"UPDATE {table} SET gender = 'female' WHERE staff_id = 'NV-001'")
        finally:
            conn.close()
    result = invoke(store.url, "verify")
    assert result.exit_code == 1
    assert "BROKEN view: statistics.people" in result.stdout


# ------------------------------------------------------------- serve --demo, twice


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve_demo_once(store: StoreConfig) -> str:
    """Run `ledger serve --demo` until it answers /health, stop it; its standard output."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-c", "import sys; sys.argv[0] = 'ledger'; from api.cli import main; main()",
         "serve", "--demo", "--port", str(port), "--log-level", "warning"],
        env={**os.environ, "LEDGER_DATABASE_URL": store.url},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and process.poll() is None:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
    finally:
        process.send_signal(signal.SIGINT)
        out, _ = process.communicate(timeout=60)
    return out.decode()


def test_ledger_serve_demo_run_a_second_time_keeps_the_first_runs_keys(store: StoreConfig) -> None:
    first = serve_demo_once(store)
    roles = ("registrar", "auditor", "reader")
    tokens = [line.split()[-1] for line in first.splitlines() if line.strip().startswith(roles)]
    assert len(tokens) == 3, first
    second = serve_demo_once(store)
    assert "keeping them" in second
    assert "ledger keys add NAME --role" in second
    db = ServiceTables(store)
    try:
        keys = KeyStore(db)
        assert all(keys.authenticate(token) is not None for token in tokens)
    finally:
        db.close()


# ------------------------------------------------------------- a wrong LEDGER_DATABASE_URL

POSTGRES_BASE = POSTGRES_URL.rsplit("/", 1)[0].split("@", 1)[1]  # host:port

WRONG_URLS = {
    "bad-scheme": ("mysql://root:s3cret@127.0.0.1/ledger", "expected sqlite:///PATH or postgresql://"),
    "missing-folder": ("sqlite:///{tmp}/no-such-folder/ledger.db", "does not exist"),
    "unreachable-server": ("postgresql://postgres:s3cret@127.0.0.1:1/test", "cannot connect"),
    "unknown-role": (
        f"postgresql://no_such_role@{POSTGRES_BASE}/test", 'role "no_such_role" does not exist'
    ),
    "unknown-database": (
        f"postgresql://postgres@{POSTGRES_BASE}/no_such_db", 'database "no_such_db" does not exist'
    ),
    "unknown-schema": (
        f"postgresql://postgres@{POSTGRES_BASE}/test?schema=no_such_schema",
        "schema 'no_such_schema' does not exist",
    ),
}


def every_command(tmp_path: Path) -> list[list[str]]:
    """Every command that opens the store, with arguments that are fine apart from the store."""
    export = tmp_path / "log.jsonl"
    export.write_text("", encoding="utf-8")
    staff = tmp_path / "can-bo.csv"
    staff.write_text("ma_can_bo,ho_ten\nCB0001,Nguyễn Văn An\n", encoding="utf-8")
    return [
        ["verify"], ["export", str(tmp_path / "out.jsonl")], ["import", str(export)],
        ["backup", str(tmp_path / "backup.db")], ["demo"], ["import-records", str(staff)],
        ["needs"], ["commitments"], ["effectiveness"], ["serve"],
        ["projections", "run"], ["projections", "rebuild"], ["projections", "prune"],
        ["projections", "status"], ["keys", "add", "kiem-toan", "--role", "auditor"],
        ["keys", "list"], ["keys", "revoke", "kiem-toan"], ["keys", "rotate", "kiem-toan"],
    ]


@pytest.mark.parametrize("kind", list(WRONG_URLS))
def test_a_wrong_database_url_is_one_line_and_exit_code_2_from_every_command(
    kind: str, tmp_path: Path
) -> None:
    template, says = WRONG_URLS[kind]
    url = template.format(tmp=tmp_path)
    if kind.startswith("unknown"):
        _postgres_or_skip()  # the server must answer to name what it does not know
    for command in every_command(tmp_path):
        result = invoke(url, *command)
        where = f"ledger {' '.join(command)}: {result.output}"
        assert result.exit_code == 2, where
        assert result.stdout == "", where  # nothing says "Serving…" or anything else
        assert len(result.stderr.strip().splitlines()) == 1, where
        assert result.stderr.startswith("Error: "), where
        assert says in result.stderr, where
        assert "s3cret" not in result.stderr  # a password is never shown


@pytest.mark.parametrize(
    "command",
    [["verify"], ["export", "out.jsonl"], ["keys", "list"], ["projections", "status"], ["needs"],
     ["commitments"], ["effectiveness"], ["backup", "copy.db"]],
    ids=lambda c: "-".join(c),
)
def test_a_read_only_command_refuses_a_sqlite_file_that_does_not_exist_and_creates_none(
    command: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke(f"sqlite:///{tmp_path / 'ledgr.db'}", *command)
    assert result.exit_code == 2
    assert "there is no ledger at" in result.stderr
    assert list(tmp_path.iterdir()) == []
