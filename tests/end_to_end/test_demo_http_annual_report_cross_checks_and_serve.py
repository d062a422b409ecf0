"""The reference article's figures, read from the reports over HTTP, on SQLite and PostgreSQL, in
the three situations of issue 5 (``demo_http_fixtures``): the annual report (§4.1), cross-checks
between reports, what each situation did to the views, and a real ``ledger serve --demo`` process
asked over TCP.

Each figure is asserted against the literal number of the article and of ``docs/domain.md`` §3,
against ``ledger.demo.TARGETS``, and against the brute-force oracle of ``demo_fixtures``.

The demo is loaded and served once per store for the session; the tests read the recorded answers.
"""

from __future__ import annotations

import functools
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import OncePerSession
from demo_http_fixtures import (
    ANNUAL_YEARS,
    KINDS,
    REQUESTS,
    SITUATIONS,
    SPLIT_NAMES,
    VIEW_NAMES,
    DemoOverHttp,
    Served,
    attendances_of,
    none_of,
    shared_demo_over_http,
    wait_until_level,
)

from ledger.demo import TARGETS, build_plan
from ledger.domain.catalog import Track
from ledger.store.config import StoreConfig


@pytest.fixture
def sqlite_demo(once_per_session: OncePerSession, tmp_path_factory: pytest.TempPathFactory) -> DemoOverHttp:
    return shared_demo_over_http("sqlite", once_per_session, tmp_path_factory)


@pytest.fixture
def postgresql_demo(
    once_per_session: OncePerSession, tmp_path_factory: pytest.TempPathFactory
) -> DemoOverHttp:
    return shared_demo_over_http("postgresql", once_per_session, tmp_path_factory)


@pytest.fixture(params=KINDS)
def demo(
    request: pytest.FixtureRequest, once_per_session: OncePerSession, tmp_path_factory: pytest.TempPathFactory
) -> DemoOverHttp:
    """The demo on each store (loaded and served once per session, whichever module asks first)."""
    return shared_demo_over_http(request.param, once_per_session, tmp_path_factory)


@pytest.fixture(params=[(k, s) for k in KINDS for s in SITUATIONS], ids=lambda p: f"{p[0]}-{p[1]}")
def served(
    request: pytest.FixtureRequest, once_per_session: OncePerSession, tmp_path_factory: pytest.TempPathFactory
) -> Served:
    """The answers of one store in one situation."""
    kind, situation = request.param
    return shared_demo_over_http(kind, once_per_session, tmp_path_factory).situation(situation)


# -------------------------------------------------------------------------------- the annual report (§4.1)


def plan_row(track: str, level: str | None, abroad: bool) -> str:
    """The form's row of a planned course, read off the §4.1 layout for the demo's courses."""
    if track == "professional":
        return {"master": "master", "bachelor": "bachelor", "doctorate": "doctorate"}.get(
            level or "", "professional_other"
        )
    if abroad:
        return "abroad"
    named = {
        ("political_theory", "advanced"): "llct_advanced",
        ("political_theory", "intermediate"): "llct_intermediate",
        ("political_theory", None): "llct_update",
        ("leadership", "department"): "leadership_department",
        ("leadership", "division"): "leadership_division",
        ("leadership", None): "leadership_short",
        ("other", None): "job_position",
    }
    if (track, level) in named:
        return named[(track, level)]
    if track == "state_management":
        return f"qlnn_{level}"
    if track == "defense_security":
        return f"qpan_{level}"
    return track  # it, foreign_language


@functools.cache
def expected_annual(year: int) -> dict[str, dict[str, Any]]:
    """Each row of the form for ``year``, computed from the demo's plan (its courses as data, not
    the recorded log nor the report's code): lượt, women, persons, target groups, outcomes on 31
    December, costs in million VND."""
    plan = build_plan(2019)
    rows: dict[str, dict[str, Any]] = {}
    groups = {"agency": "agency_leader", "division": "division_leader"}
    for course in plan.courses:
        if course.starts_on.year != year:
            continue
        person = plan.people[course.person]
        level = course.level if course.awards_level else None
        key = plan_row(course.track.value, level, course.country != "VN")
        row = rows.setdefault(
            key,
            {"attendances": 0, "female": 0, "people": set(), "groups": Counter(), "outcomes": Counter(),
             "costs": Counter()},
        )
        row["attendances"] += 1
        row["female"] += person.female
        row["people"].add(course.person)
        post = person.post_kind_on(course.starts_on)
        contract = person.role.employment.value == "contract"
        row["groups"][groups.get(post, "contract" if contract else "civil_servant")] += 1
        closed = course.closed_on is not None and course.closed_on <= date(year, 12, 31)
        outcome = {"completed": "completed"}.get(course.status, "not_completed") if closed else "in_progress"
        row["outcomes"][outcome] += 1
        if course.cost is not None:
            source = "state_budget" if course.funding.value == "state_budget" else "other"
            row["costs"][source] += course.cost / 1_000_000
    return rows


