"""The write-side benchmark runs end to end (figures are not checked: they depend on the machine)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_append_benchmark_quick_run_prints_the_comparison_table() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "append.py"), "--quick", "--stores", "sqlite"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    header = next(line for line in lines if line.startswith("scenario"))
    for column in ("store", "events/s ledger", "events/s baseline", "ratio"):
        assert column in header
    rows = [line for line in lines if line.startswith(("register (", "command ("))]
    assert len(rows) == 2
    assert all("| sqlite" in row for row in rows)
    assert any(line.startswith("raw driver ceiling, sqlite") for line in lines)
