"""What ``ledger verify`` asks of the views, and what a load asks of them afterwards.

The write side cannot see the read side (imports go ``api`` → ``projections`` → ``ledger``), so the
views are checked and built through these two callables, which the read side provides
(``projections.verify.check_views``, ``projections.catch_up.catch_up_views``) and the command
line (``api.cli``) hands to the log's commands.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ledger.application import Ledger


class ViewNote(str):
    """A view check's finding that is not a fault (e.g. a view not built yet): printed, and the
    exit code stays 0. A plain ``str`` from a check is a problem."""

    __slots__ = ()


ViewCheck = Callable[[Ledger], list[str]]
"""A check of the views: given the ledger, the problems it found (empty when all is well);
entries that are :class:`ViewNote` are only notes."""

BuildViews = Callable[[Ledger], str]
"""Brings the views up to date with the log (after ``import``); returns a line to print."""


def run_view_checks(ledger: Ledger, checks: Sequence[ViewCheck]) -> list[str]:
    """Every problem the view checks report; a check that crashes is a problem too."""
    problems: list[str] = []
    for check in checks:
        name = getattr(check, "__qualname__", repr(check))
        try:
            problems.extend(check(ledger))
        except Exception as error:  # a broken check must not hide the others
            problems.append(f"view check {name} could not run: {type(error).__name__}: {error}")
    return problems
