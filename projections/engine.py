"""The projection engine: follows the log in pages and keeps every view exactly once.

Each step reads the page of the log after the lowest position of the live views, decodes it once,
then in **one** write transaction (SQLite ``BEGIN IMMEDIATE``; PostgreSQL with the views' tracking
rows locked ``FOR UPDATE``) re-reads every view's live generation and position, applies to each
view the events it has not seen, and moves its tracking position to the end of the page. A crash
at any point loses the whole transaction or none of it, so a restart resumes exactly where the
last commit left off. A second engine on the same views finds the positions moved under its lock,
applies nothing and resynchronises: it cannot apply an event twice.

New events are found by polling on SQLite (every ``poll_interval``; an in-process writer can
:meth:`Engine.wake` it) and by LISTEN/NOTIFY on PostgreSQL (the library notifies a channel named
after the events table on every insert) with a periodic re-poll, so a lost notification delays a
view by at most ``repoll_interval`` and never stalls it.

:func:`build_views` (and :func:`rebuild`) makes new generations beside the live ones: the log
is loaded person by person in big batches, then followed page by page to the head, and reads are
switched in the transaction that brings each new generation level with the live one.

**A poison event never stops the read side.** Each view applies a page inside a savepoint of
the page's transaction. If it fails (any exception, in its Python or in its SQL), only that view's
writes are rolled back; the page is then applied to it one event at a time, so it advances up to
the event before the one that fails, and the failure (view, position, event id ``STAFF_ID:VERSION``,
error) is written to ``projection_faults`` in the same transaction. The other views of the page
commit as usual. The failing view is retried with exponential backoff (``retry_initial``,
doubling, capped at ``retry_max``); while it waits, the engine follows the log for the others.
When a retry applies the event (the code was upgraded, the cause cleared), the fault is deleted
in that transaction and the view catches up by itself. A view whose first build fails is made
live empty and followed page by page instead, so the same rule applies to it: reads answer from
its last good state rather than 503 for ever.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import queue
import random
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
from eventsourcing.utils import get_topic, resolve_topic

from ledger.application import Ledger
from ledger.store.config import StoreConfig
from projections import generations
from projections.base import Envelope, View, envelopes_for
from projections.generations import BUILDING, SCRATCH, Fault, Generation
from projections.log import LogReader
from projections.store import Connection, Database, PostgresConnection, ReadAttempted, RecordingTx, Tx

log = logging.getLogger("ledger.projections")

Progress = Callable[[int, int], None]
"""Called after each committed page of a build with (position reached, log head)."""


def view_names() -> list[str]:
    """The names of the ledger's views, in the order of :func:`default_views` (reads no
    configuration)."""
    from projections.anomalies import AnomaliesView
    from projections.credentials import CredentialsView
    from projections.findings import FindingsView
    from projections.standing import StandingView
    from projections.statistics import StatisticsView

    return [
        StandingView.name, CredentialsView.name, StatisticsView.name, AnomaliesView.name, FindingsView.name
    ]


def default_views(ledger: Ledger | None = None) -> list[View]:
    """The ledger's views: standing (and directory), credential trails, statistics, anomalies,
    findings against the position standards.

    The anomalies view depends on configuration: the thresholds ``LEDGER_ANOMALY_*`` and the
    agency's time zone (``ledger``'s clock; without a ledger, ``LEDGER_TIMEZONE``). The findings
    view depends on the ledger's rules file and judges for the agency's date (without a ledger,
    ``LEDGER_RULES`` and ``LEDGER_TIMEZONE``).
    """
    from projections.anomalies import AnomaliesView, configured_rules
    from projections.credentials import CredentialsView
    from projections.findings import FindingsView
    from projections.standing import StandingView
    from projections.statistics import StatisticsView

    zone = ledger.clock.zone if ledger is not None else None
    findings = FindingsView(ledger.rules, today=ledger.today) if ledger is not None else FindingsView()
    return [
        StandingView(),
        CredentialsView(),
        StatisticsView(),
        AnomaliesView(configured_rules(zone)),
        findings,
    ]


class PositionMoved(Exception):
    """Another engine moved a view's position while this one was applying a page."""


def apply_page(
    tx: Tx,
    view: View,
    generation: Generation,
    envelopes: Sequence[Envelope],
    end: int,
    reader: LogReader,
) -> Generation:
    """Apply the envelopes after the generation's position and move its tracking to ``end``."""
    if end <= generation.position:
        return generation  # this view is ahead of the page (others lag behind it): nothing to do
    fresh = [e for e in envelopes_for(view, envelopes) if e.position > generation.position]
    if fresh:
        view.apply(tx, view.table_set(generation.generation), fresh, reader)
    if not generations.advance(tx, generation, end):
        raise PositionMoved(f"{view.name} generation {generation.generation} moved")
    return Generation(
        generation.view, generation.generation, end, generation.schema_version, generation.state
    )


