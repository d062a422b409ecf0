"""The pages of issue 14's operations part in a real browser (Debian's Chromium, headless, driven
by Playwright) against the real app served by uvicorn: charts readable on a 390 px phone, the
directory's paging and sorting by clicks, the operator's page; and screenshots of every new or
changed page at 1366×900 and 390×844 into ``screenshots/`` (git-ignored)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from api_fixtures import person
from browser_fixtures import SHOTS
from live_server import Live, live_server

from ledger.store.config import StoreConfig

pytestmark = pytest.mark.slow

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
NAMES = (
    "Nguyễn Văn An", "Lê Thị Anh", "Trần Văn Thắng", "Phạm Thị Thu Hương", "Đỗ Thị Hường",
    "Bùi An", "Trần Thị Ân", "Đặng Quốc Đạt", "Hoàng Minh Tuấn", "Vũ Thị Lan",
)

COURSES = (("political_theory", "intermediate"), ("state_management", "specialist"), ("it", "basic"))



@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Live, datetime]]:
    store = StoreConfig(f"sqlite:///{tmp_path_factory.mktemp('ops-browser') / 'ledger.db'}")
    with live_server(store) as live:
        headers = {"Authorization": f"Bearer {live.tokens['registrar']}"}
        with httpx.Client(base_url=live.url, headers=headers) as client:
            for n, name in enumerate(NAMES):
                staff_id = f"CB{n:03d}"
                assert client.post("/staff", json=person(staff_id, full_name=name)).status_code == 201
                for k, (track, level) in enumerate(COURSES):
                    if (n + k) % 2:
                        continue
                    body = {
                        "course_code": f"K{k}", "course_title": f"Khóa bồi dưỡng {k}", "track": track,
                        "level": level, "provider": "Trường Chính trị tỉnh", "mode": "part_time",
                        "starts_on": f"{2019 + k}-03-02", "ends_on": f"{2019 + k}-09-25",
                    }
                    assert client.post(f"/staff/{staff_id}/enrollments", json=body).status_code == 201
            submitted = datetime.now(UTC)
            assert client.post("/staff", json=person("CB999", full_name="Mai Văn Sau")).status_code == 201
        live.app.state.pages.settings = live.app.state.pages.settings.model_copy(update={"page_size": 4})
        yield live, submitted




@pytest.fixture
def window(browser: Any, site: tuple[Live, datetime]) -> Iterator[Any]:
    """``window(role, viewport)`` → a page signed in with that role's key."""
    live, _ = site
    contexts: list[Any] = []

    def make(role: str = "auditor", viewport: dict[str, int] = DESKTOP) -> Any:
        context = browser.new_context(viewport=viewport, locale="en-US", timezone_id="Asia/Ho_Chi_Minh")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(live.url + "/ui/login")
        page.fill("input[name=token]", live.tokens[role])
        page.click("button[type=submit]")
        page.wait_for_url(live.url + "/ui/staff")
        return page

    yield make
    for context in contexts:
        context.close()


def shoot(page: Any, name: str, viewport: dict[str, int]) -> None:
    page.screenshot(path=str(SHOTS / f"ops-{name}-{viewport['width']}.png"), full_page=True)


def test_chart_labels_are_readable_on_a_390_px_phone(window: Any, site: tuple[Live, datetime]) -> None:
    page = window("reader", PHONE)
    page.goto(site[0].url + "/ui/reports")
    sizes = page.eval_on_selector_all(
        "svg.chart",
        """svgs => svgs.filter(s => s.getBoundingClientRect().width > 0).flatMap(s =>
            [...s.querySelectorAll('text')].map(t => t.getBoundingClientRect().height))""",
    )
    assert sizes, "no chart is shown"
    assert min(sizes) >= 10, sizes


def test_charts_keep_labels_beside_the_bars_on_a_desktop(window: Any, site: tuple[Live, datetime]) -> None:
    page = window("reader", DESKTOP)
    page.goto(site[0].url + "/ui/reports")
    assert page.locator("svg.chart.wide").first.is_visible()
    assert not page.locator("svg.chart.narrow").first.is_visible()


def test_the_directory_pages_forward_and_back_by_clicks(window: Any, site: tuple[Live, datetime]) -> None:
    page = window("reader")
    page.goto(site[0].url + "/ui/staff")
    assert page.locator("#count").inner_text() == "Tìm thấy 11 người · trang 1/3"
    first = page.locator("#directory td.name a").all_inner_texts()
    page.click("nav.pager a[rel=next]")
    assert "trang 2/3" in page.locator("#count").inner_text()
    page.click("nav.pager .numbers a >> text='3'")
    assert "trang 3/3" in page.locator("#count").inner_text()
    page.click("nav.pager a[rel=prev]")
    page.click("nav.pager a[rel=prev]")
    assert page.locator("#directory td.name a").all_inner_texts() == first


def test_a_directory_column_sorts_by_a_click_and_reverses_on_another(
    window: Any, site: tuple[Live, datetime]
) -> None:
    page = window("reader")
    page.goto(site[0].url + "/ui/staff")
    page.click("th a.sort >> nth=1")  # the staff code
    assert page.locator("#directory td.code").first.inner_text() == "CB000"
    page.click("th a.sort >> nth=1")
    assert page.locator("#directory td.code").first.inner_text() == "CB999"


def test_screenshots_of_the_new_and_changed_pages(window: Any, site: tuple[Live, datetime]) -> None:
    live, submitted = site
    pages = {
        "operations": "/ui/operations",
        "directory": "/ui/staff",
        "directory-search": "/ui/staff?q=huong",
        "directory-sorted": "/ui/staff?sort=unit&page=2",
        "reports-known-at": "/ui/reports?known_at=" + submitted.strftime("%Y-%m-%dT%H:%M:%S.%f%%2B00:00"),
        "needs": "/ui/reports/needs",
        "effectiveness": "/ui/reports/effectiveness",
        "login": "/ui/login",
    }
    for viewport in (DESKTOP, PHONE):
        page = window("auditor", viewport)
        for name, path in pages.items():
            response = page.goto(live.url + path)
            assert response is not None
            assert response.status == 200, (name, response.status)
            shoot(page, name, viewport)
    shots = sorted(p.name for p in SHOTS.glob("ops-*.png"))
    assert len(shots) >= 2 * len(pages)
