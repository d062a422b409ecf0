"""The workbench in a real browser: Debian's Chromium, headless, driven by Playwright, against a real
``ledger serve --demo`` (uvicorn on 127.0.0.1, a free port, the demo agency and its demo keys in a
fresh SQLite store). Screenshots of every page go to ``screenshots/`` (git-ignored).

The demo is loaded once for the module (a few seconds); the people and credentials the tests use
are found through the HTTP API, so the tests follow the demo rather than hard-code it.
"""

from __future__ import annotations

import csv
import io
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import openpyxl  # type: ignore[import-untyped]
import pytest
from browser_fixtures import SHOTS

pytestmark = pytest.mark.slow

LEDGER = "import sys; from api.cli import main; sys.argv[0] = 'ledger'; main()"
LAPTOP = {"width": 1280, "height": 860}
PHONE = {"width": 390, "height": 844}



def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Demo:
    """The running server, its demo keys, and what the tests look at."""

    url: str
    tokens: dict[str, str]
    person: str = ""
    person_name: str = ""
    track: str = ""
    credential: str = ""
    before: date = date(2019, 1, 1)
    output: list[str] = field(default_factory=list)

    def api(self, path: str, **params: Any) -> Any:
        response = httpx.get(
            self.url + path, params=params, headers={"Authorization": f"Bearer {self.tokens['auditor']}"}
        )
        response.raise_for_status()
        return response.json()


def _read_output(process: subprocess.Popen[str], lines: list[str]) -> None:
    assert process.stdout is not None
    for line in process.stdout:
        lines.append(line.rstrip("\n"))


