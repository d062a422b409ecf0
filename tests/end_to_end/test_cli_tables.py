"""Tables and help on the command line (issue 14, item 7): labels rather than codes, rows never cut
when the output is piped (CliRunner's output is not a terminal, like a pipe), and ``--help``
without a ``<bool>`` beside every flag."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from typer.testing import CliRunner

from api.cli import build_cli
from ledger.application import Ledger
from ledger.domain.catalog import Gender
from ledger.store.config import StoreConfig

AT = datetime(2024, 1, 2, 3, tzinfo=UTC)
LONG_NAME = "Tôn Nữ Thị Phương Thảo Nguyên Khánh Linh Hoàng Yến"


@pytest.fixture
def needs_output(store: StoreConfig, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("LEDGER_DATABASE_URL", store.url)
    monkeypatch.delenv("LEDGER_RULES", raising=False)
    monkeypatch.delenv("LEDGER_RULES_VARIANT", raising=False)
    ledger = Ledger(store)
    try:
        ledger.register(
            staff_id="C1",
            full_name=LONG_NAME,
            gender=Gender.FEMALE,
            birth_date=date(1985, 7, 7),
            unit="Phòng Nghiệp vụ 2",
            joined_on=date(2005, 3, 1),
            position="Phó trưởng phòng",
            rank="CV",
            recorded_by="hr",
            recorded_at=AT,
        )
    finally:
        ledger.close()
    result = CliRunner().invoke(build_cli(), ["needs", "--as-of", "2025-12-31"])
    assert result.exit_code == 0, result.output
    return str(result.output)


def test_the_needs_table_names_posts_tracks_and_levels_by_their_labels(needs_output: str) -> None:
    assert "Phó trưởng phòng" in needs_output
    assert "Political theory" in needs_output
    assert "pho_truong_phong" not in needs_output
    assert "political_theory" not in needs_output


def test_a_piped_table_keeps_every_cell_whole(needs_output: str) -> None:
    assert "…" not in needs_output
    rows = [line for line in needs_output.splitlines() if "C1" in line]
    assert rows
    assert all(LONG_NAME in row for row in rows)


def test_help_shows_no_bool_type_beside_flags() -> None:
    for command in ([], ["serve"], ["projections", "rebuild"]):
        result = CliRunner().invoke(build_cli(), [*command, "--help"])
        assert result.exit_code == 0, result.output
        assert "<bool>" not in result.output
    assert "--no-projections" in CliRunner().invoke(build_cli(), ["serve", "--help"]).output


def test_help_prints_commands_in_docstrings_without_backticks() -> None:
    result = CliRunner().invoke(build_cli(), ["serve", "--help"], env={"COLUMNS": "200"})
    assert "ledger projections run" in result.output
    assert "`" not in result.output
