"""What the routes read, in one place: standings, directory, histories, trails, reports, the log.

Standings, the directory, trails and reports come from the projected views through
``projections.queries.ReadModel`` (which itself folds one person's stream for past dates and past
states of knowledge); histories and the global log are read from the log itself. After each write
the routes wait here until the views have applied it (read-your-writes).
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import enum
import threading
import time
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, TypeVar

from eventsourcing.utils import get_topic

from api.errors import ApiProblem
from api.jsonable import jsonable
from ledger.application import Ledger
from ledger.domain import errors
from ledger.domain.catalog import Funding, Track
from ledger.domain.fold import fold_record
from ledger.domain.history import BUSINESS_DATE_FIELD, event_data
from ledger.domain.ids import make_event_id, staff_aggregate_id
from ledger.domain.units import unit_history
from ledger.service import HistoryEntry
from ledger.staff import EVENT_TYPES
from ledger.standards.commitments import commitments_of
from projections.forms import NOT_RECORDED_NOTE
from projections.log import LogReader
from projections.queries import ReadModel, Standing, StandingDocument
from projections.reports import Reports
from projections.status import ViewState
from projections.text import nfc
from projections.units import Structure

# The end of a standing's JSON with no service commitments (``StandingAnswer.commitments`` last).
NO_COMMITMENTS = b',"commitments":[]}'
T = TypeVar("T")


def encode_cursor(kind: str, value: int | str) -> str:
    return base64.urlsafe_b64encode(f"{kind}:{value}".encode()).decode().rstrip("=")


def decode_cursor(kind: str, cursor: str) -> str:
    """The value inside a cursor this service made, or a 422 naming the `cursor` parameter."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        text = ""
    prefix, _, value = text.partition(":")
    if prefix != kind or not value:
        raise ApiProblem(
            "validation_error",
            "The cursor is not one this service gave out; start again without it.",
            errors=[{"field": "cursor", "message": "Unknown cursor.", "in": "query"}],
        )
    return value


VIEWS_BEHIND = "Ledger-Views-Behind"
BEHIND_AFTER_SECONDS = 2.0  # a view this late on an event is reported behind even without a fault


def format_behind(views: Sequence[tuple[str, bool, int | None, float | None]]) -> str | None:
    """The ``Ledger-Views-Behind`` header: an RFC 8941 list of the views behind, each with how far
    (``events``, ``seconds``, when known) and ``failing`` when a poison event stopped it, e.g.
    ``standing;events=3;seconds=42.5;failing, statistics;events=1;seconds=2.0``."""
    items = []
    for name, failing, events, seconds in views:
        item = name
        if events is not None:
            item += f";events={events}"
        if seconds is not None:
            item += f";seconds={seconds:.1f}"
        if failing:
            item += ";failing"
        items.append(item)
    return ", ".join(items) or None


def history_item(entry: HistoryEntry) -> dict[str, Any]:
    return {
        "event_id": entry.event_id,
        "type": entry.type,
        "version": entry.version,
        "position": entry.position,
        "recorded_at": entry.recorded_at,
        "recorded_by": entry.recorded_by,
        "effective_on": entry.effective_on,
        "data": jsonable(entry.data),
        "voided_by": entry.voided_by,
    }


