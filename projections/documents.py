"""The standing as one document per person: the JSON a current standing read answers with.

A current standing (``as_of`` on or after the person's latest business date, as known now) is the
record every live event gives, seen on that day. Only four of its fields depend on the day:
``unit``, ``position`` and ``status`` (worked out by ``StaffRecord.unit_on``, ``position_on`` and
``status_on``) and ``as_of`` itself. The standing view therefore keeps, per person, the JSON of
the standing already serialised, in *segments*: from each day on which unit, position or status
change (a secondment ending, a joining date still ahead) the JSON up to ``"as_of":``; and the JSON
after ``as_of``, which is the same for every day. A read picks the segment of its day and puts the
day between the two halves: no decoding, no model, no serialisation on the request path.

The document is made from the record alone (no clock), so a rebuild gives the same bytes and
``ledger verify`` compares it like any other row. Its JSON is pydantic's serialisation of
:class:`projections.results.Standing` (``STANDING_JSON``), the same serialiser the HTTP layer
uses, so the bytes are those a freshly built answer would have (the tests compare them).

Layout of the stored text (``SEGMENT`` and ``FIELD`` are control characters, which JSON text
never holds unescaped)::

    <JSON after as_of> SEGMENT <first day> FIELD <JSON up to as_of> [SEGMENT <day> FIELD <JSON> ...]
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

from pydantic import TypeAdapter

from ledger.domain.record import StaffRecord
from projections.results import Standing

STANDING_JSON: TypeAdapter[Standing] = TypeAdapter(Standing)

SEGMENT = "\x1e"
FIELD = "\x1f"
FIRST_DAY = date.min.isoformat()
# A placeholder ``as_of`` whose JSON is found once in the serialised standing: ``"as_of":`` can
# only be a key there (a quote inside a string value is escaped), and only Standing has that key.
_MARK = date.min
_MARK_JSON = b'"as_of":"' + _MARK.isoformat().encode() + b'"'
_KEY = b'"as_of":'
_compact = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False).encode


def document(record: StaffRecord, base: Standing, start: date) -> str:
    """The stored document of a person's current standing, valid for every day from ``start``
    (the latest business date among their events; ``date.min`` if none but the registration):
    ``record`` is the fold of all their live events, ``base`` the standing it gives on ``start``
    (``projections.standing_records.record_to_standing``)."""
    suffix = b""
    segments: list[str] = []
    previous: tuple[str, str | None, str] | None = None
    for day in _change_days(record, start):
        state = (record.unit_on(day), record.position_on(day), record.status_on(day))
        if state == previous:
            continue
        previous = state
        standing = dataclasses.replace(
            base, unit=state[0], position=state[1], status=state[2], as_of=_MARK
        )
        body = STANDING_JSON.dump_json(standing)
        at = body.index(_MARK_JSON)
        suffix = body[at + len(_MARK_JSON) :]
        segments.append(day.isoformat() + FIELD + body[: at + len(_KEY)].decode())
    return SEGMENT.join([suffix.decode(), *segments])


def render(doc: str, day: date) -> bytes | None:
    """The JSON of the standing on ``day`` from a stored document; None if ``day`` is before the
    document's first day (that standing needs a fold of the log)."""
    text = day.isoformat()
    suffix, *segments = doc.split(SEGMENT)
    for segment in reversed(segments):
        start, _, prefix = segment.partition(FIELD)
        if start <= text:
            return f'{prefix}"{text}"{suffix}'.encode()
    return None


def decode(body: bytes) -> Standing:
    """The standing a rendered document says (the inverse of ``STANDING_JSON.dump_json``)."""
    return STANDING_JSON.validate_json(body)


def courses(record: StaffRecord) -> str:
    """What the HTTP layer needs of each enrollment to tell whether the rules of service
    commitments may apply (``ledger.standards.ruleset.RuleSet.commitment_for``), as compact JSON:
    ``[[track, level, funding, starts_on], ...]``."""
    return _compact(
        [
            [str(e.track), e.level, None if e.funding is None else str(e.funding), e.starts_on.isoformat()]
            for e in record.enrollments.values()
        ]
    )


def _change_days(record: StaffRecord, start: date) -> Iterator[date]:
    """``start``, then every later day on which the standing's day-dependent fields may change.

    ``unit_on``, ``position_on`` and ``status_on`` compare the day with dates of the record
    (``<``, ``<=``): their answer can only change on a date of the record or the day after one.
    """
    found: set[date] = set()
    _dates(record, found)
    later = {d for day in found for d in (day, _next(day)) if d is not None and d > start}
    yield start
    yield from sorted(later)


def _next(day: date) -> date | None:
    return None if day == date.max else day + timedelta(days=1)


# How :func:`_dates` walks a value of each type: a date, a dataclass (its fields' names), a
# collection, a mapping, or nothing to find. Worked out once per type: the walk visits every node
# of every record of a rebuild (hundreds per person), and asking ``is_dataclass``/``fields`` at
# each node was most of the standing view's cost.
_DATE, _FIELDS, _ITEMS, _VALUES, _LEAF = range(5)
_WALKS: dict[type, tuple[int, tuple[str, ...]]] = {}


def _walk_of(kind: type) -> tuple[int, tuple[str, ...]]:
    if issubclass(kind, date) and not issubclass(kind, datetime):
        walk: tuple[int, tuple[str, ...]] = (_DATE, ())
    elif dataclasses.is_dataclass(kind):
        walk = (_FIELDS, tuple(field.name for field in dataclasses.fields(kind)))
    elif issubclass(kind, (list, tuple, set, frozenset)):
        walk = (_ITEMS, ())
    elif issubclass(kind, dict):
        walk = (_VALUES, ())
    else:
        walk = (_LEAF, ())
    _WALKS[kind] = walk
    return walk


def _dates(value: Any, out: set[date]) -> None:
    """Every date anywhere in ``value`` (dataclasses, collections and mappings walked), into ``out``."""
    how, names = _WALKS.get(type(value)) or _walk_of(type(value))
    if how == _LEAF:
        return
    if how == _DATE:
        out.add(value)
    elif how == _FIELDS:
        for name in names:
            _dates(getattr(value, name), out)
    elif how == _ITEMS:
        for item in value:
            _dates(item, out)
    else:
        for item in value.values():
            _dates(item, out)


__all__ = ["STANDING_JSON", "courses", "decode", "document", "render"]
