"""The findings view: the engine judges every person against the position standards once, and
today's reports are answered from it, without reading the log; under another rules file it is
derived again beside the live one, and when the date turns it is judged again for the new day.
On SQLite and PostgreSQL, through the HTTP API.
"""

from __future__ import annotations

import json
import pickle
import pickletools
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from api_fixtures import Api, running_api
from conftest import store_of_kind
from projections_fixtures import break_the_log
from typer.testing import CliRunner

from api.cli import build_cli
from ledger.application import Ledger
from ledger.demo import load_demo
from ledger.standards.rules import default_rules_text, parse_rules
from ledger.store.config import StoreConfig
from projections import findings, generations
from projections.engine import Engine
from projections.findings import FindingsView
from projections.log import LogReader
from projections.queries import ReadModel
from projections.records import RecordSource
from projections.report_json import appointments_json, commitments_json, effectiveness_json, needs_json
from projections.reports import Reports
from projections.store import Database

REPORTS = (
    "/reports/needs",
    "/reports/appointments",
    "/reports/commitments",
    "/reports/effectiveness",
    "/reports/qualifications",
    "/reports/attendance",
    "/reports/annual",
    "/reports/bm01",
)
NOW = datetime(2026, 6, 30, 3, 0, tzinfo=UTC)  # 10:00 in Hà Nội