class ReadSide:
    """The reads of the HTTP API over the ledger and the projected views."""

    def __init__(self, ledger: Ledger, read_model: ReadModel, *, wait_timeout: float = 10.0) -> None:
        self.ledger = ledger
        self.read_model = read_model
        self.wait_timeout = wait_timeout
        self.log = LogReader(ledger)
        self._behind_lock = threading.Lock()
        self._behind_checked = float("-inf")
        self._behind_value: str | None = None
        self._behind_refreshing = False

    # ------------------------------------------------------------ consistency

    def wait_for(self, position: int) -> bool:
        """Block until the views have applied the log up to ``position`` (True), or time out."""
        return self.read_model.wait_for(position, self.wait_timeout)

    def wait_views(self, position: int) -> list[tuple[str, bool]]:
        """Wait (bounded) until the views have applied ``position``; the views still behind, each
        as ``(name, failing)`` (see ``ReadModel.wait_views``)."""
        return self.read_model.wait_views(position, self.wait_timeout)

    def view_states(self) -> list[ViewState]:
        return sorted(self.read_model.view_states(), key=lambda state: state.name)

    def view_health(self, states: list[ViewState] | None = None) -> list[dict[str, Any]]:
        """Position and lag of the live generation of each view, and its fault if it has one."""
        answer = []
        for state in self.view_states() if states is None else states:
            item: dict[str, Any] = {
                "name": state.name,
                "generation": state.generation,
                "position": state.position,
                "lag": state.lag_events,
                "lag_events": state.lag_events,
                "lag_seconds": state.lag_seconds,
            }
            fault = state.fault
            if fault is not None:
                item["error"] = fault.describe()
                item["failure"] = {
                    "position": fault.position,
                    "event_position": fault.event_position,
                    "event_id": fault.event_id,
                    "error": fault.error,
                    "failed_since": fault.failed_since,
                    "last_failed_at": fault.last_failed_at,
                    "attempts": fault.attempts,
                    "next_retry_at": fault.next_retry_at,
                }
            answer.append(item)
        return answer

    def behind_header(self, max_age: float = 1.0) -> str | None:
        """The ``Ledger-Views-Behind`` value for reads now (None when no view is behind), from an
        answer at most ``max_age`` seconds old: a view stopped by a poison event, or one whose
        first unapplied event has waited longer than ``BEHIND_AFTER_SECONDS``."""
        now = time.monotonic()
        with self._behind_lock:
            if now - self._behind_checked < max_age:
                return self._behind_value
            self._behind_refreshing = True
        try:
            states = self.view_states()
            value = format_behind(
                [
                    (s.name, s.failing, s.lag_events, s.lag_seconds)
                    for s in states
                    if s.failing or (s.lag_events and s.lag_seconds >= BEHIND_AFTER_SECONDS)
                ]
            )
            with self._behind_lock:
                self._behind_checked, self._behind_value = now, value
            return value
        finally:
            with self._behind_lock:
                self._behind_refreshing = False

    def behind_header_cached(self, max_age: float = 1.0) -> tuple[bool, str | None]:
        """``(True, value)`` when the remembered value may be used without I/O: it is fresh, or
        another request is reading the views' state right now (then the value it replaces is
        given: one request a second reads the state, instead of every request that arrives while
        it does, a burst that showed in the p99 of reads). ``(False, None)``: call
        :meth:`behind_header` (in a worker thread: it queries the store)."""
        with self._behind_lock:
            if self._behind_refreshing or time.monotonic() - self._behind_checked < max_age:
                return True, self._behind_value
            return False, None

    def log_position(self) -> int:
        return self.log.head()

    # ----------------------------------------------------------- one person

    def current_version(self, staff_id: str) -> int:
        """The staff member's version now, from the log's index (no events decoded)."""
        versions = self.ledger.chained_recorder.positions_of(staff_aggregate_id(staff_id))
        if not versions:
            raise errors.StaffNotFound(f"No staff member '{staff_id}'.")
        return max(versions)

    def standing(self, staff_id: str, *, as_of: date | None, known_at: datetime | None) -> Standing:
        found = self.read_model.standing(staff_id, as_of=as_of, known_at=known_at)
        if found is None:
            if known_at is not None and self.ledger.staff_exists(staff_id):
                raise errors.StaffNotFound(
                    f"Staff member '{staff_id}' was not yet registered at {known_at.isoformat()}."
                )
            raise errors.StaffNotFound(f"No staff member '{staff_id}'.")
        return found

    def current_standing_json(self, staff_id: str, *, as_of: date | None) -> tuple[bytes, int] | None:
        """The JSON of ``GET /staff/{staff_id}`` (as known now) and its version, straight from the
        standing view's document, when that answers it: the person is in the view, ``as_of`` is
        on or after their latest business date, and no rule of service commitments covers any
        of their enrollments (those need the log). None otherwise: ask :meth:`standing`.

        The bytes are those ``StandingAnswer`` serialises to, commitments empty (a test compares
        them): the document is a ``Standing``'s JSON, and ``commitments`` is the answer's last
        field."""
        return self._current_json(self.read_model.standing_document(staff_id, as_of=as_of))

    async def current_standing_json_async(
        self, staff_id: str, *, as_of: date | None
    ) -> tuple[bytes, int] | None:
        """:meth:`current_standing_json` for the event loop: no worker thread (the read model's
        ``standing_document_async``)."""
        return self._current_json(await self.read_model.standing_document_async(staff_id, as_of=as_of))

    def _current_json(self, found: StandingDocument | None) -> tuple[bytes, int] | None:
        if found is None:
            return None
        if found.courses:
            rules = self.ledger.rules
            day = found.as_of
            for track, level, funding, starts_on in found.courses:
                if starts_on <= day and rules.commitment_for(
                    Track(track), level, Funding(funding) if funding else None, starts_on
                ):
                    return None
        return found.body[:-1] + NO_COMMITMENTS, found.version

    def standing_commitments(self, standing: Standing) -> tuple[dict[str, Any], ...]:
        """The service commitments of a standing (funded degree courses started by its ``as_of``),
        from the same events the standing reflects (its version, its ``known_at``).

        Most people have no funded degree course: the standing's enrollments answer that without
        reading the log, so the usual standing costs nothing more."""
        rules = self.ledger.rules
        day = standing.as_of
        if not any(
            e.starts_on <= day
            and rules.commitment_for(
                Track(e.track), e.level, Funding(e.funding) if e.funding else None, e.starts_on
            )
            for e in standing.enrollments
        ):
            return ()
        events = [
            e for e in self.ledger.events_of(standing.staff_id) if e.originator_version <= standing.version
        ]
        record = fold_record(events, as_of=day, known_at=standing.known_at)
        found = []
        for commitment in commitments_of(record, rules, day):
            item = commitment.as_dict()
            del item["staff_id"], item["full_name"]
            found.append(item)
        return tuple(found)

    def directory(self, **filters: Any) -> dict[str, Any]:
        page = self.read_model.directory(**plain_codes(filters))
        return {
            "items": [dataclass_dict(item) for item in page.items],
            "next_cursor": page.next_cursor,
            "total": page.total,
        }

    def directory_by_national_id(self, national_id: str) -> dict[str, Any]:
        """The directory page holding the one person with ``national_id`` (or none). The holder
        comes from the store's own index, so a registration's answer is already reflected; the
        entry is their standing today, in the directory's shape."""
        staff_id = self.ledger.staff_id_of_national_id(national_id)
        found = None if staff_id is None else self.read_model.standing(staff_id)
        if found is None:
            return {"items": [], "next_cursor": None, "total": 0}
        entry = {
            "staff_id": found.staff_id,
            "full_name": found.full_name,
            "gender": found.gender,
            "birth_date": found.birth_date,
            "unit": found.unit,
            "position": found.position,
            "employment": found.employment,
            "status": found.status,
            "joined_on": found.joined_on,
            "departed_on": found.departed_on,
            "version": found.version,
            "qualifications": {track: q.level for track, q in found.qualifications.items()},
        }
        return {"items": [entry], "next_cursor": None, "total": 1}

    def history(self, staff_id: str, *, limit: int, cursor: str | None) -> dict[str, Any]:
        after = int(decode_cursor("h", cursor)) if cursor else 0
        entries = self.ledger.history(staff_id)
        page = [e for e in entries if e.version > after][:limit]
        more = bool(page) and page[-1].version < entries[-1].version
        return {
            "staff_id": staff_id,
            "version": entries[-1].version,
            "items": [history_item(e) for e in page],
            "next_cursor": encode_cursor("h", page[-1].version) if more else None,
        }

    def units_on(self, *, as_of: date | None, known_at: datetime | None) -> dict[str, Any]:
        """The organisation on ``as_of`` (``projections.units``)."""
        day = as_of or self.read_model.today()
        nodes = self.read_model.units_on(day, known_at)
        return {"as_of": day, "known_at": known_at, "units": [dataclasses.asdict(n) for n in nodes]}

    def unit_history(self, staff_id: str) -> dict[str, Any]:
        """The units a person worked in, each with its name when they began there and the unit it
        falls under in today's structure (``ledger.domain.units.unit_history``)."""
        periods = unit_history(self.ledger.events_of(staff_id))
        structure = Structure.of_events(self.ledger.unit_facts())
        today = self.read_model.today()
        names = {n.unit_id: n for n in structure.units_on(today)}
        items = []
        for period in periods:
            then = {n.unit_id: n.name for n in structure.units_on(period.starts_on)}
            current = structure.successor(period.unit_id, today)
            items.append(
                {
                    "unit_id": period.unit_id,
                    "name": then.get(period.unit_id, period.unit_id),
                    "starts_on": period.starts_on,
                    "ends_on": period.ends_on,
                    "unit_today": current,
                    "name_today": names[current].name if current in names else current,
                }
            )
        return {"staff_id": staff_id, "items": items}

    def trail(self, staff_id: str, credential_id: str) -> dict[str, Any]:
        found = self.read_model.trail(staff_id, credential_id)
        if found is None:
            if not self.ledger.staff_exists(staff_id):
                raise errors.StaffNotFound(f"No staff member '{staff_id}'.")
            raise errors.CredentialNotFound(
                f"No credential '{credential_id}' on the record of {staff_id}.", field="credential_id"
            )
        answer: dict[str, Any] = dataclass_dict(found)
        answer["steps"] = [{**step, "data": jsonable(step["data"])} for step in answer["steps"]]
        answer["version"] = self.current_version(staff_id)
        return answer

    # --------------------------------------------------------------- reports

    def qualifications(self, **filters: Any) -> dict[str, Any]:
        return dataclass_dict(self.read_model.qualifications(**plain_codes(filters)))

    def attendance(self, **filters: Any) -> dict[str, Any]:
        answer = dataclass_dict(self.read_model.attendance(**plain_codes(filters)))
        answer["from"] = answer.pop("from_")
        return answer

    def annual(self, **filters: Any) -> dict[str, Any]:
        answer = dataclass_dict(self.read_model.annual(**filters))
        answer["from"] = answer.pop("from_")
        return answer

    def bm01(self, **filters: Any) -> dict[str, Any]:
        answer = dataclass_dict(self.read_model.bm01(**filters))
        answer["note"] = NOT_RECORDED_NOTE.en
        return answer

    @property
    def reports(self) -> Reports:
        return self.read_model.reports

    def needs(
        self,
        *,
        as_of: date | None,
        position: str | None,
        unit: str | None,
        staff_id: str | None,
        known_at: datetime | None,
        limit: int,
        cursor: str | None,
        structure: str | None = None,
    ) -> dict[str, Any]:
        """The training-needs report (``projections.reports``), the people listed paged by staff
        code."""
        answer = self.reports.needs_page(
            as_of=as_of,
            known_at=known_at,
            position=position,
            unit=unit,
            staff_id=staff_id,
            structure=structure,
            after=decode_cursor("n", cursor) if cursor else "",
            limit=limit,
        )
        page = answer.page
        return {
            "as_of": answer.as_of,
            "known_at": known_at,
            "position": position,
            "unit": nfc(unit),
            "staff_id": staff_id,
            "rule_set": answer.rule_set,
            "summary": page.summary,
            "items": page.items,
            "pools": page.pools,
            "next_cursor": encode_cursor("n", page.next_key) if page.next_key is not None else None,
        }

    def appointments(
        self,
        *,
        as_of: date | None,
        staff_id: str | None,
        unit: str | None,
        flagged: bool,
        known_at: datetime | None,
        limit: int,
        cursor: str | None,
        structure: str | None = None,
    ) -> dict[str, Any]:
        """Every appointment made by ``as_of`` judged by the rules then and now
        (``projections.reports``), paged by staff code, day and version."""
        answer = self.reports.appointments_page(
            as_of=as_of,
            known_at=known_at,
            staff_id=staff_id,
            unit=unit,
            flagged=flagged,
            structure=structure,
            after=decode_cursor("a", cursor) if cursor else "",
            limit=limit,
        )
        page = answer.page
        return {
            "as_of": answer.as_of,
            "known_at": known_at,
            "staff_id": staff_id,
            "unit": nfc(unit),
            "flagged": flagged,
            "rule_set": answer.rule_set,
            "summary": page.summary,
            "items": page.items,
            "next_cursor": encode_cursor("a", page.next_key) if page.next_key is not None else None,
        }

    def commitments(
        self,
        *,
        as_of: date | None,
        staff_id: str | None,
        unit: str | None,
        status: str | None,
        known_at: datetime | None,
        limit: int,
        cursor: str | None,
        structure: str | None = None,
    ) -> dict[str, Any]:
        """Every service commitment on ``as_of`` (``projections.reports``), paged by staff code
        and course start."""
        answer = self.reports.commitments_page(
            as_of=as_of,
            known_at=known_at,
            staff_id=staff_id,
            unit=unit,
            status=status,
            structure=structure,
            after=decode_cursor("c", cursor) if cursor else "",
            limit=limit,
        )
        page = answer.page
        return {
            "as_of": answer.as_of,
            "known_at": known_at,
            "staff_id": staff_id,
            "unit": nfc(unit),
            "status": status,
            "rule_set": answer.rule_set,
            "summary": page.summary,
            "items": page.items,
            "next_cursor": encode_cursor("c", page.next_key) if page.next_key is not None else None,
        }

    def effectiveness(
        self,
        *,
        as_of: date | None,
        unit: str | None,
        from_year: int | None,
        to_year: int | None,
        tracks: Sequence[Track] | None,
        known_at: datetime | None,
        structure: str | None = None,
    ) -> dict[str, Any]:
        """Annual ratings before and after each completed course, and post-training evaluations,
        per programme and year of completion (``projections.reports``)."""
        answer = self.reports.effectiveness(
            as_of=as_of,
            known_at=known_at,
            unit=unit,
            tracks=tracks,
            from_year=from_year,
            to_year=to_year,
            structure=structure,
        )
        return {
            "as_of": answer.as_of,
            "known_at": known_at,
            "unit": nfc(unit),
            "from_year": from_year,
            "to_year": to_year,
            "tracks": list(tracks) if tracks is not None else None,
            "summary": answer.summary(),
            "by_track": answer.by_track(),
            "items": [e.as_dict() for e in answer.effects],
        }

    # --------------------------------------------------------------- the log

    def log_page(self, *, after: int, limit: int, types: Sequence[str] = ()) -> dict[str, Any]:
        head = self.log.head()
        topics = [get_topic(EVENT_TYPES[t]) for t in types]
        recorder: Any = self.ledger.recorder
        notifications = recorder.select_notifications(after, limit, None, topics, inclusive_of_start=False)
        items = []
        for envelope, notification in zip(self.log.decode(notifications), notifications, strict=True):
            event = envelope.event
            kind = type(event).__name__
            # The same shape as a history entry's data (``Ledger.history``).
            data = event_data(event)
            data[BUSINESS_DATE_FIELD.get(kind, "effective_on")] = event.effective_on
            items.append(
                {
                    "position": envelope.position,
                    "event_id": make_event_id(envelope.staff_id, envelope.version),
                    "staff_id": envelope.staff_id,
                    "type": kind,
                    "topic": notification.topic,
                    "version": envelope.version,
                    "recorded_at": event.timestamp,
                    "recorded_by": event.recorded_by,
                    "effective_on": event.effective_on,
                    "data": jsonable(data),
                }
            )
        last = items[-1]["position"] if items else after
        next_after = last
        if topics and len(items) < limit:
            # A filtered read that came up short scanned everything up to the head read before
            # it, so the consumer need not scan those positions again.
            next_after = max(last, head)
        return {"items": items, "next_after": next_after, "last_position": max(head, last)}


def plain_codes(filters: dict[str, Any]) -> dict[str, Any]:
    """Filters with enum members as their plain codes (drivers may write an Enum by its name)."""

    def plain(value: Any) -> Any:
        if isinstance(value, enum.Enum):
            return value.value
        if isinstance(value, list | tuple):
            return [plain(v) for v in value]
        return value

    return {key: plain(value) for key, value in filters.items()}


def dataclass_dict(value: Any) -> dict[str, Any]:
    """A read-side answer (a frozen dataclass) as a dict of plain values, nested ones included;
    dates and decimals stay typed for the response models to serialise."""
    return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclass_dict(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value
