"""The rows a page of the log adds to the statistics view, and the voids it records."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ledger.domain import catalog
from ledger.domain.catalog import RotationKind
from ledger.staff import StaffMember
from projections.base import Envelope, iso
from projections.splits import is_abroad
from projections.store import Row
from projections.text import nfc


def page_voids(envelopes: Sequence[Envelope]) -> tuple[dict[tuple[str, int], int], list[Row]]:
    """The corrections of a page: when each event they void was voided (the earliest correction
    wins if, against the rules, an event were voided twice), and the updates for the events of
    earlier pages. A fact voided by a correction of this same page is written voided (always so
    in a rebuild, which reads each person's history whole)."""
    seen = set()
    voided_at: dict[tuple[str, int], int] = {}
    for env in envelopes:
        seen.add((env.staff_id, env.version))
        if isinstance(env.event, StaffMember.Corrected):
            target = env.event.voided_event_id.rpartition(":")[2]
            if target.isdigit():
                key = (env.staff_id, int(target))
                at = env.recorded_at
                if key not in voided_at or voided_at[key] > at:
                    voided_at[key] = at
    return voided_at, [(at, sid, v, at) for (sid, v), at in voided_at.items() if (sid, v) not in seen]


@dataclass
class PageRows:
    """The fact rows a page of events adds to each table of the view."""

    people: list[Row] = field(default_factory=list)
    enrollments: list[Row] = field(default_factory=list)
    closings: list[Row] = field(default_factory=list)
    credentials: list[Row] = field(default_factory=list)
    units: list[Row] = field(default_factory=list)
    departures: list[Row] = field(default_factory=list)
    posts: list[Row] = field(default_factory=list)
    awards: list[Row] = field(default_factory=list)
    # The level of each enrollment seen in this page (the latest incarnation of its id).
    levels: dict[tuple[str, str], tuple[str, int | None]] = field(default_factory=dict)

    @classmethod
    def of(cls, envelopes: Sequence[Envelope], void: Callable[[tuple[str, int]], int | None]) -> PageRows:
        rows = cls()
        for env in envelopes:
            rows.add(env, void((env.staff_id, env.version)))
        return rows

    def add(self, env: Envelope, voided: int | None) -> None:
        e = env.event
        sid, v, at = env.staff_id, env.version, env.recorded_at
        day = iso(e.effective_on)
        if isinstance(e, StaffMember.Registered):
            self.people.append(
                (sid, str(e.gender), iso(e.birth_date), str(e.employment), day, nfc(e.unit), e.rank, at)
            )
            if e.position:
                self.posts.append((sid, v, nfc(e.position), day, at, voided))
        elif isinstance(e, StaffMember.Enrolled):
            level = catalog.level_of(e.track, e.level)
            rank = level.rank if level else None
            self.enrollments.append(
                (
                    sid, v, e.enrollment_id, str(e.track), rank, str(e.mode), day,
                    nfc(e.course_code), e.funding and str(e.funding), e.country,
                    int(is_abroad(e.country)), None if e.cost is None else str(e.cost), at, voided,
                )
            )
            self.levels[(sid, e.enrollment_id)] = (str(e.track), rank)
        elif isinstance(e, StaffMember.Completed | StaffMember.Failed | StaffMember.Withdrawn):
            self.add_closing(env, voided)
        elif isinstance(e, StaffMember.CredentialRecognized):
            level = catalog.level_of(e.track, e.level)
            if level is not None:
                self.credentials.append((sid, v, str(e.track), level.rank, day, at, voided))
        elif isinstance(e, StaffMember.Rotated):
            position = nfc(e.position) if e.position else None
            self.units.append(
                (sid, v, str(e.kind), nfc(e.to_unit), day, iso(e.ends_on), position, at, voided)
            )
            # A transfer (điều động) is permanent, so the post it names is held from then on.
            if e.kind == RotationKind.TRANSFER and position:
                self.posts.append((sid, v, position, day, at, voided))
        elif isinstance(e, StaffMember.Appointed):
            self.posts.append((sid, v, nfc(e.position), day, at, voided))
        elif isinstance(e, StaffMember.Departed):
            self.departures.append((sid, v, day, at, voided))

    def add_closing(self, env: Envelope, voided: int | None) -> None:
        e = env.event
        sid, v, at = env.staff_id, env.version, env.recorded_at
        day = iso(e.effective_on)
        status = CLOSING_STATUS[type(e)]
        assert isinstance(e, StaffMember.Completed | StaffMember.Failed | StaffMember.Withdrawn)
        self.closings.append((sid, v, e.enrollment_id, status, day, at, voided))
        if isinstance(e, StaffMember.Completed) and e.credential is not None:
            known = self.levels.get((sid, e.enrollment_id))
            if known is None:
                # Completions of enrollments from earlier pages take the level from the view.
                self.awards.append((v, day, at, sid, e.enrollment_id, v))
            elif known[1] is not None:
                self.credentials.append((sid, v, known[0], known[1], day, at, voided))


CLOSING_STATUS: dict[type, str] = {
    StaffMember.Completed: "completed",
    StaffMember.Failed: "failed",
    StaffMember.Withdrawn: "withdrawn",
}
