"""A staff record as the standing view stores it and as it answers it: the record's scalar fields and
collections as rows, its standing document, and the Standing answer (record_to_standing)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from ledger.domain import catalog
from ledger.domain.catalog import RotationKind
from ledger.domain.record import StaffRecord
from ledger.staff import StaffEvent, StaffMember
from projections import codec, documents
from projections.base import iso
from projections.results import (
    Appointment,
    Credential,
    Enrollment,
    Evaluation,
    Planning,
    Qualification,
    Rotation,
    Standing,
    Unmet,
    WaiverInfo,
)
from projections.store import Row
from projections.text import exact, name_order_key, nfc, search_key

NO_DATE = "0001-01-01"


# The statements that write a record's rows (the tables are StandingView's).
PEOPLE_COLUMNS = (
    "staff_id, name_key, full_name, gender, birth_date, employment, home_unit, position, "
    "joined_on, departed_on, version, latest_on, data, name_text, order_key"
)
UPSERT_PERSON = (
    f"INSERT INTO {{people}} ({PEOPLE_COLUMNS}) VALUES ({', '.join('?' * 15)}) "
    "ON CONFLICT (staff_id) DO UPDATE SET name_key = excluded.name_key, "
    "full_name = excluded.full_name, gender = excluded.gender, birth_date = excluded.birth_date, "
    "employment = excluded.employment, home_unit = excluded.home_unit, "
    "position = excluded.position, joined_on = excluded.joined_on, "
    "departed_on = excluded.departed_on, version = excluded.version, "
    "latest_on = excluded.latest_on, data = excluded.data, name_text = excluded.name_text, "
    "order_key = excluded.order_key"
)
INSERT_PERSON = f"INSERT INTO {{people}} ({PEOPLE_COLUMNS}) VALUES ({', '.join('?' * 15)})"
INSERT_ITEM = "INSERT INTO {items} (staff_id, field, key, version, data) VALUES (?, ?, ?, ?, ?)"
UPSERT_ITEM = (
    "INSERT INTO {items} (staff_id, field, key, version, data) VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT (staff_id, field, key) DO UPDATE SET version = excluded.version, data = excluded.data"
)
DELETE_QUAL = "DELETE FROM {quals} WHERE staff_id = ? AND credential_id = ?"
INSERT_QUAL = "INSERT INTO {quals} (staff_id, credential_id, track, level_rank) VALUES (?, ?, ?, ?)"
DELETE_POSTING = "DELETE FROM {postings} WHERE staff_id = ? AND version = ?"
DELETE_ITEMS = "DELETE FROM {items} WHERE staff_id = ? AND version = ?"
UNQUALIFY = (
    "DELETE FROM {quals} WHERE staff_id = ? AND credential_id IN "
    "(SELECT key FROM {items} WHERE field = 'credentials' AND staff_id = ? AND version = ?)"
)
INSERT_POSTING = (
    "INSERT INTO {postings} (staff_id, version, to_unit, position, starts_on, ends_on) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)
INSERT_DOCUMENT = (
    "INSERT INTO {documents} (staff_id, version, latest_on, doc, courses) VALUES (?, ?, ?, ?, ?)"
)
UPSERT_DOCUMENT = (
    "INSERT INTO {documents} (staff_id, version, latest_on, doc, courses) VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT (staff_id) DO UPDATE SET version = excluded.version, "
    "latest_on = excluded.latest_on, doc = excluded.doc, courses = excluded.courses"
)


SCALARS = codec.scalar_fields(StaffRecord)


COLLECTIONS = codec.collection_fields(StaffRecord)


ITEM_CLASS = {name: cls for name, _, cls in COLLECTIONS}


DICTS = [name for name, kind, _ in COLLECTIONS if kind == "dict"]


EMPTY = tuple(name for name, _, _ in COLLECTIONS)


LISTS = [name for name, kind, _ in COLLECTIONS if kind == "list"]


def version_of(event_id: str) -> int:
    return int(event_id.rpartition(":")[2])


def latest_day(events: Sequence[StaffEvent]) -> str:
    """The latest business date among events that fold (a later ``as_of`` changes nothing)."""
    return max(
        (
            iso(e.effective_on) or NO_DATE
            for e in events
            if not isinstance(e, (StaffMember.Registered, StaffMember.Corrected))
        ),
        default=NO_DATE,
    )


def voided_version(event: StaffMember.Corrected) -> int:
    tail = event.voided_event_id.rpartition(":")[2]
    return int(tail) if tail.isdigit() else 0


_encode_scalars = codec.encoder(StaffRecord, only=SCALARS)


decode_scalars = codec.decoder(StaffRecord, only=SCALARS)


_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False).encode


def _scalars_json(record: StaffRecord) -> str:
    return _json(_encode_scalars(record))


def person_row(record: StaffRecord, version: int, latest: str) -> Row:
    return (
        record.staff_id, search_key(record.full_name), record.full_name, str(record.gender),
        iso(record.birth_date), str(record.employment), nfc(record.home_unit), nfc(record.position),
        iso(record.joined_on), iso(record.departed_on), version, latest, _scalars_json(record),
        exact(record.full_name), name_order_key(record.full_name),
    )


def document_row(record: StaffRecord, version: int, latest: str) -> Row:
    """The person's standing as one document (:mod:`projections.documents`)."""
    start = date.fromisoformat(latest)
    base = record_to_standing(record, as_of=start, known_at=None, version=version)
    return (
        record.staff_id, version, latest, documents.document(record, base, start),
        documents.courses(record),
    )


def item_key_of(field: str, kind: str, key: Any, item: Any) -> str:
    return str(key) if kind == "dict" else str(version_of(item.event_id))


