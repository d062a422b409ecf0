"""No Python module of the project exceeds 600 lines, tests included (issue 12).

A module that long holds several concerns: split it by concern, in the same folder, each part named
for what it holds or tests. The only exceptions allowed are the demo's data-table modules, listed by
path in ``DATA_TABLES`` (none exceeds the limit today, so the list is empty).
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = ("src", "projections", "api", "bench", "tests")
MOST_LINES = 600
# The demo's data tables, by path from the repository's root: long because they are data.
DATA_TABLES: frozenset[str] = frozenset()


def lines_of(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def modules_over(limit: int, exempt: frozenset[str]) -> list[str]:
    """Every Python module under the project's folders longer than ``limit`` lines, with its size,
    but those ``exempt`` names."""
    over = []
    for folder in FOLDERS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            name = str(path.relative_to(ROOT))
            if "__pycache__" in path.parts or name in exempt:
                continue
            if (count := lines_of(path)) > limit:
                over.append(f"{name}: {count} lines")
    return over


def test_no_python_module_exceeds_600_lines_but_the_demos_data_tables() -> None:
    offenders = modules_over(MOST_LINES, DATA_TABLES)
    assert offenders == [], f"split these modules by concern (at most {MOST_LINES} lines): {offenders}"


def test_the_size_check_names_a_module_over_the_limit() -> None:
    # This very file is well under 600 lines; a limit one below its size must name it.
    this = str(Path(__file__).resolve().relative_to(ROOT))
    limit = lines_of(Path(__file__)) - 1
    assert f"{this}: {limit + 1} lines" in modules_over(limit, frozenset())


def test_the_size_check_leaves_out_an_exempt_module() -> None:
    this = str(Path(__file__).resolve().relative_to(ROOT))
    limit = lines_of(Path(__file__)) - 1
    assert not any(found.startswith(f"{this}: ") for found in modules_over(limit, frozenset({this})))


def test_every_exempt_data_table_exists() -> None:
    # An exemption outliving its module would silently exempt a new one of the same name.
    assert [name for name in sorted(DATA_TABLES) if not (ROOT / name).is_file()] == []