class Engine:
    """Keeps the live generation of every view up to date with the log.

    ``start()`` runs it in a background thread (inside the server); ``run_forever()`` runs it in
    the calling thread (``ledger projections run``); ``run_until_idle()`` applies everything
    there is and returns (tests, scripts).
    """

    def __init__(
        self,
        ledger: Ledger,
        views: Sequence[View] | None = None,
        *,
        page_size: int = 1000,
        build_page_size: int = 5000,
        poll_interval: float = 0.025,
        repoll_interval: float = 1.0,
        listen: bool = True,
        channel: str | None = None,
        after_view_applied: Callable[[str, int], None] | None = None,
        retry_initial: float = 0.5,
        retry_max: float = 30.0,
    ) -> None:
        self.ledger = ledger
        self.views: list[View] = list(views) if views is not None else default_views(ledger)
        self.database = Database(ledger.store)
        self.reader = LogReader(ledger)
        self.page_size = page_size
        self.build_page_size = build_page_size
        self.poll_interval = poll_interval
        self.repoll_interval = repoll_interval
        self.listen = listen and self.database.dialect == "postgresql"
        self.channel = channel or str(getattr(ledger.recorder, "channel_name", ""))
        self.after_view_applied = after_view_applied
        self.last_error: BaseException | None = None
        self._step_errors = 0
        self._conn: Connection | None = None
        self._stopping = threading.Event()
        self._loop_in_caller = threading.Event()
        self._wakeup = threading.Event()
        self._applied = threading.Condition()
        self._commits = 0
        self._positions: dict[str, int] = {}
        self._thread: threading.Thread | None = None
        self._listener: threading.Thread | None = None
        self._listen_conn: PostgresConnection | None = None
        self._prepared = False
        self.retry_initial = retry_initial
        self.retry_max = retry_max
        # Views stopped by a poison event: when (time.monotonic()) each may be tried again. Only a
        # schedule: the fault itself is in the store (projection_faults) for every process to see.
        self._retry_at: dict[str, float] = {}
        self._faults_recorded = 0

    # ----------------------------------------------------------------- running

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Follow the log in a background thread until :meth:`stop`."""
        if self.running:
            return
        self._stopping.clear()
        self._thread = threading.Thread(target=self._loop, name="ledger-projections", daemon=True)
        self._thread.start()
        if self.listen:
            self._listener = threading.Thread(
                target=self._listen_loop, name="ledger-projections-listen", daemon=True
            )
            self._listener.start()

    @property
    def errors_total(self) -> int:
        """Failed steps and events a view could not apply, since this engine was made (the
        ``ledger_engine_errors_total`` metric)."""
        return self._step_errors + self._faults_recorded

    def stop(self, timeout: float = 10.0) -> None:
        self._stopping.set()
        self._wakeup.set()
        listen_conn = self._listen_conn
        if listen_conn is not None:
            with contextlib.suppress(psycopg.Error):
                listen_conn.raw.cancel_safe()
        for thread in (self._thread, self._listener):
            if thread is not None:
                thread.join(timeout)
        self._thread = self._listener = None
        # A loop running in the caller's thread (run_forever) may be inside a transaction on the
        # connection right now: closing it from here could crash the SQLite driver. That loop
        # closes it itself on its way out.
        if not self._loop_in_caller.is_set():
            self._close()

    def run_forever(self) -> None:
        """Follow the log in this thread until interrupted (or :meth:`stop` from another)."""
        if self.listen:
            self._listener = threading.Thread(
                target=self._listen_loop, name="ledger-projections-listen", daemon=True
            )
            self._listener.start()
        self._loop_in_caller.set()
        try:
            self._loop()
        finally:
            self._stopping.set()
            self._close()
            self._loop_in_caller.clear()

    def run_until_idle(self) -> int:
        """Apply every event in the log now; returns how many were read."""
        self.prepare()
        total = 0
        while True:
            count = self.step()
            if count == 0:
                return total
            total += max(count, 0)

    def wake(self) -> None:
        """Look for new events now rather than at the next poll (called after a local write)."""
        self._wakeup.set()

    def wait_applied(self, since: int, timeout: float) -> int:
        """Block until this engine commits after commit number ``since``; returns the count."""
        with self._applied:
            self._applied.wait_for(lambda: self._commits != since, timeout)
            return self._commits

    @property
    def commits(self) -> int:
        with self._applied:
            return self._commits

    # --------------------------------------------------------------- the work

    def prepare(self) -> None:
        """Make sure each view has a live generation built by this code (building it if not)."""
        if self._prepared:
            return
        conn = self._connection()
        generations.ensure_tables(conn)
        with conn.transaction() as tx:
            current = generations.live(tx, [v.name for v in self.views])
        missing = [
            v for v in self.views
            if v.name not in current or current[v.name].schema_version != v.schema_version
        ]
        if missing:
            log.info("building views: %s", ", ".join(v.name for v in missing))
            try:
                build_views(
                    self.ledger,
                    missing,
                    page_size=self.build_page_size,
                    only_if_needed=True,
                    reader=self.reader,
                )
            except Exception:
                names_ = ", ".join(v.name for v in missing)
                log.exception("building %s failed; building each view alone", names_)
                for view in missing:
                    self._build_or_follow(view)
        with conn.transaction() as tx:
            known = generations.faults(tx, generations.live(tx, [v.name for v in self.views]))
        for name in known:
            self._retry_at.setdefault(name, 0.0)  # recorded by an earlier run: try it again now
        self._prepared = True

    def _build_or_follow(self, view: View) -> None:
        """Build one view; if even that fails (an event it cannot apply), make it live empty and
        let :meth:`step` follow the log into it, which stops it just before the poison event and
        records the fault: reads get the view's last good state instead of 503 for ever."""
        try:
            build_views(
                self.ledger, [view], page_size=self.build_page_size, only_if_needed=True, reader=self.reader
            )
        except Exception:
            log.exception("building view %s failed; following the log into it from the start", view.name)
            follow_from_start(self.ledger, view)

    def step(self) -> int:
        """Apply one page to every view that needs it.

        Returns the number of events read (0 when every view is at the head of the log or waits
        for its retry, -1 when another engine moved a view first and nothing was applied).
        """
        conn = self._connection()
        names = [v.name for v in self.views]
        with conn.transaction() as tx:
            seen = generations.live(tx, names)
        if len(seen) < len(self.views) or any(
            seen[v.name].schema_version != v.schema_version for v in self.views
        ):
            self._prepared = False
            self.prepare()
            return -1
        now = time.monotonic()
        due = [v for v in self.views if self._retry_at.get(v.name, 0.0) <= now]
        if not due:
            return 0  # every view waits for its retry
        start = min(seen[v.name].position for v in due)
        page = self.reader.page(start, self.page_size)
        if not page:
            # Level with the log: time for what a view keeps besides events (the findings of a
            # new day). -1: work was done, look again soon, but no event was read.
            return -1 if self._refresh(conn, due) else 0
        envelopes = self.reader.decode(page)
        end = page[-1].id
        applied: dict[str, int] = {}
        faults_before = self._faults_recorded
        with conn.transaction(write=True) as tx:
            current = generations.live(tx, names, lock=True)
            for view in due:
                expected = seen[view.name]
                if current.get(view.name) != expected:
                    continue  # moved by another engine or switched by a rebuild: resync
                if end <= expected.position:
                    continue
                reached = self._apply_guarded(tx, view, expected, envelopes, end)
                if reached.position != expected.position:
                    applied[view.name] = reached.position
                    if self.after_view_applied is not None:
                        self.after_view_applied(view.name, reached.position)
        failed = self._faults_recorded != faults_before
        if not applied and not failed:
            return -1
        # A recorded fault wakes the waiters too: a write need not wait for a failing view.
        with self._applied:
            self._positions.update(applied)
            self._commits += 1
            self._applied.notify_all()
        return len(page)

    def _refresh(self, conn: Connection, views: Sequence[View]) -> int:
        """Let each view that keeps something besides the log's events (``refresh``) do a batch
        of it, in a transaction of its own with its tracking row locked; how much was done."""
        done = 0
        for view in views:
            refresh = getattr(view, "refresh", None)
            if refresh is None:
                continue
            try:
                with conn.transaction(write=True) as tx:
                    live = generations.live(tx, [view.name], lock=True).get(view.name)
                    if live is None or live.schema_version != view.schema_version:
                        continue
                    done += int(refresh(tx, view.table_set(live.generation), self.reader))
            except Exception:
                # Its rows stay as they were (reads of them fall back as for any stale row);
                # the engine goes on following the log and tries again after a pause.
                log.exception("refreshing view %s failed", view.name)
                self._retry_at[view.name] = time.monotonic() + self.retry_max
        return done

    def _apply_guarded(
        self, tx: Tx, view: View, expected: Generation, envelopes: Sequence[Envelope], end: int
    ) -> Generation:
        """Apply a page to one view inside a savepoint; if the view fails, find the first event
        it cannot apply, keep it at the event before, and record the fault (see module doc)."""
        tx.execute("SAVEPOINT view_page")
        try:
            reached = apply_page(tx, view, expected, envelopes, end, self.reader)
        except PositionMoved:
            raise
        except Exception:
            tx.execute("ROLLBACK TO SAVEPOINT view_page")
        else:
            tx.execute("RELEASE SAVEPOINT view_page")
            if view.name in self._retry_at:
                del self._retry_at[view.name]
                generations.clear_fault(tx, view.name)
                log.info("view %s applies the log again (now at position %s)", view.name, end)
            return reached
        tx.execute("RELEASE SAVEPOINT view_page")
        return self._isolate(tx, view, expected, envelopes, end)

    def _isolate(
        self, tx: Tx, view: View, expected: Generation, envelopes: Sequence[Envelope], end: int
    ) -> Generation:
        """Apply the page to ``view`` one event at a time: up to the poison event, whose failure
        is recorded; or the whole page, if each event alone goes through."""
        tables = view.table_set(expected.generation)
        for envelope in envelopes_for(view, envelopes):
            if envelope.position <= expected.position:
                continue
            tx.execute("SAVEPOINT view_event")
            try:
                view.apply(tx, tables, [envelope], self.reader)
            except Exception as error:
                tx.execute("ROLLBACK TO SAVEPOINT view_event")
                tx.execute("RELEASE SAVEPOINT view_event")
                reached = expected
                if envelope.position - 1 > expected.position:
                    reached = apply_page(tx, view, expected, [], envelope.position - 1, self.reader)
                self._record_fault(tx, view, reached, envelope, error)
                return reached
            tx.execute("RELEASE SAVEPOINT view_event")
        # Every event went through alone: the failure was transient (or came from the batch).
        reached = apply_page(tx, view, expected, [], end, self.reader)
        if view.name in self._retry_at:
            del self._retry_at[view.name]
            generations.clear_fault(tx, view.name)
        return reached

    def _record_fault(
        self, tx: Tx, view: View, reached: Generation, envelope: Envelope, error: BaseException
    ) -> None:
        previous = generations.faults(tx).get(view.name)
        same = (
            previous is not None
            and previous.generation == reached.generation
            and previous.event_position == envelope.position
        )
        attempts = previous.attempts + 1 if same and previous is not None else 1
        delay = min(self.retry_initial * 2 ** (attempts - 1), self.retry_max)
        now = datetime.now(UTC)
        message = f"{type(error).__name__}: {error}".strip()[:2000]
        fault = Fault(
            view=view.name,
            generation=reached.generation,
            position=reached.position,
            event_position=envelope.position,
            event_id=envelope.event_id,
            error=message,
            failed_since=previous.failed_since if same and previous is not None else now,
            last_failed_at=now,
            attempts=attempts,
            next_retry_at=now + timedelta(seconds=delay),
        )
        generations.record_fault(tx, fault)
        self._faults_recorded += 1
        self._retry_at[view.name] = time.monotonic() + delay
        log.error(
            "%s (attempt %d); retrying in %.1fs", fault.describe(), attempts, delay,
            exc_info=(type(error), error, error.__traceback__),
        )

    # -------------------------------------------------------------- internals

    def _connection(self) -> Connection:
        if self._conn is None:
            self._conn = self.database.connect()
        return self._conn

    def _close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            finally:
                self._conn = None
        self._prepared = False

    def _loop(self) -> None:
        backoff = 0.1
        while not self._stopping.is_set():
            try:
                self.prepare()
                count = self.step()
                backoff = 0.1
                self.last_error = None
            except Exception as error:  # keep serving: log, reconnect, retry with backoff
                self.last_error = error
                self._step_errors += 1
                log.exception("projection engine step failed; retrying in %.1fs", backoff)
                self._close()
                self._stopping.wait(backoff)
                backoff = min(backoff * 2, 30.0)
                continue
            if count > 0:
                continue
            if count < 0:
                # Another engine got there first: let it finish its page.
                self._stopping.wait(random.uniform(0.005, 0.05))
                continue
            interval = self.repoll_interval if self.listen else self.poll_interval
            if self._retry_at:  # a failing view's retry may come before the next poll
                interval = min(interval, max(min(self._retry_at.values()) - time.monotonic(), 0.001))
            self._wakeup.wait(interval)
            self._wakeup.clear()

    def _listen_loop(self) -> None:
        backoff = 0.1
        while not self._stopping.is_set():
            try:
                conn = PostgresConnection(self.database.conninfo, autocommit=True)
                self._listen_conn = conn
                conn.raw.execute(psycopg.sql.SQL("LISTEN {0}").format(psycopg.sql.Identifier(self.channel)))
                self._wakeup.set()  # anything written while we were not listening
                backoff = 0.1
                while not self._stopping.is_set():
                    for _ in conn.raw.notifies(timeout=1.0, stop_after=1):
                        self._wakeup.set()
            except psycopg.Error as error:
                if self._stopping.is_set():
                    break
                log.warning("LISTEN connection lost (%s); re-polling until it is back", error)
                self._stopping.wait(backoff)
                backoff = min(backoff * 2, 10.0)
            finally:
                conn_ = self._listen_conn
                self._listen_conn = None
                if conn_ is not None:
                    with contextlib.suppress(psycopg.Error):
                        conn_.close()


