"""The demo agency's log (docs/domain.md §3), on SQLite and PostgreSQL: its events, recording times
and chain, the same seed giving the same log, and ``ledger demo`` on the command line (loading,
running again, refusing a store with other records).

The demo is loaded once per store for the whole session (a load takes seconds); every test reads.
"""

from __future__ import annotations

import os
import subprocess
import sys
import unicodedata
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from conftest import OncePerSession
from demo_fixtures import (
    LoadedDemo,
    figures_of,
    module_store,
    shared_demo,
    staff_ids_in_log,
)
from typer.testing import CliRunner

from api.cli.app import make_app
from api.cli.demo import register as register_demo_command
from ledger.application import Ledger
from ledger.demo import build_plan, demo_digest, load_demo, plan_statistics
from ledger.domain.catalog import (
    Employment,
    EvaluationKind,
    Gender,
)
from ledger.staff import StaffMember
from ledger.store.config import StoreConfig
from ledger.store.persistence import iter_notifications


@pytest.fixture
def sqlite_demo(once_per_session: OncePerSession, tmp_path_factory: pytest.TempPathFactory) -> LoadedDemo:
    return shared_demo("sqlite", once_per_session, tmp_path_factory)


@pytest.fixture
def postgres_demo(once_per_session: OncePerSession, tmp_path_factory: pytest.TempPathFactory) -> LoadedDemo:
    return shared_demo("postgresql", once_per_session, tmp_path_factory)


@pytest.fixture(params=["sqlite", "postgresql"])
def demo(
    request: pytest.FixtureRequest, once_per_session: OncePerSession, tmp_path_factory: pytest.TempPathFactory
) -> LoadedDemo:
    """The demo on each store (loaded once per session, whichever module asks first)."""
    return shared_demo(request.param, once_per_session, tmp_path_factory)


# ------------------------------------------------------------------------------------ the log


def test_recording_times_come_after_business_dates_except_annual_ratings_decided_before_year_end(
    demo: LoadedDemo,
) -> None:
    cap = datetime(2025, 12, 31, 10, 0, tzinfo=UTC)
    late = 0
    for events in demo.figures.events.values():
        voided = {e.voided_event_id for e in events if isinstance(e, StaffMember.Corrected)}
        staff_id = events[0].staff_id  # type: ignore[attr-defined]
        for event in events:
            assert event.timestamp <= cap
            if f"{staff_id}:{event.originator_version}" in voided:
                continue  # a mistake, such as a completion typed with a date still to come
            if isinstance(event, StaffMember.Evaluated) and event.kind == EvaluationKind.ANNUAL:
                assert event.timestamp.date() < event.effective_on
                assert event.timestamp.month in (11, 12)
                assert event.timestamp.year == event.year
                continue
            assert event.timestamp.date() >= event.effective_on, event
            if (
                event.timestamp.date() - event.effective_on > timedelta(days=60)
                and event.effective_on.year >= 2019
            ):
                late += 1
    assert late > 5  # some entries are deliberately backdated


def test_staff_on_the_roll_in_2019_were_registered_by_the_dossier_import_in_early_2019(
    demo: LoadedDemo,
) -> None:
    for events in demo.figures.events.values():
        registration = events[0]
        assert isinstance(registration, StaffMember.Registered)
        if registration.effective_on < date(2019, 1, 1):
            assert registration.recorded_by == "import-2019"
            assert date(2019, 1, 7) <= registration.timestamp.date() <= date(2019, 3, 29)


def test_names_are_vietnamese_with_diacritics_and_include_several_nguyen_van(demo: LoadedDemo) -> None:
    names = [r.full_name for r in demo.figures.records.values()]
    assert len(set(names)) == len(names)
    assert "Nguyễn Văn An" in names
    assert "Trần Thị Bích Ngọc" in names
    assert sum(n.startswith("Nguyễn Văn ") for n in names) >= 5
    assert sum(unicodedata.normalize("NFD", n) != n for n in names) > 0.8 * len(names)
    assert all(unicodedata.is_normalized("NFC", n) for n in names)


def test_the_log_is_the_same_on_both_stores(sqlite_demo: LoadedDemo, postgres_demo: LoadedDemo) -> None:
    def stored(ledger: Ledger) -> list[tuple[object, ...]]:
        return [
            (n.id, str(n.originator_id), n.originator_version, n.topic, bytes(n.state))
            for n in iter_notifications(ledger.chained_recorder)
        ]

    first, second = stored(sqlite_demo.ledger), stored(postgres_demo.ledger)
    assert len(first) == sqlite_demo.summary.events
    assert first == second


def test_the_plan_is_the_same_in_another_process_with_another_hash_seed() -> None:
    code = "from ledger.demo import build_plan, demo_digest; print(demo_digest(build_plan(2019)))"
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == demo_digest(build_plan(2019))


@pytest.mark.parametrize("seed", [1, 7, 2024])
def test_other_seeds_give_other_people_and_days_but_the_same_figures(seed: int) -> None:
    plan = build_plan(seed)
    stats = plan_statistics(plan)
    reference = plan_statistics(build_plan(2019))
    for name in (
        "attendances",
        "by_year_track",
        "status",
        "mode",
        "funding",
        "abroad",
        "female",
        "young",
        "young_female",
        "post",
        "per_current",
        "per_former",
        "out_of_scope",
        "rated",
    ):
        assert stats[name] == reference[name], name
    assert demo_digest(plan) != demo_digest(build_plan(2019))


