"""A person's whole training history as one documented JSON document, keyed by ``national_id``.

For the national database of officials (Decree 27/2026/NĐ-CP makes the personal identification
number the key of every official's electronic file) and for the person's own access request
under the Personal Data Protection Law (91/2025/QH15). The shape is published as a JSON Schema
(docs/schemas/staff-export.schema.json) and described in docs/national-id.md; the tests validate
every answer against that schema.

Built from the person's events (the log itself, not a view), so it is complete and exact as of
the moment it is made: every item carries the event that recorded it (id, business date,
recording time, the key that recorded it, its place in the log) and, if it was voided, the
correction that voided it. Voided items stay in the document, marked, because a person's
access request covers everything the ledger holds about them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from api.jsonable import jsonable
from ledger.domain.fold import fold_record
from ledger.service import HistoryEntry
from ledger.staff import StaffEvent

FORMAT = "urn:ledger:staff-export:1"
SCHEMA_ID = "https://ledger.example/schemas/staff-export.schema.json"

# The kind of event each list of the document collects.
LISTS = {
    "Enrolled": "enrollments",
    "Evaluated": "evaluations",
    "Appointed": "appointments",
    "Rotated": "rotations",
    "Planned": "planning",
}
OUTCOMES = ("Completed", "Failed", "Withdrawn")
CORRECTIONS = ("Corrected", "NationalIdCorrected")


def _item(entry: HistoryEntry) -> dict[str, Any]:
    """The event's envelope, then its own fields as the history shows them. The envelope's names
    (``event_type``, ``log_position`` …) are none of any event's own (a job's ``position``)."""
    data = jsonable(entry.data)
    data.pop("recorded_by", None)
    data.pop("effective_on", None)
    return {
        "event_id": entry.event_id,
        "event_type": entry.type,
        "effective_on": entry.effective_on.isoformat(),
        "recorded_at": jsonable(entry.recorded_at),
        "recorded_by": entry.recorded_by,
        "log_position": entry.position,
        "voided_by": entry.voided_by,
        **data,
    }


def staff_export(
    entries: Sequence[HistoryEntry], events: Sequence[StaffEvent], *, exported_at: datetime
) -> dict[str, Any]:
    """The export document of one person, from their history ``entries`` and the same
    ``events`` (for the standing of each enrollment)."""
    record = fold_record(events)
    document: dict[str, Any] = {
        "format": FORMAT,
        "national_id": record.national_id,
        "staff_id": record.staff_id,
        "exported_at": jsonable(exported_at),
        "version": entries[-1].version,
        "log_position": max((e.position or 0 for e in entries), default=0),
        "identity": None,
        "enrollments": [],
        "credentials": [],
        "evaluations": [],
        "appointments": [],
        "rotations": [],
        "planning": [],
        "departure": None,
        "departures": [],
        "corrections": [],
    }
    enrollments: dict[str, dict[str, Any]] = {}
    for entry in entries:
        item = _item(entry)
        kind = entry.type
        if kind == "Registered":
            item["national_id"] = record.national_id
            item["national_id_at_registration"] = entry.data.get("national_id")
            document["identity"] = item
        elif kind == "Enrolled":
            state = record.enrollments.get(item["enrollment_id"])
            item["status"] = "voided" if entry.voided_by or state is None else str(state.status)
            item["outcomes"] = []
            enrollments[item["enrollment_id"]] = item
            document["enrollments"].append(item)
        elif kind in OUTCOMES:
            owner = enrollments.get(str(entry.data.get("enrollment_id")))
            if owner is not None:
                owner["outcomes"].append(item)
            credential = entry.data.get("credential")
            if kind == "Completed" and credential is not None:
                document["credentials"].append(
                    {
                        **{k: v for k, v in item.items() if k != "credential"},
                        **jsonable(credential),
                        "obtained": "completion",
                        "track": owner["track"] if owner else None,
                        "level": owner["level"] if owner else None,
                    }
                )
        elif kind == "CredentialRecognized":
            document["credentials"].append({**item, "obtained": "recognition"})
        elif kind == "Departed":
            document["departures"].append(item)
            if entry.voided_by is None:
                document["departure"] = item
        elif kind in CORRECTIONS:
            document["corrections"].append(item)
        elif kind in LISTS:
            document[LISTS[kind]].append(item)
        else:
            # A kind of event this document does not know yet still belongs to the person.
            document.setdefault("other_events", []).append(item)
    return document
