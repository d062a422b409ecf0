"""Form BM01/BNV over HTTP, on SQLite and PostgreSQL: the demo agency on 2025-12-31 against the
figures of docs/domain.md §3.1 to §3.5 and the demo's TARGETS (never the report's own output), the age
bands recomputed from the demo plan's birth dates, another 31/12 and another time of knowledge
against a fold-based oracle, the "not recorded" columns, validation, the page and its XLSX/CSV.

The demo is loaded once per store for the module and served by the real ASGI app; tests only read.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import openpyxl  # type: ignore[import-untyped]
import pytest
from api_fixtures import Api, problem_of, running_api, sign_in
from demo_fixtures import (
    AGENCY_POSTS,
    DIVISION_POSTS,
    SNAPSHOT,
    LoadedDemo,
    age_on,
    loaded_demo,
    staff_ids_in_log,
)
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.cli import build_cli
from ledger.dates import add_months
from ledger.demo import TARGETS, build_plan
from ledger.domain.catalog import Track
from ledger.domain.fold import fold_record

NOT_RECORDED = ("party_members", "ethnic_minority", "religion", "ethnic_language")
INSPECTION = "Phòng Thanh tra – Kiểm tra"
RANK_COLUMNS = {
    "01.001": "senior",
    "01.002": "principal",
    "01.003": "specialist",
    "01.004": "officer",
    "01.005": "clerk",
}


@dataclass
class Served:
    demo: LoadedDemo
    api: Api


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with (
        loaded_demo(request.param, tmp_path_factory.mktemp("bm01")) as demo,
        running_api(demo.store, startup_wait_seconds=120) as api,
    ):
        assert api.app.state.read_side.wait_for(api.log_head())
        yield Served(demo, api)


def bm01(served: Served, **params: Any) -> dict[str, Any]:
    response = served.api.get("/reports/bm01", role="reader", **params)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


@pytest.fixture(scope="module")
def snapshot(served: Served) -> dict[str, Any]:
    return bm01(served, as_of=SNAPSHOT.isoformat())


# ------------------------------------------------------------------ the demo on 2025-12-31


def test_the_total_and_the_women_are_the_articles(snapshot: dict[str, Any]) -> None:
    total = snapshot["total"]
    assert (total["total"], total["female"]) == (61, 26)
    assert (total["total"], total["female"]) == (TARGETS["on_roll"], TARGETS["female_on_roll"])


def test_leaders_are_three_at_agency_level_and_fourteen_at_division_level(snapshot: dict[str, Any]) -> None:
    # docs/domain.md §3.1: 1 Cục trưởng and 2 Phó Cục trưởng; 6 TP and 8 PTP.
    assert snapshot["total"]["leaders"] == {"agency": 3, "division": 14}


def test_ranks_follow_the_rank_by_qualification_table(snapshot: dict[str, Any]) -> None:
    # docs/domain.md §3.2, the Total column: CVCC 1, CVC 12, CV 36, cán sự 3, nhân viên 2, HĐLĐ 7.
    assert snapshot["total"]["ranks"] == {
        "senior": 1,
        "principal": 12,
        "specialist": 36,
        "officer": 3,
        "clerk": 2,
        "contract": 7,
        "other": 0,
    }


def test_professional_levels_put_technical_workers_below_intermediate(snapshot: dict[str, Any]) -> None:
    # docs/domain.md §3.2: ThS 9, ĐH 42, CĐ 2, TC 5, CNKT 3, TS 0.
    expected = {"doctorate": 0, "master": 9, "bachelor": 42, "college": 2, "intermediate": 5}
    expected["elementary_or_below"] = TARGETS["professional"]["technical_worker"]
    assert snapshot["total"]["professional"] == expected


def test_political_theory_counts_each_person_once_under_the_highest(snapshot: dict[str, Any]) -> None:
    # docs/domain.md §3.3: Cử nhân 1, Cao cấp 6, Trung cấp 21, Sơ cấp 0.
    assert snapshot["total"]["political_theory"] == {
        "bachelor": 1,
        "advanced": 6,
        "intermediate": 21,
        "elementary": 0,
    }


def test_state_management_is_the_highest_programme_by_rank(snapshot: dict[str, Any]) -> None:
    # docs/domain.md §3.4: CVCC 2, CVC 14, CV 31, Cán sự 1 (13 without).
    expected = {k: v for k, v in TARGETS["state_management"].items() if k != "none"}
    assert snapshot["total"]["state_management"] == expected == {
        "senior": 2,
        "principal": 14,
        "specialist": 31,
        "officer": 1,
    }


def test_age_bands_are_those_of_the_plans_birth_dates(snapshot: dict[str, Any]) -> None:
    plan = build_plan(2019)
    expected: Counter[str] = Counter()
    for person in plan.people.values():
        if not person.on_roll(SNAPSHOT):
            continue
        age = age_on(person.birth_date, SNAPSHOT)
        # Retirement ages reached in 2025 (§3.5): men 61y3m, women 56y8m; nobody is past them.
        limit = (56, 8) if person.female else (61, 3)
        assert add_months(person.birth_date, limit[0] * 12 + limit[1]) > SNAPSHOT
        if age <= 30:
            expected["up_to_30"] += 1
        elif age <= 40:
            expected["31_to_40"] += 1
        elif age <= 50:
            expected["41_to_50"] += 1
        else:
            expected["51_to_retirement"] += 1
    assert sum(expected.values()) == 61
    assert snapshot["total"]["age_bands"] == {**dict.fromkeys(snapshot["total"]["age_bands"], 0), **expected}
    assert snapshot["total"]["age_bands"]["above_retirement"] == 0


def test_the_retirement_ages_of_the_year_bound_the_top_age_bands(snapshot: dict[str, Any]) -> None:
    ages = {a["gender"]: (a["years"], a["months"]) for a in snapshot["retirement_ages"]}
    assert ages == {"male": (61, 3), "female": (56, 8)}  # docs/domain.md §3.5, at 2025-12-31


def test_there_is_one_row_per_unit_with_the_unit_headcounts(snapshot: dict[str, Any]) -> None:
    rows = {row["unit"]: row["total"] for row in snapshot["units"]}
    assert rows == TARGETS["unit_headcounts"]
    assert rows[INSPECTION] == 8  # the head of inspection on rotation from another Cục counts here


def test_unit_rows_add_up_to_the_total_row(snapshot: dict[str, Any]) -> None:
    total = snapshot["total"]
    for group, value in total.items():
        if isinstance(value, dict):
            for key, count in value.items():
                assert sum(row[group][key] for row in snapshot["units"]) == count, (group, key)
        elif isinstance(value, int):
            assert sum(row[group] for row in snapshot["units"]) == value, group


def test_leaders_per_unit_are_those_of_the_organisation_table(snapshot: dict[str, Any]) -> None:
    leaders = {row["unit"]: row["leaders"] for row in snapshot["units"]}
    assert leaders["Lãnh đạo Cục"] == {"agency": 3, "division": 0}
    assert leaders["Phòng Tổ chức – Hành chính"] == {"agency": 0, "division": 3}
    assert leaders["Phòng Nghiệp vụ 1"] == {"agency": 0, "division": 3}
    assert leaders[INSPECTION] == {"agency": 0, "division": 2}


def test_not_recorded_columns_are_null_never_zero_in_every_row(snapshot: dict[str, Any]) -> None:
    assert snapshot["not_recorded"] == list(NOT_RECORDED)
    assert "not recorded" in snapshot["note"]
    for row in [snapshot["total"], *snapshot["units"]]:
        for column in NOT_RECORDED:
            assert row[column] is None, (row["unit"], column)


def test_the_api_documents_the_demos_answer_as_its_example(served: Served, snapshot: dict[str, Any]) -> None:
    schema = served.api.client.get("/openapi.json").json()["components"]["schemas"]["Bm01Report"]
    example = schema["examples"][0]
    # The OpenAPI document leaves out the example's null members (known_at, the not-recorded ones).
    expected = {key: value for key, value in snapshot.items() if value is not None}
    expected["total"] = {key: value for key, value in snapshot["total"].items() if value is not None}
    assert example == {**expected, "units": []}


def test_a_unit_filter_gives_that_units_row_as_the_total(served: Served) -> None:
    answer = bm01(served, as_of=SNAPSHOT.isoformat(), unit=INSPECTION)
    assert [row["unit"] for row in answer["units"]] == [INSPECTION]
    assert answer["total"]["total"] == 8
    assert answer["total"] == {**answer["units"][0], "unit": None}


# ------------------------------------------------------------------ other dates: a fold oracle


def oracle_total(demo: LoadedDemo, as_of: date, known_at: datetime | None = None) -> dict[str, Any]:
    """The total row counted by hand from every person's events folded with ``fold_record``."""
    rules = demo.ledger.rules
    counts: Counter[str] = Counter()
    for staff_id in staff_ids_in_log(demo.ledger):
        record = fold_record(demo.ledger.events_of(staff_id), as_of=as_of, known_at=known_at)
        if not record.is_active_on(as_of):
            continue
        counts["total"] += 1
        counts["female"] += record.gender.value == "female"
        post = record.position_on(as_of)
        if post in AGENCY_POSTS:
            counts["leaders.agency"] += 1
        elif post in DIVISION_POSTS:
            counts["leaders.division"] += 1
        rank = RANK_COLUMNS.get(record.rank or "", "other")
        if record.employment.value == "contract":
            rank = "contract"
        counts[f"ranks.{rank}"] += 1
        held = record.qualifications()
        for track in (Track.PROFESSIONAL, Track.POLITICAL_THEORY, Track.STATE_MANAGEMENT):
            found = held.get(track)
            level = found.level if found else None
            if track == Track.PROFESSIONAL and level in (None, "technical_worker"):
                level = "elementary_or_below"
            if level is not None:
                counts[f"{track.value}.{level}"] += 1
        age = age_on(record.birth_date, as_of)
        retirement = rules.retirement(record.gender.value, record.birth_date)
        assert retirement is not None
        if add_months(record.birth_date, retirement[1].in_months) <= as_of:
            band = "above_retirement"
        elif age <= 30:
            band = "up_to_30"
        elif age <= 50:
            band = "31_to_40" if age <= 40 else "41_to_50"
        else:
            band = "51_to_retirement"
        counts[f"age_bands.{band}"] += 1
    return dict(counts)