def build(
    ledger: Ledger,
    view: View,
    *,
    page_size: int = 5000,
    switch: bool = True,
    only_if_needed: bool = False,
    state: str = BUILDING,
    progress: Progress | None = None,
    stop_at: int | None = None,
    reader: LogReader | None = None,
) -> Generation:
    """Build a new generation of one view; see :func:`build_views`."""
    return build_views(
        ledger, [view], page_size=page_size, switch=switch, only_if_needed=only_if_needed,
        state=state, progress=progress, stop_at=stop_at, reader=reader,
    )[view.name]


def build_views(
    ledger: Ledger,
    views: Sequence[View],
    *,
    page_size: int = 5000,
    switch: bool = True,
    only_if_needed: bool = False,
    state: str = BUILDING,
    progress: Progress | None = None,
    stop_at: int | None = None,
    reader: LogReader | None = None,
    jobs: int | None = None,
) -> dict[str, Generation]:
    """Build a new generation of each of ``views`` from the whole log, beside the live ones.

    One pass over the log feeds every view: each page is read and decoded once, then applied to
    every new generation in one transaction with their tracking rows (so a crash loses nothing
    but the page in flight and abandoned generations). Secondary indexes are made after the bulk
    load. With ``switch`` each new generation becomes live in the transaction that brings it
    level with the live one (the live generation's tracking row is locked meanwhile), and the
    old generation is dropped afterwards: reads see the old complete generation or the new
    complete one, never a part. Without ``switch`` (``state=SCRATCH``) the generations stop at
    ``stop_at`` and stay unattached, for comparisons. ``only_if_needed`` abandons a view's build
    if someone else made a live generation of its schema meanwhile (two engines starting on an
    empty store).
    """
    reader = reader or LogReader(ledger)
    conn = Database(ledger.store).connect()
    generations.ensure_tables(conn)
    mine: dict[str, Generation] = {}
    settled: set[str] = set()  # switched live, or handed back: never dropped on failure
    by_name = {view.name: view for view in views}
    try:
        with conn.transaction(write=True) as tx:
            for view in views:
                mine[view.name] = generations.allocate(tx, view.name, view.schema_version, state)
                view.create(tx, view.table_set(mine[view.name].generation), indexes=False)
        head = reader.head() if stop_at is None else stop_at
        mine = bulk_load(
            conn, reader, views, mine, upto=head, batch=page_size, progress=progress, jobs=jobs
        )
        with conn.transaction(write=True) as tx:
            for view in views:
                view.create_indexes(tx, view.table_set(mine[view.name].generation))
                view.analyze(tx, view.table_set(mine[view.name].generation))
        if not switch:
            return mine
        # What arrived while indexing, outside the switch's locks.
        mine = fill_many(conn, reader, views, mine, page_size=page_size, progress=progress)
        retired: dict[str, int] = {}
        abandoned: list[str] = []
        with conn.transaction(write=True) as tx:
            current = generations.live(tx, list(by_name), lock=True)
            for name, view in by_name.items():
                live = current.get(name)
                if only_if_needed and live is not None and live.schema_version == view.schema_version:
                    abandoned.append(name)
                    continue
                locked = generations.get(tx, name, mine[name].generation, lock=True)
                if locked is None:
                    raise PositionMoved(f"generation {mine[name].generation} of {name} vanished")
                ours = locked
                target = live.position if live is not None else ours.position
                # Level with the live generation inside this transaction, so the switch never
                # shows readers an older view than the one they had.
                while ours.position < target:
                    page = reader.page(ours.position, page_size, stop=target)
                    if not page:
                        break
                    ours = apply_page(tx, view, ours, reader.decode(page), page[-1].id, reader)
                mine[name] = ours
                previous = generations.switch(tx, name, ours.generation)
                if previous is not None:
                    retired[name] = previous
        settled.update(n for n in by_name if n not in abandoned)
        for name, old in retired.items():
            drop_generation(conn, by_name[name], old)
        with conn.transaction() as tx:
            live_now = generations.live(tx, list(by_name))
        for name in abandoned:
            drop_generation(conn, by_name[name], mine[name].generation)
            mine[name] = live_now[name]
            settled.add(name)
        if progress is not None:
            reached = min(g.position for g in mine.values())
            progress(reached, max(head, reached))
        return mine
    except BaseException:
        for name, built in mine.items():
            if name in settled:
                continue
            try:
                drop_generation(conn, by_name[name], built.generation)
            except Exception:  # the original error matters more than a failed clean-up
                log.exception("could not drop abandoned generation %s of %s", built.generation, name)
        raise
    finally:
        conn.close()


