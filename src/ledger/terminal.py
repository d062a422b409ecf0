"""Tables on the command line: labels rather than codes, and whole rows when the output is piped.

rich sizes a table to the terminal, and to 80 columns when there is none (a pipe, a file), cutting
every cell to ``…`` to fit: ``ledger needs | grep`` then found ``pho_…`` and ``defe…``. Piped, the
console is as wide as the rows need, so each row is one whole line a script can read.
"""

from __future__ import annotations

import sys

from rich.console import Console

from ledger.domain import catalog
from ledger.standards.ruleset import RuleSet

PIPED_WIDTH = 10_000


def table_console() -> Console:
    """A console for tables on stdout: the terminal's width, or rows never cut when piped."""
    if sys.stdout.isatty():
        return Console()
    return Console(width=PIPED_WIDTH, no_color=True, soft_wrap=True)


def track_label(track: str) -> str:
    """``political_theory`` → ``Political theory`` (the code itself if the catalog lacks it)."""
    try:
        return catalog.track_info(track).label.in_language("en")
    except ValueError:
        return track


def level_label(track: str, level: str | None) -> str:
    """``political_theory``, ``intermediate`` → ``Intermediate`` (English, like the rest of the CLI)."""
    if not level:
        return ""
    try:
        return catalog.level_label(track, level, "en") or level
    except ValueError:
        return level


def position_label(rules: RuleSet, code: str) -> str:
    """A post or rank of the rules by its title (``pho_truong_phong`` → ``Phó Trưởng phòng``)."""
    found = rules.position(code)
    return found.title if found is not None else code
