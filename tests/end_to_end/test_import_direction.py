"""The direction of imports (docs/architecture.md): `api` -> `projections` -> `ledger`, and inside
the write side the domain and the store below what uses them. The contracts are in pyproject.toml
([tool.importlinter]); `lint-imports` checks them over the source tree."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    """`lint-imports` over the tree at ``root`` with its pyproject.toml's contracts."""
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root / "src"), str(root)])}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=root,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_every_import_contract_of_the_project_is_kept() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_an_import_against_the_direction_breaks_a_contract(tmp_path: Path) -> None:
    # The same contracts over a copy of the tree in which the store imports the application: the
    # check must fail, so the test above cannot pass by checking nothing.
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "src" / "ledger", tmp_path / "src" / "ledger", ignore=ignore)
    for package in ("projections", "api"):
        shutil.copytree(ROOT / package, tmp_path / package, ignore=ignore)
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    store_module = tmp_path / "src" / "ledger" / "store" / "chain.py"
    with store_module.open("a", encoding="utf-8") as module:
        module.write("\nfrom ledger.application import Ledger  # noqa: E402, F401\n")

    result = lint_imports(tmp_path)

    assert result.returncode != 0
    assert "The store never imports the application or what uses it BROKEN" in result.stdout