PARALLEL_FROM = 50_000  # events: below this, starting worker processes costs more than it saves


def bulk_load(
    conn: Connection,
    reader: LogReader,
    views: Sequence[View],
    empty: dict[str, Generation],
    *,
    upto: int,
    batch: int,
    progress: Progress | None = None,
    jobs: int | None = None,
) -> dict[str, Generation]:
    """Load new, empty generations with the whole log up to position ``upto``, read one staff
    member after another (every view keeps its state per person, so the order of people does not
    matter, only each person's own order).

    With ``jobs`` > 1 worker processes each load a slice of the staff (default: one per CPU, up
    to 4, for a log of 50,000 events or more; the loads compute in parallel, SQLite serialises
    only their short write transactions). A batch's rows are computed with no lock held and
    written in one short transaction. The generations' positions move from 0 to ``upto`` only
    at the end, so a build that dies half-way leaves generations that never claim to hold
    anything (dropped, never resumed).
    """
    if jobs is None:
        jobs = min(os.cpu_count() or 1, 4) if upto >= PARALLEL_FROM else 1
    if any("<locals>" in type(view).__qualname__ for view in views):
        jobs = 1  # a worker process could not import the view's class
    done = 0

    def report(count: int) -> None:
        nonlocal done
        done += count
        if progress is not None:
            progress(min(done, upto), max(upto, 1))

    if jobs > 1:
        _load_in_parallel(reader.ledger.store, views, empty, upto=upto, batch=batch, jobs=jobs, report=report)
    else:
        load_part(conn, reader, views, empty, upto=upto, batch=batch, part=(0, 1), report=report)
    mine = dict(empty)
    with conn.transaction(write=True) as tx:
        for view in views:
            start = mine[view.name]
            if not generations.advance(tx, start, upto):
                raise PositionMoved(f"{view.name} generation {start.generation} moved while loading")
            mine[view.name] = Generation(
                start.view, start.generation, upto, start.schema_version, start.state
            )
    return mine