def qual_row(staff_id: str, item: Any) -> Row | None:
    level = catalog.level_of(item.track, item.level)
    if level is None:
        return None
    return (staff_id, item.credential_id, str(item.track), level.rank)


def posting_row(staff_id: str, item: Any) -> Row | None:
    if item.kind == RotationKind.TRANSFER:
        return None  # a transfer changes the home unit itself
    return (
        staff_id, version_of(item.event_id), nfc(item.to_unit), nfc(item.position), iso(item.starts_on),
        iso(item.ends_on),
    )


def record_rows(
    record: StaffRecord, version: int, latest: str, *, fresh: bool = False
) -> dict[str, list[Row]]:
    """Every row of one person, from a folded record, by statement (plain inserts when the view
    has no rows of the person yet: ``fresh``)."""
    sid = record.staff_id
    items: list[Row] = []
    quals: list[Row] = []
    postings: list[Row] = []
    for field, kind, _ in COLLECTIONS:
        collection = getattr(record, field)
        pairs: Iterable[tuple[Any, Any]] = (
            collection.items() if kind == "dict" else ((None, item) for item in collection)
        )
        for key, item in pairs:
            item_key = item_key_of(field, kind, key, item)
            items.append((sid, field, item_key, version_of(item.event_id), codec.dumps(item)))
            if field == "credentials" and (row := qual_row(sid, item)) is not None:
                quals.append(row)
            elif field == "rotations" and (row := posting_row(sid, item)) is not None:
                postings.append(row)
    return {
        INSERT_PERSON if fresh else UPSERT_PERSON: [
            person_row(record, version, latest)
        ],
        INSERT_DOCUMENT if fresh else UPSERT_DOCUMENT: [
            document_row(record, version, latest)
        ],
        INSERT_ITEM if fresh else UPSERT_ITEM: items,
        INSERT_QUAL: quals,
        INSERT_POSTING: postings,
    }


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def record_to_standing(
    record: StaffRecord, *, as_of: date, known_at: datetime | None, version: int
) -> Standing:
    """The standing a record gives on ``as_of`` (unit, position and status are those of that day)."""
    qualifications = {
        str(track): Qualification(str(q.track), q.level, q.credential_id, q.title, q.issued_on)
        for track, q in record.qualifications().items()
    }
    return Standing(
        staff_id=record.staff_id,
        full_name=record.full_name,
        gender=str(record.gender),
        birth_date=record.birth_date,
        unit=record.unit_on(as_of),
        home_unit=record.home_unit,
        position=record.position_on(as_of),
        rank=record.rank,
        employment=str(record.employment),
        status=record.status_on(as_of),
        joined_on=record.joined_on,
        departed_on=record.departed_on,
        departure_reason=record.departure_reason,
        national_id=record.national_id,
        version=version,
        as_of=as_of,
        known_at=known_at,
        qualifications=dict(sorted(qualifications.items())),
        credentials=tuple(
            Credential(
                credential_id=c.credential_id,
                track=str(c.track),
                level=c.level,
                title=c.title,
                issuer=c.issuer,
                issued_on=c.issued_on,
                number=c.number,
                source=c.source,
                event_id=c.event_id,
                enrollment_id=c.enrollment_id,
                document_ref=c.evidence.document_ref if c.evidence else None,
                verified_by=c.evidence.verified_by if c.evidence else None,
                field=c.field,
            )
            for c in record.credentials.values()
        ),
        enrollments=tuple(
            Enrollment(
                enrollment_id=e.enrollment_id,
                course_code=e.course_code,
                course_title=e.course_title,
                track=str(e.track),
                level=e.level,
                provider=e.provider,
                mode=str(e.mode),
                starts_on=e.starts_on,
                ends_on=e.ends_on,
                decision_ref=e.decision_ref,
                funding=_text(e.funding),
                cost=e.cost,
                country=e.country,
                status=e.status,
                closed_on=e.closed_on,
                score=e.score,
                credential_id=e.credential_id,
                withdrawal_reason=e.withdrawal_reason,
                event_id=e.event_id,
            )
            for e in record.enrollments.values()
        ),
        rotations=tuple(
            Rotation(
                kind=str(r.kind),
                from_unit=r.from_unit,
                to_unit=r.to_unit,
                position=r.position,
                starts_on=r.starts_on,
                ends_on=r.ends_on,
                decision_ref=r.decision_ref,
                event_id=r.event_id,
            )
            for r in record.rotations
        ),
        appointments=tuple(
            Appointment(
                position=a.position,
                previous_position=a.previous_position,
                effective_on=a.effective_on,
                decision_ref=a.decision_ref,
                waiver=WaiverInfo(a.waiver.legal_basis, a.waiver.deadline, a.waiver.reason)
                if a.waiver
                else None,
                event_id=a.event_id,
                unmet=tuple(
                    Unmet(
                        u.rule_id, u.track, u.required_level, u.held_level, u.timing, u.deadline,
                        u.legal_basis, u.blocking,
                    )
                    for u in a.unmet
                ),
                rule_set=a.rule_set,
            )
            for a in record.appointments
        ),
        evaluations=tuple(
            Evaluation(
                kind=str(ev.kind),
                year=ev.year,
                enrollment_id=ev.enrollment_id,
                rating=str(ev.rating),
                score=ev.score,
                evaluator=ev.evaluator,
                notes=ev.notes,
                effective_on=ev.effective_on,
                event_id=ev.event_id,
            )
            for ev in record.evaluations
        ),
        departure_category=_text(record.departure_category),
        planning=tuple(
            Planning(p.position, p.from_year, p.to_year, p.decision_ref, p.decided_on, p.event_id)
            for p in record.planned
        ),
    )
