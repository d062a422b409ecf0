"""Dates as the agency types them on the pages (api.pages.dates): no I/O."""

from __future__ import annotations

from datetime import datetime

import pytest

from api.pages.dates import parse_day, parse_moment, show_day


@pytest.mark.parametrize(("typed", "iso"), [("5/3/2024", "2024-03-05"), ("05/03/2024", "2024-03-05")])
def test_a_day_typed_dd_mm_yyyy_reads_day_first(typed: str, iso: str) -> None:
    assert parse_day(typed) == iso


def test_an_iso_day_still_reads_so_that_links_keep_working() -> None:
    assert parse_day("2024-03-05") == "2024-03-05"


@pytest.mark.parametrize("typed", ["31/02/2024", "12/31/2024", "2024-13-01", "5.3.2024", ""])
def test_something_that_is_not_a_day_reads_as_nothing(typed: str) -> None:
    assert parse_day(typed) is None


def test_a_moment_typed_dd_mm_yyyy_hh_mm_reads_day_first() -> None:
    assert parse_moment("05/03/2024 08:30") == datetime(2024, 3, 5, 8, 30)


def test_a_day_is_shown_dd_mm_yyyy() -> None:
    assert show_day("2024-03-05") == "05/03/2024"