def load_part(
    conn: Connection,
    reader: LogReader,
    views: Sequence[View],
    generations_of: dict[str, Generation],
    *,
    upto: int,
    batch: int,
    part: tuple[int, int],
    report: Callable[[int], None],
) -> None:
    """Load one slice of the staff into the given (not live) generations."""
    for envelopes in reader.by_person(upto, batch, part=part):
        recording = RecordingTx(conn.dialect)
        try:
            for view in views:
                mine = envelopes_for(view, envelopes)
                if mine:
                    view.apply(recording, view.table_set(generations_of[view.name].generation), mine, reader)
        except ReadAttempted:
            with conn.transaction(write=True) as tx:
                for view in views:
                    mine = envelopes_for(view, envelopes)
                    if mine:
                        view.apply(tx, view.table_set(generations_of[view.name].generation), mine, reader)
        else:
            with conn.transaction(write=True) as tx:
                recording.replay(tx)
        report(len(envelopes))


def _load_worker(spec: dict[str, Any]) -> None:
    """One worker process of a parallel bulk load (see :func:`bulk_load`); reports on stdout."""
    # The store exists: workers starting together must not race to create its tables.
    ledger = Ledger(StoreConfig(spec["url"]), env={"CREATE_TABLE": "false"})
    conn = Database(ledger.store).connect()
    try:
        views: list[View] = [
            resolve_topic(topic)(**settings)
            for topic, settings in zip(spec["views"], spec["settings"], strict=True)
        ]
        targets = {
            view.name: Generation(view.name, number, 0, view.schema_version, BUILDING)
            for view, number in zip(views, spec["generations"], strict=True)
        }

        def report(count: int) -> None:
            print(count, flush=True)

        load_part(
            conn, LogReader(ledger), views, targets, upto=spec["upto"], batch=spec["batch"],
            part=(spec["part"], spec["parts"]), report=report,
        )
    finally:
        conn.close()
        ledger.close()


