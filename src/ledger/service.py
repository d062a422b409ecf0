"""The Ledger's foundation: opening the store with its clock and rules, the queries that replay a
staff member's events (the standing on any business date ``as_of`` as the ledger knew it at any
time ``known_at``, and the full history), and the loop that runs a write and saves it.

The writes themselves, one per write of the HTTP contract, are :class:`ledger.application.Ledger`.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError, JSONTranscoder

from ledger.clock import AgencyClock, agency_clock
from ledger.domain import errors
from ledger.domain.commands import (
    CredentialDetails as CredentialDetails,  # its old home; callers import it here
)
from ledger.domain.fold import fold_record
from ledger.domain.history import BUSINESS_DATE_FIELD, event_data
from ledger.domain.ids import make_event_id, staff_aggregate_id
from ledger.domain.record import StaffRecord
from ledger.organisation import ORGANISATION_ID, ORGANISATION_STREAM, Organisation, UnitEvent, unit_events
from ledger.staff import StaffEvent, StaffMember
from ledger.standards.rules import rules_from_environment
from ledger.standards.ruleset import RuleSet
from ledger.store.config import StoreConfig, store_from_environment
from ledger.store.persistence import (
    ChainedRecorder,
    LedgerMapper,
    NationalIdTaken,
    register_ledger_transcodings,
)
from ledger.store.proofs import configure_proofs

Clock = Callable[[], datetime]

# Without If-Match, a write that lost a race is re-run on the fresh record (its rules are checked
# again); a few rounds are plenty when each round is one small transaction.
WRITE_ATTEMPTS = 5


def new_id() -> str:
    return secrets.token_hex(8)


@dataclass(frozen=True)
class WriteResult:
    staff_id: str
    version: int
    event_id: str
    position: int
    recorded_at: datetime
    enrollment_id: str | None = None
    credential_id: str | None = None


@dataclass(frozen=True)
class UnitWriteResult:
    """A unit fact recorded in the organisation stream."""

    unit_id: str
    version: int
    event_id: str
    position: int
    recorded_at: datetime
    # Events saved: 2 for the first unit fact of a store (it opens the organisation stream).
    events: int = 1


@dataclass(frozen=True)
class HistoryEntry:
    event_id: str
    type: str
    version: int
    position: int | None
    recorded_at: datetime
    recorded_by: str
    effective_on: date
    data: dict[str, Any]
    voided_by: str | None


class LedgerService(Application[UUID]):
    """What every Ledger is built on: the store, the clock and the rules it was opened with, the
    queries that replay a staff member's events, and the one way a write is run and saved."""

    name = "Ledger"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # The library names a subclass's tables (PostgreSQL) and environment prefix after the
        # class; a subclass of the ledger (instrumented, a test double) must use the same log.
        if "name" not in cls.__dict__:
            cls.name = LedgerService.name
        super().__init_subclass__(**kwargs)

    def __init__(
        self,
        store: StoreConfig | None = None,
        *,
        clock: Clock | None = None,
        env: dict[str, str] | None = None,
        rules: RuleSet | None = None,
    ) -> None:
        # The position standards appointments are checked against (LEDGER_RULES, else the shipped
        # file); a rules file with a mistake stops the ledger here, before the store is opened.
        self.rules = rules if rules is not None else rules_from_environment({**os.environ, **(env or {})})
        self.store = store or store_from_environment()
        # The one source of "now" and of the agency's "today" (LEDGER_TIMEZONE); a plain callable
        # (a test's chosen instants) gets the configured zone. A bad zone stops the ledger here.
        self.clock: AgencyClock = agency_clock(clock, {**os.environ, **(env or {})})
        merged = {
            **self.store.application_env(),
            "MAPPER_TOPIC": f"{LedgerMapper.__module__}:{LedgerMapper.__qualname__}",
            **(env or {}),
        }
        super().__init__(env=merged)
        # The agency's key (LEDGER_SIGNING_KEY, else made beside the SQLite file): link MACs,
        # signed checkpoints and badges (ledger.store.proofs).
        self.key_ring = configure_proofs(
            self.chained_recorder, self.store, {**os.environ, **(env or {})}
        )

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        register_ledger_transcodings(transcoder)

    @property
    def chained_recorder(self) -> ChainedRecorder:
        return cast(ChainedRecorder, self.recorder)

    def find_organisation(self) -> Organisation | None:
        """The organisation's unit facts as recorded now, or None before the first one."""
        try:
            return cast(Organisation, self.repository.get(ORGANISATION_ID))
        except AggregateNotFoundError:
            return None

    def unit_facts(self) -> list[UnitEvent]:
        """Every unit fact in the order recorded."""
        return unit_events(self.repository.event_store.get(ORGANISATION_ID))

    # ---------------------------------------------------------------- queries

    def staff_id_of_national_id(self, national_id: str) -> str | None:
        """The staff code of the person holding ``national_id`` now (the store's index, so a
        write's answer is already reflected), or None."""
        holder = self.chained_recorder.holder_of_national_id(national_id)
        if holder is None:
            return None
        first = next(iter(self.repository.event_store.get(holder, lte=1)), None)
        return first.staff_id if isinstance(first, StaffMember.Registered) else None

    def staff_exists(self, staff_id: str) -> bool:
        return staff_aggregate_id(staff_id) in self.repository

    def get_member(self, staff_id: str) -> StaffMember:
        try:
            return cast(StaffMember, self.repository.get(staff_aggregate_id(staff_id)))
        except AggregateNotFoundError:
            raise errors.StaffNotFound(f"No staff member '{staff_id}'.") from None

    def events_of(self, staff_id: str) -> list[StaffEvent]:
        events = cast(
            list[StaffEvent], list(self.repository.event_store.get(staff_aggregate_id(staff_id)))
        )
        if not events:
            raise errors.StaffNotFound(f"No staff member '{staff_id}'.")
        return events

    def record(
        self, staff_id: str, *, as_of: date | None = None, known_at: datetime | None = None
    ) -> StaffRecord:
        """The standing by replay: on business date ``as_of``, as known at ``known_at``."""
        if known_at is not None and known_at.utcoffset() is None:
            raise errors.InvalidInput(
                "known_at needs a time zone (RFC 3339, e.g. 2025-01-31T08:00:00Z).", field="known_at"
            )
        events = self.events_of(staff_id)
        if known_at is not None and events[0].timestamp > known_at:
            raise errors.StaffNotFound(
                f"Staff member '{staff_id}' was not yet registered at {known_at.isoformat()}."
            )
        return fold_record(events, as_of=as_of, known_at=known_at)

    def history(self, staff_id: str) -> list[HistoryEntry]:
        """Every event of a staff member in order, with who recorded it and what voided it."""
        events = self.events_of(staff_id)
        positions = self.chained_recorder.positions_of(staff_aggregate_id(staff_id))
        voided_by: dict[str, str] = {}
        for event in events:
            if isinstance(event, StaffMember.Corrected):
                voided_by[event.voided_event_id] = make_event_id(staff_id, event.originator_version)
        entries = []
        for event in events:
            event_id = make_event_id(staff_id, event.originator_version)
            kind = type(event).__name__
            data = event_data(event)
            data[BUSINESS_DATE_FIELD[kind]] = data["effective_on"]
            entries.append(
                HistoryEntry(
                    event_id=event_id,
                    type=kind,
                    version=event.originator_version,
                    position=positions.get(event.originator_version),
                    recorded_at=event.timestamp,
                    recorded_by=event.recorded_by,
                    effective_on=event.effective_on,
                    data=data,
                    voided_by=voided_by.get(event_id),
                )
            )
        return entries

    def today(self) -> date:
        """The agency's date now (``LEDGER_TIMEZONE``), the default of every business date."""
        return self.clock.today()

    def day_of(self, recorded_at: datetime) -> date:
        """The agency's date at ``recorded_at``: "today" for a fact recorded then."""
        return self.clock.date_of(recorded_at)

    # ---------------------------------------------------------------- helpers

    def _change(
        self,
        staff_id: str,
        command: Callable[[StaffMember, datetime], None],
        expected_version: int | None,
        recorded_at: datetime | None,
    ) -> WriteResult:
        for _ in range(WRITE_ATTEMPTS):
            member = self.get_member(staff_id)
            if expected_version is not None and member.version != expected_version:
                raise errors.StaleVersion(
                    f"The record of '{staff_id}' is at version {member.version}, "
                    f"not {expected_version}: reload it and try again."
                )
            command(member, recorded_at or self.clock())
            try:
                recordings = self.save(member)
            except NationalIdTaken as taken:
                raise self._national_id_taken(taken) from None
            except IntegrityError:
                if expected_version is not None:
                    raise errors.StaleVersion(
                        f"The record of '{staff_id}' changed while this write was made: "
                        "reload it and try again."
                    ) from None
                continue
            return self._result(member, recordings[-1].notification.id)
        raise errors.ConcurrentWrite(
            f"The record of '{staff_id}' kept changing under this write; try again."
        )

    def _change_organisation(
        self,
        command: Callable[[Organisation, datetime], None],
        recorded_by: str,
        on: date,
        recorded_at: datetime | None,
    ) -> UnitWriteResult:
        # One stream for the whole structure: a fact that lost a race to another is checked again
        # on the fresh structure (its rules span units).
        for _ in range(WRITE_ATTEMPTS):
            at = recorded_at or self.clock()
            organisation = self.find_organisation() or Organisation.open(
                recorded_by=recorded_by, on=on, recorded_at=at
            )
            command(organisation, at)
            try:
                recordings = self.save(organisation)
            except IntegrityError:
                continue
            fact = cast(UnitEvent, recordings[-1].domain_event)
            return UnitWriteResult(
                unit_id=fact.unit_id,
                version=organisation.version,
                event_id=f"{ORGANISATION_STREAM}:{organisation.version}",
                position=recordings[-1].notification.id,
                recorded_at=fact.timestamp,
                events=len(recordings),
            )
        raise errors.ConcurrentWrite("The organisation kept changing under this write; try again.")

    def _national_id_taken(self, taken: NationalIdTaken) -> errors.DuplicateNationalId:
        first = next(iter(self.repository.event_store.get(taken.holder, lte=1)), None)
        holder = f" ({first.staff_id})" if isinstance(first, StaffMember.Registered) else ""
        return errors.DuplicateNationalId(
            f"This national_id is already recorded for another staff member{holder}.",
            field="national_id",
        )

    @staticmethod
    def _result(member: StaffMember, position: int) -> WriteResult:
        last = member.history[-1]
        return WriteResult(
            staff_id=member.staff_id,
            version=member.version,
            event_id=member.last_event_id,
            position=position,
            recorded_at=last.timestamp,
        )