def flat(row: dict[str, Any]) -> dict[str, Any]:
    """A row's non-zero counts of the groups the oracle counts, as ``group.column``."""
    found: dict[str, Any] = {}
    for group in ("leaders", "ranks", "professional", "political_theory", "state_management", "age_bands"):
        found.update({f"{group}.{k}": v for k, v in row[group].items() if v})
    found.update({"total": row["total"], "female": row["female"]})
    return found


def test_bm01_on_31_december_2022_matches_the_fold_oracle(served: Served) -> None:
    day = date(2022, 12, 31)
    answer = bm01(served, as_of=day.isoformat())
    assert flat(answer["total"]) == oracle_total(served.demo, day)


def test_bm01_as_known_in_mid_2025_matches_the_fold_oracle_as_known_then(served: Served) -> None:
    known_at = datetime(2025, 6, 30, 10, 0, tzinfo=UTC)
    answer = bm01(served, as_of="2024-12-31", known_at=known_at.isoformat())
    assert answer["known_at"] is not None
    assert flat(answer["total"]) == oracle_total(served.demo, date(2024, 12, 31), known_at)


def test_bm01_defaults_to_the_end_of_the_last_complete_year(served: Served) -> None:
    answer = bm01(served)
    today = served.api.app.state.read_side.read_model.today()
    assert answer["as_of"] == date(today.year - 1, 12, 31).isoformat()


