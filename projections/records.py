"""Where the position-standards reports read people's records from: the standing view's documents
(RecordSource) and the findings view (FindingsSource)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Sequence
from datetime import date, datetime
from typing import Protocol, TypeVar
from uuid import UUID

from ledger.application import Ledger
from ledger.domain.fold import fold_record
from ledger.domain.ids import staff_aggregate_id
from ledger.domain.record import StaffRecord
from ledger.organisation import ORGANISATION_ID
from ledger.staff import StaffEvent, StaffMember
from projections.base import micros
from projections.findings_reads import FindingsReads, Scope
from projections.log import LogReader
from projections.units import Structure

T = TypeVar("T")
PAGE = 1000
EVERY_VERSION = 2**31 - 1  # "up to the last version" for a read of one stream

class RecordSource:
    """Every staff member's events in version order, read once from the log and kept level with
    its tail; records folded from them for any business date and state of knowledge."""

    def __init__(self, ledger: Ledger) -> None:
        self.reader = LogReader(ledger)
        self._lock = threading.Lock()
        self._after = 0
        self._streams: dict[UUID, list[StaffEvent]] = {}
        self._staff_ids: dict[UUID, str] = {}
        # aggregate → (version, last business date, whole record)
        self._whole: dict[UUID, tuple[int, date, StaffRecord]] = {}
        self._loaded = False  # the whole log read into memory (by a question about everyone)

    def refresh(self) -> int:
        """Read what the log gained since the last call; the log position now covered."""
        with self._lock:
            while True:
                page = self.reader.page(self._after, PAGE)
                for envelope in self.reader.decode(page):
                    event = envelope.event
                    self._streams.setdefault(event.originator_id, []).append(event)
                    if isinstance(event, StaffMember.Registered):
                        self._staff_ids[event.originator_id] = event.staff_id
                if page:
                    self._after = page[-1].id
                if len(page) < PAGE:
                    self._loaded = True
                    return self._after

    def structure(self, known_at: datetime | None) -> Structure:
        """The organisation's units as known at ``known_at`` (now when None), from the unit facts
        read with the rest of the log."""
        self.refresh()
        with self._lock:
            events = list(self._streams.get(ORGANISATION_ID, ()))
        return Structure.of_events(events, None if known_at is None else micros(known_at))

    def records(
        self, as_of: date, known_at: datetime | None, *, only: Collection[str] | None = None
    ) -> list[StaffRecord]:
        """Every staff member's record (of those in ``only``) on ``as_of`` as the ledger knew it
        at ``known_at`` (now when None; people registered later are left out), by staff code. A
        correction recorded after ``known_at`` is left out with the rest, so the event it voids
        counts again, as it did then.

        Until the log is in memory, the records of ``only`` are read stream by stream (one
        indexed read each), so a question about one unit never reads the whole log."""
        if only is not None and not self._loaded:
            return self._records_of(sorted(only), as_of, known_at)
        self.refresh()
        with self._lock:
            streams = [
                (self._staff_ids[oid], sorted(events, key=lambda e: e.originator_version))
                for oid, events in self._streams.items()
                if oid in self._staff_ids and (only is None or self._staff_ids[oid] in only)
            ]
        records = []
        for _, events in sorted(streams, key=lambda item: item[0]):
            if known_at is not None:
                events = [e for e in events if e.timestamp <= known_at]
                if not events or not isinstance(events[0], StaffMember.Registered):
                    continue
                records.append(fold_record(events, as_of=as_of, known_at=known_at))
            else:
                records.append(self._current(events, as_of))
        return records

    def _records_of(
        self, staff_ids: Sequence[str], as_of: date, known_at: datetime | None
    ) -> list[StaffRecord]:
        records = []
        for staff_id in staff_ids:
            events = self.reader.events_of(staff_aggregate_id(staff_id), EVERY_VERSION)
            if known_at is not None:
                events = [e for e in events if e.timestamp <= known_at]
            if events and isinstance(events[0], StaffMember.Registered):
                records.append(fold_record(events, as_of=as_of, known_at=known_at))
        return records

    def registered(self, staff_id: str, known_at: datetime | None) -> bool:
        """Whether ``staff_id`` was registered (by ``known_at``, when given)."""
        if not self._loaded:
            opening = self.reader.events_of(staff_aggregate_id(staff_id), 1)
            return bool(opening) and (known_at is None or opening[0].timestamp <= known_at)
        self.refresh()
        with self._lock:
            for oid, code in self._staff_ids.items():
                if code == staff_id:
                    first = self._streams[oid][0]
                    return known_at is None or first.timestamp <= known_at
        return False

    def _current(self, events: list[StaffEvent], as_of: date) -> StaffRecord:
        """The record on ``as_of`` as known now. On or after the person's last business date it
        is the whole record, folded once per version of the person and then reused (the reports
        of today ask for it again and again); before, it is folded for the day. The reports only
        read records, never change them."""
        last = events[-1]
        whole = self._whole.get(last.originator_id)
        if whole is None or whole[0] != last.originator_version:
            latest = max(e.effective_on for e in events)
            whole = (last.originator_version, latest, fold_record(events))
            self._whole[last.originator_id] = whole
        _, latest, record = whole
        return record if as_of >= latest else fold_record(events, as_of=as_of)


class FindingsSource(Protocol):
    """The findings view as the reports read it (``projections.queries.ReadModel``)."""

    def findings_stamp(self, day: date) -> tuple[int, int] | None:
        """Where the findings view stands (generation, position) if it can answer for ``day``
        under the ledger's rules: every row judged for that day. None if it cannot."""

    def structure(self, known_at: datetime | None) -> Structure:
        """The organisation's units as known at ``known_at`` (now when None), from the views."""

    def staff_in_unit(self, day: date, known_at: datetime | None, unit: str, structure_on: date) -> set[str]:
        """The staff codes of everyone (recorded by ``known_at``) whose unit on ``day``, mapped
        onto the structure of ``structure_on`` as known then, is ``unit``."""

    def read_findings(
        self, unit: str | None, structure_on: date, run: Callable[[FindingsReads, Scope], T]
    ) -> T:
        """``run`` over the live findings view, with the scope of ``unit`` (mapped onto the
        structure of ``structure_on``), in one read transaction."""
