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
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from eventsourcing.utils import get_topic

from api.errors import ApiProblem
from api.jsonable import jsonable
from ledger import errors
from ledger.application import HistoryEntry, Ledger
from ledger.needs import ledger_needs
from ledger.rules import PositionKind
from ledger.staff import (
    BUSINESS_DATE_FIELD,
    EVENT_TYPES,
    event_data,
    make_event_id,
    staff_aggregate_id,
)
from projections.engine import status as engine_status
from projections.log import LogReader
from projections.queries import ReadModel, Standing


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

    # ------------------------------------------------------------ consistency

    def wait_for(self, position: int) -> bool:
        """Block until the views have applied the log up to ``position`` (True), or time out."""
        return self.read_model.wait_for(position, self.wait_timeout)

    def view_health(self) -> list[dict[str, Any]]:
        """Position and lag of the live generation of each view."""
        return [
            {"name": g["view"], "generation": g["generation"], "position": g["position"], "lag": g["lag"]}
            for g in engine_status(self.ledger)
            if g["state"] == "live"
        ]

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

    def directory(self, **filters: Any) -> dict[str, Any]:
        page = self.read_model.directory(**plain_codes(filters))
        return {"items": [dataclass_dict(item) for item in page.items], "next_cursor": page.next_cursor}

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

    def needs(
        self,
        *,
        as_of: date | None,
        position: str | None,
        unit: str | None,
        known_at: datetime | None,
        limit: int,
        cursor: str | None,
    ) -> dict[str, Any]:
        """The training-needs report of ``ledger.needs`` (the write side's one definition: each
        active person's post, or ``position``, and rank standards on ``as_of``), with the people
        who have a gap paged by staff code."""
        day = as_of or self.ledger.today()
        rules = self.ledger.rules
        if position is not None and rules.resolve(position, PositionKind.POST) is None:
            known = ", ".join(p.title for p in rules.positions if p.kind == PositionKind.POST)
            raise errors.InvalidInput(
                f"'{position}' is not a post the position standards know (known: {known}).", field="position"
            )
        after = decode_cursor("n", cursor) if cursor else ""
        report = ledger_needs(self.ledger, as_of=day, position=position, known_at=known_at)
        people = [p for p in report.with_gaps if unit is None or p.unit == unit]
        page = [p for p in people if p.staff_id > after][: limit + 1]
        more = len(page) > limit
        page = page[:limit]
        return {
            "as_of": day,
            "known_at": known_at,
            "position": position,
            "unit": unit,
            "rule_set": report.rule_set,
            "summary": report.as_dict()["summary"],
            "items": [
                {
                    "staff_id": p.staff_id,
                    "full_name": p.full_name,
                    "unit": p.unit,
                    "position": p.position,
                    "rank": p.rank,
                    "flags": list(p.flags),
                    "unmet": [check.as_dict() for check in p.gaps],
                }
                for p in page
            ],
            "pools": [pool.as_dict() for pool in report.pools],
            "next_cursor": encode_cursor("n", page[-1].staff_id) if more else None,
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