# ------------------------------------------------------------------ validation


@pytest.mark.parametrize(
    ("field", "value"), [("as_of", "2025-13-01"), ("known_at", "yesterday"), ("unit", "x" * 201)]
)
def test_a_bad_parameter_is_a_problem_naming_the_field(served: Served, field: str, value: str) -> None:
    response = served.api.get("/reports/bm01", role="reader", **{field: value})
    problem = problem_of(response, 422)
    assert [e["field"] for e in problem["errors"]] == [field]


def test_bm01_needs_a_key(served: Served) -> None:
    problem_of(served.api.get("/reports/bm01", role=None, as_of="2025-12-31"), 401)


# ------------------------------------------------------------------ the page and its exports


def signed_in_reader(served: Served) -> TestClient:
    client = TestClient(served.api.app, follow_redirects=False)
    assert sign_in(client, served.api.tokens["reader"]).status_code == 303
    return client


def test_the_page_shows_the_form_in_vietnamese(served: Served) -> None:
    page = signed_in_reader(served).get("/ui/reports/bm01", params={"as_of": "31/12/2025"})
    assert page.status_code == 200, page.text
    for text in ("BM01/BNV", "Tổng số", "Lãnh đạo cấp phòng", "Trên tuổi nghỉ hưu", "Không ghi nhận"):
        assert text in page.text
    assert INSPECTION in page.text