def _choose_subjects(demo: Demo) -> None:
    """A 'Nguyễn Văn …' whose highest level in some track came from a course after 2019: the as-of
    test moves back to the day before it, the trail test opens that credential."""
    found = demo.api("/staff", q="nguyen van", limit=100)["items"]
    for entry in found:
        standing = demo.api(f"/staff/{entry['staff_id']}")
        sources = {c["credential_id"]: c["source"] for c in standing["credentials"]}
        for track, held in standing["qualifications"].items():
            issued = date.fromisoformat(held["issued_on"])
            if issued < date(2019, 6, 1) or sources.get(held["credential_id"]) != "completion":
                continue
            before = issued - timedelta(days=1)
            then = demo.api(f"/staff/{entry['staff_id']}", as_of=before.isoformat())
            if then["qualifications"].get(track, {}).get("level") != held["level"]:
                demo.person, demo.person_name = entry["staff_id"], entry["full_name"]
                demo.track, demo.credential, demo.before = track, held["credential_id"], before
                return
    raise AssertionError("The demo has no Nguyễn Văn whose standing changed after 2019.")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    store = tmp_path_factory.mktemp("browser") / "demo.db"
    port = free_port()
    env = {**os.environ, "LEDGER_DATABASE_URL": f"sqlite:///{store}", "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            LEDGER,
            "serve",
            "--demo",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    threading.Thread(target=_read_output, args=(process, lines), daemon=True).start()
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                raise RuntimeError("ledger serve --demo exited:\n" + "\n".join(lines))
            try:
                if httpx.get(url + "/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError("ledger serve --demo did not answer /health:\n" + "\n".join(lines))
            time.sleep(0.1)
        tokens = {}
        for line in lines:
            match = re.match(r"\s+(registrar|auditor|reader)\s+(\S+)\s+(lgr_\S+)$", line)
            if match:
                tokens[match.group(1)] = match.group(3)
        assert set(tokens) == {"registrar", "auditor", "reader"}, lines
        found = Demo(url, tokens, output=lines)
        _choose_subjects(found)
        yield found
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()




@pytest.fixture
def open_browser(browser: Any, demo: Demo) -> Iterator[Any]:
    """A new browser window maker: ``open_browser(role, viewport)`` → a signed-in page."""
    contexts: list[Any] = []

    def make(role: str = "auditor", viewport: dict[str, int] = LAPTOP) -> Any:
        context = browser.new_context(
            viewport=viewport, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh", accept_downloads=True
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(demo.url + "/ui/staff")
        assert page.url.startswith(demo.url + "/ui/login")
        page.fill("input[name=token]", demo.tokens[role])
        page.click("button[type=submit]")
        page.wait_for_url(demo.url + "/ui/staff")
        return page

    yield make
    for context in contexts:
        context.close()


def shot(page: Any, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_signing_in_with_a_demo_key_opens_the_directory(browser: Any, demo: Demo) -> None:
    context = browser.new_context(viewport=LAPTOP, locale="vi-VN")
    try:
        page = context.new_page()
        page.goto(demo.url + "/ui/reports")
        assert "Đăng nhập" in page.inner_text("h1")
        shot(page, "01-sign-in")
        page.fill("input[name=token]", demo.tokens["auditor"])
        page.click("button[type=submit]")
        page.wait_for_url(demo.url + "/ui/reports")
        assert "demo-auditor" in page.inner_text(".who")
        cookie = next(c for c in context.cookies() if c["name"] == "ledger_session")
        assert cookie["httpOnly"] is True
        assert cookie["sameSite"] == "Lax"
    finally:
        context.close()


def test_searching_nguyen_van_finds_nguyen_van(open_browser: Any, demo: Demo) -> None:
    page = open_browser()
    page.fill("input[name=q]", "nguyen van")
    page.click("form[role=search] button[type=submit]")
    page.wait_for_url(re.compile(r".*q=nguyen\+van.*"))
    names = page.locator("#directory td.name a").all_inner_texts()
    assert names
    assert all(name.startswith("Nguyễn Văn ") for name in names)
    assert demo.person_name in names
    shot(page, "02-directory-search")


def test_a_credential_trail_shows_its_steps_and_a_verified_chain(open_browser: Any, demo: Demo) -> None:
    page = open_browser()
    page.goto(f"{demo.url}/ui/staff/{demo.person}")
    page.click(f"#qualifications a[href$='/credentials/{demo.credential}']")
    page.wait_for_url(f"**/credentials/{demo.credential}")
    roles = page.locator("#steps li.ev").evaluate_all("items => items.map(i => i.dataset.role)")
    assert roles[0] == "registration"
    assert "enrollment" in roles
    assert "completion" in roles
    assert "Đã xác minh" in page.inner_text("#chain-verdict")
    assert page.inner_text("#credential-status") == "Còn hiệu lực"
    shot(page, "03-trail")


def test_moving_the_as_of_date_back_changes_the_standing(open_browser: Any, demo: Demo) -> None:
    page = open_browser()
    page.goto(f"{demo.url}/ui/staff/{demo.person}")
    row = f"#qualifications tr[data-track='{demo.track}'] td.level"
    now = page.inner_text(row)
    shot(page, "04-person-today")
    page.fill("#as_of", demo.before.isoformat())
    page.click("form.asof button[type=submit]")
    page.wait_for_url(re.compile(rf".*as_of={demo.before.isoformat()}.*"))
    assert page.get_attribute("#standing", "data-as-of") == demo.before.isoformat()
    then = page.inner_text(row) if page.locator(row).count() else ""
    assert then != now
    assert page.locator("#timeline li.ev.later").count() > 0
    assert page.locator("#as-of-mark").is_visible()
    shot(page, "05-person-as-of")


def test_switching_to_english(open_browser: Any, demo: Demo) -> None:
    page = open_browser()
    assert page.inner_text("h1") == "Danh sách cán bộ"
    page.click(".langs a[hreflang=en]")
    page.wait_for_load_state()
    assert page.inner_text("h1") == "Staff directory"
    assert page.get_attribute("html", "lang") == "en"
    page.goto(f"{demo.url}/ui/staff/{demo.person}")
    assert "Timeline of every event" in page.inner_text("#timeline h2")
    shot(page, "06-person-english")
    page.click(".langs a[hreflang=vi]")
    page.wait_for_load_state()
    assert "Dòng thời gian" in page.inner_text("#timeline h2")


def test_downloading_the_report_as_csv_and_xlsx(open_browser: Any, demo: Demo) -> None:
    page = open_browser()
    page.goto(demo.url + "/ui/reports")
    shot(page, "07-reports")
    figures = demo.api("/reports/qualifications")
    masters = figures["tracks"]["professional"]["master"]
    with page.expect_download() as csv_download:
        page.click(".exports a[data-export=csv]")
    text = Path(csv_download.value.path()).read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["Báo cáo chất lượng đội ngũ và kết quả đào tạo"]
    assert ["Tổng số cán bộ", str(figures["headcount"])] in rows
    assert ["Lĩnh vực", "Trình độ", "Số người", "Trong đó nữ"] in rows
    assert any(r[:3] == ["Trình độ chuyên môn", "Thạc sĩ", str(masters)] for r in rows)
    with page.expect_download() as xlsx_download:
        page.click(".exports a[data-export=xlsx]")
    assert xlsx_download.value.suggested_filename.endswith(".xlsx")
    book = openpyxl.load_workbook(io.BytesIO(Path(xlsx_download.value.path()).read_bytes()))
    sheet = book[book.sheetnames[0]]
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0][0] == "Báo cáo chất lượng đội ngũ và kết quả đào tạo"
    assert ["Trình độ chuyên môn", "Thạc sĩ", masters] == values[
        next(i for i, r in enumerate(values) if r[:2] == ["Trình độ chuyên môn", "Thạc sĩ"])
    ][:3]


def test_a_reader_key_cannot_open_a_trail(open_browser: Any, demo: Demo) -> None:
    page = open_browser("reader")
    page.goto(f"{demo.url}/ui/staff/{demo.person}")
    assert page.locator("a[href*='/credentials/']").count() == 0
    assert page.locator("#timeline").count() == 0
    response = page.goto(f"{demo.url}/ui/staff/{demo.person}/credentials/{demo.credential}")
    assert response is not None
    assert response.status == 403
    assert "demo-reader" in page.inner_text("main")
    assert page.locator("#steps").count() == 0
    shot(page, "08-reader-refused")


PAGES = {
    "directory": "/ui/staff",
    "person": "/ui/staff/{person}",
    "trail": "/ui/staff/{person}/credentials/{credential}",
    "dossier": "/ui/staff/{person}/dossier",
    "reports": "/ui/reports",
    "needs": "/ui/reports/needs",
    "effectiveness": "/ui/reports/effectiveness",
    "annual": "/ui/reports/annual?year=2025",
    "anomalies": "/ui/reports/anomalies",
}


@pytest.mark.parametrize("device", ["laptop", "phone"])
def test_every_page_fits_a_laptop_and_a_phone(open_browser: Any, demo: Demo, device: str) -> None:
    page = open_browser("auditor", LAPTOP if device == "laptop" else PHONE)
    for name, path in PAGES.items():
        response = page.goto(demo.url + path.format(person=demo.person, credential=demo.credential))
        assert response is not None
        assert response.status == 200, name
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{name} is {overflow}px wider than the {device} screen"
        shot(page, f"{device}-{name}")
