"""What a page of the log changes in the standing view: the rows of people new in the page, and for
people already there, what a fold changed (see StandingView.apply)."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ledger.domain.fold import fold_record
from ledger.domain.record import StaffRecord
from ledger.staff import StaffMember
from projections import codec
from projections.base import Envelope, iso
from projections.standing_records import (
    COLLECTIONS,
    ITEM_CLASS,
    NO_DATE,
    SCALARS,
    item_key_of,
    latest_day,
    person_row,
    posting_row,
    qual_row,
    record_rows,
    version_of,
)
from projections.store import Row


class FoldProbe(StaffRecord):
    """A copy of a person's own fields with empty collections, noting every field a fold assigns
    (even to the value it already had: voiding that fold could still change the field)."""

    assigned: set[str]

    @classmethod
    def of(cls, record: StaffRecord) -> FoldProbe:
        probe = cls(**{name: getattr(record, name) for name in SCALARS})
        object.__setattr__(probe, "assigned", set())
        return probe

    def __setattr__(self, name: str, value: Any) -> None:
        assigned = self.__dict__.get("assigned")
        if assigned is not None and name in SCALARS:
            assigned.add(name)
        object.__setattr__(self, name, value)


def fresh_rows(by_person: dict[str, list[Envelope]]) -> dict[str, list[Row]]:
    """The rows of the people whose whole history is in the page (taken out of ``by_person``):
    new people, and everyone in a rebuild, which reads the log person by person."""
    fresh: dict[str, list[Row]] = defaultdict(list)
    for sid in [sid for sid, envs in by_person.items() if envs[0].version == 1]:
        events = [env.event for env in by_person.pop(sid)]
        if isinstance(events[0], StaffMember.Registered):
            rows_of = record_rows(
                fold_record(events), events[-1].originator_version, latest_day(events), fresh=True
            )
            for template, rows in rows_of.items():
                fresh[template] += rows
    return fresh


@dataclass
class PageChanges:
    """The rows a page changes for people already in the view: their person row, the items
    whose JSON changed, and the directory's indexes of credentials and postings."""

    people: list[Row] = dataclasses.field(default_factory=list)
    items: list[Row] = dataclasses.field(default_factory=list)
    quals_gone: list[Row] = dataclasses.field(default_factory=list)
    quals: list[Row] = dataclasses.field(default_factory=list)
    postings_gone: list[Row] = dataclasses.field(default_factory=list)
    postings: list[Row] = dataclasses.field(default_factory=list)

    def follow(
        self,
        sid: str,
        envs: list[Envelope],
        known: tuple[StaffRecord, str] | None,
        enrollments: dict[str, str],
    ) -> None:
        """Fold the page's events of ``sid`` into the record the view holds (with only the
        enrollments the events name) and keep what changed."""
        record: StaffRecord | None = None
        latest: str = NO_DATE
        before: dict[tuple[str, str], str] = {}
        if known is not None:
            record, latest = known
            for key, text in enrollments.items():
                record.enrollments[key] = codec.loads(ITEM_CLASS["enrollments"], text)
                before[("enrollments", key)] = text
        for env in envs:
            event = env.event
            if isinstance(event, StaffMember.Registered):
                record = event.start_record()
                continue
            if record is None:
                continue  # no registration on record: nothing to fold into
            event.fold(record, env.event_id)
            if not isinstance(event, StaffMember.Corrected):
                day = iso(event.effective_on) or NO_DATE
                latest = max(latest, day)
        if record is None:
            return
        self.people.append(person_row(record, envs[-1].version, latest))
        for field_name, kind, _ in COLLECTIONS:
            collection = getattr(record, field_name)
            pairs: Iterable[tuple[Any, Any]] = (
                collection.items() if kind == "dict" else ((None, item) for item in collection)
            )
            for key, item in pairs:
                item_key = item_key_of(field_name, kind, key, item)
                text = codec.dumps(item)
                if before.get((field_name, item_key)) != text:
                    self.item_changed(sid, field_name, item_key, item, text)

    def item_changed(self, sid: str, field_name: str, item_key: str, item: Any, text: str) -> None:
        self.items.append((sid, field_name, item_key, version_of(item.event_id), text))
        if field_name == "credentials":
            self.quals_gone.append((sid, item_key))
            row = qual_row(sid, item)
            if row is not None:
                self.quals.append(row)
        elif field_name == "rotations":
            self.postings_gone.append((sid, int(item_key)))
            row = posting_row(sid, item)
            if row is not None:
                self.postings.append(row)
