"""/docs and /redoc work with no network (issue 10, item 6): every script, style sheet and icon
they use is served by the ledger itself. Checked on the HTML, on each asset, and in Debian's
Chromium with every request that leaves the server blocked (and recorded)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from api_fixtures import module_store
from live_server import Live, live_server

REFERENCE = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']|url\s*:\s*["']([^"']+)["']""")


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    folder: Path = tmp_path_factory.mktemp("docs")
    with module_store("sqlite", folder) as store, live_server(store) as found:
        yield found


def references(html: str) -> list[str]:
    return [a or b for a, b in REFERENCE.findall(html)]


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_the_docs_pages_reference_only_the_ledger_s_own_urls(live: Live, page: str) -> None:
    html = httpx.get(live.url + page).text
    found = references(html)
    assert found
    assert [url for url in found if not url.startswith("/") or url.startswith("//")] == []
    assert "http://" not in html
    assert "https://" not in html


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_every_asset_the_docs_pages_reference_is_served_without_a_key(live: Live, page: str) -> None:
    found = references(httpx.get(live.url + page).text)
    answers = {url: httpx.get(live.url + url) for url in found}
    assert {url: r.status_code for url, r in answers.items()} == dict.fromkeys(found, 200)
    assert all(len(r.content) > 1000 for url, r in answers.items() if url.endswith((".js", ".css")))


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_the_docs_pages_may_load_and_call_only_the_ledger(live: Live, page: str) -> None:
    policy = httpx.get(live.url + page).headers["content-security-policy"]
    assert "default-src 'self'" in policy
    assert "http" not in policy


def test_the_swagger_ui_oauth2_redirect_page_is_served(live: Live) -> None:
    assert httpx.get(live.url + "/docs/oauth2-redirect").status_code == 200


# ------------------------------------------------------------------ in a browser, offline




class Offline:
    """A browser page that can reach only the ledger; every other request is aborted and noted."""

    def __init__(self, browser: Any, live: Live) -> None:
        self.context = browser.new_context()
        self.blocked: list[str] = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.set_default_timeout(20_000)
        self.origin = live.url

    def _route(self, route: Any) -> None:
        url: str = route.request.url
        if url == self.origin or url.startswith(self.origin + "/"):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()


@pytest.fixture
def offline(browser: Any, live: Live) -> Iterator[Offline]:
    found = Offline(browser, live)
    try:
        yield found
    finally:
        found.context.close()


@pytest.mark.slow
def test_swagger_ui_renders_the_operations_with_no_network(live: Live, offline: Offline) -> None:
    offline.page.goto(live.url + "/docs")
    offline.page.wait_for_selector(".opblock-summary-path[data-path='/staff']")
    assert offline.page.locator(".opblock").count() > 20
    assert offline.blocked == []


@pytest.mark.slow
def test_the_authorize_button_of_offline_swagger_ui_sends_the_key(live: Live, offline: Offline) -> None:
    page = offline.page
    page.goto(live.url + "/docs")
    page.click("button.authorize")
    page.fill(".auth-container input", live.tokens["reader"])
    page.click(".auth-btn-wrapper button.authorize")
    page.click(".auth-btn-wrapper button.btn-done")
    operation = page.locator(".opblock-get").filter(
        has=page.locator(".opblock-summary-path[data-path='/staff']")
    )
    operation.locator(".opblock-summary").click()
    operation.locator(".try-out__btn").click()
    operation.locator(".execute").click()
    status = operation.locator(".live-responses-table tr.response td.response-col_status").first
    status.wait_for()
    assert status.inner_text().strip() == "200"
    assert offline.blocked == []


@pytest.mark.slow
def test_redoc_renders_the_operations_with_no_network(live: Live, offline: Offline) -> None:
    offline.page.goto(live.url + "/redoc")
    offline.page.wait_for_selector("[data-section-id^='tag/staff']")
    assert offline.page.locator("[data-section-id*='/operation/']").count() > 20
    assert offline.blocked == []
