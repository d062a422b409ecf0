"""The registrar's forms in a real browser: Debian's Chromium, headless, driven by Playwright,
against the app served by uvicorn on a fresh SQLite store. The browser runs with an English
(en-US) locale, so dates typed dd/mm/yyyy prove the inputs do not follow the browser's locale.
Every write made through a form is checked through the HTTP API afterwards. Screenshots of every
form at 1366×900 and 390×844 go to ``screenshots/`` (git-ignored).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from api_fixtures import course, new_staff_id, person
from browser_fixtures import SHOTS
from live_server import Live, live_server

from ledger.store.config import StoreConfig

pytestmark = pytest.mark.slow

LAPTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cf"
    "c0f01f0005000201a6d1b0a40000000049454e44ae426082"
)



class Office:
    """The served app and a client of its API per role."""

    def __init__(self, live: Live) -> None:
        self.live = live
        self.url = live.url

    def call(self, method: str, path: str, role: str = "registrar", **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.live.tokens[role]}", **kwargs.pop("headers", {})}
        return httpx.request(method, self.url + path, headers=headers, timeout=30, **kwargs)

    def get(self, path: str, role: str = "registrar") -> Any:
        response = self.call("GET", path, role)
        assert response.status_code == 200, response.text
        return response.json()

    def register(self, **overrides: Any) -> str:
        staff_id = new_staff_id()
        response = self.call("POST", "/staff", json=person(staff_id, **overrides))
        assert response.status_code == 201, response.text
        return staff_id

    def enroll(self, staff_id: str, **overrides: Any) -> str:
        response = self.call("POST", f"/staff/{staff_id}/enrollments", json=course(**overrides))
        assert response.status_code == 201, response.text
        return str(response.json()["enrollment_id"])

    def history(self, staff_id: str) -> list[dict[str, Any]]:
        return list(self.get(f"/staff/{staff_id}/history")["items"])


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Office]:
    store = StoreConfig(f"sqlite:///{tmp_path_factory.mktemp('forms') / 'ledger.db'}")
    with live_server(store) as live:
        yield Office(live)




Opener = Callable[..., Any]


@pytest.fixture
def signed_in(browser: Any, office: Office) -> Iterator[Opener]:
    """``signed_in(role, viewport)`` → a page of a browser signed in with that role's key."""
    contexts: list[Any] = []

    def make(role: str = "registrar", viewport: dict[str, int] = LAPTOP) -> Any:
        context = browser.new_context(viewport=viewport, locale="en-US", timezone_id="Asia/Ho_Chi_Minh")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(office.url + "/ui/staff")
        page.fill("input[name=token]", office.live.tokens[role])
        page.click("button[type=submit]")
        page.wait_for_url(office.url + "/ui/staff")
        return page

    yield make
    for context in contexts:
        context.close()


