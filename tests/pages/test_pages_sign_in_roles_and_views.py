"""The auditor's workbench over HTTP (no browser): sign-in and sessions, what each role may see,
and the pages. The real app with its real lifespan, on SQLite and PostgreSQL; one small agency per
store for the module (pages only read, so tests share it)."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from api_fixtures import form_token, sign_in
from workbench_fixtures import HR, Site, populated_site

from api.pages.session_store import SESSION_COOKIE, SessionStore


def logout_token(page: httpx.Response) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found is not None
    return found.group(1)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    with populated_site(request.param, tmp_path_factory.mktemp("pages")) as populated:
        yield populated


# ------------------------------------------------------------------ sign-in


def test_a_page_without_a_session_sends_the_browser_to_sign_in(site: Site) -> None:
    response = site.client().get("/ui/staff/CB-AN?as_of=2020-01-01")
    assert response.status_code == 303
    assert response.headers["location"] == "/ui/login?next=%2Fui%2Fstaff%2FCB-AN%3Fas_of%3D2020-01-01"


def test_signing_in_sets_an_http_only_same_site_session_cookie(site: Site) -> None:
    client = site.client()
    response = sign_in(client, site.api.tokens["auditor"], "/ui/reports")
    assert response.status_code == 303
    assert response.headers["location"] == "/ui/reports"
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE))
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Path=/ui" in cookie
    assert "Max-Age=28800" in cookie
    assert client.get("/ui/reports").status_code == 200


def test_signing_in_without_the_form_token_is_refused(site: Site) -> None:
    client = site.client()
    form_token(client)
    response = client.post("/ui/login", data={"token": site.api.tokens["auditor"], "form_token": "forged"})
    assert response.status_code == 403
    assert SESSION_COOKIE not in response.cookies
    assert client.get("/ui/staff").status_code == 303


def test_signing_in_from_another_site_is_refused(site: Site) -> None:
    response = sign_in(site.client(), site.api.tokens["auditor"], Origin="https://evil.example")
    assert response.status_code == 403
    assert SESSION_COOKIE not in response.cookies


def test_an_unknown_key_cannot_sign_in(site: Site) -> None:
    response = sign_in(site.client(), "lgr_not-a-key")
    assert response.status_code == 401
    assert "Khóa không đúng hoặc đã bị thu hồi." in response.text
    assert SESSION_COOKIE not in response.cookies


def test_signing_in_never_sends_the_browser_off_site(site: Site) -> None:
    for target in ("//evil.example/x", "https://evil.example", "/docs", "/ui\\evil"):
        response = sign_in(site.client(), site.api.tokens["reader"], target)
        assert response.headers["location"] == "/ui/staff"


def test_signing_out_ends_the_session_for_good(site: Site) -> None:
    client = site.signed_in("auditor")
    page = client.get("/ui/staff")
    cookie = client.cookies[SESSION_COOKIE]
    response = client.post("/ui/logout", data={"csrf": logout_token(page)})
    assert response.status_code == 303
    assert response.headers["location"] == "/ui/login?notice=out"
    replay = site.client()
    replay.cookies.set(SESSION_COOKIE, cookie)
    assert replay.get("/ui/staff").status_code == 303


def test_signing_out_needs_the_session_s_own_token(site: Site) -> None:
    client = site.signed_in("auditor")
    response = client.post("/ui/logout", data={"csrf": "forged"})
    assert response.status_code == 403
    assert client.get("/ui/staff").status_code == 200


def test_rotating_a_key_ends_the_sessions_it_opened(site: Site) -> None:
    keys = site.api.app.state.keys
    name = f"tam-thoi-{datetime.now(UTC).timestamp():.0f}-{id(site)}"
    token = keys.add(name, "auditor")
    client = site.client()
    assert sign_in(client, token).status_code == 303
    assert client.get("/ui/staff").status_code == 200
    keys.rotate(name)
    assert client.get("/ui/staff").status_code == 303


def test_a_session_expires(site: Site) -> None:
    sessions = SessionStore(site.api.app.state.services.db, lifetime=timedelta(hours=1))
    opened = sessions.open(site.api.tokens["reader"])
    assert opened is not None
    session_id, session = opened
    assert sessions.get(session_id) is not None
    assert sessions.get(session_id, now=session.expires_at + timedelta(seconds=1)) is None
    assert sessions.get(session_id) is None  # an expired session is gone


# ------------------------------------------------------------------ roles


def test_a_reader_sees_the_standing_but_no_timeline_and_no_trail_links(site: Site) -> None:
    page = site.signed_in("reader").get("/ui/staff/CB-AN")
    assert page.status_code == 200
    assert "Thạc sĩ" in page.text
    assert 'id="timeline"' not in page.text
    assert "/credentials/" not in page.text
    assert "Khóa của bạn chỉ được xem tình trạng hồ sơ" in page.text


def test_a_reader_cannot_open_a_trail(site: Site) -> None:
    page = site.signed_in("reader").get(f"/ui/staff/CB-AN/credentials/{site.agency.an_master}")
    assert page.status_code == 403
    assert "he-thong-bao-cao" in page.text
    assert "Thạc sĩ Quản lý kinh tế" not in page.text


def test_a_reader_cannot_open_the_anomaly_report(site: Site) -> None:
    client = site.signed_in("reader")
    assert client.get("/ui/reports/anomalies").status_code == 403
    assert client.get("/ui/reports/anomalies?format=csv").status_code == 403
    assert 'href="/ui/reports/anomalies"' not in client.get("/ui/staff").text


def test_a_reader_sees_the_aggregate_reports(site: Site) -> None:
    client = site.signed_in("reader")
    for path in ("/ui/reports", "/ui/reports/needs", "/ui/reports/effectiveness"):
        assert client.get(path).status_code == 200, path


# ------------------------------------------------------------------ pages


def test_the_directory_search_ignores_diacritics(site: Site) -> None:
    page = site.signed_in("reader").get("/ui/staff", params={"q": "nguyen van"})
    assert "Nguyễn Văn An" in page.text
    assert "Trần Thị Bích Ngọc" not in page.text


def test_the_directory_filters_by_unit_status_gender_and_level(site: Site) -> None:
    client = site.signed_in("reader")

    def names(**params: str) -> set[str]:
        text = client.get("/ui/staff", params=params).text
        return set(re.findall(r'<a href="/ui/staff/[^"]+">([^<]+)</a>', text))

    assert names(unit="Phòng Nghiệp vụ 1") == {"Nguyễn Văn An", "Trần Thị Bích Ngọc"}
    assert names(status="departed") == {"Lê Văn Bình"}
    assert names(gender="female") == {"Trần Thị Bích Ngọc"}
    assert names(level="professional:master") == {"Nguyễn Văn An"}
    assert names(level="political_theory:") == {"Trần Thị Bích Ngọc"}


def test_moving_the_as_of_date_back_changes_the_standing(site: Site) -> None:
    client = site.signed_in("auditor")
    now = client.get("/ui/staff/CB-AN")
    before = client.get("/ui/staff/CB-AN", params={"as_of": "2022-12-31"})
    level = re.compile(r'<tr data-track="professional">.*?<td class="level"><strong>([^<]+)</strong>', re.S)
    assert level.search(now.text).group(1) == "Thạc sĩ"  # type: ignore[union-attr]
    assert level.search(before.text).group(1) == "Đại học"  # type: ignore[union-attr]
    assert "Hồ sơ tính đến ngày 31/12/2022" in before.text
    assert 'class="ev kind-Completed later"' in before.text  # the 2023 completion, greyed


def test_the_record_as_the_ledger_knew_it_at_a_past_moment(site: Site) -> None:
    page = site.signed_in("auditor").get("/ui/staff/CB-AN", params={"known_at": "2023-07-01T12:00"})
    assert page.status_code == 200
    assert "theo hiểu biết của sổ lúc 01/07/2023 12:00" in page.text
    assert '<td class="level"><strong>Thạc sĩ' not in page.text


def test_the_timeline_shows_who_recorded_each_event_and_strikes_voided_ones(site: Site) -> None:
    page = site.signed_in("auditor").get("/ui/staff/CB-AN")
    voided = re.search(r'<li class="ev kind-Enrolled voided"[^>]*>(.*?)</li>', page.text, re.S)
    assert voided is not None
    assert "Bồi dưỡng ngạch chuyên viên chính" in voided.group(1)
    assert "Nhập trùng quyết định 77/QĐ-CT" in voided.group(1)
    assert "Ghi sổ 08/03/2022 10:00" in voided.group(1)
    assert f'<span class="by">{HR}</span>' in voided.group(1)
    assert "kind-Corrected" in page.text


def test_a_trail_shows_its_steps_evidence_flags_and_a_verified_chain(site: Site) -> None:
    page = site.signed_in("auditor").get(f"/ui/staff/CB-AN/credentials/{site.agency.an_master}")
    assert page.status_code == 200
    roles = re.findall(r'data-role="([a-z]+)"', page.text)
    assert roles == ["registration", "enrollment", "completion"]
    assert "QĐ 501/QĐ-CT" in page.text
    assert "TS23.456" in page.text
    assert re.search(r'id="chain-verdict">✔ Đã xác minh', page.text)
    assert 'data-code="not_evaluated_after_training"' in page.text


def test_a_recognized_credential_shows_its_document_and_checker(site: Site) -> None:
    page = site.signed_in("auditor").get(f"/ui/staff/CB-AN/credentials/{site.agency.an_bachelor}")
    assert "Bản sao bằng B08.123" in page.text
    assert "Mai Thùy Chi" in page.text
    assert re.findall(r'data-role="([a-z]+)"', page.text) == ["registration", "recognition"]


def test_the_pages_are_vietnamese_by_default_and_english_when_asked(site: Site) -> None:
    client = site.signed_in("auditor")
    assert "Danh sách cán bộ" in client.get("/ui/staff").text
    english = client.get("/ui/staff", params={"lang": "en"})
    assert "Staff directory" in english.text
    assert '<html lang="en">' in english.text
    assert "Staff directory" in client.get("/ui/staff").text  # remembered in a cookie
    switched = client.get("/ui/lang/vi", params={"next": "/ui/reports"})
    assert switched.headers["location"] == "/ui/reports"
    assert "Báo cáo chất lượng" in client.get("/ui/reports").text


def test_the_language_switch_never_sends_the_browser_off_site(site: Site) -> None:
    response = site.client().get("/ui/lang/en", params={"next": "https://evil.example"})
    assert response.headers["location"] == "/ui/staff"


def test_the_article_report_counts_qualifications_and_attendances(site: Site) -> None:
    page = site.signed_in("reader").get("/ui/reports", params={"as_of": "2023-12-31", "from": "2019-01-01"})
    assert re.search(r'id="headcount">2<', page.text)  # Bình left in 2021
    assert re.search(r'id="attendances">4<', page.text)  # An's duplicate enrollment was voided
    assert re.search(r'id="persons">3<', page.text)
    assert "<svg" in page.text


def test_attendance_of_a_unit_counts_courses_by_the_unit_at_their_start(site: Site) -> None:
    client = site.signed_in("reader")
    tc = client.get("/ui/reports", params={"unit": "Phòng Tổ chức", "from": "2019-01-01", "to": "2025-12-31"})
    nv1 = client.get(
        "/ui/reports", params={"unit": "Phòng Nghiệp vụ 1", "from": "2019-01-01", "to": "2025-12-31"}
    )
    assert re.search(r'id="attendances">2<', tc.text)  # Ngọc 2021, Bình 2020
    assert re.search(r'id="attendances">2<', nv1.text)  # An's master, Ngọc 2023 (An's duplicate voided)


def test_the_attendance_of_a_unit_on_the_page_is_the_apis_answer(site: Site) -> None:
    client = site.signed_in("reader")
    params = {"unit": "Phòng Nghiệp vụ 1", "from": "2019-01-01", "to": "2025-12-31"}
    page = client.get("/ui/reports", params=params)
    api = site.api.get("/reports/attendance", role="reader", **params)
    assert api.status_code == 200
    assert api.json()["unit"] == "Phòng Nghiệp vụ 1"
    assert re.search(rf'id="attendances">{api.json()["attendances"]}<', page.text)
    assert re.search(rf'id="persons">{api.json()["persons"]}<', page.text)


def test_the_needs_effectiveness_and_anomaly_reports_render(site: Site) -> None:
    client = site.signed_in("auditor")
    assert "Nhu cầu đào tạo theo tiêu chuẩn chức danh" in client.get("/ui/reports/needs").text
    assert "Thạc sĩ Quản lý kinh tế" in client.get("/ui/reports/effectiveness").text
    anomalies = client.get("/ui/reports/anomalies")
    assert "Sự kiện đã bị hủy" in anomalies.text
    assert "Nhập trùng quyết định 77/QĐ-CT" in anomalies.text


def test_the_dossier_lists_the_training_of_the_personnel_file(site: Site) -> None:
    page = site.signed_in("reader").get("/ui/staff/CB-AN/dossier")
    assert "Phiếu 2C" in page.text
    rows = re.findall(r"<tr><td>([^<]*)</td><td>([^<]*)</td>", page.text)
    assert rows == [
        ("Đại học Kinh tế Quốc dân", "Cử nhân Kinh tế"),
        ("Học viện Tài chính", "Thạc sĩ Quản lý kinh tế"),
    ]
    assert "09/2021 – 06/2023" in page.text


def test_the_dossier_downloads_as_a_pdf_with_vietnamese_text(site: Site) -> None:
    pypdf = pytest.importorskip("pypdf")
    response = site.signed_in("reader").get("/ui/staff/CB-AN/dossier", params={"format": "pdf"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(response.content)).pages)
    assert "Nguyễn Văn An" in text
    assert "Thạc sĩ Quản lý kinh tế" in text
