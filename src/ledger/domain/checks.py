"""The checks a command makes before it records anything: of its input (codes, text, levels,
catalog codes, dates not in the future) and of the dates it names against the record (not before
birth or joining, not after departure). Each refusal is a named error (``ledger.domain.errors``)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import TypeVar

from ledger import text
from ledger.domain import catalog, errors
from ledger.domain.catalog import EvaluationKind, Track
from ledger.domain.record import EnrollmentState, StaffRecord


def check_level(track: Track, level: str | None, *, awards_level: bool = True) -> None:
    """A level must belong to its track; a levelled track needs one unless the course is declared
    to award no level (``awards_level=False``: a refresher or short course of that track, such as
    an update course in political theory, which still counts as an attendance of the track)."""
    info = catalog.track_info(track)
    if not awards_level:
        if level is not None:
            raise errors.InvalidLevel(
                "A course that awards no level takes no level; leave level empty.", field="level"
            )
        return
    if info.has_levels and level is None:
        raise errors.InvalidLevel(
            f"Track '{track}' has levels: say which level the course leads to.", field="level"
        )
    if not info.has_levels and level is not None:
        raise errors.InvalidLevel(f"Track '{track}' has no levels; leave level empty.", field="level")
    if level is not None and info.level(level) is None:
        known = ", ".join(lv.code for lv in info.levels)
        raise errors.InvalidLevel(
            f"Level '{level}' does not belong to track '{track}' (levels: {known}).", field="level"
        )


# Staff, enrollment and credential ids (docs/api.md, "Ids"); ':' is kept out so that an event id
# "STAFF_ID:VERSION" always parses.
CODE_PATTERN = text.IDENTIFIER_PATTERN


def check_code(value: str, field: str) -> None:
    """An id the record is keyed by (staff, enrollment, credential): the text policy's identifier."""
    text.clean(value, text.TextKind.IDENTIFIER, field)


def check_text(*fields: tuple[str, str | None]) -> None:
    """Required text must say something: blank is as good as missing (the text policy, applied to
    every event, also refuses blank optional text and stores text NFC)."""
    for name, value in fields:
        if not isinstance(value, str) or not value.strip():
            raise errors.InvalidInput(f"{name} must not be blank.", field=name)


EnumT = TypeVar("EnumT", bound=StrEnum)


def check_not_future(day: date, today: date, field: str) -> None:
    """Refuse a fact dated after ``today`` (the agency's date when it is recorded). Only what has
    happened is refused ahead: enrollments, rotations, appointments and plans are decided in
    advance and may be dated later."""
    if day > today:
        raise errors.DatedInFuture(
            f"{field} {day} is after today ({today}, the agency's date): record it once it has "
            "happened.",
            field=field,
        )


def coerce(enum_type: type[EnumT], value: str, field: str) -> EnumT:
    """A catalog code as its enum member, or a named error listing the codes allowed."""
    try:
        return enum_type(value)
    except ValueError:
        allowed = ", ".join(member.value for member in enum_type)
        raise errors.InvalidInput(
            f"'{value}' is not a valid {field} (expected one of: {allowed}).", field=field
        ) from None


def open_enrollment(record: StaffRecord, enrollment_id: str) -> EnrollmentState:
    enrollment = record.enrollments.get(enrollment_id)
    if enrollment is None:
        raise errors.EnrollmentNotFound(
            f"No enrollment '{enrollment_id}' on the record of {record.staff_id}.",
            field="enrollment_id",
        )
    if not enrollment.is_open:
        raise errors.EnrollmentClosed(
            f"Enrollment '{enrollment_id}' is already {enrollment.status} "
            f"(on {enrollment.closed_on}).",
            field="enrollment_id",
        )
    return enrollment


def check_dated(record: StaffRecord, day: date, field: str) -> None:
    if day < record.birth_date:
        raise errors.DatedBeforeBirth(
            f"{field} {day} is before the birth date {record.birth_date}.", field=field
        )
    departed = record.departed_on
    if departed is not None and day > departed:
        raise errors.AfterDeparture(
            f"{field} {day} is after the person departed on {departed}.", field=field
        )


def check_not_before_joining(record: StaffRecord, day: date, field: str, what: str) -> None:
    if day < record.joined_on:
        raise errors.BeforeJoining(
            f"{what} dated {day} is before the person joined on {record.joined_on}.",
            field=field,
        )


def events_dated_after(record: StaffRecord, day: date) -> list[str]:
    """Ids of the facts in force dated after ``day``, so that a departure never leaves events
    after it. An annual rating counts from the start of its year, as ``evaluate`` allows the
    rating of the year of departure."""
    dated: list[tuple[date, str | None]] = []
    for enrollment in record.enrollments.values():
        dated.append((enrollment.starts_on, enrollment.event_id))
        if enrollment.closed_on is not None:
            dated.append((enrollment.closed_on, enrollment.closed_event_id))
    dated += [(c.issued_on, c.event_id) for c in record.credentials.values()]
    dated += [(r.starts_on, r.event_id) for r in record.rotations]
    dated += [(a.effective_on, a.event_id) for a in record.appointments]
    dated += [(p.decided_on, p.event_id) for p in record.planned]
    dated += [
        (date(e.year, 1, 1) if e.kind == EvaluationKind.ANNUAL and e.year else e.effective_on, e.event_id)
        for e in record.evaluations
    ]
    later = {event_id for on, event_id in dated if on > day and event_id is not None}
    return sorted(later, key=lambda event_id: int(event_id.rpartition(":")[2]))