def test_the_page_shows_the_form_in_english(served: Served) -> None:
    client = signed_in_reader(served)
    assert client.get("/ui/lang/en", params={"next": "/ui/reports/bm01"}).status_code == 303
    page = client.get("/ui/reports/bm01", params={"as_of": "31/12/2025"})
    assert page.status_code == 200, page.text
    for text in ("Form BM01/BNV", "Division leaders", "Above retirement age", "men 61 years 3 months"):
        assert text in page.text


def test_the_page_says_a_bad_date_is_bad_and_shows_the_default_year_end(served: Served) -> None:
    page = signed_in_reader(served).get("/ui/reports/bm01", params={"as_of": "31/02/2025"})
    assert page.status_code == 200
    assert "31/02/2025" in page.text  # named in the error
    today = served.api.app.state.read_side.read_model.today()
    assert f"31/12/{today.year - 1}" in page.text


def test_the_page_needs_a_session(served: Served) -> None:
    response = TestClient(served.api.app, follow_redirects=False).get("/ui/reports/bm01")
    assert response.status_code in (303, 401)


def test_the_xlsx_is_laid_out_like_the_form_with_a_row_per_unit_and_a_total(served: Served) -> None:
    client = signed_in_reader(served)
    response = client.get("/ui/reports/bm01", params={"as_of": "2025-12-31", "format": "xlsx"})
    assert response.status_code == 200, response.text
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    cells = [[c.value for c in row] for row in sheet.iter_rows()]
    assert str(cells[0][0]).startswith("BIỂU MẪU BM01/BNV")
    texts = [str(v) for row in cells for v in row if v is not None]
    assert any("31/12/2025" in text for text in texts)
    # Two header rows: groups over columns, e.g. "Ngạch công chức" over "CVC và tương đương".
    group_row = next(i for i, row in enumerate(cells) if "Ngạch công chức" in row)
    headings = cells[group_row] + cells[group_row + 1]
    assert "CVC và tương đương" in cells[group_row + 1]
    assert "Tổng số" in headings
    body = cells[group_row + 2 :]
    names = [row[1] for row in body if row[1] is not None]
    assert names[-1].startswith("Tổng cộng")
    assert INSPECTION in names
    column = {name: i for i, name in enumerate(cells[group_row + 1]) if name}
    total_row = next(row for row in body if row[1] and str(row[1]).startswith("Tổng cộng"))
    first_total = cells[group_row].index("Tổng số")
    assert total_row[first_total] == 61
    assert total_row[column["CVC và tương đương"]] == 12
    assert total_row[column["Trên tuổi nghỉ hưu"]] == 0


