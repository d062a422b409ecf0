"""Helpers for the demo's figures over HTTP (tests/end_to_end/test_demo_http_*.py): every request
the tests read, the demo loaded and served in the three situations of issue 5 with every answer
recorded (``demo_over_http``), and the article's figures the reports are checked against.

The demo is loaded once per store for the session. The three situations follow each other on it, so
the fixture asks every report of a situation (through the real ASGI app, with a reader key) before
the next situation changes the views, and the tests read those recorded answers. A figure the
reports cannot answer is named here rather than faked:

* §3.5 age bands by gender, and the young cross-tabs of the roll, LLCT holders and masters (young
  women 9; LLCT young 3 of whom 2 women; masters young 2 of whom 1 woman): ``by_age_band`` is not
  split by gender or track (the 16 under 35 on the roll are answered);
* §3.2 rank × qualification: no rank filter (the civil-servant and contract rows are answered
  through ``employment``); §3.4 planning pool and §3.8 ratings, appointments, rotations: no report.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from api_fixtures import Api, running_api
from conftest import OncePerSession
from demo_fixtures import Figures, figures_of, module_store, staff_ids_in_log
from typer.testing import CliRunner

from api.cli import build_cli
from ledger.application import Ledger
from ledger.demo import load_demo
from ledger.store.config import StoreConfig
from projections.registry import default_views
from projections.status import status

SNAPSHOT = "2025-12-31"
SINCE = "2019-01-01"
IN_SCOPE = "political_theory,state_management,leadership"
YEARS = range(2019, 2026)
INSPECTION = "Phòng Thanh tra – Kiểm tra"
ANNUAL_YEARS = (2019, 2025)
SITUATIONS = ("generated", "rebuilt", "imported")
KINDS = ("sqlite", "postgresql")
VIEW_NAMES = {view.name for view in default_views()}

# Every request the tests read, by name: path and query. All are asked with a reader key.
REQUESTS: dict[str, tuple[str, dict[str, str]]] = {
    "qualifications": ("/reports/qualifications", {"as_of": SNAPSHOT}),
    "civil_servants": ("/reports/qualifications", {"as_of": SNAPSHOT, "employment": "civil_servant"}),
    "contract": ("/reports/qualifications", {"as_of": SNAPSHOT, "employment": "contract"}),
    "inspection": ("/reports/qualifications", {"as_of": SNAPSHOT, "unit": INSPECTION}),
    "attendance": ("/reports/attendance", {"from": SINCE, "to": SNAPSHOT, "tracks": IN_SCOPE}),
    "all_training": ("/reports/attendance", {"from": SINCE, "to": SNAPSHOT}),
    **{
        f"crossed_{a}_{b}": (
            "/reports/attendance",
            {"from": SINCE, "to": SNAPSHOT, "tracks": IN_SCOPE, "cross": f"{a},{b}"},
        )
        for a, b in (("gender", "age_at_start"), ("gender", "post_at_start"), ("staff_status", "year"))
    },
    **{f"annual_{year}": ("/reports/annual", {"year": str(year)}) for year in ANNUAL_YEARS},
    "bm01": ("/reports/bm01", {"as_of": SNAPSHOT}),
    **{
        f"attendance_{year}": (
            "/reports/attendance",
            {"from": f"{year}-01-01", "to": f"{year}-12-31", "tracks": IN_SCOPE},
        )
        for year in YEARS
    },
}


@dataclass
class Served:
    """What one situation's server answered: every request of ``REQUESTS`` and ``/health``."""

    kind: str
    situation: str
    answers: dict[str, dict[str, Any]]
    health: dict[str, Any]
    generations: dict[str, int]  # view → live generation while it served

    def __getitem__(self, name: str) -> dict[str, Any]:
        return self.answers[name]


@dataclass
class DemoOverHttp:
    """The demo on one store, its oracle, and the three situations' answers."""

    kind: str
    oracle: Figures
    events: int  # what load_demo recorded
    served: dict[str, Served] = field(default_factory=dict)
    generations_before_serving: dict[str, int] = field(default_factory=dict)
    generations_before_rebuild: dict[str, int] = field(default_factory=dict)
    rebuild_output: str = ""
    export_checkpoint: str = ""
    import_checkpoint: str = ""
    imported_store: str = ""
    not_imported: str = ""  # why situation (c) could not run (no PostgreSQL on a developer's machine)

    def situation(self, name: str) -> Served:
        if name not in self.served:
            pytest.skip(self.not_imported)
        return self.served[name]


