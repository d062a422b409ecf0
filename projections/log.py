"""Reading the ledger's notification log for the views: pages of decoded, attributed events."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from typing import Any, cast
from uuid import UUID

import psycopg
from eventsourcing.persistence import Notification, StoredEvent

from ledger.application import Ledger
from ledger.organisation import ORGANISATION_ID, ORGANISATION_STREAM
from ledger.staff import StaffEvent, StaffMember
from projections.base import Envelope
from projections.store import Database, Tx


class LogReader:
    """Pages of the log after a position, decoded with the application's mapper.

    Every envelope says whose event it is: only a registration carries the staff code, so the
    reader remembers the code of every aggregate it has seen (codes never change) and looks up the
    registration of the others. The organisation's stream (unit facts) is ``@org``.
    """

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.recorder = ledger.recorder
        self.mapper = ledger.mapper
        self._staff_ids: dict[UUID, str] = {ORGANISATION_ID: ORGANISATION_STREAM}
        self.events_table = str(getattr(self.recorder, "events_table_name", "stored_events"))

    def head(self) -> int:
        return int(cast(Any, self.recorder).max_notification_id() or 0)

    def page(self, after: int, limit: int, *, stop: int | None = None) -> Sequence[Notification]:
        recorder = cast(Any, self.recorder)
        page: Sequence[Notification] = recorder.select_notifications(
            after, limit, stop, inclusive_of_start=False
        )
        return page

    def decode(self, notifications: Sequence[Notification]) -> list[Envelope]:
        envelopes = []
        to_event = self.mapper.to_domain_event
        staff_ids = self._staff_ids
        for n in notifications:
            event = cast(StaffEvent, to_event(n))
            oid = event.originator_id
            if isinstance(event, StaffMember.Registered):
                staff_ids[oid] = event.staff_id
            staff_id = staff_ids.get(oid) or self._lookup_staff_id(oid)
            envelopes.append(Envelope(n.id, staff_id, oid, event.originator_version, event))
        return envelopes

    def by_person(self, upto: int, batch: int, *, part: tuple[int, int] = (0, 1)) -> Iterator[list[Envelope]]:
        """Every event up to log position ``upto``, one staff member after another (each in
        version order), in batches of whole staff members of about ``batch`` events.

        A rebuild reads the log this way: each person's history arrives whole, so a view can
        fold it at once instead of loading and saving the person page after page. ``part``
        ``(i, n)`` reads only the i-th of n equal slices of the aggregate ids (parallel loads).
        """
        table = self.events_table
        database = Database(self.ledger.store)
        pending: list[Envelope] = []
        current: Any = None
        rows = self._rows_by_person(database, table, upto, part)
        for position, oid, version, topic, state in rows:
            if oid != current:
                if len(pending) >= batch:
                    yield pending
                    pending = []
                current = oid
            originator_id = oid if isinstance(oid, UUID) else UUID(oid)
            event = self.stored_event(originator_id, version, topic, state)
            if isinstance(event, StaffMember.Registered):
                self._staff_ids[originator_id] = event.staff_id
            staff_id = self._staff_ids.get(originator_id) or self._lookup_staff_id(originator_id)
            pending.append(Envelope(position, staff_id, originator_id, version, event))
        if pending:
            yield pending

    @staticmethod
    def _rows_by_person(
        database: Database, table: str, upto: int, part: tuple[int, int]
    ) -> Iterator[tuple[Any, ...]]:
        index, parts = part
        low = UUID(int=(index * 2**128) // parts)
        high = UUID(int=((index + 1) * 2**128) // parts - 1)
        if database.dialect == "sqlite":
            conn = sqlite3.connect(database.store.sqlite_path)
            conn.execute("PRAGMA mmap_size=268435456")  # the person order reads all over the file
            try:
                rows = conn.execute(
                    f"SELECT rowid, originator_id, originator_version, topic, state FROM {table} "
                    "WHERE rowid <= ? AND originator_id BETWEEN ? AND ? "
                    "ORDER BY originator_id, originator_version",
                    (upto, low.hex, high.hex),
                )
                while chunk := rows.fetchmany(2000):
                    yield from chunk
            finally:
                conn.close()
            return
        with psycopg.connect(database.conninfo) as pg, pg.cursor(name="ledger_by_person") as cursor:
            cursor.itersize = 2000
            cursor.execute(
                psycopg.sql.SQL(
                    "SELECT notification_id, originator_id, originator_version, topic, state FROM {0} "
                    "WHERE notification_id <= %s AND originator_id BETWEEN %s AND %s "
                    "ORDER BY originator_id, originator_version"
                ).format(psycopg.sql.Identifier(table)),
                (upto, low, high),
            )
            yield from cursor

    def stored_event(self, originator_id: UUID, version: int, topic: str, state: Any) -> StaffEvent:
        """The event of one row of the events table read by this module's own SQL (the state
        comes as ``bytes``, or as a ``memoryview`` from PostgreSQL)."""
        data = state if type(state) is bytes else bytes(state)
        return cast(StaffEvent, self.mapper.to_domain_event(StoredEvent(originator_id, version, topic, data)))

    def events_of(self, originator_id: UUID, lte: int) -> list[StaffEvent]:
        """One staff member's events up to version ``lte``, in order."""
        stored: Sequence[StoredEvent] = self.recorder.select_events(originator_id, lte=lte)
        return [cast(StaffEvent, self.mapper.to_domain_event(s)) for s in stored]

    def event_at(self, originator_id: UUID, version: int) -> StaffEvent | None:
        """One event of one staff member, or None."""
        stored: Sequence[StoredEvent] = self.recorder.select_events(
            originator_id, gt=version - 1, lte=version
        )
        return cast(StaffEvent, self.mapper.to_domain_event(stored[0])) if stored else None

    def envelope(self, position: int, event: StaffEvent) -> Envelope:
        """One decoded event in its envelope (for callers that decode events themselves)."""
        oid = event.originator_id
        if isinstance(event, StaffMember.Registered):
            self._staff_ids[oid] = event.staff_id
        staff_id = self._staff_ids.get(oid) or self._lookup_staff_id(oid)
        return Envelope(position, staff_id, oid, event.originator_version, event)

    def _lookup_staff_id(self, originator_id: UUID) -> str:
        first = self.events_of(originator_id, 1)
        if not first or not isinstance(first[0], StaffMember.Registered):
            # A log whose first event of an aggregate is not a registration is not a ledger log.
            raise LookupError(f"Aggregate {originator_id} has no registration in the log.")
        staff_id = first[0].staff_id
        self._staff_ids[originator_id] = staff_id
        return staff_id