class Clock:
    """A clock a test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreConfig]:
    with store_of_kind(request.param, tmp_path) as found:
        yield found


@pytest.fixture
def demo_api(store: StoreConfig) -> Iterator[Api]:
    with running_api(store) as api:
        ledger = api.app.state.ledger
        load_demo(ledger)
        assert api.app.state.read_side.wait_for(ledger.recorder.max_notification_id())
        yield api


def answers(api: Api, unit: str | None = None) -> dict[str, Any]:
    found = {}
    for path in REPORTS:
        params = {"unit": unit} if unit is not None and path != "/reports/annual" else {}
        response = api.get(path, role="auditor", **params)
        assert response.status_code == 200, (path, response.text)
        found[path] = response.json()
    return found


def test_todays_reports_answer_from_the_views_with_the_log_reader_made_to_fail(
    demo_api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    demo_api.app.state.services.engine.stop()  # it follows the log; the reports must not
    break_the_log(monkeypatch)
    found = answers(demo_api)
    assert found["/reports/needs"]["summary"]["people"] > 0
    assert found["/reports/appointments"]["summary"]["appointments"] > 0
    assert found["/reports/effectiveness"]["summary"]["completions"] > 0


def test_todays_reports_for_one_unit_answer_with_the_log_reader_made_to_fail(
    demo_api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    demo_api.app.state.services.engine.stop()
    break_the_log(monkeypatch)
    found = answers(demo_api, unit="Phòng Nghiệp vụ 1")
    assert 0 < found["/reports/needs"]["summary"]["people"] < 67


def test_todays_reports_from_the_view_equal_the_records_folded_from_the_log(demo_api: Api) -> None:
    ledger = demo_api.app.state.ledger
    reads: ReadModel = demo_api.app.state.services.read_model
    today = reads.today()
    assert reads.findings_stamp(today) is not None
    folded = Reports(ledger, today=reads.today)  # no findings view: folds every record
    viewed = reads.reports
    for unit in (None, "Phòng Nghiệp vụ 1"):
        assert needs_json(viewed.needs(unit=unit), everyone=True) == needs_json(
            folded.needs(unit=unit), everyone=True
        )
        assert appointments_json(viewed.appointments(unit=unit)) == appointments_json(
            folded.appointments(unit=unit)
        )
        assert commitments_json(viewed.commitments(unit=unit)) == commitments_json(
            folded.commitments(unit=unit)
        )
        assert effectiveness_json(viewed.effectiveness(unit=unit)) == effectiveness_json(
            folded.effectiveness(unit=unit)
        )


def test_a_past_day_is_answered_by_folding_the_records_not_from_the_view(demo_api: Api) -> None:
    reads: ReadModel = demo_api.app.state.services.read_model
    assert reads.findings_stamp(date(2022, 12, 31)) is None
    response = demo_api.get("/reports/needs", role="auditor", as_of="2022-12-31")
    assert response.status_code == 200
    assert response.json()["as_of"] == "2022-12-31"


def findings_generation(store: StoreConfig) -> generations.Generation:
    conn = Database(store).connect()
    try:
        with conn.transaction() as tx:
            return generations.live(tx, ["findings"])["findings"]
    finally:
        conn.close()


def log_fingerprint(ledger: Ledger) -> list[tuple[int, str, bytes]]:
    return [(n.id, n.topic, bytes(n.state)) for n in ledger.recorder.select_notifications(1, 100_000)]


def test_a_changed_rules_file_re_derives_the_findings_beside_the_live_ones_and_leaves_the_log_alone(
    store: StoreConfig,
) -> None:
    with Ledger(store) as ledger:
        load_demo(ledger)
        Engine(ledger).run_until_idle()
        before = findings_generation(store)
        log_before = log_fingerprint(ledger)
        label_before = ledger.rules.label
    # The same file with one requirement more (a new digest): every judgement may change.
    stricter = default_rules_text().replace('version = "', 'version = "9', 1)
    rules = parse_rules(stricter, source="stricter.toml")
    with Ledger(store, rules=rules) as ledger:
        reads = ReadModel(ledger)
        today = reads.today()
        assert reads.findings_stamp(today) is None  # judged under other rules: never answers
        assert reads.reports.needs().report.rule_set == rules.label  # folded meanwhile
        Engine(ledger).run_until_idle()
        after = findings_generation(store)
        assert after.generation != before.generation
        assert after.schema_version == FindingsView(rules).schema_version != before.schema_version
        assert reads.findings_stamp(today) == (after.generation, after.position)
        conn = Database(store).connect()
        try:
            with conn.transaction() as tx:
                view = FindingsView(rules)
                recorded = view.recorded_rules(tx, view.table_set(after.generation))
        finally:
            conn.close()
        assert recorded is not None
        assert recorded[1] == rules.label != label_before
        assert log_fingerprint(ledger) == log_before
        reads.close()


def test_when_the_date_turns_the_engine_judges_everyone_again_for_the_new_day(store: StoreConfig) -> None:
    clock = Clock(NOW)
    with Ledger(store, clock=clock) as ledger:
        load_demo(ledger)
        engine = Engine(ledger)
        engine.run_until_idle()
        reads = ReadModel(ledger, engine=engine)
        day = reads.today()
        assert reads.findings_stamp(day) is not None
        clock.now = NOW + timedelta(days=400)
        next_day = reads.today()
        assert reads.findings_stamp(next_day) is None  # yesterday's judgements never answer today
        stale = Reports(ledger, today=reads.today).needs()
        engine.run_until_idle()
        assert reads.findings_stamp(next_day) is not None
        assert needs_json(reads.reports.needs(), everyone=True) == needs_json(stale, everyone=True)
        reads.close()


def every_page(ask: Any, **filters: Any) -> tuple[dict[str, Any], list[dict[str, Any]], Any]:
    """The summary, the items of every page (three at a time) and the pools of one report."""
    first = ask(after="", limit=3, **filters)
    items, answer = list(first.page.items), first
    while answer.page.next_key is not None:
        answer = ask(after=answer.page.next_key, limit=3, **filters)
        items += answer.page.items
    return first.page.summary, items, first.page.pools


FILTERS: list[dict[str, Any]] = [
    {},
    {"unit": "Phòng Nghiệp vụ 1"},
    {"unit": "Phong Nghiep vu 1"},  # no such unit: nobody
    {"staff_id": "CB0007"},
    {"unit": "Chi cục Thuế khu vực XVIII", "structure": "current"},
]


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: ",".join(f) or "agency")
def test_pages_counted_in_the_findings_view_equal_those_of_the_folded_records(
    demo_api: Api, filters: dict[str, Any]
) -> None:
    reads: ReadModel = demo_api.app.state.services.read_model
    ledger = demo_api.app.state.ledger
    viewed, folded = reads.reports, Reports(ledger, today=reads.today)
    assert reads.findings_stamp(reads.today()) is not None
    assert every_page(viewed.needs_page, **filters) == every_page(folded.needs_page, **filters)
    for flagged in (False, True):
        assert every_page(viewed.appointments_page, flagged=flagged, **filters) == every_page(
            folded.appointments_page, flagged=flagged, **filters
        )
    for status in (None, "serving", "fulfilled", "breached"):
        assert every_page(viewed.commitments_page, status=status, **filters) == every_page(
            folded.commitments_page, status=status, **filters
        )
    for years in ({}, {"from_year": 2021, "to_year": 2023}):
        for tracks in (None, ["political_theory"], ["state_management", "foreign_language"]):
            asked = {"tracks": tracks, **years, **filters_of(filters)}
            assert effectiveness_json(viewed.effectiveness(**asked)) == effectiveness_json(
                folded.effectiveness(**asked)
            )


def filters_of(filters: dict[str, Any]) -> dict[str, Any]:
    """The filters the effectiveness report takes (it lists programmes, not people)."""
    return {k: v for k, v in filters.items() if k != "staff_id"}


def test_a_past_day_for_one_unit_folds_only_the_records_of_the_people_in_it(
    demo_api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    import projections.records as records_module

    reads: ReadModel = demo_api.app.state.services.read_model
    folded: list[str] = []
    fold = records_module.fold_record

    def counting(events: Any, **kwargs: Any) -> Any:
        record = fold(events, **kwargs)
        folded.append(record.staff_id)
        return record

    monkeypatch.setattr(records_module, "fold_record", counting)
    day, known = date(2022, 12, 31), datetime(2023, 6, 1, tzinfo=UTC)
    unit = "Phòng Nghiệp vụ 1"
    answer = reads.reports.needs(as_of=day, known_at=known, unit=unit)
    in_unit = list(folded)
    everyone = Reports(demo_api.app.state.ledger, today=reads.today).needs(as_of=day, known_at=known)
    assert {p.staff_id for p in answer.report.people} <= set(in_unit)  # nobody of the unit missing
    assert 0 < len(answer.report.people) <= len(in_unit) < len(everyone.report.people)


def test_the_command_line_answers_from_the_views_when_they_are_level_with_the_log(
    demo_api: Api, store: StoreConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    demo_api.app.state.services.engine.stop()
    expected = demo_api.get("/reports/needs", role="auditor", limit=500).json()
    break_the_log(monkeypatch)
    monkeypatch.setenv("LEDGER_DATABASE_URL", store.url)
    result = CliRunner().invoke(build_cli(), ["needs", "--json"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert answer["summary"] == expected["summary"]
    assert answer["items"] == expected["items"]


def test_a_past_day_for_one_unit_reads_the_streams_of_its_people_not_the_whole_log(
    demo_api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    demo_api.app.state.services.engine.stop()
    reads = ReadModel(demo_api.app.state.ledger)  # a fresh process's read side: no log in memory

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("read the whole log")

    monkeypatch.setattr(LogReader, "page", refuse)
    try:
        day, known = date(2022, 12, 31), datetime(2023, 6, 1, tzinfo=UTC)
        answer = reads.reports.needs(as_of=day, known_at=known, unit="Phòng Nghiệp vụ 1")
        assert answer.report.people
        commitments = reads.reports.commitments(as_of=day, known_at=known, unit="Phòng Nghiệp vụ 1")
        assert commitments.report.as_of == day
    finally:
        reads.close()


def pickled_classes(data: bytes) -> set[str]:
    """The classes a pickle names (``module:qualname``), read from its opcodes."""
    names: set[str] = set()
    strings: list[str] = []
    for op, arg, _ in pickletools.genops(data):
        if op.name in ("SHORT_BINUNICODE", "BINUNICODE", "UNICODE"):
            strings.append(str(arg))
        elif op.name == "STACK_GLOBAL":
            names.add(f"{strings[-2]}:{strings[-1]}")
        elif op.name == "GLOBAL":
            module, name = str(arg).split(" ", 1)
            names.add(f"{module}:{name}")
    return names


def test_every_ledger_class_the_findings_rows_pickle_is_part_of_the_views_schema_version(
    demo_api: Api,
) -> None:
    ledger = demo_api.app.state.ledger
    day = date(2025, 12, 31)
    stored = set()
    for record in RecordSource(ledger).records(day, None):
        found = findings.judge(record, day, ledger.rules)
        for part in (found.needs, found.pools, found.appointments, found.commitments, found.outcomes):
            stored |= pickled_classes(pickle.dumps(part, protocol=pickle.HIGHEST_PROTOCOL))
    ours = {name for name in stored if name.startswith("ledger.")}
    assert ours  # the demo's rows do hold the ledger's classes
    assert ours <= {f"{c.__module__}:{c.__qualname__}" for c in findings.PICKLED}


def test_moving_a_pickled_class_changes_the_findings_views_schema_version(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rules = parse_rules(default_rules_text())
    before = FindingsView(rules).schema_version
    moved = type("PersonNeeds", (), {"__module__": "ledger.elsewhere"})
    monkeypatch.setattr(findings, "PICKLED", (moved, *findings.PICKLED[1:]))
    assert FindingsView(rules).schema_version != before
