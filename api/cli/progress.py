"""The one progress bar of the ``ledger`` commands: rich, fed as ``(stage, done, total)``.

Each stage is a line of its own, labelled by ``labels`` (the stage's name otherwise). The bar
goes to stderr and shows only on a terminal, so piped output stays the command's answer alone;
``serve --demo`` puts it on stdout among the server's own lines, terminal or not.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from types import MappingProxyType

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)

NO_LABELS: Mapping[str, str] = MappingProxyType({})


class ProgressBar:
    """One rich task per stage; a stage appears on its first update, or at :meth:`begin`."""

    def __init__(self, bar: Progress, labels: Mapping[str, str], *, rate: bool) -> None:
        self._bar = bar
        self._labels = labels
        self._rate = rate
        self._tasks: dict[str, TaskID] = {}

    def begin(self, stage: str) -> None:
        """Show ``stage`` before its first update, its total not known yet."""
        self._task(stage, None)

    def __call__(self, stage: str, done: int, total: int) -> None:
        total = max(total, done)
        task = self._task(stage, total)
        speed = self._bar.tasks[task].speed if self._rate else None
        rate = f"{speed:,.0f} events/s" if speed else ""
        self._bar.update(task, completed=done, total=total, rate=rate)

    def _task(self, stage: str, total: int | None) -> TaskID:
        if stage not in self._tasks:
            self._tasks[stage] = self._bar.add_task(self._labels.get(stage, stage), total=total, rate="")
        return self._tasks[stage]


@contextmanager
def progress_bar(
    labels: Mapping[str, str] = NO_LABELS,
    *,
    rate: bool = False,
    transient: bool = True,
    on_stdout: bool = False,
) -> Iterator[ProgressBar]:
    """A progress bar for the block; ``rate`` adds events per second, ``transient`` clears it at
    the end, ``on_stdout`` shows it on stdout even off a terminal (``serve``)."""
    console = Console() if on_stdout else Console(stderr=True)
    columns: list[ProgressColumn] = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn()]
    if rate:
        columns.append(TextColumn("{task.fields[rate]}"))
    columns.append(TimeRemainingColumn())
    with Progress(
        *columns,
        console=console,
        transient=transient,
        disable=not (on_stdout or console.is_terminal),
    ) as bar:
        yield ProgressBar(bar, labels, rate=rate)