class TransactionLog:
    """The log as a view reads it while the engine applies a page: one staff member's events read
    through the engine's own transaction.

    Not through the application's connection pool (``LogReader.events_of``): on SQLite the
    engine's transaction holds the file's write lock while the view reads, and under concurrent
    writes every pooled connection can be held by a writer waiting for that lock, so the view
    would wait for a connection that waits for the view: every write stalled until the busy
    timeout. The events a page names are committed before its transaction begins, so the
    transaction sees them.
    """

    def __init__(self, tx: Tx, reader: LogReader) -> None:
        self.tx = tx
        self.reader = reader
        self.table = reader.events_table

    def events_of(self, originator_id: UUID, lte: int) -> list[StaffEvent]:
        """One staff member's events up to version ``lte``, in order."""
        return self._events(originator_id, 1, lte)

    def event_at(self, originator_id: UUID, version: int) -> StaffEvent | None:
        """One event of one staff member, or None."""
        found = self._events(originator_id, version, version)
        return found[0] if found else None

    def _events(self, originator_id: UUID, first: int, last: int) -> list[StaffEvent]:
        # The SQLite recorder keeps ids as hex text; PostgreSQL as uuid.
        key: Any = originator_id.hex if self.tx.dialect == "sqlite" else originator_id
        rows = self.tx.query(
            f"SELECT originator_version, topic, state FROM {self.table} "
            "WHERE originator_id = ? AND originator_version BETWEEN ? AND ? ORDER BY originator_version",
            (key, first, last),
        )
        decoded = self.reader.stored_event
        return [decoded(originator_id, version, topic, state) for version, topic, state in rows]