def live_generations(store: StoreConfig) -> dict[str, int]:
    ledger = Ledger(store)
    try:
        return {row["view"]: row["generation"] for row in status(ledger) if row["state"] == "live"}
    finally:
        ledger.close()


def wait_until_level(client: httpx.Client, timeout: float = 120) -> dict[str, Any]:
    """``/health`` once every view is live and level with the log (a wait for a condition)."""
    deadline = time.monotonic() + timeout
    while True:
        health: dict[str, Any] = client.get("/health").json()
        views = {view["name"]: view["lag"] for view in health["views"]}
        if set(views) >= VIEW_NAMES and not any(views.values()):
            return health
        if time.monotonic() > deadline:
            raise TimeoutError(f"the views are not level with the log: {health}")
        time.sleep(0.05)


def ask_everything(api: Api, kind: str, situation: str, store: StoreConfig) -> Served:
    health = wait_until_level(api.client)
    answers = {}
    for name, (path, params) in REQUESTS.items():
        response = api.get(path, role="reader", **params)
        assert response.status_code == 200, f"{situation} {kind} GET {path} {params}: {response.text}"
        answers[name] = response.json()
    return Served(kind, situation, answers, health, live_generations(store))


def invoke(args: list[str], store: StoreConfig) -> str:
    """Run the real ``ledger`` command (as assembled by ``api.cli``) on ``store``; its output."""
    result = CliRunner().invoke(build_cli(), args, env={"LEDGER_DATABASE_URL": store.url})
    assert result.exit_code == 0, f"ledger {' '.join(args)}: {result.output}\n{result.exception!r}"
    return result.output


def checkpoint_in(output: str) -> str:
    found: list[str] = re.findall(r"ledger-checkpoint-v1:\d+:[0-9a-f]+", output)
    assert found, output
    return found[-1]


@contextmanager
def demo_over_http(kind: str, folder: Path) -> Iterator[DemoOverHttp]:
    """Load the demo, then serve it in each situation in turn, recording every answer."""
    with module_store(kind, folder) as store:
        ledger = Ledger(store)
        try:
            summary = load_demo(ledger)
            demo = DemoOverHttp(kind, figures_of(ledger, staff_ids_in_log(ledger)), summary.events)
        finally:
            ledger.close()

        # (a) The generated log: the server's own engine builds the views at start-up.
        demo.generations_before_serving = live_generations(store)
        with running_api(store, startup_wait_seconds=120) as api:
            demo.served["generated"] = ask_everything(api, kind, "generated", store)

        # (b) `ledger projections rebuild`, then a server without an engine: the views it reads can
        # only be the ones the command built.
        demo.generations_before_rebuild = live_generations(store)
        demo.rebuild_output = invoke(["projections", "rebuild"], store)
        with running_api(store, run_projections=False) as api:
            demo.served["rebuilt"] = ask_everything(api, kind, "rebuilt", store)

        # (c) `ledger export`, `ledger import` into a fresh PostgreSQL schema (the import builds
        # its views), and a server there whose engine keeps them up to date.
        exported = folder / "demo.jsonl"
        demo.export_checkpoint = checkpoint_in(invoke(["export", str(exported)], store))
        try:
            with module_store("postgresql", folder) as fresh:
                demo.imported_store = fresh.url
                demo.import_checkpoint = checkpoint_in(invoke(["import", str(exported)], fresh))
                with running_api(fresh, startup_wait_seconds=120) as api:
                    demo.served["imported"] = ask_everything(api, kind, "imported", fresh)
        except pytest.skip.Exception as skipped:  # only where PostgreSQL is optional (not under CI)
            demo.not_imported = str(skipped)
        yield demo


def shared_demo_over_http(kind: str, once: OncePerSession, paths: pytest.TempPathFactory) -> DemoOverHttp:
    """The demo loaded and served on a ``kind`` store once for the whole run, whichever module
    asks first."""
    demo: DemoOverHttp = once(
        f"demo-over-http:{kind}", lambda: demo_over_http(kind, paths.mktemp("demo-http"))
    )
    return demo


def none_of(report: dict[str, Any], track: str) -> int:
    """Active staff holding no level of the track: the headcount less every level counted."""
    levels: dict[str, int] = report["tracks"][track]
    return int(report["headcount"]) - sum(levels.values())

SPLIT_NAMES = (
    "by_track", "by_mode", "by_status", "by_gender", "by_location", "by_funding", "by_post_at_start",
    "by_age_at_start", "by_staff_status", "by_programme",
)


def attendances_of(split: dict[str, dict[str, int]]) -> dict[str, int]:
    return {key: bucket["attendances"] for key, bucket in split.items()}