def line_of(report: dict[str, Any], key: str) -> dict[str, Any]:
    return next(line for line in report["lines"] if line["key"] == key)


@pytest.mark.parametrize("year", ANNUAL_YEARS)
def test_the_annual_report_gives_each_row_of_the_form_as_the_demo_plan_has_it(
    served: Served, year: int
) -> None:
    report = served[f"annual_{year}"]
    assert (report["year"], report["from"], report["to"]) == (year, f"{year}-01-01", f"{year}-12-31")
    expected = expected_annual(year)
    counted = {
        line["key"]
        for line in report["lines"]
        if line["attendances"] and not line["key"].startswith("section_") and line["key"] != "total"
    }
    assert counted == set(expected)
    for key, row in expected.items():
        line = line_of(report, key)
        assert line["attendances"] == row["attendances"], key
        assert line["female"] == row["female"], key
        assert line["persons"] == len(row["people"]), key
        assert {g: n for g, n in line["target_groups"].items() if n} == dict(row["groups"]), key
        outcomes = {o: line[o] for o in ("completed", "in_progress", "not_completed") if line[o]}
        assert outcomes == dict(row["outcomes"]), key
        assert {s: Decimal(v) for s, v in line["funding"].items() if v is not None} == dict(row["costs"]), key


@pytest.mark.parametrize("year", ANNUAL_YEARS)
def test_the_annual_reports_in_scope_rows_add_up_to_the_years_attendances_of_section_3_6(
    served: Served, year: int
) -> None:
    report = served[f"annual_{year}"]
    in_scope = [
        "llct_advanced", "llct_intermediate", "llct_elementary", "llct_update", "qlnn_senior",
        "qlnn_principal", "qlnn_specialist", "qlnn_officer", "leadership_ministry",
        "leadership_department", "leadership_division", "leadership_short",
    ]
    abroad = line_of(report, "abroad")["attendances"]  # §3.6: the two abroad are leadership courses
    total = sum(line_of(report, key)["attendances"] for key in in_scope) + abroad
    assert total == {2019: 26, 2025: 22}[year]
    assert total == sum(TARGETS["attendances_by_year_and_track"][year].values())


def assert_bm01_is_the_articles(report: dict[str, Any]) -> None:
    """Form BM01 on the snapshot: the figures of docs/domain.md §3.1 to §3.3 (and TARGETS)."""
    total = report["total"]
    assert (total["total"], total["female"]) == (TARGETS["on_roll"], TARGETS["female_on_roll"])
    assert total["leaders"] == {"agency": 3, "division": 14}
    professional = total["professional"]
    assert (professional["master"], professional["bachelor"], professional["college"]) == (9, 42, 2)
    assert professional["intermediate"] == 5
    political = total["political_theory"]
    assert (political["bachelor"], political["advanced"], political["intermediate"]) == (1, 6, 21)
    assert sum(row["total"] for row in report["units"]) == total["total"]
    assert {row["unit"]: row["total"] for row in report["units"]} == TARGETS["unit_headcounts"]


def test_form_bm01_gives_the_articles_figures_in_every_situation(served: Served) -> None:
    assert_bm01_is_the_articles(served["bm01"])


def test_the_annual_reports_sections_and_total_add_up_their_rows(served: Served) -> None:
    for year in ANNUAL_YEARS:
        report = served[f"annual_{year}"]
        rows = [
            line
            for line in report["lines"]
            if line["recorded"] and not line["key"].startswith("section_") and line["key"] != "total"
        ]
        for section in ("I", "II", "III"):
            mine = [line["attendances"] for line in rows if line["section"] == section]
            assert line_of(report, f"section_{section}")["attendances"] == sum(mine), (year, section)
        assert line_of(report, "total")["attendances"] == sum(line["attendances"] for line in rows)
        everything = served["all_training"]["by_year"][str(year)]
        assert line_of(report, "total")["attendances"] == everything


def test_what_the_ledger_does_not_record_is_null_in_the_annual_report_never_zero(served: Served) -> None:
    for year in ANNUAL_YEARS:
        report = served[f"annual_{year}"]
        for line in report["lines"]:
            for column in ("ethnic_minority", "party_member", "classes", "plan_percent", "delegations"):
                assert line[column] is None, (line["key"], column)
            if line["recorded"]:
                assert line["target_groups"]["public_employee"] is None
        ethnic = line_of(report, "ethnic_language")
        assert not ethnic["recorded"]
        assert ethnic["attendances"] is None
        assert ethnic["persons"] is None
        assert {"ethnic_minority", "party_member", "classes", "plan_percent", "public_employee"} <= set(
            report["not_recorded"]
        )