def test_the_xlsx_names_the_agency_of_the_settings_and_else_leaves_a_line_to_fill_in(served: Served) -> None:
    client = signed_in_reader(served)
    pages = served.api.app.state.pages

    def heading_block() -> list[str]:
        response = client.get("/ui/reports/bm01", params={"as_of": "2025-12-31", "format": "xlsx"})
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        return [str(sheet.cell(row=row, column=1).value) for row in range(1, 6)]

    assert "Cơ quan, đơn vị: " + "." * 40 in heading_block()
    default = pages.settings
    pages.settings = default.model_copy(update={"agency_name": "Cục Thuế tỉnh An Khánh"})
    try:
        assert "Cơ quan, đơn vị: Cục Thuế tỉnh An Khánh" in heading_block()
    finally:
        pages.settings = default


def test_not_recorded_columns_are_never_zero_in_the_xlsx(served: Served) -> None:
    client = signed_in_reader(served)
    response = client.get("/ui/reports/bm01", params={"as_of": "2025-12-31", "format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    cells = [[c.value for c in row] for row in sheet.iter_rows()]
    group_row = next(i for i, row in enumerate(cells) if "Đảng viên" in row)
    party = cells[group_row].index("Đảng viên")
    values = [row[party] for row in cells[group_row + 2 :] if row[1]]
    assert len(values) == 8  # seven units and the total
    assert set(values) == {"Không ghi nhận"}


def test_the_csv_has_the_form_with_a_total_row(served: Served) -> None:
    client = signed_in_reader(served)
    response = client.get("/ui/reports/bm01", params={"as_of": "2025-12-31", "format": "csv"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    total = next(row for row in rows if row[1:2] and row[1].startswith("Tổng cộng"))
    groups = next(row for row in rows if "Đảng viên" in row)
    assert total[groups.index("Tổng số")] == "61"
    assert total[groups.index("Đảng viên")] == "Không ghi nhận"


# ------------------------------------------------------------------ the command line


def test_ledger_bm01_json_is_the_apis_answer(served: Served) -> None:
    result = CliRunner().invoke(
        build_cli(),
        ["bm01", "--as-of", "2025-12-31", "--json"],
        env={"LEDGER_DATABASE_URL": served.demo.store.url},
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == bm01(served, as_of="2025-12-31")


def test_ledger_bm01_prints_a_table_per_group_with_the_total_row(served: Served) -> None:
    result = CliRunner().invoke(
        build_cli(), ["bm01", "--as-of", "2025-12-31"], env={"LEDGER_DATABASE_URL": served.demo.store.url}
    )
    assert result.exit_code == 0, result.output
    for text in ("Ngạch công chức", "Tổng cộng (total)", "không ghi nhận (not recorded)", "male 61y3m"):
        assert text in result.output


def test_ledger_bm01_refuses_a_bad_date_naming_the_option(served: Served) -> None:
    result = CliRunner().invoke(
        build_cli(), ["bm01", "--as-of", "31/12/2025"], env={"LEDGER_DATABASE_URL": served.demo.store.url}
    )
    assert result.exit_code == 2
    assert "--as-of" in result.output


def test_ledger_bm01_refuses_a_sqlite_file_that_does_not_exist_and_creates_none(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        build_cli(), ["bm01"], env={"LEDGER_DATABASE_URL": f"sqlite:///{tmp_path / 'ledgr.db'}"}
    )
    assert result.exit_code == 2
    assert "there is no ledger at" in result.stderr
    assert list(tmp_path.iterdir()) == []
