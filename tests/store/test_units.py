"""The organisation over time (docs/units.md): unit facts with dates, the structure on a date, and
reports by unit on the structure in force on their date or on today's. Real HTTP through the ASGI
app, on a real SQLite file and a real PostgreSQL schema."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from api_fixtures import Api, new_staff_id, person, problem_of, running_api
from demo_fixtures import loaded_demo
from typer.testing import CliRunner

from api.cli import build_cli
from ledger.application import Ledger
from ledger.demo import AGENCY_RENAMED, DONG_HAI, TTKT, UNIT_HEADCOUNTS
from ledger.domain import errors
from ledger.domain.commands import CreateUnit, MergeUnit
from ledger.domain.units import unit_history
from ledger.exports.transfer import export_log, import_log
from ledger.organisation import Organisation
from ledger.store.config import StoreConfig
from ledger.store.integrity import verify_log

A = "Phòng Kiểm tra nội bộ"
B = "Phòng Thanh tra – Kiểm tra"
MERGED_ON = "2025-03-01"


@pytest.fixture
def api(store: StoreConfig) -> Iterator[Api]:
    with running_api(store) as running:
        yield running


def record(api: Api, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = api.post(path, body)
    assert response.status_code == 201, response.text
    found: dict[str, Any] = response.json()
    return found


def two_units_then_a_merger(api: Api) -> tuple[str, str]:
    """A and B since 2020, one person in each since 2021, and A merged into B on 2025-03-01."""
    record(api, "/units", {"unit_id": A, "name": A, "on": "2020-01-01"})
    record(api, "/units", {"unit_id": B, "name": B, "on": "2020-01-01"})
    in_a = api.register(unit=A, joined_on="2021-02-01")
    in_b = api.register(unit=B, joined_on="2021-02-01")
    record(api, f"/units/{A}/merged", {"into_id": B, "on": MERGED_ON})
    return in_a, in_b


def by_unit(api: Api, **params: Any) -> dict[str, int]:
    response = api.get("/reports/qualifications", **params)
    assert response.status_code == 200, response.text
    found: dict[str, int] = response.json()["by_unit"]
    return found


def attendances(api: Api, unit: str, **params: Any) -> int:
    response = api.get("/reports/attendance", unit=unit, **{"from": "2019-01-01"}, **params)
    assert response.status_code == 200, response.text
    return int(response.json()["attendances"])


# ------------------------------------------------------------------- reports by unit


def test_a_merger_counts_the_merged_unit_s_people_under_the_absorbing_unit_from_its_date(api: Api) -> None:
    two_units_then_a_merger(api)
    assert by_unit(api, as_of=MERGED_ON) == {B: 2}
    assert by_unit(api, as_of=MERGED_ON, unit=B)[B] == 2


def test_a_merger_changes_no_unit_report_before_its_date(api: Api) -> None:
    two_units_then_a_merger(api)
    assert by_unit(api, as_of="2025-02-28") == {A: 1, B: 1}
    assert by_unit(api, as_of="2025-02-28", unit=A) == {A: 1}


def test_form_bm01_counts_a_merged_unit_s_people_under_the_absorbing_unit_from_its_date(api: Api) -> None:
    two_units_then_a_merger(api)

    def rows(as_of: str) -> dict[str, int]:
        response = api.get("/reports/bm01", as_of=as_of)
        assert response.status_code == 200, response.text
        return {row["unit"]: row["total"] for row in response.json()["units"]}

    assert rows("2024-12-31") == {A: 1, B: 1}
    assert rows("2025-12-31") == {B: 2}


def test_form_bm01_with_structure_current_counts_an_earlier_year_on_today_s_units(api: Api) -> None:
    two_units_then_a_merger(api)
    response = api.get("/reports/bm01", as_of="2022-12-31", structure="current")
    assert response.status_code == 200, response.text
    assert {row["unit"]: row["total"] for row in response.json()["units"]} == {B: 2}


def test_structure_current_maps_an_earlier_report_onto_today_s_units(api: Api) -> None:
    two_units_then_a_merger(api)
    assert by_unit(api, as_of="2022-06-30", structure="current") == {B: 2}
    assert by_unit(api, as_of="2022-06-30", structure="as_of") == {A: 1, B: 1}


def test_attendance_by_unit_follows_the_structure_in_force_on_its_last_day(api: Api) -> None:
    in_a, _ = two_units_then_a_merger(api)
    api.enroll(in_a, starts_on="2022-05-02", ends_on="2022-11-30")
    assert attendances(api, A, to="2024-12-31") == 1
    assert attendances(api, B, to="2024-12-31") == 0
    assert attendances(api, B, to="2025-12-31") == 1
    assert attendances(api, A, to="2025-12-31") == 0


def test_attendance_with_structure_current_compares_2022_on_today_s_units(api: Api) -> None:
    in_a, _ = two_units_then_a_merger(api)
    api.enroll(in_a, starts_on="2022-05-02", ends_on="2022-11-30")
    assert attendances(api, B, to="2022-12-31", structure="current") == 1
    assert attendances(api, A, to="2022-12-31", structure="current") == 0


def test_the_needs_report_by_unit_uses_the_structure_of_its_date(api: Api) -> None:
    two_units_then_a_merger(api)

    def people(**params: Any) -> int:
        response = api.get("/reports/needs", unit=B, **params)
        assert response.status_code == 200, response.text
        return int(response.json()["summary"]["people"])

    assert people(as_of="2024-06-30") == 1
    assert people(as_of="2025-06-30") == 2
    assert people(as_of="2024-06-30", structure="current") == 2


def test_an_unknown_structure_is_refused_naming_the_parameter(api: Api) -> None:
    response = api.get("/reports/qualifications", structure="yesterday")
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert "structure" in response.text


# ------------------------------------------------------------------- the write side


def test_a_rotation_into_a_dissolved_unit_is_refused_and_records_nothing(api: Api) -> None:
    record(api, "/units", {"unit_id": A, "name": A, "on": "2020-01-01"})
    record(api, f"/units/{A}/dissolved", {"on": "2024-01-01"})
    staff_id = api.register(unit=B, joined_on="2021-02-01")
    head = api.log_head()
    rotation = {"to_unit": A, "kind": "transfer", "starts_on": "2024-03-01", "decision_ref": "QĐ 12/QĐ-CT"}
    body = problem_of(api.post(f"/staff/{staff_id}/rotations", rotation), 422, "unit_not_in_force")
    assert body["errors"][0]["field"] == "to_unit"
    assert "dissolved on 2024-01-01" in body["detail"]
    assert api.log_head() == head


def test_a_transfer_into_a_unit_before_its_dissolution_is_recorded(api: Api) -> None:
    record(api, "/units", {"unit_id": A, "name": A, "on": "2020-01-01"})
    record(api, f"/units/{A}/dissolved", {"on": "2024-01-01"})
    staff_id = api.register(unit=B, joined_on="2021-02-01")
    rotation = {"to_unit": A, "kind": "transfer", "starts_on": "2023-03-01", "decision_ref": "QĐ 12/QĐ-CT"}
    record(api, f"/staff/{staff_id}/rotations", rotation)


def test_registering_into_a_unit_merged_away_is_refused_naming_the_field(api: Api) -> None:
    two_units_then_a_merger(api)
    head = api.log_head()
    response = api.post("/staff", _person(unit=A, joined_on="2025-04-01"))
    body = problem_of(response, 422, "unit_not_in_force")
    assert body["errors"][0]["field"] == "unit"
    assert B in body["detail"]
    assert api.log_head() == head


def test_registering_into_a_unit_before_it_was_created_is_refused(api: Api) -> None:
    record(api, "/units", {"unit_id": A, "name": A, "on": "2020-01-01"})
    problem_of(api.post("/staff", _person(unit=A, joined_on="2019-06-01")), 422, "unit_not_in_force")


def test_a_free_text_unit_becomes_a_unit_on_its_first_use(api: Api) -> None:
    head = api.log_head()
    api.register(unit="Tổ Tin học", joined_on="2018-05-02")
    assert api.log_head() == head + 1  # the registration alone: a first use writes no unit fact
    before = api.get("/units", as_of="2018-05-01").json()["units"]
    after = api.get("/units", as_of="2018-05-02").json()["units"]
    assert [u["unit_id"] for u in before] == []
    assert after == [
        {
            "unit_id": "Tổ Tin học",
            "name": "Tổ Tin học",
            "parent_id": None,
            "since": "2018-05-02",
            "origin": "first_use",
            "until": None,
            "ended_how": None,
            "successors": [],
        }
    ]


def test_a_free_text_unit_in_use_can_be_merged_once_it_is_recorded(api: Api) -> None:
    staff_id = api.register(unit="Tổ Tin học", joined_on="2018-05-02")
    record(api, "/units", {"unit_id": B, "name": B, "on": "2015-01-01"})
    early = api.post("/units/Tổ Tin học/merged", {"into_id": B, "on": "2025-03-01"})
    problem_of(early, 404, "unit_not_found")
    record(api, "/units", {"unit_id": "Tổ Tin học", "name": "Tổ Tin học", "on": "2010-01-01"})
    record(api, "/units/Tổ Tin học/merged", {"into_id": B, "on": "2025-03-01"})
    assert by_unit(api, as_of="2025-06-30") == {B: 1}
    assert api.get(f"/staff/{staff_id}").status_code == 200


def test_a_unit_id_recorded_twice_is_a_conflict(api: Api) -> None:
    record(api, "/units", {"unit_id": A, "name": A, "on": "2020-01-01"})
    problem_of(api.post("/units", {"unit_id": A, "name": A, "on": "2021-01-01"}), 409, "duplicate_unit")


def test_a_unit_with_units_under_it_cannot_be_dissolved(api: Api) -> None:
    record(api, "/units", {"unit_id": "Cục", "name": "Cục", "on": "2020-01-01"})
    record(api, "/units", {"unit_id": A, "name": A, "parent_id": "Cục", "on": "2020-01-01"})
    problem_of(api.post("/units/Cục/dissolved", {"on": "2024-01-01"}), 409, "unit_has_subunits")


def test_a_reader_cannot_record_a_unit_fact(api: Api) -> None:
    response = api.post("/units", {"unit_id": A, "name": A, "on": "2020-01-01"}, role="reader")
    problem_of(response, 403)


def test_a_repeated_unit_fact_with_its_idempotency_key_is_recorded_once(api: Api) -> None:
    body = {"unit_id": A, "name": A, "on": "2020-01-01"}
    first = api.post("/units", body, Idempotency_Key="unit-a-1")
    again = api.post("/units", body, Idempotency_Key="unit-a-1")
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()


# ------------------------------------------------------------------- the structure on a date


def test_the_units_on_a_date_name_each_unit_as_it_was_called_then(api: Api) -> None:
    record(api, "/units", {"unit_id": "TTKT", "name": "Phòng Thanh tra", "on": "2015-01-01"})
    record(api, "/units/TTKT/renamed", {"name": B, "on": "2025-03-01"})
    before = api.get("/units", as_of="2025-02-28").json()["units"]
    after = api.get("/units", as_of="2025-03-01").json()["units"]
    assert [(u["unit_id"], u["name"]) for u in before] == [("TTKT", "Phòng Thanh tra")]
    assert [(u["unit_id"], u["name"]) for u in after] == [("TTKT", B)]


def test_the_units_on_a_date_form_a_tree_by_their_parents(api: Api) -> None:
    region = "Chi cục Thuế khu vực XVIII"
    record(api, "/units", {"unit_id": region, "name": region, "on": "2025-03-01"})
    record(api, "/units", {"unit_id": A, "name": A, "parent_id": region, "on": "2025-03-01"})
    units = {u["unit_id"]: u["parent_id"] for u in api.get("/units", as_of="2025-03-01").json()["units"]}
    assert units == {region: None, A: region}


def test_a_split_ends_the_unit_and_begins_its_parts(api: Api) -> None:
    record(api, "/units", {"unit_id": A, "name": A, "on": "2020-01-01"})
    parts = [{"unit_id": "KT1", "name": "Phòng Kiểm tra 1"}, {"unit_id": "KT2", "name": "Phòng Kiểm tra 2"}]
    record(api, f"/units/{A}/split", {"parts": parts, "on": "2025-07-01"})
    on = {u["unit_id"]: u for u in api.get("/units", as_of="2025-06-30").json()["units"]}
    assert on[A]["until"] == "2025-07-01"
    assert on[A]["successors"] == ["KT1", "KT2"]
    after = [u["unit_id"] for u in api.get("/units", as_of="2025-07-01").json()["units"]]
    assert after == ["KT1", "KT2"]


def test_the_units_as_known_at_a_time_leave_out_facts_recorded_later(api: Api) -> None:
    record(api, "/units", {"unit_id": A, "name": A, "on": "2020-01-01"})
    earlier = api.get("/events", role="auditor").json()["items"][-1]["recorded_at"]
    record(api, f"/units/{A}/renamed", {"name": "Phòng Kiểm tra", "on": "2021-01-01"})
    then = api.get("/units", as_of="2024-01-01", known_at=earlier).json()["units"]
    now = api.get("/units", as_of="2024-01-01").json()["units"]
    assert [u["name"] for u in then] == [A]
    assert [u["name"] for u in now] == ["Phòng Kiểm tra"]


# ------------------------------------------------------------------- a person's units


def test_a_person_s_unit_history_keeps_every_unit_with_the_unit_it_falls_under_today(api: Api) -> None:
    record(api, "/units", {"unit_id": A, "name": A, "on": "2020-01-01"})
    record(api, "/units", {"unit_id": B, "name": B, "on": "2020-01-01"})
    staff_id = api.register(unit=A, joined_on="2021-02-01")
    rotation = {"to_unit": B, "kind": "secondment", "starts_on": "2022-01-03", "ends_on": "2022-06-30",
                "decision_ref": "QĐ 7/QĐ-CT"}
    record(api, f"/staff/{staff_id}/rotations", rotation)
    record(api, f"/units/{A}/merged", {"into_id": B, "on": MERGED_ON})
    items = api.get(f"/staff/{staff_id}/units", role="reader").json()["items"]
    assert [(i["unit_id"], i["starts_on"], i["ends_on"], i["unit_today"]) for i in items] == [
        (A, "2021-02-01", "2022-01-02", B),
        (B, "2022-01-03", "2022-06-30", B),
        (A, "2022-07-01", None, B),
    ]


def test_the_unit_history_of_an_unknown_person_is_not_found(api: Api) -> None:
    problem_of(api.get(f"/staff/{new_staff_id()}/units"), 404)


# ------------------------------------------------------------------- integrity with a second stream


def test_verify_export_and_import_keep_working_with_unit_facts(
    ledger: Ledger, tmp_path: Path, sqlite_store: StoreConfig
) -> None:
    ledger.create_unit(unit_id=A, name=A, on=_day("2020-01-01"), recorded_by="test")
    ledger.register(
        staff_id="CB0001", full_name="Nguyễn Văn An", gender="male", birth_date=_day("1985-04-12"),
        unit=A, joined_on=_day("2021-02-01"), recorded_by="test",
    )
    ledger.dissolve_unit(A, on=_day("2025-03-01"), recorded_by="test")
    assert verify_log(ledger.chained_recorder, mapper=ledger.mapper).ok
    exported = export_log(ledger, tmp_path / "log.jsonl")
    copy = Ledger(StoreConfig(f"sqlite:///{tmp_path / 'copy.db'}"))
    try:
        assert import_log(copy, exported.path).events == exported.events == 4
        assert copy.unit_facts() == ledger.unit_facts()
    finally:
        copy.close()


def test_ledger_verify_rebuilds_and_compares_the_views_with_unit_facts(store: StoreConfig) -> None:
    with running_api(store) as api:
        two_units_then_a_merger(api)
    result = CliRunner().invoke(build_cli(), ["verify"], env={"LEDGER_DATABASE_URL": store.url})
    assert result.exit_code == 0, result.output


# ------------------------------------------------------------------- the domain, no store


def test_the_organisation_refuses_merging_a_unit_into_itself() -> None:
    organisation = Organisation.open(recorded_by="test", on=_day("2020-01-01"))
    organisation.create_unit(CreateUnit(unit_id=A, name=A, on=_day("2020-01-01")), recorded_by="test")
    with pytest.raises(errors.InvalidInput) as raised:
        organisation.merge_unit(MergeUnit(unit_id=A, into_id=A, on=_day("2021-01-01")), recorded_by="test")
    assert raised.value.field == "into_id"


def test_a_unit_history_without_moves_is_one_open_period(ledger: Ledger) -> None:
    ledger.register(
        staff_id="CB0002", full_name="Trần Thị Bích Ngọc", gender="female", birth_date=_day("1990-01-01"),
        unit=B, joined_on=_day("2015-09-01"), recorded_by="test",
    )
    periods = unit_history(ledger.events_of("CB0002"))
    assert [(p.unit_id, p.starts_on, p.ends_on) for p in periods] == [(B, _day("2015-09-01"), None)]


def _day(text: str) -> date:
    return date.fromisoformat(text)


def _person(**overrides: Any) -> dict[str, Any]:
    return person(new_staff_id(), **overrides)


# ------------------------------------------------------------------- the demo's 2025 merger


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def demo_api(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    folder = tmp_path_factory.mktemp("demo")
    with loaded_demo(request.param, folder) as loaded, running_api(loaded.store) as api:
        yield api


def test_the_demo_merges_dong_hai_into_the_regional_branch_on_2025_03_01(demo_api: Api) -> None:
    def units(day: str) -> set[str]:
        return {u["unit_id"] for u in demo_api.get("/units", as_of=day).json()["units"]}

    assert DONG_HAI in units("2025-02-28")
    assert AGENCY_RENAMED not in units("2025-02-28")
    assert DONG_HAI not in units("2025-03-01")
    assert AGENCY_RENAMED in units("2025-03-01")


def test_the_demo_s_unit_headcounts_stay_exact_on_both_structures(demo_api: Api) -> None:
    assert by_unit(demo_api, as_of="2025-12-31") == UNIT_HEADCOUNTS
    assert by_unit(demo_api, as_of="2025-12-31", structure="current") == UNIT_HEADCOUNTS


def test_the_demo_s_head_of_inspection_came_from_a_unit_now_part_of_the_branch(demo_api: Api) -> None:
    registration = next(
        item
        for item in demo_api.get("/events", role="auditor", types="Registered", limit=500).json()["items"]
        if item["data"]["unit"] == DONG_HAI
    )
    items = demo_api.get(f"/staff/{registration['staff_id']}/units").json()["items"]
    assert [(i["unit_id"], i["ends_on"], i["unit_today"]) for i in items] == [
        (TTKT, "2026-02-28", TTKT),
        (DONG_HAI, None, AGENCY_RENAMED),
    ]
    # After the rotation the home unit, merged into the branch, counts under it.
    headcount = by_unit(demo_api, as_of="2026-03-02")
    assert headcount.get(AGENCY_RENAMED, 0) >= 1
    assert DONG_HAI not in headcount
