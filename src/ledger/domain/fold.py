"""A staff member's record folded from their events: on any business date (``as_of``), as the
ledger knew it at any time (``known_at``), corrections removed with the facts they void.

The events are the aggregate's (``ledger.staff``, whose module the stored topics name); the fold
sees them through :class:`Fact`. Most facts fold into the record on their business date; a few
play another part, which each event class states by its ``fold_role``.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Protocol, TypeVar, cast

from ledger.domain import errors
from ledger.domain.ids import make_event_id
from ledger.domain.record import StaffRecord


class FoldRole(enum.Enum):
    FACT = "fact"  # folds into the record on its business date
    REGISTRATION = "registration"  # starts the record; counts at every as_of
    CORRECTION = "correction"  # voids an earlier fact; never folds itself
    REGISTRATION_CORRECTION = "registration_correction"  # corrects the registration: every as_of


class Fact(Protocol):
    """A staff event as the fold sees it (``ledger.staff.StaffEvent``)."""

    fold_role: FoldRole
    effective_on: date

    @property
    def originator_version(self) -> int: ...

    @property
    def timestamp(self) -> datetime: ...

    def fold(self, record: StaffRecord, event_id: str) -> None: ...


class Registration(Protocol):
    """The registration (``StaffMember.Registered``): whose record it starts, and the record."""

    staff_id: str

    def start_record(self) -> StaffRecord: ...


class Correction(Protocol):
    """A correction (``StaffMember.Corrected``): the id of the event it voids."""

    voided_event_id: str


FactT = TypeVar("FactT", bound=Fact)


def live_events(events: Iterable[FactT], *, known_at: datetime | None = None) -> list[FactT]:
    """The events in force as the ledger knew them at ``known_at`` (default: now): recorded by
    then, corrections removed together with the events they void."""
    known = [e for e in events if known_at is None or e.timestamp <= known_at]
    staff_id = next(
        (cast(Registration, e).staff_id for e in known if e.fold_role is FoldRole.REGISTRATION), None
    )
    voided = {cast(Correction, e).voided_event_id for e in known if e.fold_role is FoldRole.CORRECTION}
    return [
        e
        for e in known
        if e.fold_role is not FoldRole.CORRECTION
        and (staff_id is None or make_event_id(staff_id, e.originator_version) not in voided)
    ]


def fold_record(
    events: Sequence[Fact],
    *,
    as_of: date | None = None,
    known_at: datetime | None = None,
) -> StaffRecord:
    """Build the record from a staff member's events, on business date ``as_of`` as the ledger
    knew it at ``known_at``. The registration always counts (it identifies the person; the
    record's status says whether they had joined by ``as_of``)."""
    record: StaffRecord | None = None
    for event in live_events(events, known_at=known_at):
        if event.fold_role is FoldRole.REGISTRATION:
            record = cast(Registration, event).start_record()
        elif record is not None and (
            as_of is None
            or event.effective_on <= as_of
            # Corrects the registration, which counts at every as_of.
            or event.fold_role is FoldRole.REGISTRATION_CORRECTION
        ):
            event.fold(record, make_event_id(record.staff_id, event.originator_version))
    if record is None:
        raise errors.StaffNotFound("No registration among these events.")
    return record
