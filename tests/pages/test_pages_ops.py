"""The pages of issue 14's operations part, over HTTP (no browser): the operator's page, the
directory's search, count, sorting and paging, reports as known at a moment, the dossier PDF in
the Phiếu 2C layout, and the polish of the exports. The real app on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

import httpx
import openpyxl  # type: ignore[import-untyped]
import pytest
from api_fixtures import Api, running_api
from fastapi.testclient import TestClient

from api.pages.exports import Report, Table, to_xlsx
from api.pages.i18n import Translator
from ledger.standards.rules import default_rules_text
from ledger.store.config import StoreConfig
from ledger.store.proofs import sign_checkpoint


@dataclass
class Site:
    api: Api

    def signed_in(self, role: str) -> TestClient:
        client = TestClient(self.api.app, follow_redirects=False)
        login = client.get("/ui/login")
        found = re.search(r'name="form_token" value="([^"]+)"', login.text)
        assert found is not None
        response = client.post(
            "/ui/login",
            data={"token": self.api.tokens[role], "form_token": found.group(1), "next": "/ui/staff"},
        )
        assert response.status_code == 303, response.text
        return client


@pytest.fixture
def site(store: StoreConfig) -> Iterator[Site]:
    with running_api(store) as api:
        yield Site(api)


@pytest.fixture
def stopped_site(store: StoreConfig) -> Iterator[Site]:
    """A site whose projection engine is stopped (writes do not wait for it)."""
    with running_api(store, read_your_writes_timeout=0) as api:
        api.app.state.services.engine.stop()
        yield Site(api)


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def cells(page: httpx.Response, table_id: str) -> list[list[str]]:
    """The text of each body row of a table of the page."""
    body = page.text.split(f'id="{table_id}"', 1)[1].split("</tbody>", 1)[0].split("<tbody>", 1)[1]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    return [[text_of(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)] for row in rows]


# ------------------------------------------------------------------ the operator's page


def test_the_operator_page_shows_each_view_with_its_position_and_lag(site: Site) -> None:
    site.api.register()
    assert site.api.app.state.services.read_model.catch_up(30)
    page = site.signed_in("auditor").get("/ui/operations")
    assert page.status_code == 200
    assert "Tình trạng vận hành" in page.text
    rows = {row[0].split()[-1]: row for row in cells(page, "views")}
    assert set(rows) == {"anomalies", "credentials", "findings", "standing", "statistics"}
    assert rows["standing"][2] == "1"  # the applied position
    assert rows["standing"][3] == "0"  # lag in events
    assert 'id="checkpoint">ledger-checkpoint-v1:1:' in page.text


def test_the_operator_page_shows_a_stopped_engines_lag(stopped_site: Site) -> None:
    stopped_site.api.register()
    stopped_site.api.register()
    page = stopped_site.signed_in("auditor").get("/ui/operations", params={"lang": "en"})
    rows = {row[0].split()[-1]: row for row in cells(page, "views")}
    assert rows["standing"][3] == "2"
    assert 'id="head">2<' in page.text


def test_the_operator_page_shows_the_latest_signed_checkpoint(site: Site) -> None:
    site.api.register()
    signed = sign_checkpoint(site.api.app.state.ledger.chained_recorder)
    page = site.signed_in("auditor").get("/ui/operations", params={"lang": "en"})
    shown = re.search(r'id="signed-checkpoint">(.*?)</dd>', page.text, re.S)
    assert shown is not None
    assert f"<code>{signed.size}</code>" in shown.group(1)
    assert f"<code>{signed.root}</code>" in shown.group(1)


def test_a_reader_cannot_open_the_operator_page(site: Site) -> None:
    assert site.signed_in("reader").get("/ui/operations").status_code == 403


def test_the_operator_page_is_in_english_when_asked(site: Site) -> None:
    page = site.signed_in("auditor").get("/ui/operations", params={"lang": "en"})
    assert "Service operations" in page.text
    assert "Standings and directory" in page.text


# ------------------------------------------------------------------ reports as submitted


def headcount(page: httpx.Response) -> int:
    found = re.search(r'id="headcount">(\d+)<', page.text)
    assert found is not None, page.text
    return int(found.group(1))


def attendances(page: httpx.Response) -> int:
    found = re.search(r'id="attendances">(\d+)<', page.text)
    assert found is not None, page.text
    return int(found.group(1))


def test_the_quality_report_as_known_at_a_moment_leaves_out_what_was_recorded_later(site: Site) -> None:
    site.api.register()
    submitted = datetime.now(UTC)
    site.api.register()
    client = site.signed_in("reader")
    assert headcount(client.get("/ui/reports")) == 2
    then = client.get("/ui/reports", params={"known_at": submitted.isoformat()})
    assert headcount(then) == 1
    assert 'id="known-at"' in then.text


def test_the_quality_report_of_a_unit_as_known_at_a_moment_counts_attendances_known_then(
    site: Site,
) -> None:
    unit = "Phòng Tổ chức cán bộ"
    staff_id = site.api.register(unit=unit)
    site.api.enroll(staff_id)
    submitted = datetime.now(UTC)
    site.api.enroll(staff_id, course_code="K2", starts_on="2021-03-01", ends_on="2021-06-30")
    client = site.signed_in("reader")
    now = client.get("/ui/reports", params={"unit": unit, "from": "2020-01-01"})
    then = client.get(
        "/ui/reports", params={"unit": unit, "from": "2020-01-01", "known_at": submitted.isoformat()}
    )
    assert attendances(now) == 2
    assert attendances(then) == 1


def test_the_needs_report_as_known_at_a_moment_checks_the_people_known_then(site: Site) -> None:
    site.api.register(position="Chuyên viên")
    submitted = datetime.now(UTC)
    site.api.register(position="Chuyên viên")
    client = site.signed_in("reader")
    checked = re.compile(r'<span class="n">(\d+)</span><span>Số người được xét<')

    def people(**params: str) -> str:
        found = checked.search(client.get("/ui/reports/needs", params=params).text)
        assert found is not None
        return found.group(1)

    assert people() == "2"
    assert people(known_at=submitted.isoformat()) == "1"


def test_a_report_export_names_the_moment_it_was_known_at(site: Site) -> None:
    site.api.register()
    moment = datetime(2026, 1, 2, 3, 4, tzinfo=UTC)
    export = site.signed_in("reader").get(
        "/ui/reports", params={"known_at": moment.isoformat(), "format": "csv"}
    )
    assert export.status_code == 200
    assert "Theo hiểu biết của sổ lúc" in export.text
    assert "02/01/2026 10:04" in export.text


# ------------------------------------------------------------------ polish


def test_an_xlsx_sheet_name_is_cut_at_a_word_boundary_never_mid_word() -> None:
    title = "Đào tạo, bồi dưỡng về chuyên môn, nghiệp vụ, lý luận chính trị"
    report = Report("Phiếu 2C", "x", [], [Table(title, ["A"], [[1]]), Table(title, ["A"], [[2]])])
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx(report, UTC)))
    first, second = book.sheetnames
    assert first == "Đào tạo, bồi dưỡng về chuyên"
    assert second == "Đào tạo, bồi dưỡng về (2)"
    for name in (first, second):
        assert len(name) <= 31
        words = title.replace(",", "").split()
        assert all(word in words or word == "(2)" for word in name.replace(",", "").split())


def test_an_xlsx_export_stores_counts_as_numbers(site: Site) -> None:
    site.api.register()
    export = site.signed_in("reader").get("/ui/reports", params={"format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).worksheets[0]
    by_label = {row[0].value: row[1].value for row in sheet.iter_rows(max_col=2) if row[0].value}
    assert by_label["Tổng số cán bộ"] == 1


def test_a_score_is_written_with_a_decimal_comma_in_the_vietnamese_view(site: Site) -> None:
    staff_id = site.api.register()
    enrollment = site.api.enroll(staff_id)
    done = site.api.post(
        f"/staff/{staff_id}/enrollments/{enrollment}/completion",
        {"completed_on": "2020-09-25", "outcome": "passed", "score": "8.5"},
    )
    assert done.status_code == 201, done.text
    client = site.signed_in("auditor")
    assert "điểm 8,5" in client.get(f"/ui/staff/{staff_id}").text
    assert "score 8.5" in client.get(f"/ui/staff/{staff_id}", params={"lang": "en"}).text


def test_legal_bases_show_their_provenance_in_words_of_the_language() -> None:
    text = "Nghị định 29/2024/NĐ-CP, Điều 6 [S]; thời hạn bổ sung sau bổ nhiệm [P]"
    assert Translator("vi").legal_basis(text) == (
        "Nghị định 29/2024/NĐ-CP, Điều 6; thời hạn bổ sung sau bổ nhiệm (đề xuất)"
    )
    checked = Translator("en").legal_basis("Thông tư 02/2021/TT-BNV [K]")
    assert checked == "Thông tư 02/2021/TT-BNV (to be checked)"


def test_the_shipped_rules_have_no_english_in_their_legal_bases() -> None:
    english = re.compile(r"\b(the|of|for|as|to|row|level|grace|period|sends|weak|verify|whether)\b")
    bases = re.findall(r'^legal_basis = "(.*)"$', default_rules_text(), re.MULTILINE)
    assert len(bases) > 20
    for basis in bases:
        assert not english.search(basis), basis


def test_the_needs_page_names_the_rule_set_by_its_title_not_its_id(site: Site) -> None:
    site.api.register(position="Trưởng phòng")
    page = site.signed_in("reader").get("/ui/reports/needs")
    intro = text_of(page.text.split('<p class="muted">', 1)[1].split("</p>", 1)[0])
    assert "Tiêu chuẩn chức danh lãnh đạo" in intro
    assert "vn-cuc-tong-cuc@" not in intro
    assert "[P]" not in page.text
    assert "[S]" not in page.text


def test_the_sign_in_text_shows_the_command_as_code_without_backticks(site: Site) -> None:
    page = TestClient(site.api.app).get("/ui/login")
    assert "`" not in page.text
    assert "<code>ledger keys add</code>" in page.text


def test_an_xlsx_export_stores_decimals_as_numbers_the_spreadsheet_formats_by_its_locale() -> None:
    report = Report("Hiệu quả", "x", [], [Table("Hiệu quả", ["Điểm"], [[Decimal("7.5")]])])
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx(report, UTC))).worksheets[0]
    cell = next(c for row in sheet.iter_rows() for c in row if c.value == 7.5)
    assert cell.data_type == "n"
    assert cell.number_format == "#,##0.00"


def test_the_attendance_figure_has_no_vietnamese_word_in_the_english_view(site: Site) -> None:
    page = site.signed_in("reader").get("/ui/reports", params={"lang": "en"})
    figure = page.text.split('id="attendances">', 1)[1].split("</div>", 1)[0]
    assert text_of(figure).endswith("Attendances")
