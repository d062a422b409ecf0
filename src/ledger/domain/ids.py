"""The ids of a staff member's stream and events: derived from the staff code, so that a code
finds its stream without an index and an event id says whose event it is."""

from __future__ import annotations

from uuid import UUID, uuid5

STAFF_NAMESPACE = UUID("6d1f3c52-8a4e-5b7e-9c2d-4f1a0b3e7d95")


def staff_aggregate_id(staff_id: str) -> UUID:
    """The aggregate id of a staff code: derived, so a code finds its stream without an index."""
    return uuid5(STAFF_NAMESPACE, staff_id)


def make_event_id(staff_id: str, version: int) -> str:
    """Event ids read as ``STAFF_ID:VERSION``: stable, unique, and they say whose event it is."""
    return f"{staff_id}:{version}"


def parse_event_id(event_id: str) -> tuple[str, int] | None:
    staff_id, sep, version = event_id.rpartition(":")
    if not sep or not staff_id or not version.isdigit():
        return None
    return staff_id, int(version)
