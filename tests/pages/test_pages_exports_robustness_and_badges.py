"""The auditor's workbench over HTTP (no browser): the exports, robustness against odd requests,
the chain check of a tampered store, dates as the agency types them, and badge downloads. The real
app with its real lifespan, on SQLite and PostgreSQL; one small agency per store for the module,
a store of its own for tampering."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

import openpyxl  # type: ignore[import-untyped]
import pytest
from api_fixtures import running_api, sign_in
from fastapi.testclient import TestClient
from integrity_helpers import Forger
from workbench_fixtures import Site, populate, populated_site

from ledger.store.config import StoreConfig


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    with populated_site(request.param, tmp_path_factory.mktemp("pages")) as populated:
        yield populated


# ------------------------------------------------------------------ exports


def test_the_directory_exports_as_csv_with_vietnamese_headers_and_the_filters(site: Site) -> None:
    response = site.signed_in("reader").get("/ui/staff", params={"q": "nguyen", "format": "csv"})
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["content-disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Danh sách cán bộ"]
    assert rows[1][0] == "Điều kiện lọc"
    assert "nguyen" in rows[1][1]
    header = rows.index(next(r for r in rows if r and r[0] == "STT"))
    assert rows[header][:4] == ["STT", "Mã cán bộ", "Họ và tên", "Giới tính"]
    assert [r[2] for r in rows[header + 1 :]] == ["Nguyễn Văn An"]


def test_the_article_report_exports_as_xlsx_with_the_header_block(site: Site) -> None:
    response = site.signed_in("reader").get(
        "/ui/reports", params={"as_of": "2023-12-31", "unit": "Phòng Nghiệp vụ 1", "format": "xlsx"}
    )
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book[book.sheetnames[0]]
    cells = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert cells[0][0] == "Báo cáo chất lượng đội ngũ và kết quả đào tạo"
    labels = {row[0]: row[1] for row in cells[1:8] if row and row[0]}
    assert labels["Tổng số cán bộ"] == 2  # a number, not text
    assert "Đơn vị: Phòng Nghiệp vụ 1" in labels["Điều kiện lọc"]
    assert labels["Tính đến ngày"] == "31/12/2023"
    assert "Lập lúc" in labels
    data = [row for row in cells if row and row[0] == "Trình độ chuyên môn" and row[1] == "Thạc sĩ"]
    assert data == [["Trình độ chuyên môn", "Thạc sĩ", 1, 0]]


@pytest.mark.parametrize(
    "path",
    [
        "/ui/reports",
        "/ui/reports/needs",
        "/ui/reports/effectiveness",
        "/ui/reports/anomalies",
        "/ui/staff",
        "/ui/staff/CB-AN/dossier",
    ],
)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_every_report_downloads_in_both_formats(site: Site, path: str, fmt: str) -> None:
    response = site.signed_in("auditor").get(path, params={"format": fmt})
    assert response.status_code == 200, response.text
    assert (
        response.headers["content-disposition"].endswith(f'.{fmt}"')
        or f".{fmt}" in response.headers["content-disposition"]
    )
    if fmt == "csv":
        first = next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert first[0]
    else:
        book = openpyxl.load_workbook(io.BytesIO(response.content))
        assert book[book.sheetnames[0]].cell(row=2, column=1).value in (
            "Điều kiện lọc",
            "Họ và tên",
            "Tổng số cán bộ",
        )


# ------------------------------------------------------------------ robustness


def test_bad_query_values_give_a_page_that_says_what_was_wrong(site: Site) -> None:
    client = site.signed_in("auditor")
    page = client.get("/ui/staff/CB-AN", params={"as_of": "12/31/2022"})
    assert page.status_code == 200
    assert "Ngày không hợp lệ (viết dạng dd/mm/yyyy): 12/31/2022" in page.text
    assert client.get("/ui/staff", params={"level": "professional:general"}).status_code == 200
    numbered = client.get("/ui/staff", params={"page": "garbage"})
    assert numbered.status_code == 200
    assert "garbage" in numbered.text
    assert client.get("/ui/reports", params={"from": "2024-01-01", "to": "2023-01-01"}).status_code == 200


def test_unknown_staff_and_credentials_are_not_found_pages(site: Site) -> None:
    client = site.signed_in("auditor")
    missing = client.get("/ui/staff/CB-NOBODY")
    assert missing.status_code == 404
    assert "Không có cán bộ mã CB-NOBODY." in missing.text
    assert client.get("/ui/staff/CB-AN/credentials/NOPE").status_code == 404


def test_pages_send_security_headers(site: Site) -> None:
    page = site.signed_in("reader").get("/ui/staff")
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["cache-control"] == "no-store"


def test_the_pages_are_not_part_of_the_api_document(site: Site) -> None:
    paths = site.api.client.get("/openapi.json").json()["paths"]
    assert not [p for p in paths if p.startswith("/ui")]


def test_the_stylesheet_is_served_without_a_session(site: Site) -> None:
    response = site.client().get("/ui/static/pages.css")
    assert response.status_code == 200
    assert "--brand" in response.text


def test_the_api_still_wants_its_bearer_key(site: Site) -> None:
    client = site.signed_in("registrar")
    assert client.get("/staff/CB-AN").status_code == 401  # a page session is not an API key


# ------------------------------------------------------------------ tampering


def test_the_chain_check_of_a_trail_shows_a_tampered_record_as_broken(
    store: StoreConfig, tmp_path: Path
) -> None:
    with running_api(store) as api:
        ledger = api.app.state.ledger
        agency, position = populate(ledger)
        assert api.app.state.read_side.wait_for(position)
        client = TestClient(api.app, follow_redirects=False)
        assert sign_in(client, api.tokens["auditor"]).status_code == 303
        path = f"/ui/staff/CB-AN/credentials/{agency.an_master}"
        assert "✔ Đã xác minh" in client.get(path).text
        forger = Forger(ledger)
        try:
            target = ledger.chained_recorder.positions_of(ledger.get_member("CB-AN").id)[3]
            forger.edit_state(
                target, lambda state: state.replace("Học viện Tài chính".encode(), b"Hoc vien X")
            )
        finally:
            forger.close()
        page = client.get(path)
        assert page.status_code == 200
        assert "✘ Chuỗi băm bị phá vỡ" in page.text
        assert "version 3 does not match its hash" in page.text


# ------------------------------------------------------------------ dates as typed in the agency


def test_a_report_page_reads_its_date_as_dd_mm_yyyy_and_shows_it_so(site: Site) -> None:
    client = site.signed_in("auditor")
    typed = client.get("/ui/reports?as_of=31/12/2020")
    iso = client.get("/ui/reports?as_of=2020-12-31")
    assert typed.status_code == iso.status_code == 200
    assert 'name="as_of" value="31/12/2020"' in typed.text
    assert 'type="date"' not in typed.text
    assert _figures(typed.text) == _figures(iso.text)


def test_a_person_page_reads_known_at_as_dd_mm_yyyy_hh_mm_in_agency_time(site: Site) -> None:
    client = site.signed_in("auditor")
    page = client.get("/ui/staff/CB-AN?known_at=05/03/2024 08:30")
    assert page.status_code == 200
    assert 'name="known_at" value="05/03/2024 08:30"' in page.text
    assert 'type="datetime-local"' not in page.text


def test_a_date_that_is_not_a_day_is_named_on_the_page(site: Site) -> None:
    page = site.signed_in("auditor").get("/ui/reports?as_of=31/02/2020")
    assert page.status_code == 200
    alert = '<p class="alert" role="alert">Ngày không hợp lệ (viết dạng dd/mm/yyyy): 31/02/2020</p>'
    assert alert in page.text


def _figures(html: str) -> list[str]:
    """The report's numbers (table cells), without the form that echoes the request."""
    return re.findall(r"<td[^>]*>([0-9][0-9.,]*)</td>", html)


# ------------------------------------------------------------------ badge download (issue 13)


def test_the_provenance_page_offers_the_badge_in_vietnamese_and_english(site: Site) -> None:
    client = site.signed_in("auditor")
    path = f"/ui/staff/CB-AN/credentials/{site.agency.an_master}"
    assert "Tải chứng chỉ số (Open Badges 3.0)" in client.get(path).text
    english = client.get(path, params={"lang": "en"})
    assert "Download the badge (Open Badges 3.0)" in english.text
    assert f'{path}/badge"' in english.text


def test_the_badge_button_downloads_a_signed_badge_that_verifies_offline(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from ledger.store.badge_verify import main as verify_credential

    response = site.signed_in("auditor").get(f"/ui/staff/CB-AN/credentials/{site.agency.an_master}/badge")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/vc+jwt")
    (tmp_path / "badge.jwt").write_text(response.text, encoding="utf-8")
    keys = site.client().get("/.well-known/ledger-keys.json").text
    (tmp_path / "ledger-keys.json").write_text(keys, encoding="utf-8")
    assert verify_credential([str(tmp_path / "badge.jwt")]) == 0, capsys.readouterr().out
