"""The pages of issue 15 on the demo agency: the quality report shows every split of the 167
attendances (docs/domain.md §3.6) in Vietnamese and English and exports them; the annual report "Kết
quả đào tạo, bồi dưỡng" (§4.1) is a page, a CSV, and an XLSX laid out like the form with the
agency's name, whose cells are the API's figures and say "not recorded" where the ledger holds
nothing, never 0."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from api_fixtures import Api, module_store, running_api, signed_in
from fastapi.testclient import TestClient

from api.pages.session_store import LANG_COOKIE
from ledger.application import Ledger
from ledger.demo import AGENCY, load_demo

IN_SCOPE = ["political_theory", "state_management", "leadership"]
ARTICLE = {"from": "2019-01-01", "to": "2025-12-31", "tracks": IN_SCOPE}
NOT_RECORDED = {"vi": "chưa ghi nhận", "en": "not recorded"}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def demo(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """The demo agency served with its name set for the pages (LEDGER_PAGES_AGENCY_NAME)."""
    with module_store(request.param, tmp_path_factory.mktemp("splits")) as store:
        ledger = Ledger(store)
        try:
            load_demo(ledger)
        finally:
            ledger.close()
        with pytest.MonkeyPatch.context() as env:
            env.setenv("LEDGER_PAGES_AGENCY_NAME", AGENCY)
            with running_api(store, startup_wait_seconds=120) as api:
                assert api.app.state.read_side.read_model.catch_up(120)
                yield api


def reader(api: Api, language: str = "vi") -> TestClient:
    client = signed_in(api, "reader")
    client.cookies.set(LANG_COOKIE, language)
    return client


def table_after(html: str, title: str) -> str:
    found = re.search(re.escape(title) + r"</h3>\s*<table[^>]*>(.*?)</table>", html, re.S)
    assert found is not None, title
    return found.group(1)


def cells(fragment: str) -> list[list[str]]:
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", fragment, re.S)
    return [
        [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", r, re.S)]
        for r in rows
    ]


def line_cells(html: str, key: str) -> list[str]:
    found = re.search(rf'<tr id="line-{key}"[^>]*>.*?</tr>', html, re.S)
    assert found is not None, key
    return cells(found.group(0))[0]


# ------------------------------------------------------------------------------------ the splits


@pytest.mark.parametrize(
    ("language", "title", "rows"),
    [
        ("vi", "Theo chức vụ khi đi học", [["Lãnh đạo cấp cục", "14"], ["Lãnh đạo cấp phòng", "58"]]),
        ("en", "By post on the first day", [["Agency leaders", "14"], ["Division leaders", "58"]]),
        ("vi", "Theo địa điểm", [["Nước ngoài", "2"], ["Trong nước", "165"]]),
        ("en", "By funding", [["Self-funded", "4"], ["Sponsored or project", "5"], ["State budget", "158"]]),
        ("vi", "Theo độ tuổi khi đi học", [["Dưới 35 tuổi (cán bộ trẻ)", "41"]]),
        ("en", "By staff status", [["Current staff", "155"], ["Former staff", "12"]]),
    ],
)
def test_the_quality_report_page_shows_each_split_in_both_languages(
    demo: Api, language: str, title: str, rows: list[list[str]]
) -> None:
    page = reader(demo, language).get("/ui/reports", params=ARTICLE)
    assert page.status_code == 200
    shown = {row[0]: row[1] for row in cells(table_after(page.text, title)) if len(row) > 1}
    for label, attendances in rows:
        assert shown[label] == attendances, (title, label)


def test_the_quality_report_page_shows_the_roll_by_attendances_per_person(demo: Api) -> None:
    page = reader(demo, "en").get("/ui/reports", params=ARTICLE)
    body = cells(table_after(page.text, "Staff on the roll by number of attendances"))
    assert [row for row in body if row[0].isdigit()] == [
        [str(n), str(people)] for n, people in enumerate([9, 10, 13, 13, 7, 4, 3, 2])
    ]


def test_the_quality_reports_csv_carries_the_splits(demo: Api) -> None:
    response = reader(demo, "vi").get("/ui/reports", params={**ARTICLE, "format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    titles = [row[0] for row in rows if len(row) == 1]
    expected = {"Theo nguồn kinh phí", "Theo chức vụ khi đi học", "Theo chương trình (mã khóa học)"}
    assert expected <= set(titles)
    assert ["Lãnh đạo cấp cục", "14", "4"] in rows
    assert ["LLCT-TC", "10", "10", "8", "2", "0", "0"] in rows


def test_the_quality_reports_xlsx_has_a_sheet_per_split(demo: Api) -> None:
    response = reader(demo, "en").get("/ui/reports", params={**ARTICLE, "format": "xlsx"})
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book["By location"]
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert ["Abroad", 2, 2] in values
    assert ["In the country", 165, 57] in values


# ------------------------------------------------------------------------------------ the annual report


def annual_json(api: Api, year: int) -> dict[str, Any]:
    response = api.get("/reports/annual", role="reader", year=str(year))
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_the_annual_page_lays_out_the_form_with_the_agency_and_its_rows(demo: Api) -> None:
    page = reader(demo, "vi").get("/ui/reports/annual", params={"year": "2025"})
    assert page.status_code == 200
    assert "Kết quả đào tạo, bồi dưỡng năm 2025" in page.text
    assert AGENCY in page.text
    row = line_cells(page.text, "leadership_short")
    line = next(x for x in annual_json(demo, 2025)["lines"] if x["key"] == "leadership_short")
    assert row[0] == "Lãnh đạo, quản lý: Bồi dưỡng ngắn hạn, kỹ năng"
    assert row[1] == NOT_RECORDED["vi"]  # số lớp
    assert row[2] == str(line["attendances"]) == "10"


def test_the_annual_page_in_english_says_not_recorded(demo: Api) -> None:
    page = reader(demo, "en").get("/ui/reports/annual", params={"year": "2019"})
    assert "Training results of the year 2019" in page.text
    ethnic = line_cells(page.text, "ethnic_language")
    assert ethnic[0] == "Ethnic minority languages"
    assert set(ethnic[1:-1]) == {NOT_RECORDED["en"]}


@pytest.mark.parametrize("year", [2019, 2025])
def test_the_annual_xlsx_is_laid_out_like_the_form_with_the_apis_figures(demo: Api, year: int) -> None:
    response = reader(demo, "vi").get("/ui/reports/annual", params={"year": str(year), "format": "xlsx"})
    assert response.status_code == 200
    assert f"ket-qua-dao-tao-boi-duong-{year}.xlsx" in response.headers["content-disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value == AGENCY
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in [c.value for c in sheet[1]]
    assert sheet["A4"].value == f"KẾT QUẢ ĐÀO TẠO, BỒI DƯỠNG NĂM {year}"
    assert re.fullmatch(r"Ngày lập: \d\d/\d\d/\d{4}", sheet["A5"].value)
    assert sheet["A7"].value == "Nội dung"
    assert sheet["C7"].value == "Số lượt"
    assert sheet["C8"].value == "Tổng"
    assert [sheet.cell(row=9, column=n).value for n in (1, 19)] == ["(1)", "(19)"]
    by_label = {sheet.cell(row=r, column=1).value: r for r in range(10, sheet.max_row + 1)}
    for line in annual_json(demo, year)["lines"]:
        if not line["recorded"] or line["key"] in ("total",) or line["key"].startswith("section_"):
            continue
        r = by_label[next(k for k in by_label if k and k.endswith(line["label"]["vi"]))]
        assert sheet.cell(row=r, column=2).value == NOT_RECORDED["vi"]  # số lớp, never 0
        assert sheet.cell(row=r, column=3).value == line["attendances"], line["key"]
        assert sheet.cell(row=r, column=4).value == line["female"], line["key"]
        assert sheet.cell(row=r, column=5).value == NOT_RECORDED["vi"]  # dân tộc thiểu số
        assert sheet.cell(row=r, column=6).value == NOT_RECORDED["vi"]  # đảng viên
        assert sheet.cell(row=r, column=10).value == NOT_RECORDED["vi"]  # viên chức
        assert sheet.cell(row=r, column=12).value == line["persons"], line["key"]
        budget = line["funding"]["state_budget"]
        cell = sheet.cell(row=r, column=16).value
        assert (cell is None) if budget is None else Decimal(str(cell)) == Decimal(budget), line["key"]
    total = by_label["Tổng cộng"]
    assert sheet.cell(row=total, column=3).value == next(
        x["attendances"] for x in annual_json(demo, year)["lines"] if x["key"] == "total"
    )


def test_the_annual_csv_flattens_the_form_and_marks_what_is_not_recorded(demo: Api) -> None:
    response = reader(demo, "en").get("/ui/reports/annual", params={"year": "2025", "format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header = next(row for row in rows if row and row[0] == "Content")
    assert "Attendances: Women" in header
    master = next(row for row in rows if row and row[0] == "Master")
    assert master[header.index("Attendances: Total")] == "0"
    assert master[header.index("Attendances: Party members")] == NOT_RECORDED["en"]
