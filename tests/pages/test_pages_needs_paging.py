"""The needs page lists its people a page at a time (the findings view loads only the page's
people today; other days slice the folded answer), with the counts over everyone; the exports
still carry everyone. The real app on SQLite and PostgreSQL, over HTTP."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

import pytest
from api_fixtures import Api, running_api, signed_in
from fastapi.testclient import TestClient
from projections_fixtures import break_the_log

from api.pages import reports as report_pages
from ledger.store.config import StoreConfig

PEOPLE = 5


@pytest.fixture
def api(store: StoreConfig) -> Iterator[Api]:
    with running_api(store) as api:
        for _ in range(PEOPLE):
            api.register(position="Chuyên viên", joined_on="2015-01-01")
        assert api.app.state.services.read_model.catch_up(30)
        yield api


def listed_people(page_html: str) -> list[str]:
    """The staff codes of the people listed in the needs table, once each, in order."""
    table = page_html.split('id="needs"', 1)[1].split("</table>", 1)[0]
    return list(dict.fromkeys(re.findall(r'<small class="code">([^<]+)</small>', table)))


def next_link(page_html: str) -> str | None:
    found = re.search(r'<a id="next-page" rel="next" href="([^"]+)"', page_html)
    return found.group(1).replace("&amp;", "&") if found else None


def walk(client: TestClient, **params: str) -> tuple[list[list[str]], str]:
    """Every page of the needs report from the first, following its next links."""
    pages = []
    response = client.get("/ui/reports/needs", params=params)
    first = response.text
    while True:
        assert response.status_code == 200, response.text
        pages.append(listed_people(response.text))
        link = next_link(response.text)
        if link is None:
            return pages, first
        response = client.get(link)


def exported_people(client: TestClient, **params: str) -> list[str]:
    export = client.get("/ui/reports/needs", params={**params, "format": "csv"})
    assert export.status_code == 200
    lines = export.text.lstrip("\ufeff").splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith(("Mã", "Staff")))
    rows = list(csv.reader(io.StringIO("\n".join(lines[header:]))))
    return list(dict.fromkeys(row[0] for row in rows[1:] if row))


@pytest.mark.parametrize("as_of", [None, "2024-06-30"], ids=["today from the view", "a past day folded"])
def test_the_needs_page_lists_everyone_with_gaps_once_across_its_pages(
    api: Api, monkeypatch: pytest.MonkeyPatch, as_of: str | None
) -> None:
    monkeypatch.setattr(report_pages, "NEEDS_PAGE", 2)
    client = signed_in(api, "reader")
    params = {"as_of": as_of} if as_of else {}

    pages, first = walk(client, **params)

    everyone = [person for page in pages for person in page]
    assert [len(page) for page in pages][:-1] == [2] * (len(pages) - 1)
    assert len(everyone) == len(set(everyone))
    assert everyone == sorted(everyone)
    assert everyone == exported_people(client, **params)
    assert len(everyone) >= 3  # more than one page
    with_gaps = re.search(r'<span class="n" id="with-gaps">(\d+)</span>', first)
    assert with_gaps is not None
    assert int(with_gaps.group(1)) == len(everyone)


def test_a_later_page_of_the_needs_report_links_back_to_the_first(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(report_pages, "NEEDS_PAGE", 2)
    client = signed_in(api, "reader")
    first = client.get("/ui/reports/needs")
    link = next_link(first.text)
    assert link is not None

    second = client.get(link)

    assert "← Trang đầu" in second.text
    assert "← Trang đầu" not in first.text
    assert not set(listed_people(second.text)) & set(listed_people(first.text))


def test_todays_needs_page_reads_only_the_views(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(report_pages, "NEEDS_PAGE", 2)
    api.app.state.services.engine.stop()  # it follows the log; the page must not
    break_the_log(monkeypatch)
    client = signed_in(api, "reader")

    pages, _ = walk(client)

    assert sum(len(page) for page in pages) >= 3
