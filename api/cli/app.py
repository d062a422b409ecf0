"""The ``ledger`` command's Typer app, and what its log commands run besides the log.

``verify`` checks the views, and a load (``import``, ``demo``) builds them at its end, through
:class:`LoadHooks`: the assembled command (``api.cli.build_cli``) hands them the read side's
check and catch-up; an app made for one module's commands (the tests) has what that module's
``register`` was given. The hooks travel as the app's context object (``typer.Context.obj``), so the
verbs stay plain module-level functions.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import typer

from ledger.view_checks import BuildViews, ViewCheck
from projections.catch_up import catch_up_views
from projections.verify import check_views


def _read_side_checks() -> list[ViewCheck]:
    return [check_views]


@dataclass
class LoadHooks:
    """``verify``'s view checks and the views' build after a load; by default the read side's."""

    view_checks: Sequence[ViewCheck] = field(default_factory=_read_side_checks)
    build_views: BuildViews | None = catch_up_views


def make_app() -> typer.Typer:
    _hide_flag_types()
    # Markdown: docstrings reflow to the terminal's width and `code` prints without backticks.
    return typer.Typer(
        name="ledger",
        help="An event-sourced ledger of staff training records. "
        "The store is chosen by LEDGER_DATABASE_URL (default sqlite:///./ledger.db).",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        rich_markup_mode="markdown",
        context_settings={"obj": LoadHooks()},
    )


def hooks_of(app: typer.Typer) -> LoadHooks:
    """The hooks the verbs of ``app`` run (made on first use for an app not from :func:`make_app`)."""
    settings = app.info.context_settings
    settings = dict(settings) if isinstance(settings, dict) else {}
    hooks = settings.get("obj")
    if not isinstance(hooks, LoadHooks):
        hooks = settings["obj"] = LoadHooks()
        app.info.context_settings = settings
    return hooks


def hooks_in(ctx: typer.Context) -> LoadHooks:
    """The hooks of the running command's app; the read side's when it carries none."""
    return ctx.obj if isinstance(ctx.obj, LoadHooks) else LoadHooks()


def _hide_flag_types() -> None:
    """Typer prints a type beside every option, ``<bool>`` for flags (``--demo``, ``--help``),
    which says nothing a flag's name does not: show none for flags (typer has no setting)."""
    from typer.core import TyperOption

    shown: Callable[[TyperOption, Any], str | None] = TyperOption.display_type_rich
    if getattr(shown, "hides_flags", False):
        return

    def display_type_rich(self: TyperOption, ctx: Any) -> str | None:
        return None if self.is_flag else shown(self, ctx)

    display_type_rich.hides_flags = True  # type: ignore[attr-defined]
    setattr(TyperOption, "display_type_rich", display_type_rich)  # noqa: B010