WORKER = (
    "import json, sys; from projections.engine import _load_worker; _load_worker(json.loads(sys.argv[1]))"
)


def _load_in_parallel(
    store: StoreConfig,
    views: Sequence[View],
    empty: dict[str, Generation],
    *,
    upto: int,
    batch: int,
    jobs: int,
    report: Callable[[int], None],
) -> None:
    """Run ``jobs`` worker processes (plain interpreters, so nothing of the caller's ``__main__``
    is re-imported), each loading a slice of the staff; their progress comes on their stdout."""
    base = {
        "url": store.url,
        "views": [get_topic(type(v)) for v in views],
        "settings": [v.settings() for v in views],
        "generations": [empty[v.name].generation for v in views],
        "upto": upto,
        "batch": batch,
        "parts": jobs,
    }
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, json.dumps({**base, "part": index})],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)},
        )
        for index in range(jobs)
    ]
    lines: queue.Queue[int | None] = queue.Queue()

    def relay(stream: Any) -> None:
        for line in stream:
            if line.strip().isdigit():
                lines.put(int(line))
        lines.put(None)

    readers = [threading.Thread(target=relay, args=(w.stdout,), daemon=True) for w in workers]
    for thread in readers:
        thread.start()
    try:
        ended = 0
        while ended < jobs:
            count = lines.get()
            if count is None:
                ended += 1
            else:
                report(count)
        for worker in workers:
            if worker.wait() != 0:
                error = worker.stderr.read() if worker.stderr else ""
                raise RuntimeError(f"a rebuild worker failed:\n{error.strip()[-2000:]}")
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait()