def shot(page: Any, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def fill_course(page: Any) -> None:
    page.fill("[name=course_code]", "BD-CV-24")
    page.fill("[name=course_title]", "Bồi dưỡng ngạch chuyên viên")
    page.select_option("[name=track]", "state_management")
    page.select_option("[name=level]", "officer")
    page.fill("[name=provider]", "Trường Chính trị tỉnh Nghệ An")
    page.select_option("[name=mode]", "part_time")
    page.fill("[name=starts_on]", "04/03/2024")
    page.fill("[name=decision_ref]", "QĐ 77/QĐ-UBND")


def test_a_person_with_a_vietnamese_name_is_registered_through_the_form(
    office: Office, signed_in: Opener
) -> None:
    page = signed_in()
    page.click("nav.main-nav >> text=Đăng ký cán bộ")
    staff_id = new_staff_id("VN")
    page.fill("[name=staff_id]", staff_id)
    page.fill("[name=full_name]", "Nguyễn Thị Hường")
    page.select_option("[name=gender]", "female")
    page.fill("[name=birth_date]", "12/04/1990")
    page.fill("[name=unit]", "Phòng Tổ chức – Hành chính")
    page.fill("[name=joined_on]", "01/09/2015")
    page.click("#submit")
    page.wait_for_url(re.compile(rf"/ui/staff/{staff_id}\?"))
    standing = office.get(f"/staff/{staff_id}")
    assert (standing["full_name"], standing["birth_date"], standing["unit"]) == (
        "Nguyễn Thị Hường",
        "1990-04-12",
        "Phòng Tổ chức – Hành chính",
    )


def test_a_group_of_three_is_enrolled_under_one_decision(office: Office, signed_in: Opener) -> None:
    unit = f"Phòng Nhóm {new_staff_id()}"
    people = [office.register(full_name=n, unit=unit) for n in ("Lê Văn Tám", "Đỗ Thị Lan", "Vũ Minh Đức")]
    page = signed_in()
    page.goto(office.url + "/ui/enrollments/group?unit=" + unit)
    for staff_id in people:
        page.check(f"#pick-{staff_id}")
    fill_course(page)
    page.click("#submit")
    page.wait_for_selector("#recorded")
    for staff_id in people:
        enrollments = office.get(f"/staff/{staff_id}")["enrollments"]
        assert [(e["course_code"], e["decision_ref"]) for e in enrollments] == [("BD-CV-24", "QĐ 77/QĐ-UBND")]


def test_a_completion_is_recorded_with_a_scan_attached(
    office: Office, signed_in: Opener, tmp_path: Path
) -> None:
    staff_id = office.register()
    enrollment_id = office.enroll(staff_id)
    scan = tmp_path / "bang-tot-nghiep.pdf"
    scan.write_bytes(PDF)
    page = signed_in()
    page.goto(f"{office.url}/ui/staff/{staff_id}")
    page.click(f"a[href$='/enrollments/{enrollment_id}/completion']")
    page.fill("[name=completed_on]", "25/09/2020")
    page.select_option("[name=outcome]", "passed")
    page.fill("[name='credential.number']", "B 012345")
    page.set_input_files("#f-scans", str(scan))
    page.click("#submit")
    page.wait_for_url(re.compile(rf"/ui/staff/{staff_id}\?"))
    completed = office.history(staff_id)[-1]
    (digest,) = completed["data"]["credential"]["scans"]
    assert office.call("GET", f"/scans/{digest}", "auditor").content == PDF


def test_an_auditor_opens_the_scan_from_the_provenance_page(office: Office, signed_in: Opener) -> None:
    staff_id = office.register()
    enrollment_id = office.enroll(staff_id)
    digest = office.call("POST", "/scans", content=PNG, headers={"Content-Type": "image/png"}).json()[
        "digest"
    ]
    body = {"completed_on": "2020-09-25", "outcome": "passed", "credential": {"scans": [digest]}}
    done = office.call("POST", f"/staff/{staff_id}/enrollments/{enrollment_id}/completion", json=body)
    credential_id = done.json()["credential_id"]
    page = signed_in("auditor")
    page.goto(f"{office.url}/ui/staff/{staff_id}/credentials/{credential_id}")
    row = page.locator(f"#scans tr[data-digest='{digest}']")
    assert row.get_attribute("data-matches") == "yes"
    shot(page, "forms-provenance-scans-1366")
    page.set_viewport_size(PHONE)
    shot(page, "forms-provenance-scans-390")
    page.set_viewport_size(LAPTOP)
    href = row.locator("a.scan-open").get_attribute("href")
    opened = page.goto(office.url + href)
    assert opened is not None
    assert (opened.body(), opened.headers["ledger-scan-matches"]) == (PNG, "true")


def test_an_appointment_is_refused_with_its_unmet_requirements_then_recorded_with_a_waiver(
    office: Office, signed_in: Opener
) -> None:
    staff_id = office.register()
    page = signed_in()
    page.goto(f"{office.url}/ui/staff/{staff_id}/appointments/new")
    page.fill("[name=position]", "Trưởng phòng")
    page.fill("[name=effective_on]", "01/10/2024")
    page.fill("[name=decision_ref]", "QĐ 301/QĐ-CT")
    page.click("#check")
    assert page.locator("#unmet li").count() >= 1
    page.click("#submit")
    assert page.locator("#unmet li").count() >= 1
    assert page.locator("#form-problem").is_visible()
    assert office.get(f"/staff/{staff_id}")["version"] == 1
    page.fill("[name='waiver.legal_basis']", "Điều 5 Quy định 12/2024")
    page.fill("[name='waiver.deadline']", "30/09/2026")
    page.fill("[name='waiver.reason']", "Cần bố trí ngay")
    page.click("#submit")
    page.wait_for_url(re.compile(rf"/ui/staff/{staff_id}\?"))
    appointed = office.history(staff_id)[-1]
    assert (appointed["type"], appointed["data"]["waiver"]["deadline"]) == ("Appointed", "2026-09-30")


def test_an_event_is_voided_from_the_timeline(office: Office, signed_in: Opener) -> None:
    staff_id = office.register()
    office.enroll(staff_id)
    enrolled = office.history(staff_id)[-1]["event_id"]
    page = signed_in()
    page.goto(f"{office.url}/ui/staff/{staff_id}")
    page.click("#timeline a.void-link")
    assert page.input_value("[name=event_id]") == enrolled
    page.fill("[name=reason]", "Ghi trùng quyết định")
    page.click("#submit")
    page.wait_for_url(re.compile(rf"/ui/staff/{staff_id}\?"))
    history = office.history(staff_id)
    assert (history[-1]["type"], history[1]["voided_by"]) == ("Corrected", history[-1]["event_id"])


def test_a_stale_form_is_refused(office: Office, signed_in: Opener) -> None:
    staff_id = office.register()
    page = signed_in()
    page.goto(f"{office.url}/ui/staff/{staff_id}/departure")
    page.fill("[name=on]", "01/02/2024")
    page.fill("[name=reason]", "Nghỉ hưu")
    office.enroll(staff_id)  # someone else changes the record meanwhile
    page.click("#submit")
    assert "người khác thay đổi" in page.inner_text("#form-problem")
    assert [e["type"] for e in office.history(staff_id)] == ["Registered", "Enrolled"]


def test_a_double_submit_is_recorded_once(office: Office, signed_in: Opener) -> None:
    staff_id = office.register()
    page = signed_in()
    page.goto(f"{office.url}/ui/staff/{staff_id}/departure")
    page.fill("[name=on]", "01/02/2024")
    page.fill("[name=reason]", "Nghỉ hưu")
    fields = {
        name: page.input_value(f"#write-form [name='{name}']")
        for name in ("csrf", "idempotency_key", "version", "on", "reason")
    }
    page.click("#submit")
    page.wait_for_url(re.compile(rf"/ui/staff/{staff_id}\?"))
    # The same form sent again by the same browser (a second click, a resend after a timeout).
    again = page.request.post(f"{office.url}/ui/staff/{staff_id}/departure", form=fields, max_redirects=0)
    assert again.status == 303
    assert [e["type"] for e in office.history(staff_id)] == ["Registered", "Departed"]


def test_a_reader_sees_no_form(office: Office, signed_in: Opener) -> None:
    staff_id = office.register()
    page = signed_in("reader")
    page.goto(f"{office.url}/ui/staff/{staff_id}")
    assert page.locator("#record-actions").count() == 0
    assert page.locator("nav.main-nav a[href='/ui/staff/new']").count() == 0
    refused = page.goto(f"{office.url}/ui/staff/{staff_id}/departure")
    assert refused is not None
    assert refused.status == 403
    assert page.locator("form#write-form").count() == 0


FORM_PAGES = {
    "register": "/ui/staff/new",
    "group": "/ui/enrollments/group",
    "enroll": "/ui/staff/{s}/enrollments/new",
    "complete": "/ui/staff/{s}/enrollments/{e}/completion",
    "withdraw": "/ui/staff/{s}/enrollments/{e}/withdrawal",
    "recognize": "/ui/staff/{s}/credentials/new",
    "rotate": "/ui/staff/{s}/rotations/new",
    "appoint": "/ui/staff/{s}/appointments/new",
    "evaluate": "/ui/staff/{s}/evaluations/new",
    "depart": "/ui/staff/{s}/departure",
    "correct": "/ui/staff/{s}/corrections/new",
}


@pytest.mark.parametrize(("size", "viewport"), [("1366", LAPTOP), ("390", PHONE)])
def test_every_form_fits_the_screen_without_sideways_scrolling(
    office: Office, signed_in: Opener, size: str, viewport: dict[str, int]
) -> None:
    staff_id = office.register(full_name="Trần Thị Bích Ngọc")
    enrollment_id = office.enroll(staff_id)
    page = signed_in(viewport=viewport)
    for name, path in FORM_PAGES.items():
        page.goto(office.url + path.format(s=staff_id, e=enrollment_id))
        assert page.locator("form#write-form").count() == 1, name
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        shot(page, f"forms-{name}-{size}")
        assert overflow <= 1, f"{name} scrolls sideways by {overflow}px at {size}px"
