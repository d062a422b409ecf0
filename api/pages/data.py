"""What the pages read beyond the API's read model: every person's events, folded on demand.

Standings, the directory, trails, the qualification and attendance counts (a unit's too), the
anomalies and the list of units come from the projected views (``projections.queries.ReadModel``),
exactly as the HTTP API answers them. The pages that still fold records (needs, effectiveness)
read the log through :class:`EventCache`: every staff member's events, kept in memory and brought
up to date from the log's tail before each use (only new notifications are read).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, cast
from uuid import UUID

from ledger import needs as needs_module
from ledger.application import Ledger
from ledger.effectiveness import ProgrammeEffect, effectiveness_report
from ledger.record import StaffRecord
from ledger.staff import StaffEvent, StaffMember, fold_record
from projections.anomalies import Anomaly, AnomalyRules
from projections.queries import ReadModel

PAGE = 1000


class EventCache:
    """Every staff member's events in version order, kept level with the log's tail."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self._lock = threading.Lock()
        self._after = 0
        self._streams: dict[UUID, list[StaffEvent]] = {}
        self._staff_ids: dict[UUID, str] = {}

    def refresh(self) -> int:
        """Read what the log gained since the last call; the log position now covered."""
        recorder: Any = self.ledger.recorder
        with self._lock:
            while True:
                page = recorder.select_notifications(self._after + 1, PAGE)
                for notification in page:
                    event = cast(StaffEvent, self.ledger.mapper.to_domain_event(notification))
                    stream = self._streams.setdefault(event.originator_id, [])
                    stream.append(event)
                    if isinstance(event, StaffMember.Registered):
                        self._staff_ids[event.originator_id] = event.staff_id
                if page:
                    self._after = page[-1].id
                if len(page) < PAGE:
                    return self._after

    def streams(self) -> dict[str, list[StaffEvent]]:
        """staff_id → that person's events (version order), as of the latest refresh."""
        self.refresh()
        with self._lock:
            return {
                self._staff_ids[oid]: sorted(events, key=lambda e: e.originator_version)
                for oid, events in self._streams.items()
                if oid in self._staff_ids
            }


class Workbench:
    """The reads of the pages: the API's read model, and folds of the cached events."""

    def __init__(self, ledger: Ledger, read_model: ReadModel) -> None:
        self.ledger = ledger
        self.read_model = read_model
        self.cache = EventCache(ledger)

    @property
    def rules(self) -> AnomalyRules:
        """The anomaly thresholds the anomalies view is built with (the engine's configuration)."""
        return self.read_model.anomalies_view.rules

    def today(self) -> date:
        return self.read_model.today()

    def records(self, as_of: date | None = None, known_at: datetime | None = None) -> list[StaffRecord]:
        """Every staff member's record on ``as_of`` (default: all events), as the ledger knew it
        at ``known_at`` (default now; people registered later are left out), by staff code."""
        return [
            fold_record(events, as_of=as_of, known_at=known_at)
            for _, events in sorted(known_streams(self.cache.streams(), known_at).items())
        ]

    def units(self) -> list[str]:
        """Every unit anyone was ever in (registrations, rotations, transfers), sorted."""
        return self.read_model.units()

    # ------------------------------------------------------------------ reports

    def needs(
        self, as_of: date, unit: str | None, position: str | None, known_at: datetime | None = None
    ) -> needs_module.NeedsReport:
        records = self.records(as_of, known_at)
        report = needs_module.needs_report(records, as_of, self.ledger.rules, position)
        if unit is None:
            return report
        people = tuple(p for p in report.people if p.unit == unit)
        pools = tuple(
            needs_module.pool_readiness(
                [r for r in records if r.unit_on(as_of) == unit], as_of, self.ledger.rules
            )
        )
        return needs_module.NeedsReport(report.as_of, report.rule_set, position, people, pools)

    def effectiveness(
        self, as_of: date, unit: str | None, tracks: Sequence[str] | None, known_at: datetime | None = None
    ) -> list[ProgrammeEffect]:
        records = self.records(as_of, known_at)
        if unit is not None:
            records = [r for r in records if r.unit_on(as_of) == unit]
        return effectiveness_report(records, as_of, tracks=tracks or None)

    def person_anomalies(self, staff_id: str) -> list[Anomaly]:
        """One person's anomalies, from the anomalies view."""
        return self.read_model.person_anomalies(staff_id)


def known_streams(
    streams: dict[str, list[StaffEvent]], known_at: datetime | None
) -> dict[str, list[StaffEvent]]:
    """Each person's events recorded at or before ``known_at`` (all when None); people with none
    (registered later) are left out. A correction recorded later is left out with the rest, so
    the event it voids counts again, as it did then."""
    if known_at is None:
        return streams
    kept = {sid: [e for e in events if e.timestamp <= known_at] for sid, events in streams.items()}
    return {sid: events for sid, events in kept.items() if events}
