"""Reading the position standards' rules file: the shipped rules and their variants, every problem
of a bad file named at its line, positions matched by title, code or alias, the planning periods,
months arithmetic, and the `ledger rules` commands that check and show a file.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
import typer
from hypothesis import given, settings
from hypothesis import strategies as st
from standards_fixtures import AS_OF, SMALL, VARIANTS, rules
from typer.testing import CliRunner

from api.cli.app import make_app
from api.cli.rules import register
from ledger.dates import add_months, months_between
from ledger.domain import errors
from ledger.standards.model import PositionKind
from ledger.standards.needs import parse_period
from ledger.standards.rule_file import RulesFileError
from ledger.standards.rules import load_rules, parse_rules, rules_from_environment

# --------------------------------------------------------------------------- loading


def test_the_shipped_rules_load_with_their_default_variant() -> None:
    shipped = load_rules()
    assert shipped.choices == {
        "standard": "lenient",
        "leadership_timing": "grace",
        "appointment_conditions": "training_only",
    }
    assert shipped.label.startswith("vn-cuc-tong-cuc@2026.1[lenient,grace,training_only]#")
    assert {p.code for p in shipped.positions} >= {
        "cuc_truong",
        "pho_cuc_truong",
        "truong_phong",
        "pho_truong_phong",
    }


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_variant_of_the_shipped_rules_loads(variant: str) -> None:
    assert load_rules(variant=variant).variant == f"{variant},training_only"


def test_the_rules_file_and_variant_come_from_the_environment(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(SMALL, encoding="utf-8")
    loaded = rules_from_environment({"LEDGER_RULES": str(path), "LEDGER_RULES_VARIANT": "strict"})
    assert loaded.id == "small"
    assert loaded.choices == {"standard": "strict"}
    assert loaded.source == str(path)


def test_an_unknown_variant_is_refused_with_the_choices() -> None:
    with pytest.raises(RulesFileError) as caught:
        load_rules(variant="harsh")
    assert "unknown variant 'harsh'" in str(caught.value)
    assert "standard: lenient, strict" in str(caught.value)


def test_a_missing_rules_file_is_refused_naming_it(tmp_path: Path) -> None:
    with pytest.raises(RulesFileError) as caught:
        load_rules(tmp_path / "nope.toml")
    assert str(tmp_path / "nope.toml") in str(caught.value)


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    lines = [n for n, line in enumerate(text.splitlines(), start=1) if needle in line]
    return lines[occurrence - 1]


def refused(text: str) -> RulesFileError:
    with pytest.raises(RulesFileError) as caught:
        parse_rules(text, source="test.toml")
    return caught.value


def test_a_toml_syntax_error_names_the_file_line_and_column() -> None:
    text = SMALL.replace("valid_from = 2020-01-01", "valid_from = 2020-01-01 oops")
    error = refused(text)
    assert error.line == line_of(text, "oops")
    assert error.problems[0].column is not None
    assert str(error).startswith(f"test.toml:{error.line}:")
    assert "not valid TOML" in error.reason


def test_an_unknown_track_is_refused_at_its_line() -> None:
    text = SMALL.replace("political_theory =", "politics =")
    error = refused(text)
    assert error.line == line_of(text, "politics =")
    assert "unknown track 'politics'" in error.reason
    assert str(error).startswith(f"test.toml:{error.line}: ")


def test_an_unknown_level_is_refused_at_its_line() -> None:
    text = SMALL.replace('"intermediate"', '"medium"')
    error = refused(text)
    assert error.line == line_of(text, '"medium"')
    assert "unknown level 'medium' for track 'political_theory'" in error.reason


def test_a_bad_date_is_refused_at_its_line() -> None:
    text = SMALL.replace("valid_from = 2020-01-01", 'valid_from = "2020-13-45"')
    error = refused(text)
    assert error.line == line_of(text, "2020-13-45")
    assert "'2020-13-45' is not a date" in error.reason


def test_a_period_ending_before_it_starts_is_refused() -> None:
    text = SMALL.replace("valid_from = 2020-01-01", "valid_from = 2020-01-01\nvalid_to = 2019-12-31")
    error = refused(text)
    assert error.line == line_of(text, "valid_to")
    assert "before valid_from" in error.reason


OVERLAP = (
    SMALL
    + """
