"""The directory a registry office can use (issue 14, item 3): word-prefix search where typed
diacritics count, Vietnamese name order, a result count, sorting and paging, over the API and the
pages, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from api_fixtures import Api, module_store, running_api, signed_in

from projections.text import has_marks, name_order_key

PEOPLE = {
    "DS-AN": "Nguyễn Văn An",
    "DS-ANH": "Lê Thị Anh",
    "DS-THANG": "Trần Văn Thắng",
    "DS-HOANG": "Phạm Hoàng Long",
    "DS-HUONG": "Phạm Thị Thu Hương",
    "DS-HUONG2": "Đỗ Thị Hường",
    "DS-AN2": "Bùi An",
    "DS-AN3": "Trần Thị Ân",
    "DS-DAT": "Đặng Quốc Đạt",
}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def api(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    folder = tmp_path_factory.mktemp("directory")
    with module_store(request.param, folder) as store, running_api(store) as running:
        for staff_id, name in PEOPLE.items():
            running.register(staff_id, full_name=name)
        yield running


def names(api: Api, **params: str) -> list[str]:
    response = api.get("/staff", role="reader", **params)
    assert response.status_code == 200, response.text
    return [item["full_name"] for item in response.json()["items"]]


# ------------------------------------------------------------------ search


def test_a_word_finds_names_with_a_word_it_begins_not_names_that_merely_contain_it(api: Api) -> None:
    found = names(api, q="An")
    assert "Nguyễn Văn An" in found
    assert "Lê Thị Anh" in found
    assert "Trần Văn Thắng" not in found
    assert "Phạm Hoàng Long" not in found


def test_a_word_without_diacritics_finds_the_names_with_them(api: Api) -> None:
    assert names(api, q="huong") == ["Phạm Thị Thu Hương", "Đỗ Thị Hường"]


def test_a_word_typed_with_diacritics_must_match_them(api: Api) -> None:
    assert names(api, q="Hường") == ["Đỗ Thị Hường"]


def test_typed_diacritics_tell_an_from_an_with_a_circumflex(api: Api) -> None:
    assert names(api, q="Ân") == ["Trần Thị Ân"]


def test_d_with_stroke_is_found_by_a_plain_d_and_only_by_itself_when_typed(api: Api) -> None:
    assert names(api, q="dat") == ["Đặng Quốc Đạt"]
    assert names(api, q="Đạt") == ["Đặng Quốc Đạt"]
    assert names(api, q="Dạt") == []


def test_every_word_of_the_search_must_begin_a_word_of_the_name(api: Api) -> None:
    assert names(api, q="thi hu") == ["Phạm Thị Thu Hương", "Đỗ Thị Hường"]
    assert names(api, q="van thang") == ["Trần Văn Thắng"]


def test_case_does_not_matter(api: Api) -> None:
    assert names(api, q="NGUYỄN") == ["Nguyễn Văn An"]


def test_the_search_also_finds_a_staff_code_it_begins(api: Api) -> None:
    assert names(api, q="ds-dat") == ["Đặng Quốc Đạt"]


def test_the_directory_counts_every_match_over_all_pages(api: Api) -> None:
    body = api.get("/staff", role="reader", q="thi", limit=1).json()
    assert len(body["items"]) == 1
    assert body["total"] == 4


# ------------------------------------------------------------------ order


def test_the_directory_is_in_vietnamese_name_order_by_given_name_then_family_name(api: Api) -> None:
    assert names(api) == [
        "Bùi An",
        "Nguyễn Văn An",
        "Lê Thị Anh",
        "Trần Thị Ân",
        "Đặng Quốc Đạt",
        "Phạm Thị Thu Hương",
        "Đỗ Thị Hường",
        "Phạm Hoàng Long",
        "Trần Văn Thắng",
    ]


def test_cursor_pages_walk_the_name_order_without_gaps_or_repeats(api: Api) -> None:
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": "2"} | ({"cursor": cursor} if cursor else {})
        body = api.get("/staff", role="reader", **params).json()
        seen += [item["staff_id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == [item["staff_id"] for item in api.get("/staff", role="reader").json()["items"]]


def test_the_name_order_key_puts_a_before_a_breve_before_a_circumflex_and_an_before_anh() -> None:
    ordered = sorted(["Lê Ân", "Lê Ăn", "Lê An", "Lê Anh"], key=name_order_key)
    assert ordered == ["Lê An", "Lê Anh", "Lê Ăn", "Lê Ân"]


def test_a_term_has_marks_when_typed_with_diacritics_or_d_with_stroke() -> None:
    assert has_marks("Hường")
    assert has_marks("đat")
    assert not has_marks("Huong")


# ------------------------------------------------------------------ the page


def page_names(html: str) -> list[str]:
    return re.findall(r'<td class="name"><a href="[^"]+">([^<]+)</a>', html)


def test_the_directory_page_shows_the_result_count(api: Api) -> None:
    page = signed_in(api).get("/ui/staff", params={"q": "huong"})
    assert 'id="count">Tìm thấy 2 người<' in page.text


def test_the_directory_page_searches_word_prefixes(api: Api) -> None:
    page = signed_in(api).get("/ui/staff", params={"q": "An"})
    assert "Trần Văn Thắng" not in page_names(page.text)
    assert "Nguyễn Văn An" in page_names(page.text)


def test_the_directory_page_sorts_by_a_column_and_reverses_it(api: Api) -> None:
    client = signed_in(api)
    by_code = page_names(client.get("/ui/staff", params={"sort": "staff_id"}).text)
    assert by_code[0] == PEOPLE["DS-AN"]
    reverse = page_names(client.get("/ui/staff", params={"sort": "-staff_id"}).text)
    assert reverse == list(reversed(by_code))


def test_the_directory_page_has_numbered_pages_with_previous_and_next(api: Api) -> None:
    api.app.state.pages.settings = api.app.state.pages.settings.model_copy(update={"page_size": 4})
    try:
        client = signed_in(api)
        second = client.get("/ui/staff", params={"page": "2"})
        assert page_names(second.text) == [
            "Đặng Quốc Đạt",
            "Phạm Thị Thu Hương",
            "Đỗ Thị Hường",
            "Phạm Hoàng Long",
        ]
        assert 'rel="prev"' in second.text
        assert 'rel="next"' in second.text
        assert 'aria-current="page" class="current">2<' in second.text
        assert ">3</a>" in second.text
        last = client.get("/ui/staff", params={"page": "3"})
        assert page_names(last.text) == ["Trần Văn Thắng"]
        assert 'rel="next"' not in last.text
    finally:
        api.app.state.pages.settings = api.app.state.pages.settings.model_copy(update={"page_size": 50})
