"""How BM01/BNV puts one person in a column (``projections.forms``), with no database: age bands
bounded by each person's own retirement age under the shipped rules file, posts and ranks through
the position standards' codes."""

from __future__ import annotations

from datetime import date

import pytest

from ledger.standards.rules import load_rules
from projections.forms import RetirementAges, age_column, leader_level, rank_column
from projections.splits import post_classifier

RULES = load_rules()
DAY = date(2025, 12, 31)


def band(gender: str, birth: date, day: date = DAY) -> str:
    return age_column(gender, birth, day, RetirementAges(RULES))


@pytest.mark.parametrize(
    ("birth", "expected"),
    [
        (date(1995, 1, 1), "up_to_30"),  # 30 on the day
        (date(1994, 12, 31), "31_to_40"),  # 31 that very day
        (date(1985, 1, 1), "31_to_40"),  # 40
        (date(1984, 12, 31), "41_to_50"),  # 41
        (date(1975, 1, 1), "41_to_50"),  # 50
        (date(1974, 12, 31), "51_to_retirement"),  # 51
    ],
)
def test_age_bands_are_whole_years_on_the_day(birth: date, expected: str) -> None:
    assert band("male", birth) == expected


def test_a_man_of_61_who_has_not_reached_61_years_3_months_is_below_retirement_age() -> None:
    # Born 10/1964: 61y3m (the age of 2025) falls in 2026, whose age is 61y6m, on 10/04/2026.
    assert band("male", date(1964, 10, 10)) == "51_to_retirement"


def test_a_man_past_the_retirement_age_of_the_year_he_reached_it_is_above_retirement_age() -> None:
    # Born 01/1964: 61y3m, the age of 2025, reached on 10/04/2025.
    assert band("male", date(1964, 1, 10)) == "above_retirement"


def test_a_woman_of_57_is_above_retirement_age_in_2025_though_a_man_of_57_is_not() -> None:
    # Born 06/1968: 56y4m, the age of 2024, reached on 01/10/2024.
    assert band("female", date(1968, 6, 1)) == "above_retirement"
    assert band("male", date(1968, 6, 1)) == "51_to_retirement"


def test_the_retirement_age_is_that_of_the_law_of_the_year() -> None:
    # Under the Labour Code 2012 a woman retired at 55: born 03/1965, above it on 31/12/2020.
    assert band("female", date(1965, 3, 1), date(2020, 12, 31)) == "above_retirement"
    assert band("female", date(1965, 3, 1), date(2020, 2, 28)) == "51_to_retirement"


@pytest.mark.parametrize(
    ("post", "level"),
    [
        ("Cục trưởng", "agency"),
        ("Phó Cục trưởng", "agency"),
        ("Phó Chi cục trưởng", "agency"),
        ("Trưởng phòng Nghiệp vụ 1", "division"),
        ("Chánh Văn phòng", "division"),
        ("Phó trưởng phòng", "division"),
        ("Chuyên viên", None),
        (None, None),
    ],
)
def test_posts_are_leaders_by_the_position_standards_codes(post: str | None, level: str | None) -> None:
    assert leader_level(post, post_classifier(RULES)) == level


@pytest.mark.parametrize(
    ("employment", "rank", "column"),
    [
        ("civil_servant", "01.001", "senior"),
        ("civil_servant", "CVC", "principal"),
        ("civil_servant", "Chuyên viên", "specialist"),
        ("civil_servant", "01.004", "officer"),
        ("civil_servant", "01.005", "clerk"),
        ("civil_servant", "Nhân viên", "clerk"),
        ("contract", "01.003", "contract"),
        ("civil_servant", None, "other"),
        ("cadre", "Kiểm soát viên", "other"),
    ],
)
def test_ranks_go_to_their_column(employment: str, rank: str | None, column: str) -> None:
    assert rank_column(employment, rank, RULES) == column