def fill(
    conn: Connection,
    reader: LogReader,
    view: View,
    generation: Generation,
    *,
    page_size: int,
    stop_at: int | None = None,
    progress: Progress | None = None,
) -> Generation:
    """Apply the log to one generation that is not live; see :func:`fill_many`."""
    return fill_many(
        conn, reader, [view], {view.name: generation}, page_size=page_size, stop_at=stop_at,
        progress=progress,
    )[view.name]


def fill_many(
    conn: Connection,
    reader: LogReader,
    views: Sequence[View],
    positions: dict[str, Generation],
    *,
    page_size: int,
    stop_at: int | None = None,
    progress: Progress | None = None,
) -> dict[str, Generation]:
    """Apply the log to generations that are not live (being built, or scratch), page by page,
    up to ``stop_at`` or to the head of the log; one transaction per page for all of them."""
    head = reader.head() if stop_at is None else stop_at
    mine = dict(positions)
    while True:
        start = min(g.position for g in mine.values())
        if stop_at is not None and start >= stop_at:
            break
        page = reader.page(start, page_size, stop=stop_at)
        if not page:
            break
        envelopes = reader.decode(page)
        with conn.transaction(write=True) as tx:
            for view in views:
                mine[view.name] = apply_page(
                    tx, view, mine[view.name], envelopes, page[-1].id, reader
                )
        if progress is not None:
            head = max(head, page[-1].id)
            progress(page[-1].id, head)
        if len(page) < page_size:
            break
    return mine


def drop_generation(conn: Connection, view: View, generation: int) -> None:
    """Drop one generation's tables and its tracking row."""
    for attempt in range(5):
        try:
            with conn.transaction(write=True) as tx:
                view.drop(tx, view.table_set(generation))
                generations.forget(tx, view.name, generation)
            return
        except psycopg.errors.LockNotAvailable:
            time.sleep(0.1 * (attempt + 1))


def follow_from_start(ledger: Ledger, view: View) -> None:
    """Make an empty generation of ``view`` live, for the engine to follow the log into page by
    page (unless a live generation of this schema appeared meanwhile)."""
    conn = Database(ledger.store).connect()
    previous = None
    try:
        generations.ensure_tables(conn)
        with conn.transaction(write=True) as tx:
            live_one = generations.live(tx, [view.name], lock=True).get(view.name)
            if live_one is not None and live_one.schema_version == view.schema_version:
                return
            mine = generations.allocate(tx, view.name, view.schema_version, BUILDING)
            view.create(tx, view.table_set(mine.generation), indexes=True)
            previous = generations.switch(tx, view.name, mine.generation)
        if previous is not None:
            drop_generation(conn, view, previous)
    finally:
        conn.close()


