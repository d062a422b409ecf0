"""The anomalies view: kept by the engine, read by the pages, rebuilt when its thresholds change.

Real stores (SQLite file and PostgreSQL); the view equals the fold of each stream for random
histories in ``tests/projections/test_projections_properties.py``; here, what depends on configuration.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest

from ledger.application import Ledger
from ledger.domain import catalog
from ledger.store.config import StoreConfig
from ledger.store.integrity import verify_log
from projections import generations
from projections.anomalies import AnomaliesView
from projections.anomaly_rules import AnomalyRules, configured_rules, rules_digest
from projections.engine import Engine
from projections.queries import ReadModel
from projections.registry import default_views
from projections.store import Database


def write_a_late_enrollment(ledger: Ledger) -> None:
    """An enrollment recorded 122 days after it started: backdated at 90 days, not at 200."""
    ledger.register(
        staff_id="BT-01",
        full_name="Vũ Thị Hằng",
        gender=catalog.Gender.FEMALE,
        birth_date=date(1988, 8, 8),
        unit="Phòng Thanh tra",
        joined_on=date(2020, 1, 1),
        recorded_by="to-chuc",
        recorded_at=datetime(2023, 1, 2, 3, tzinfo=UTC),
    )
    ledger.enroll(
        "BT-01",
        course_code="QLNN",
        course_title="Quản lý nhà nước ngạch chuyên viên",
        track=catalog.Track.STATE_MANAGEMENT,
        level="specialist",
        provider="Học viện Hành chính Quốc gia",
        mode=catalog.Mode.PART_TIME,
        starts_on=date(2023, 6, 1),
        recorded_by="to-chuc",
        recorded_at=datetime(2023, 10, 1, 3, tzinfo=UTC),
    )


@pytest.fixture
def late(store: StoreConfig) -> Iterator[Ledger]:
    ledger = Ledger(store)
    try:
        write_a_late_enrollment(ledger)
        yield ledger
    finally:
        ledger.close()


def codes(ledger: Ledger) -> list[str]:
    engine = Engine(ledger)
    engine.run_until_idle()
    reads = ReadModel(ledger, engine=engine)
    try:
        return [a.code for a in reads.person_anomalies("BT-01")]
    finally:
        reads.close()


def live_anomalies(ledger: Ledger) -> tuple[int, str | None]:
    """The live generation of the anomalies view and the digest it recorded."""
    conn = Database(ledger.store).connect()
    view = AnomaliesView()
    try:
        with conn.transaction() as tx:
            found = generations.live(tx, ["anomalies"])["anomalies"]
            recorded = view.recorded_rules(tx, view.table_set(found.generation))
    finally:
        conn.close()
    return found.generation, recorded[0] if recorded else None


def test_the_anomalies_view_records_the_digest_of_the_thresholds_it_was_built_with(late: Ledger) -> None:
    assert "backdated" in codes(late)
    _, digest = live_anomalies(late)
    assert digest == rules_digest(configured_rules(late.clock.zone))


def test_other_thresholds_rebuild_the_anomalies_view_and_change_no_event(
    late: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert "backdated" in codes(late)
    before, _ = live_anomalies(late)
    log_before = verify_log(late.chained_recorder)
    monkeypatch.setenv("LEDGER_ANOMALY_BACKDATED_AFTER_DAYS", "200")
    assert "backdated" not in codes(late)
    after, digest = live_anomalies(late)
    assert after > before
    assert digest == rules_digest(AnomalyRules(backdated_after_days=200, local_time=late.clock.zone))
    log_after = verify_log(late.chained_recorder)
    assert log_after.ok
    assert log_after.checkpoint == log_before.checkpoint


def test_the_view_made_in_another_process_from_its_settings_has_the_same_rules(late: Ledger) -> None:
    view = next(v for v in default_views(late) if isinstance(v, AnomaliesView))
    again = AnomaliesView(**view.settings())
    assert (again.rules, again.schema_version) == (view.rules, view.schema_version)


def test_thresholds_from_the_environment_change_the_views_schema_version(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = AnomaliesView(configured_rules()).schema_version
    monkeypatch.setenv("LEDGER_ANOMALY_MASTER_MIN_MONTHS", "18")
    assert AnomaliesView(configured_rules()).schema_version != first


def test_the_anomalies_of_a_merged_unit_s_people_list_under_the_unit_it_joined_from_the_merger(
    late: Ledger,
) -> None:
    old = "Phòng Thanh tra"
    late.create_unit(unit_id=old, name=old, on=date(2019, 1, 1), recorded_by="to-chuc")
    joined = "Phòng Thanh tra – Kiểm tra"
    late.create_unit(unit_id=joined, name=joined, on=date(2019, 1, 1), recorded_by="to-chuc")
    late.merge_unit("Phòng Thanh tra", into_id=joined, on=date(2024, 1, 1), recorded_by="to-chuc")
    engine = Engine(late)
    engine.run_until_idle()
    reads = ReadModel(late, engine=engine)
    try:
        before = reads.anomalies(unit="Phòng Thanh tra", as_of=date(2023, 12, 31))
        after = reads.anomalies(unit=joined, as_of=date(2024, 1, 1))
        left = reads.anomalies(unit="Phòng Thanh tra", as_of=date(2024, 1, 1))
    finally:
        reads.close()
    assert {entry.anomaly.staff_id for entry in before.entries} == {"BT-01"}
    assert {entry.anomaly.staff_id for entry in after.entries} == {"BT-01"}
    assert left.entries == ()
