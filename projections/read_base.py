"""What every read of the read model shares: the views and their live generations, read-your-writes,
and one read transaction over the views (ReadModel is assembled in projections.queries)."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any, TypeVar, cast

from ledger.application import Ledger
from ledger.clock import AgencyClock
from ledger.domain import errors
from ledger.standards.ruleset import RuleSet
from projections import generations
from projections.anomalies import AnomaliesView
from projections.base import Tables, View
from projections.credentials import CredentialsView, FlagRules
from projections.engine import Engine
from projections.findings import FindingsView
from projections.log import LogReader
from projections.readers import AsyncReaders, Readers
from projections.registry import default_views
from projections.reports import Reports
from projections.splits import PostClassifier
from projections.standing import StandingView
from projections.statistics import StatisticsView
from projections.status import ViewState, view_states
from projections.store import Database, Tx, is_missing_table

MAX_PAGE = 500
NOT_BUILT = -1
MIN_YEAR = 1900  # the earliest year the annual report answers for
CACHED_ANSWERS = 64  # report answers remembered (per process) until the views move
R = TypeVar("R")
V = TypeVar("V", bound=View)


class ViewNotReady(Exception):
    """A view has no complete generation built by this code yet (it is being built)."""


class ViewReads:
    """Queries over the views. Thread-safe; one per process.

    ``engine``: the in-process engine, if any (makes :meth:`wait_for` snappier; optional).
    ``clock``: "now" for defaults (the agency's date today); the ledger's clock by default, and
    a plain callable (a test's chosen instant) is read in the ledger's time zone.
    ``flag_rules``: thresholds of the provenance flags of trails.
    """

    def __init__(
        self,
        ledger: Ledger,
        *,
        engine: Engine | None = None,
        clock: Callable[[], datetime] | None = None,
        flag_rules: FlagRules | None = None,
    ) -> None:
        self.ledger = ledger
        self.engine = engine
        self.clock: AgencyClock = (
            clock
            if isinstance(clock, AgencyClock)
            else AgencyClock(ledger.clock.zone, clock) if clock is not None else ledger.clock
        )
        self.flag_rules = flag_rules or FlagRules(local_time=self.clock.zone)
        views = engine.views if engine is not None else default_views(ledger)
        self._views: dict[str, View] = {v.name: v for v in views}
        self.standing_view = _one(views, StandingView)
        self.credentials_view = _one(views, CredentialsView)
        self.statistics_view = _one(views, StatisticsView)
        self.anomalies_view = _one(views, AnomaliesView)
        self.findings_view = next((v for v in views if isinstance(v, FindingsView)), None)
        self._readers = Readers(Database(ledger.store))
        self._async_readers = AsyncReaders(self._readers)
        self._log = LogReader(ledger)
        self._meta_ready = False
        self._meta_lock = threading.Lock()
        self._cache: OrderedDict[Any, Any] = OrderedDict()
        self._cache_lock = threading.Lock()
        self._reports: Reports | None = None
        self._classifier: tuple[RuleSet, PostClassifier] | None = None
        # The standing view's live generation and the statement that reads a document from it:
        # remembered, and checked by that very statement on every read (see standing_document).
        self._standing_live: tuple[int, str] | None = None

    def close(self) -> None:
        self._readers.close()


    async def open_async(self) -> None:
        """Make :meth:`standing_document_async` usable in the running event loop."""
        await self._async_readers.open()

    async def close_async(self) -> None:
        await self._async_readers.close()

    # --------------------------------------------------------- read-your-writes

    def applied_position(self) -> int:
        """The log position every view has applied; ``NOT_BUILT`` (-1) while some view has no
        live generation built by this code, so that even ``wait_for(0)`` waits for the views."""
        self._ensure_meta()
        names = list(self._views)
        with self._readers.read() as tx:
            live = generations.live(tx, names)
        if len(live) < len(names):
            return NOT_BUILT
        if any(live[n].schema_version != self._views[n].schema_version for n in names):
            return NOT_BUILT
        return min(g.position for g in live.values())

    def wait_for(self, position: int, timeout: float = 5.0) -> bool:
        """Wait until every view has applied log ``position`` (e.g. ``WriteResult.position``).

        True as soon as it has; False if ``timeout`` seconds pass first (the views are behind:
        no engine running, or a long rebuild of a first generation), or at once when each view
        still behind is stopped by a poison event (see :meth:`wait_views`).
        """
        return not self.wait_views(position, timeout)

    def wait_views(self, position: int, timeout: float = 5.0) -> list[tuple[str, bool]]:
        """Wait until every view has applied log ``position``; returns the views still behind it
        when the wait ends, each as ``(name, failing)`` (empty: all level).

        The wait is bounded by ``timeout`` and does not wait for a view the engine has recorded
        as failing (a poison event stopped it: waiting cannot help), so a write answers promptly
        and can say which view is behind.
        """
        deadline = time.monotonic() + timeout
        engine = self.engine if self.engine is not None and self.engine.running else None
        if engine is not None:
            engine.wake()
        delay = 0.001
        while True:
            seen = engine.commits if engine is not None else 0
            if self.applied_position() >= position:
                return []
            behind = self._behind(position)
            if not behind:
                return []
            remaining = deadline - time.monotonic()
            if remaining <= 0 or all(failing for _, failing in behind):
                return behind
            if engine is not None:
                engine.wait_applied(seen, min(remaining, 0.05))
            else:
                time.sleep(min(delay, remaining))
                delay = min(delay * 2, 0.02)

    def _behind(self, position: int) -> list[tuple[str, bool]]:
        names = list(self._views)
        with self._readers.read() as tx:
            live = generations.live(tx, names)
            faults = generations.faults(tx, live)
        behind = []
        for name in names:
            found = live.get(name)
            if found is None or found.schema_version != self._views[name].schema_version:
                behind.append((name, False))
            elif found.position < position:
                fault = faults.get(name)
                behind.append((name, fault is not None and fault.position == found.position))
        return behind

    def view_states(self) -> list[ViewState]:
        """Each view's position, lag (events and seconds) and fault, if a poison event stopped it."""
        self._ensure_meta()
        with self._readers.read() as tx:
            return view_states(tx, self._log, list(self._views), now=self.clock())

    def level_with_log(self) -> bool:
        """Whether every view, built by this code, has applied the whole log as it is now."""
        return self.applied_position() >= int(self._log.head() or 0)

    def catch_up(self, timeout: float = 5.0) -> bool:
        """Wait until the views have applied everything in the log now (writes of others)."""
        head = int(self._log.head())
        return self.wait_for(head, timeout)

    # ------------------------------------------------------------------ helpers

    def today(self) -> date:
        """The agency's date now: the default ``as_of`` of every read."""
        return self.clock.today()

    def _ensure_meta(self) -> None:
        if self._meta_ready:
            return
        with self._meta_lock:
            if not self._meta_ready:
                conn = Database(self.ledger.store).connect()
                try:
                    generations.ensure_tables(conn)
                finally:
                    conn.close()
                self._meta_ready = True

    def _with_views(
        self,
        names: list[str],
        run: Callable[[Tx, dict[str, Tables]], R],
        *,
        cache: tuple[Any, ...] | None = None,
    ) -> R:
        """Run ``run`` in one read transaction over the live generations of ``names``.

        With ``cache`` (the question, as a key), an answer given for the same question while the
        views stood at the same positions is given again: reports over a whole agency are worth
        remembering until the next event. A rebuild may drop a generation just after we looked up
        the pointer; then we look again.
        """
        self._ensure_meta()
        for attempt in range(3):
            try:
                with self._readers.read() as tx:
                    live = generations.live(tx, names)
                    tables = {}
                    for name in names:
                        view = self._views[name]
                        found = live.get(name)
                        if found is None or found.schema_version != view.schema_version:
                            raise ViewNotReady(f"The {name} view is being built; try again shortly.")
                        tables[name] = view.table_set(found.generation)
                    if cache is None:
                        return run(tx, tables)
                    key = (cache, tuple((live[n].generation, live[n].position) for n in names))
                    with self._cache_lock:
                        if key in self._cache:
                            self._cache.move_to_end(key)
                            return cast(R, self._cache[key])
                    answer = run(tx, tables)
                    with self._cache_lock:
                        self._cache[key] = answer
                        while len(self._cache) > CACHED_ANSWERS:
                            self._cache.popitem(last=False)
                    return answer
            except Exception as error:
                if attempt < 2 and is_missing_table(error):
                    continue
                raise
        raise AssertionError("unreachable")


def _one(views: Iterable[View], kind: type[V]) -> V:
    for view in views:
        if isinstance(view, kind):
            return view
    raise ValueError(f"No {kind.__name__} among the engine's views.")


def check_code(enum_type: Any, value: str | None, field: str) -> None:
    """Reject a code that is not a member of ``enum_type`` (``None`` passes): InvalidInput on ``field``."""
    if value is None:
        return
    try:
        enum_type(value)
    except ValueError:
        allowed = ", ".join(member.value for member in enum_type)
        raise errors.InvalidInput(
            f"'{value}' is not a valid {field} (expected one of: {allowed}).", field=field
        ) from None
