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
import logging
import random
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

import psycopg

from ledger.application import Ledger
from projections import generations
from projections.base import Envelope, View, envelopes_for
from projections.building import build_views, follow_from_start
from projections.generations import SCRATCH, Fault, Generation
from projections.log import LogReader, TransactionLog
from projections.pages import PositionMoved, apply_page
from projections.registry import default_views
from projections.store import Connection, Database, PostgresConnection, Tx

log = logging.getLogger("ledger.projections")


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
        for view in (v for v in views if v.refreshes):
            try:
                # Asked in a read transaction first: an idle engine must not take the write lock
                # (BEGIN IMMEDIATE on SQLite) at every poll.
                with conn.transaction() as tx:
                    live = generations.live(tx, [view.name]).get(view.name)
                    if live is None or live.schema_version != view.schema_version:
                        continue
                    if not view.needs_refresh(tx, view.table_set(live.generation)):
                        continue
                with conn.transaction(write=True) as tx:
                    live = generations.live(tx, [view.name], lock=True).get(view.name)
                    if live is None or live.schema_version != view.schema_version:
                        continue
                    done += view.refresh(tx, view.table_set(live.generation), TransactionLog(tx, self.reader))
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
                view.apply(tx, tables, [envelope], TransactionLog(tx, self.reader))
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


__all__ = ["SCRATCH", "Engine"]
