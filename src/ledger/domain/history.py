"""An event as the history and the export show it: its own fields, and the name its business
date goes by (docs/api.md, "Business dates")."""

from __future__ import annotations

from typing import Any


def event_data(event: object) -> dict[str, Any]:
    """An event's own fields (without id, version and recording time), for history and export."""
    skip = {"originator_id", "originator_version", "timestamp", "originator_topic"}
    return {k: v for k, v in vars(event).items() if k not in skip}


# The name each event's business date goes by, for history and trails (docs/api.md,
# "Business dates").
BUSINESS_DATE_FIELD: dict[str, str] = {
    "Registered": "joined_on",
    "Enrolled": "starts_on",
    "Completed": "completed_on",
    "Failed": "completed_on",
    "Withdrawn": "on",
    "CredentialRecognized": "issued_on",
    "Rotated": "starts_on",
    "Appointed": "effective_on",
    "Planned": "on",
    "Evaluated": "effective_on",
    "Departed": "on",
    "Corrected": "on",
    # A correction of the registration takes effect on the registration's date.
    "NationalIdCorrected": "joined_on",
}
