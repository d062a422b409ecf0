"""One answer whoever asks: the API's JSON, the page's CSV export and the command line's output of
each position-standards report carry the same figures, for a set of filters (unit, position, track,
period, ``as_of``, ``known_at``), on the demo agency, on SQLite and on PostgreSQL.

All three ask the one query layer (``projections.reports``); these tests hold them to it.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from api_fixtures import Api, module_store, running_api, sign_in
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.cli import build_cli
from ledger.demo import load_demo
from ledger.store.config import StoreConfig

KNOWN_AT = "2023-01-01T00:00:00Z"
UNIT = "Phòng Nghiệp vụ 1"
POST = "Trưởng phòng"


@dataclass
class Interfaces:
    api: Api
    store: StoreConfig
    page: TestClient

    def json(self, path: str, **params: Any) -> dict[str, Any]:
        response = self.api.get(path, role="auditor", **params)
        assert response.status_code == 200, response.text
        return dict(response.json())

    def every_item(self, path: str, **params: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """The first page's answer, and the items of every page (following ``next_cursor``)."""
        first = self.json(path, limit=2, **params)
        items, answer = list(first["items"]), first
        while answer.get("next_cursor"):
            answer = self.json(path, limit=2, cursor=answer["next_cursor"], **params)
            items += answer["items"]
        return first, items

    def csv(self, path: str, **params: Any) -> list[list[str]]:
        response = self.page.get(path, params={**params, "format": "csv"})
        assert response.status_code == 200, response.text
        return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))

    def cli(self, *args: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
        monkeypatch.setenv("LEDGER_DATABASE_URL", self.store.url)
        result = CliRunner().invoke(build_cli(), [*args, "--json"])
        assert result.exit_code == 0, result.output
        return dict(json.loads(result.output))


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def interfaces(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Interfaces]:
    folder: Path = tmp_path_factory.mktemp("interfaces")
    with module_store(request.param, folder) as store, running_api(store) as api:
        ledger = api.app.state.ledger
        load_demo(ledger)
        assert api.app.state.read_side.wait_for(ledger.recorder.max_notification_id())
        page = TestClient(api.app, follow_redirects=False)
        assert sign_in(page, api.tokens["auditor"]).status_code == 303
        yield Interfaces(api, store, page)


def cli_options(filters: dict[str, str]) -> list[str]:
    """The command line's options for the API's query parameters (``as_of`` → ``--as-of``)."""
    return [f"--{name.replace('_', '-')}={value}" for name, value in filters.items()]


def table_of(rows: list[list[str]], first_column: str) -> tuple[dict[str, str], list[dict[str, str]]]:
    """A CSV export's header block (label → value) and its table's rows (column → cell)."""
    start = next(i for i, row in enumerate(rows) if row and row[0] == first_column)
    header = {row[0]: row[1] for row in rows[1:start] if len(row) == 2}
    columns = rows[start]
    return header, [dict(zip(columns, row, strict=True)) for row in rows[start + 1 :] if row]


NEEDS_FILTERS: list[dict[str, str]] = [
    {"as_of": "2025-12-31"},
    {"as_of": "2025-12-31", "unit": UNIT},
    {"as_of": "2025-12-31", "position": POST},
    {"as_of": "2021-06-30", "known_at": KNOWN_AT},
    {"as_of": "2024-01-01", "unit": UNIT, "known_at": KNOWN_AT},
]


@pytest.mark.parametrize("filters", NEEDS_FILTERS, ids=lambda f: ",".join(f))
def test_the_needs_report_gives_the_same_people_and_gaps_over_the_api_the_page_export_and_the_cli(
    interfaces: Interfaces, filters: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    first, items = interfaces.every_item("/reports/needs", **filters)
    gaps = Counter({item["staff_id"]: len(item["unmet"]) for item in items})

    header, rows = table_of(interfaces.csv("/ui/reports/needs", **filters), "Mã cán bộ")
    assert int(header["Số người được xét"]) == first["summary"]["people"]
    assert int(header["Số người còn thiếu"]) == first["summary"]["with_gaps"] == len(items)
    assert Counter(row["Mã cán bộ"] for row in rows) == gaps

    shown = interfaces.cli("needs", *cli_options(filters), monkeypatch=monkeypatch)
    assert shown["summary"] == first["summary"]
    assert shown["items"] == items
    assert shown["pools"] == first["pools"]


EFFECT_FILTERS: list[dict[str, str]] = [
    {"as_of": "2025-12-31"},
    {"as_of": "2025-12-31", "unit": UNIT},
    {"as_of": "2025-12-31", "track": "political_theory"},
    {"as_of": "2024-06-30", "known_at": KNOWN_AT},
]


def _programme_figures(item: dict[str, Any]) -> tuple[Any, ...]:
    return (
        item["course_code"],
        item["year"],
        item["completions"],
        item["compared"],
        item["improved"],
        item["unchanged"],
        item["declined"],
        item["evaluated"],
    )


@pytest.mark.parametrize("filters", EFFECT_FILTERS, ids=lambda f: ",".join(f))
def test_the_effectiveness_report_gives_the_same_figures_over_the_api_the_page_export_and_the_cli(
    interfaces: Interfaces, filters: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    answer = interfaces.json("/reports/effectiveness", **filters)
    assert answer["items"], "the demo has completed courses in every case asked"
    expected = [_programme_figures(item) for item in answer["items"]]

    _, rows = table_of(interfaces.csv("/ui/reports/effectiveness", **filters), "Chương trình")
    assert [
        (
            row["Chương trình"].rpartition("(")[2].rstrip(")"),
            int(row["Năm"]),
            int(row["Hoàn thành"]),
            int(row["So sánh được"]),
            int(row["Tiến bộ"]),
            int(row["Giữ nguyên"]),
            int(row["Giảm"]),
            int(row["Số đánh giá sau ĐT"]),
        )
        for row in rows
    ] == expected

    options = [
        f"--tracks={value}" if name == "track" else f"--{name.replace('_', '-')}={value}"
        for name, value in filters.items()
    ]
    shown = interfaces.cli("effectiveness", *options, monkeypatch=monkeypatch)
    assert shown["summary"] == answer["summary"]
    assert [_programme_figures(item) for item in shown["items"]] == expected


def test_the_effectiveness_report_for_a_period_gives_the_same_figures_over_the_api_and_the_cli(
    interfaces: Interfaces, monkeypatch: pytest.MonkeyPatch
) -> None:
    answer = interfaces.json("/reports/effectiveness", as_of="2025-12-31", from_year=2020, to_year=2022)
    assert {item["year"] for item in answer["items"]} <= {2020, 2021, 2022}
    shown = interfaces.cli(
        "effectiveness", "--as-of=2025-12-31", "--from-year=2020", "--to-year=2022", monkeypatch=monkeypatch
    )
    assert shown["summary"] == answer["summary"]
    assert shown["items"] == answer["items"]


PAGED_REPORTS: list[tuple[str, dict[str, str]]] = [
    ("appointments", {"as_of": "2025-12-31"}),
    ("appointments", {"as_of": "2025-12-31", "unit": UNIT}),
    ("appointments", {"as_of": "2022-06-30", "known_at": KNOWN_AT}),
    ("commitments", {"as_of": "2025-12-31"}),
    ("commitments", {"as_of": "2025-12-31", "status": "serving"}),
    ("commitments", {"as_of": "2025-12-31", "unit": UNIT}),
    ("commitments", {"as_of": "2022-06-30", "known_at": KNOWN_AT}),
]


@pytest.mark.parametrize(
    ("report", "filters"), PAGED_REPORTS, ids=lambda v: v if isinstance(v, str) else ",".join(v)
)
def test_a_paged_report_gives_the_same_summary_and_items_over_the_api_and_the_cli(
    interfaces: Interfaces, report: str, filters: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    first, items = interfaces.every_item(f"/reports/{report}", **filters)
    assert first["summary"][report] == len(items)
    shown = interfaces.cli(report, *cli_options(filters), monkeypatch=monkeypatch)
    assert shown["summary"] == first["summary"]
    assert shown["items"] == items


def test_the_needs_pools_of_a_unit_are_the_pools_of_its_people_on_every_interface(
    interfaces: Interfaces, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = interfaces.json("/reports/needs", as_of="2025-12-31")
    unit = interfaces.json("/reports/needs", as_of="2025-12-31", unit=UNIT)
    in_unit = {person["staff_id"] for pool in unit["pools"] for person in pool["people"]}
    everyone = {person["staff_id"] for pool in whole["pools"] for person in pool["people"]}
    assert in_unit < everyone, "the demo plans people of several units"
    roll = interfaces.json("/staff", unit=UNIT, status="active", limit=500)
    assert in_unit <= {entry["staff_id"] for entry in roll["items"]}
    shown = interfaces.cli("needs", "--as-of=2025-12-31", f"--unit={UNIT}", monkeypatch=monkeypatch)
    assert shown["pools"] == unit["pools"]