def rebuild(
    ledger: Ledger,
    views: Sequence[View] | None = None,
    *,
    page_size: int = 5000,
    progress: Progress | None = None,
    jobs: int | None = None,
) -> dict[str, Generation]:
    """Rebuild views (default: all) into new generations in one pass over the log, then switch
    reads to them. ``jobs``: worker processes for the bulk load (default: one per CPU on a big
    log)."""
    chosen = list(views) if views is not None else default_views(ledger)
    return build_views(ledger, chosen, page_size=page_size, progress=progress, jobs=jobs)


def prune(ledger: Ledger) -> list[tuple[str, int]]:
    """Drop every generation that is not live (left by interrupted rebuilds or checks); returns
    what it dropped. Not while a rebuild is running: its generation is not live yet."""
    views = {view.name: view for view in default_views(ledger)}
    conn = Database(ledger.store).connect()
    dropped = []
    try:
        generations.ensure_tables(conn)
        with conn.transaction() as tx:
            every = generations.all_generations(tx)
            live = generations.live(tx, list({g.view for g in every}))
        for found in every:
            current = live.get(found.view)
            if found.view in views and (current is None or current.generation != found.generation):
                drop_generation(conn, views[found.view], found.generation)
                dropped.append((found.view, found.generation))
    finally:
        conn.close()
    return dropped


@dataclass(frozen=True)
class ViewState:
    """How far one view's live generation is, and why it is stuck if it is."""

    name: str
    generation: int
    position: int
    lag_events: int
    lag_seconds: float
    fault: Fault | None

    @property
    def failing(self) -> bool:
        return self.fault is not None


def view_states(
    tx: Tx, reader: LogReader, names: Sequence[str], *, head: int | None = None, now: datetime | None = None
) -> list[ViewState]:
    """The live generation of each of ``names`` (those that have one): position, lag behind the
    log's head in events and in seconds (how long the first event it has not applied has been
    waiting), and its fault if a poison event stopped it."""
    live = generations.live(tx, list(names))
    found = generations.faults(tx, live)
    head = reader.head() if head is None else head
    now = now or datetime.now(UTC)
    states = []
    waiting: dict[int, float] = {}
    for name in names:
        g = live.get(name)
        if g is None:
            continue
        fault = found.get(name)
        if fault is not None and fault.position != g.position:
            fault = None  # another engine moved the view past it since
        lag = max(head - g.position, 0)
        seconds = 0.0
        if lag:
            if g.position not in waiting:
                waiting[g.position] = _waiting_since(reader, g.position, now)
            seconds = waiting[g.position]
        states.append(ViewState(name, g.generation, g.position, lag, seconds, fault))
    return states


def _waiting_since(reader: LogReader, position: int, now: datetime) -> float:
    page = reader.page(position, 1)
    if not page:
        return 0.0
    envelope = reader.decode(page)[0]
    moment = envelope.event.timestamp
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return round(max((now - moment).total_seconds(), 0.0), 3)


def status(ledger: Ledger) -> list[dict[str, Any]]:
    """Every generation of every view with its position and lag behind the log's head."""
    conn = Database(ledger.store).connect()
    reader = LogReader(ledger)
    head = reader.head()
    try:
        generations.ensure_tables(conn)
        with conn.transaction() as tx:
            rows = generations.all_generations(tx)
            names = sorted({g.view for g in rows})
            states = {s.name: s for s in view_states(tx, reader, names, head=head, now=ledger.clock())}
    finally:
        conn.close()
    answer = []
    for g in rows:
        state = states.get(g.view)
        live_one = state is not None and state.generation == g.generation
        answer.append(
            {
                "view": g.view,
                "generation": g.generation,
                "state": g.state,
                "position": g.position,
                "head": head,
                "lag": head - g.position,
                "schema_version": g.schema_version,
                "lag_seconds": state.lag_seconds if live_one and state is not None else None,
                "fault": state.fault if live_one and state is not None else None,
            }
        )
    return answer


__all__ = [
    "SCRATCH",
    "Engine",
    "PositionMoved",
    "ViewState",
    "build",
    "build_views",
    "default_views",
    "prune",
    "rebuild",
    "status",
    "view_names",
    "view_states",
]