[[rule]]
id = "tp.llct.2024"
positions = ["tp"]
requires = { political_theory = "advanced" }
valid_from = 2024-05-01
timing = "before_appointment"
legal_basis = "Test basis 2"
"""
)


def test_overlapping_rules_for_the_same_track_are_refused_at_the_later_rule() -> None:
    error = refused(OVERLAP)
    assert error.line == line_of(OVERLAP, "[[rule]]", occurrence=2)
    assert "rule 'tp.llct.2024' overlaps rule 'tp.llct'" in error.reason


def test_rules_ending_before_the_next_begins_do_not_overlap() -> None:
    text = OVERLAP.replace("valid_from = 2020-01-01", "valid_from = 2020-01-01\nvalid_to = 2024-04-30")
    loaded = parse_rules(text)
    assert [r.id for r in loaded.rules_for("tp", date(2024, 4, 30))] == ["tp.llct"]
    assert [r.id for r in loaded.rules_for("tp", date(2024, 5, 1))] == ["tp.llct.2024"]


def test_rules_of_different_variants_may_share_a_period() -> None:
    text = OVERLAP.replace(
        'timing = "before_appointment"\nlegal_basis = "Test basis"\n',
        'timing = "before_appointment"\nlegal_basis = "Test basis"\nvariants = ["lenient"]\n',
    )
    text = text.replace('legal_basis = "Test basis 2"', 'legal_basis = "Test basis 2"\nvariants = ["strict"]')
    loaded = parse_rules(text)
    assert [r.id for r in loaded.rules_for("tp", AS_OF)] == ["tp.llct"]
    assert [r.id for r in loaded.select("strict").rules_for("tp", AS_OF)] == ["tp.llct.2024"]


def test_an_unknown_position_is_refused_with_a_suggestion() -> None:
    text = SMALL.replace('positions = ["tp"]', 'positions = ["tpp"]')
    error = refused(text)
    assert error.line == line_of(text, '["tpp"]')
    assert "unknown position 'tpp' (did you mean 'tp'?)" in error.reason


def test_an_unknown_key_is_refused_with_a_suggestion() -> None:
    text = SMALL.replace("valid_from =", "valid_form =")
    error = refused(text)
    (unknown,) = [p for p in error.problems if "unknown key 'valid_form'" in p.reason]
    assert "did you mean 'valid_from'" in unknown.reason
    assert unknown.line == line_of(text, "valid_form")


def test_grace_timing_without_its_months_is_refused() -> None:
    text = SMALL.replace('"before_appointment"', '"within_months_after"')
    error = refused(text)
    assert error.line == line_of(text, "within_months_after")
    assert "needs 'grace_months'" in error.reason


def test_every_problem_in_a_file_is_reported_at_once() -> None:
    text = SMALL.replace("political_theory =", "politics =").replace('"before_appointment"', '"whenever"')
    error = refused(text)
    assert len(error.problems) == 2
    assert [p.line for p in error.problems] == sorted(
        [line_of(text, "politics ="), line_of(text, '"whenever"')]
    )
    assert str(error).count("test.toml:") == 2


def test_an_equivalence_with_a_bad_counts_as_is_refused_at_its_line() -> None:
    text = (
        SMALL
        + """
