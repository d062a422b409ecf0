"""``ledger projections run | rebuild | status | prune`` on a real store."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import typer
from projections_fixtures import Clock, small_agency
from typer.testing import CliRunner

from api.cli import views as commands
from api.cli.app import make_app
from ledger.application import Ledger
from ledger.store.config import StoreConfig
from projections.building import build
from projections.engine import SCRATCH, Engine
from projections.registry import default_views
from projections.status import status

ROOT = Path(__file__).resolve().parents[2]


HEAD = 11  # events of the small agency


@pytest.fixture
def cli(store: StoreConfig, monkeypatch: pytest.MonkeyPatch) -> typer.Typer:
    monkeypatch.setenv("LEDGER_DATABASE_URL", store.url)
    ledger = Ledger(store)
    try:
        small_agency(ledger, Clock())
        assert ledger.recorder.max_notification_id() == HEAD
    finally:
        ledger.close()
    app = make_app()
    commands.register(app)
    return app


def test_rebuild_builds_every_view_and_says_where_it_is(cli: typer.Typer, store: StoreConfig) -> None:
    result = CliRunner().invoke(cli, ["projections", "rebuild"])
    assert result.exit_code == 0, result.output
    for view in ("standing", "credentials", "statistics", "anomalies"):
        assert f"{view}: generation 1 is live at position {HEAD}." in result.output
    again = CliRunner().invoke(cli, ["projections", "rebuild", "standing"])
    assert "standing: generation 2 is live" in again.output
    assert "credentials" not in again.output


def test_rebuild_of_an_unknown_view_is_refused(cli: typer.Typer) -> None:
    result = CliRunner().invoke(cli, ["projections", "rebuild", "gossip"])
    assert result.exit_code == 2
    assert "'gossip' is not a view" in result.output


def test_status_shows_each_generation_and_its_lag(cli: typer.Typer) -> None:
    assert "No view has been built" in CliRunner().invoke(cli, ["projections", "status"]).output
    CliRunner().invoke(cli, ["projections", "rebuild"])
    result = CliRunner().invoke(cli, ["projections", "status"])
    assert result.exit_code == 0
    assert "standing" in result.output
    assert "live" in result.output


def test_prune_drops_generations_that_are_not_live(cli: typer.Typer, store: StoreConfig) -> None:
    ledger = Ledger(store)
    try:
        Engine(ledger).run_until_idle()
        build(ledger, default_views()[0], switch=False, state=SCRATCH)
        assert len(status(ledger)) == 6  # five live views and the scratch generation
        result = CliRunner().invoke(cli, ["projections", "prune"])
        assert "dropped standing generation 2" in result.output
        assert len(status(ledger)) == 5
    finally:
        ledger.close()


def test_run_follows_the_log_until_terminated(store: StoreConfig) -> None:
    ledger = Ledger(store)
    small_agency(ledger, Clock())
    script = (
        "from api.cli.app import make_app; from api.cli import views as commands; "
        "app = make_app(); commands.register(app); app(['projections', 'run'])"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={
            **os.environ,
            "LEDGER_DATABASE_URL": store.url,
            "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not any(r["position"] == HEAD for r in status(ledger)):
            assert child.poll() is None, child.stdout.read() if child.stdout else ""
            assert time.monotonic() < deadline, "the engine never caught up"
            time.sleep(0.02)
        child.send_signal(signal.SIGTERM)
        output, _ = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        ledger.close()
    assert child.returncode == 0
    assert "Stopped." in output