# ------------------------------------------------------------------------------------ cross-checks


def test_qualifications_agree_with_the_brute_force_oracle(demo: DemoOverHttp) -> None:
    oracle = demo.oracle
    genders = Counter(record.gender.value for record in oracle.on_roll)
    for served in demo.served.values():
        report = served["qualifications"]
        assert report["headcount"] == len(oracle.on_roll), served.situation
        assert report["by_gender"] == dict(genders), served.situation
        for track in (Track.PROFESSIONAL, Track.POLITICAL_THEORY, Track.STATE_MANAGEMENT, Track.LEADERSHIP):
            expected = oracle.highest(track)
            counted = report["tracks"][track.value]
            assert {level: n for level, n in counted.items() if n} == {
                level: n for level, n in expected.items() if level != "none"
            }, (served.situation, track)
            assert none_of(report, track.value) == expected["none"], (served.situation, track)


def test_attendance_agrees_with_the_brute_force_oracle(demo: DemoOverHttp) -> None:
    attendances = demo.oracle.attendances
    for served in demo.served.values():
        report = served["attendance"]
        assert report["attendances"] == len(attendances)
        for name, key in (("by_track", "track"), ("by_mode", "mode"), ("by_status", "status")):
            expected = {
                value: sum(1 for a in attendances if getattr(a, key) == value) for value in report[name]
            }
            persons = {
                value: len({a.staff_id for a in attendances if getattr(a, key) == value})
                for value in report[name]
            }
            assert {v: b["attendances"] for v, b in report[name].items()} == expected, (
                served.situation,
                name,
            )
            assert {v: b["persons"] for v, b in report[name].items()} == persons, (served.situation, name)
            assert sum(expected.values()) == len(attendances)
        by_year = Counter(str(a.year) for a in attendances)
        assert report["by_year"] == dict(by_year)
        women = [a for a in attendances if a.female]
        assert report["by_gender"]["female"] == {
            "attendances": len(women),
            "persons": len({a.staff_id for a in women}),
        }


def test_the_reports_give_the_generators_targets(served: Served) -> None:
    report = served["qualifications"]
    assert report["headcount"] == TARGETS["on_roll"]
    assert report["by_gender"]["female"] == TARGETS["female_on_roll"]
    for track in ("professional", "political_theory", "state_management", "leadership"):
        counted = {level: n for level, n in report["tracks"][track].items() if n}
        if none_of(report, track):
            counted["none"] = none_of(report, track)
        assert counted == TARGETS[track], track
    attendance = served["attendance"]
    assert attendance["attendances"] == TARGETS["attendances"]
    assert {t: b["attendances"] for t, b in attendance["by_track"].items()} == TARGETS["attendances_by_track"]
    assert {s: b["attendances"] for s, b in attendance["by_status"].items()} == TARGETS["attendance_status"]
    assert {m: b["attendances"] for m, b in attendance["by_mode"].items()} == TARGETS["attendance_mode"]
    assert {g: b["attendances"] for g, b in attendance["by_gender"].items()} == TARGETS["attendance_gender"]
    assert attendance["persons"] == TARGETS["persons_with_attendances"]
    everything = served["all_training"]["by_track"]
    assert {t: everything[t]["attendances"] for t in TARGETS["out_of_scope"]} == TARGETS["out_of_scope"]


def test_every_report_is_identical_in_the_three_situations_and_on_both_stores(
    sqlite_demo: DemoOverHttp, postgresql_demo: DemoOverHttp
) -> None:
    first = sqlite_demo.served["generated"].answers
    for demo in (sqlite_demo, postgresql_demo):
        for served in demo.served.values():
            assert served.answers == first, (demo.kind, served.situation)


# ------------------------------------------------------------------------------------ the situations


def test_the_generated_log_was_served_from_views_the_servers_engine_built(demo: DemoOverHttp) -> None:
    served = demo.served["generated"]
    assert demo.generations_before_serving == {}  # no view existed before the server started
    assert served.health["projections"] == "in_process"
    assert served.health["store"] == demo.kind
    assert served.health["log_position"] == demo.events
    assert {v["name"]: v["position"] for v in served.health["views"]} == dict.fromkeys(
        VIEW_NAMES, demo.events
    )
    assert set(served.generations) == VIEW_NAMES


def test_projections_rebuild_made_new_generations_that_a_server_without_an_engine_served(
    demo: DemoOverHttp,
) -> None:
    before, served = demo.generations_before_rebuild, demo.served["rebuilt"]
    assert served.health["projections"] == "external"
    assert set(before) == set(served.generations) == VIEW_NAMES
    for view in VIEW_NAMES:
        assert served.generations[view] > before[view], view
        assert f"{view}: generation {served.generations[view]} is live" in demo.rebuild_output
    assert all(v["lag"] == 0 for v in served.health["views"])