[[equivalence]]
id = "eq"
match = { track = "political_theory", title_contains = ["hành chính"] }
counts_as = { track = "state_management", level = "boss" }
legal_basis = "x"
"""
    )
    error = refused(text)
    assert error.line == line_of(text, "counts_as")
    assert "unknown level 'boss' for track 'state_management'" in error.reason


# --------------------------------------------------------------------------- positions


def test_positions_match_titles_codes_and_aliases_ignoring_case_and_diacritics() -> None:
    shipped = rules()
    for name in ("Trưởng phòng", "truong phong", "TRƯỞNG PHÒNG", "truong_phong", "Chánh Văn phòng", "TP"):
        found = shipped.resolve(name)
        assert found is not None
        assert found.code == "truong_phong", name


def test_a_longer_title_matches_the_longest_alias_it_starts_with() -> None:
    shipped = rules()

    def code(name: str, kind: PositionKind | None = None) -> str | None:
        found = shipped.resolve(name, kind)
        return found.code if found else None

    assert code("Trưởng phòng Nghiệp vụ 1") == "truong_phong"
    assert code("Phó trưởng phòng Thanh tra – Kiểm tra") == "pho_truong_phong"
    assert code("Chuyên viên") == "rank_cv"  # a rank when no kind is asked
    assert code("Chuyên viên", PositionKind.POST) is None
    assert code("Chuyên viên chính và tương đương", PositionKind.RANK) == "rank_cvc"


# --------------------------------------------------------------------------- dates


def test_months_arithmetic_clamps_to_the_end_of_shorter_months() -> None:
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2023, 12, 15), 1) == date(2024, 1, 15)
    assert months_between(date(2021, 9, 15), date(2023, 3, 1)) == 17
    assert months_between(date(2021, 9, 15), date(2023, 3, 15)) == 18


def test_a_rule_naming_no_position_is_refused() -> None:
    text = SMALL.replace('positions = ["tp"]', "positions = []")
    error = refused(text)
    assert error.line == line_of(text, "positions = []")
    assert "name at least one position" in error.reason


def test_a_rule_tagged_with_an_undeclared_variant_is_refused() -> None:
    text = SMALL.replace('legal_basis = "Test basis"', 'legal_basis = "Test basis"\nvariants = ["harsh"]')
    error = refused(text)
    assert error.line == line_of(text, '["harsh"]')
    assert "unknown variant choice 'harsh'" in error.reason


# --------------------------------------------------------------------------- command line


def _cli() -> typer.Typer:
    app = make_app()
    register(app)
    return app


def test_rules_check_prints_file_line_and_reason_and_fails(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    text = SMALL.replace('"intermediate"', '"medium"')
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(_cli(), ["rules", "check", str(path)])
    assert result.exit_code == 1
    assert f"{path}:{line_of(text, 'medium')}: " in result.output
    assert "unknown level 'medium'" in result.output


def test_rules_check_summarises_a_good_file() -> None:
    result = CliRunner().invoke(_cli(), ["rules", "check", "--variant", "strict"])
    assert result.exit_code == 0, result.output
    assert "OK " in result.output
    assert "[strict,grace,training_only]" in result.output


def test_rules_show_lists_the_rules_in_force_for_a_position_as_json() -> None:
    result = CliRunner().invoke(
        _cli(), ["rules", "show", "--on", "2023-01-01", "--position", "Phó Cục trưởng", "--json"]
    )
    assert result.exit_code == 0, result.output
    shown = json.loads(result.output)
    assert shown["positions"] == ["pho_cuc_truong"]
    assert "2017.pho-cuc-truong" in {r["id"] for r in shown["rules"]}
    assert all(r["valid_from"] <= "2023-01-01" for r in shown["rules"])


def test_rules_show_refuses_an_unknown_position() -> None:
    result = CliRunner().invoke(_cli(), ["rules", "show", "--position", "Kế toán trưởng"])
    assert result.exit_code != 0
    assert "no position" in result.output


@pytest.mark.parametrize(
    ("text", "years"), [("2025-2030", (2025, 2030)), ("2025–2030", (2025, 2030)), ("2026", (2026, 2026))]
)
def test_a_planning_period_is_read_as_written(text: str, years: tuple[int, int]) -> None:
    assert parse_period(text) == years


@pytest.mark.parametrize("text", ["2025-30", "later", "2030-2025"])
def test_a_planning_period_that_is_not_one_is_refused_naming_the_field(text: str) -> None:
    with pytest.raises(errors.RuleViolation) as caught:
        parse_period(text)
    assert caught.value.field == "period"


@settings(max_examples=200, deadline=None)
@given(
    st.dates(min_value=date(1950, 1, 1), max_value=date(2090, 12, 31)),
    st.integers(min_value=0, max_value=600),
)
def test_whole_months_between_a_day_and_n_months_later_are_n(day: date, months: int) -> None:
    later = add_months(day, months)
    assert months_between(day, later) == months
    if months:
        assert months_between(day, later - date.resolution) == months - 1
