"""The auditor's workbench over HTTP (no browser): sign-in and sessions, roles, the pages, exports,
the chain check. The real app with its real lifespan, on SQLite and PostgreSQL; one small agency
per store for the module (pages only read, so tests share it), a store of its own for tampering."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import openpyxl  # type: ignore[import-untyped]
import pytest
from api_fixtures import Api, form_token, module_store, running_api, sign_in
from fastapi.testclient import TestClient
from integrity_helpers import Forger

from api.pages.session_store import SESSION_COOKIE, SessionStore
from ledger.application import Ledger
from ledger.domain.catalog import Gender, Mode, Outcome, RotationKind, Track
from ledger.domain.record import Evidence
from ledger.service import CredentialDetails
from ledger.store.config import StoreConfig

HR = "phong-tccb"
EPOCH = datetime(2019, 1, 7, 2, 0, tzinfo=UTC)


@dataclass
class Agency:
    """What the module's store holds."""

    an_master: str  # credential of Nguyễn Văn An awarded by a course in 2023
    an_bachelor: str  # recognized at go-live
    an_voided_event: str
    ngoc_state: str  # a credential of Trần Thị Bích Ngọc


def at(day: date, hour: int = 3) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def populate(ledger: Ledger) -> tuple[Agency, int]:
    """Three people: An (NV1; a bachelor recognized at go-live, a master by a course in 2021-23,
    an enrollment voided as a duplicate), Ngọc (Tổ chức, transferred to NV1 in 2022, one course
    before and one after), Bình (left in 2021 after a course in 2020)."""
    register = {
        "recorded_by": HR,
        "birth_date": date(1985, 4, 12),
        "position": "Chuyên viên",
        "rank": "01.003",
    }
    ledger.register(
        staff_id="CB-AN",
        full_name="Nguyễn Văn An",
        gender=Gender.MALE,
        unit="Phòng Nghiệp vụ 1",
        joined_on=date(2010, 9, 1),
        recorded_at=EPOCH,
        **register,
    )
    bachelor = ledger.recognize_credential(
        "CB-AN",
        credential_id="AN-DH",
        track=Track.PROFESSIONAL,
        level="bachelor",
        title="Cử nhân Kinh tế",
        issuer="Đại học Kinh tế Quốc dân",
        issued_on=date(2008, 6, 30),
        number="B08.123",
        evidence=Evidence("Bản sao bằng B08.123", "Mai Thùy Chi"),
        recorded_by=HR,
        recorded_at=EPOCH + timedelta(days=2),
    )
    master = ledger.enroll(
        "CB-AN",
        course_code="THS-QLKT",
        course_title="Thạc sĩ Quản lý kinh tế",
        track=Track.PROFESSIONAL,
        level="master",
        provider="Học viện Tài chính",
        mode=Mode.PART_TIME,
        starts_on=date(2021, 9, 6),
        ends_on=date(2023, 6, 30),
        decision_ref="QĐ 501/QĐ-CT",
        recorded_by=HR,
        recorded_at=at(date(2021, 9, 7)),
    )
    duplicate = ledger.enroll(
        "CB-AN",
        course_code="QLNN-CVC",
        course_title="Bồi dưỡng ngạch chuyên viên chính",
        track=Track.STATE_MANAGEMENT,
        level="principal",
        provider="Học viện Hành chính Quốc gia",
        mode=Mode.FULL_TIME,
        starts_on=date(2022, 3, 7),
        decision_ref="QĐ 77/QĐ-CT",
        recorded_by=HR,
        recorded_at=at(date(2022, 3, 8)),
    )
    ledger.correct(
        "CB-AN",
        event_id=duplicate.event_id,
        reason="Nhập trùng quyết định 77/QĐ-CT",
        recorded_by="to-chuc-2",
        recorded_at=at(date(2022, 3, 10)),
    )
    master_done = ledger.complete(
        "CB-AN",
        master.enrollment_id or "",
        completed_on=date(2023, 6, 30),
        outcome=Outcome.PASSED,
        credential=CredentialDetails(credential_id="AN-THS", number="TS23.456"),
        recorded_by=HR,
        recorded_at=at(date(2023, 7, 5)),
    )
    ledger.register(
        staff_id="CB-NGOC",
        full_name="Trần Thị Bích Ngọc",
        gender=Gender.FEMALE,
        unit="Phòng Tổ chức",
        joined_on=date(2012, 3, 1),
        recorded_at=EPOCH + timedelta(hours=1),
        **register,
    )
    first = ledger.enroll(
        "CB-NGOC",
        course_code="TCLLCT",
        course_title="Trung cấp lý luận chính trị",
        track=Track.POLITICAL_THEORY,
        level="intermediate",
        provider="Trường Chính trị tỉnh",
        mode=Mode.PART_TIME,
        starts_on=date(2021, 2, 1),
        decision_ref="QĐ 10/QĐ-CT",
        recorded_by=HR,
        recorded_at=at(date(2021, 2, 2)),
    )
    state = ledger.complete(
        "CB-NGOC",
        first.enrollment_id or "",
        completed_on=date(2021, 11, 30),
        outcome=Outcome.PASSED,
        credential=CredentialDetails(credential_id="NGOC-TC", number="LL21.9"),
        recorded_by=HR,
        recorded_at=at(date(2021, 12, 2)),
    )
    ledger.rotate(
        "CB-NGOC",
        to_unit="Phòng Nghiệp vụ 1",
        kind=RotationKind.TRANSFER,
        starts_on=date(2022, 1, 3),
        decision_ref="QĐ 2/QĐ-CT",
        recorded_by=HR,
        recorded_at=at(date(2022, 1, 3)),
    )
    ledger.enroll(
        "CB-NGOC",
        course_code="QLNN-CV",
        course_title="Bồi dưỡng ngạch chuyên viên",
        track=Track.STATE_MANAGEMENT,
        level="specialist",
        provider="Học viện Hành chính Quốc gia",
        mode=Mode.FULL_TIME,
        starts_on=date(2023, 4, 3),
        decision_ref="QĐ 40/QĐ-CT",
        recorded_by=HR,
        recorded_at=at(date(2023, 4, 3)),
    )
    ledger.register(
        staff_id="CB-BINH",
        full_name="Lê Văn Bình",
        gender=Gender.MALE,
        unit="Phòng Tổ chức",
        joined_on=date(2005, 1, 1),
        recorded_at=EPOCH + timedelta(hours=2),
        **register,
    )
    ledger.enroll(
        "CB-BINH",
        course_code="QP4",
        course_title="Bồi dưỡng kiến thức quốc phòng",
        track=Track.DEFENSE_SECURITY,
        level="group4",
        provider="Trường Quân sự tỉnh",
        mode=Mode.FULL_TIME,
        starts_on=date(2020, 5, 4),
        decision_ref="QĐ 5/QĐ-CT",
        recorded_by=HR,
        recorded_at=at(date(2020, 5, 4)),
    )
    last = ledger.depart(
        "CB-BINH", on=date(2021, 6, 30), reason="Nghỉ hưu", recorded_by=HR, recorded_at=at(date(2021, 7, 1))
    )
    agency = Agency(
        an_master=master_done.credential_id or "",
        an_bachelor=bachelor.credential_id or "AN-DH",
        an_voided_event=duplicate.event_id,
        ngoc_state=state.credential_id or "",
    )
    return agency, last.position


@dataclass
class Site:
    api: Api
    agency: Agency

    def client(self) -> TestClient:
        return TestClient(self.api.app, follow_redirects=False)

    def signed_in(self, role: str) -> TestClient:
        client = self.client()
        response = sign_in(client, self.api.tokens[role])
        assert response.status_code == 303, response.text
        return client


def logout_token(page: httpx.Response) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found is not None
    return found.group(1)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("pages")
    with module_store(request.param, folder) as store, running_api(store) as api:
        agency, position = populate(api.app.state.ledger)
        assert api.app.state.read_side.wait_for(position)
        yield Site(api, agency)


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
