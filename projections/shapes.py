"""The shapes the position-standards reports give their items in: one person's needs, one
appointment judged, one standard check. The query layer (``projections.reports``) and the
findings view (``projections.findings``, which keeps each item ready-made) share them, so an item
is the same whichever answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ledger.standards.compliance import AppointmentReview
from ledger.standards.needs import PersonNeeds
from ledger.standards.verdicts import json_value

# The parts of a standard check a report shows (the person and the day are the report's own).
CHECK_FIELDS = (
    "position_name",
    "position",
    "position_title",
    "held_since",
    "waiver",
    "compliant",
    "fully_met",
)


@dataclass(frozen=True)
class AppointmentRow:
    staff_id: str
    full_name: str
    status: str
    review: AppointmentReview

    @property
    def key(self) -> str:
        """Staff code, day, version: the report's order and its paging key."""
        version = self.review.event_id.rpartition(":")[2]
        return f"{self.staff_id}|{self.review.effective_on.isoformat()}|{int(version):09d}"

    @property
    def flagged(self) -> bool:
        r = self.review
        return not (r.met_rules_then and r.would_meet_todays_rules_then and r.meets_todays_rules)

    def as_dict(self) -> dict[str, Any]:
        item = self.review.as_dict()
        for part in ("then", "today_rules_then", "now"):
            # The review's own dict of each check is ``as_dict(gaps_only=True)``: summarised as it is.
            item[part] = _summary(item[part])
        return {"staff_id": self.staff_id, "full_name": self.full_name, "status": self.status, **item}


def _summary(data: dict[str, Any]) -> dict[str, Any]:
    """A standard check as the reports show it, from its ``as_dict``: the post, since when it is
    held, its waiver, whether the person complies, and the requirements the dict holds."""
    return {**{name: data[name] for name in CHECK_FIELDS}, "requirements": data["requirements"]}


def needs_item(person: PersonNeeds) -> dict[str, Any]:
    """One person of the needs report: their gaps (post and rank), their post's waiver and
    tenure, and their readiness for each planned post covering the day."""
    # Once, and without the requirements the summary leaves out (each is a dict to build).
    post = person.post.as_dict(gaps_only=True) if person.post.known else None
    return {
        "staff_id": person.staff_id,
        "full_name": person.full_name,
        "unit": person.unit,
        "position": person.position,
        "rank": person.rank,
        "flags": list(person.flags),
        "unmet": [check.as_dict() for check in person.gaps],
        "post": {name: post[name] for name in CHECK_FIELDS} if post is not None else None,
        "planned": [
            {
                **json_value(plan),
                "position_code": check.position.code if check.position else None,
                "position_title": check.position.title if check.position else None,
                "ready": not check.blocking,
                "gaps": [c.as_dict() for c in check.gaps],
            }
            for plan, check in person.planned
        ],
    }