def test_under_strict_rules_required_before_appointment_the_demo_loads_with_waivers(tmp_path: Path) -> None:
    store = StoreConfig(f"sqlite:///{tmp_path / 'strict.db'}")
    ledger = Ledger(store, env={"LEDGER_RULES_VARIANT": "strict,before"})
    try:
        summary = load_demo(ledger)
        waived = {event_id.rpartition(":")[0] for event_id in summary.waived_appointments}
        edges = summary.edge_cases
        assert edges["1_pho_truong_phong_without_division_leadership"][0] in waived
        assert edges["2_young_female_pho_truong_phong_2025"][0] in waived
        assert edges["4_truong_phong_cv_rank_cv_certificate_only"][0] in waived
        for event_id in summary.waived_appointments:
            staff_id, _, version = event_id.rpartition(":")
            event = ledger.events_of(staff_id)[int(version) - 1]
            assert isinstance(event, StaffMember.Appointed)
            assert event.waiver is not None
        figures = figures_of(ledger, list(summary.staff_ids))
        assert len(figures.attendances) == 167
        assert len(figures.on_roll) == 61
    finally:
        ledger.close()


def test_the_demo_is_defined_only_at_its_snapshot_date() -> None:
    with pytest.raises(ValueError, match="2025-12-31"):
        build_plan(2019, date(2024, 12, 31))


# ------------------------------------------------------------------------------------ command line


def run_cli(args: list[str], url: str) -> tuple[int, str]:
    app = make_app()
    app.callback()(lambda: None)  # a group, as in the assembled ``ledger`` command
    register_demo_command(app)
    result = CliRunner().invoke(app, args, env={"LEDGER_DATABASE_URL": url})
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def cli_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int, str]]:
    """``ledger demo`` run once on a fresh SQLite store: (url, exit code, output)."""
    with module_store("sqlite", tmp_path_factory.mktemp("cli")) as store:
        code, output = run_cli(["demo"], store.url)
        yield store.url, code, output


def test_ledger_demo_loads_the_agency_and_prints_what_it_loaded(cli_store: tuple[str, int, str]) -> None:
    url, code, output = cli_store
    assert code == 0, output
    assert "61 on the roll" in output
    assert "167 attendances" in output
    assert "CB0001" in output
    opened = Ledger(StoreConfig(url))
    try:
        assert len(staff_ids_in_log(opened)) == 67
    finally:
        opened.close()


def test_ledger_demo_run_again_on_the_same_store_records_nothing(cli_store: tuple[str, int, str]) -> None:
    url, _, _ = cli_store
    opened = Ledger(StoreConfig(url))
    try:
        before = opened.chained_recorder.max_notification_id()
    finally:
        opened.close()
    code, output = run_cli(["demo"], url)
    assert code == 0, output
    assert "already holds the demo agency" in output
    opened = Ledger(StoreConfig(url))
    try:
        assert opened.chained_recorder.max_notification_id() == before
    finally:
        opened.close()


def test_ledger_demo_refuses_a_store_with_other_records(tmp_path: Path) -> None:
    store = StoreConfig(f"sqlite:///{tmp_path / 'other.db'}")
    register_someone(store, "NV001")
    code, output = run_cli(["demo"], store.url)
    assert code == 1
    assert "not empty" in output
    assert "--force" in output
    ledger = Ledger(store)
    try:
        assert staff_ids_in_log(ledger) == ["NV001"]
    finally:
        ledger.close()


def test_ledger_demo_refuses_a_store_whose_staff_ids_collide_even_with_force(tmp_path: Path) -> None:
    store = StoreConfig(f"sqlite:///{tmp_path / 'collide.db'}")
    register_someone(store, "CB0001")
    code, output = run_cli(["demo", "--force"], store.url)
    assert code == 1
    assert "CB0001" in output
    ledger = Ledger(store)
    try:
        assert staff_ids_in_log(ledger) == ["CB0001"]
    finally:
        ledger.close()


def register_someone(store: StoreConfig, staff_id: str) -> None:
    ledger = Ledger(store)
    try:
        ledger.register(
            staff_id=staff_id,
            full_name="Lê Thị Hoa",
            gender=Gender.FEMALE,
            birth_date=date(1990, 1, 1),
            unit="Phòng Kế toán",
            joined_on=date(2015, 1, 1),
            employment=Employment.CIVIL_SERVANT,
            recorded_by="test",
        )
    finally:
        ledger.close()


def test_ledger_demo_with_force_loads_beside_other_records(tmp_path: Path) -> None:
    store = StoreConfig(f"sqlite:///{tmp_path / 'beside.db'}")
    register_someone(store, "NV001")
    code, output = run_cli(["demo", "--force"], store.url)
    assert code == 0, output
    ledger = Ledger(store)
    try:
        assert len(staff_ids_in_log(ledger)) == 68
    finally:
        ledger.close()