def test_export_then_import_into_a_fresh_postgresql_schema_keeps_the_log_and_its_chain(
    demo: DemoOverHttp,
) -> None:
    served = demo.situation("imported")
    assert demo.imported_store.startswith("postgresql://")
    assert served.health["store"] == "postgresql"
    assert served.health["projections"] == "in_process"
    assert demo.import_checkpoint == demo.export_checkpoint
    assert served.health["log_position"] == demo.events
    assert int(demo.export_checkpoint.split(":")[1]) == demo.events
    assert {v["name"]: v["position"] for v in served.health["views"]} == dict.fromkeys(
        VIEW_NAMES, demo.events
    )


# ------------------------------------------------------------------------------------ ledger serve --demo


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def ledger_command() -> list[str]:
    """The installed `ledger` entry point, or the same assembly run by this interpreter."""
    script = Path(sys.executable).parent / "ledger"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "import sys; sys.argv[0] = 'ledger'; from api.cli import main; main()"]


@pytest.mark.slow
def test_ledger_serve_demo_serves_the_articles_figures_over_tcp(store: StoreConfig, tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    out, err = tmp_path / "stdout.txt", tmp_path / "stderr.txt"
    env = {**os.environ, "LEDGER_DATABASE_URL": store.url, "LEDGER_API_STARTUP_WAIT_SECONDS": "120"}
    with out.open("wb") as stdout, err.open("wb") as stderr:
        process = subprocess.Popen(
            [*ledger_command(), "serve", "--demo", "--port", str(port), "--log-level", "warning"],
            env=env,
            stdout=stdout,
            stderr=stderr,
        )
    try:
        deadline = time.monotonic() + 180
        while True:
            assert process.poll() is None, f"ledger serve exited {process.returncode}: {err.read_text()}"
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "ledger serve --demo did not answer /health"
            time.sleep(0.1)
        with httpx.Client(base_url=url, timeout=10) as client:
            health = wait_until_level(client)
        assert health["log_position"] > 0
        printed = out.read_text()
        tokens = re.findall(r"^\s*reader\s+demo-reader\s+(\S+)\s*$", printed, re.MULTILINE)
        assert tokens, printed
        with httpx.Client(
            base_url=url, headers={"Authorization": f"Bearer {tokens[-1]}"}, timeout=60
        ) as client:
            path, params = REQUESTS["qualifications"]
            qualifications = client.get(path, params=params)
            path, params = REQUESTS["attendance"]
            attendance = client.get(path, params=params)
            path, params = REQUESTS["bm01"]
            bm01 = client.get(path, params=params)
            path, params = REQUESTS["annual_2025"]
            annual = client.get(path, params=params)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    assert process.returncode == 0, err.read_text()

    assert qualifications.status_code == 200, qualifications.text
    report = qualifications.json()
    assert report["headcount"] == 61
    assert report["by_gender"]["female"] == 26
    professional = report["tracks"]["professional"]
    assert (professional["master"], professional["bachelor"], professional["college"]) == (9, 42, 2)
    assert professional["intermediate"] + professional["technical_worker"] == 8
    political = report["tracks"]["political_theory"]
    assert (political["bachelor"], political["advanced"], political["intermediate"]) == (1, 6, 21)

    assert bm01.status_code == 200, bm01.text
    assert_bm01_is_the_articles(bm01.json())
    assert annual.status_code == 200, annual.text
    assert line_of(annual.json(), "total")["attendances"] == sum(
        line["attendances"] for line in annual.json()["lines"]
        if line["recorded"] and not line["key"].startswith("section_") and line["key"] != "total"
    )

    assert attendance.status_code == 200, attendance.text
    counted = attendance.json()
    assert counted["attendances"] == 167
    assert {t: b["attendances"] for t, b in counted["by_track"].items()} == {
        "political_theory": 40,
        "state_management": 47,
        "leadership": 80,
    }
    assert counted["by_year"] == {
        "2019": 26,
        "2020": 18,
        "2021": 17,
        "2022": 28,
        "2023": 29,
        "2024": 27,
        "2025": 22,
    }
    # Every split of §3.6 over TCP too.
    splits = {name: attendances_of(counted[name]) for name in SPLIT_NAMES if name != "by_programme"}
    assert splits["by_location"] == {"in_country": 165, "abroad": 2}
    assert splits["by_funding"] == {"state_budget": 158, "self_funded": 4, "sponsored": 5}
    assert splits["by_post_at_start"] == {"agency_leader": 14, "division_leader": 58, "non_leader": 95}
    assert splits["by_age_at_start"] == {"under_35": 41, "35_and_over": 126}
    assert splits["by_staff_status"] == {"current": 155, "former": 12}
    assert counted["per_person"] == {"0": 9, "1": 10, "2": 13, "3": 13, "4": 7, "5": 4, "6": 3, "7": 2}
