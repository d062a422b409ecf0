"""How events are stored: transcodings, the enum-restoring mapper, and hash-chained recorders.

The recorders are the library's own SQLite and PostgreSQL application recorders, extended so
that the transaction that inserts events also appends their links to the chain table (see
``ledger.store.chain``). Both stores serialise writers while inserting (SQLite's write lock, the
library's EXCLUSIVE table lock on PostgreSQL), so the chain's order is the log's order.

Here: what both recorders share (the :class:`ChainedRecorder` protocol, the links of a batch, the
import of a whole log). The recorders themselves are ``ledger.store.sqlite`` and
``ledger.store.postgres``.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import json
import threading
import types
import typing
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.persistence import (
    IntegrityError,
    Mapper,
    Notification,
    StoredEvent,
    Transcoder,
    Transcoding,
)

from ledger.domain.record import CredentialAward, Evidence, UnmetRequirement, Waiver
from ledger.store.chain import GENESIS, ChainBuilder, ChainLink
from ledger.store.proofstore import ProofTables


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


def _dataclass_transcoding(cls: type[Any], stable_name: str) -> Transcoding:
    """A transcoding for a frozen value object; ``stable_name`` is stored, so never rename it."""

    class DataclassAsDict(Transcoding):
        type = cls
        name = stable_name

        def encode(self, obj: Any) -> dict[str, Any]:
            return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}

        def decode(self, data: dict[str, Any]) -> Any:
            return cls(**data)

    return DataclassAsDict()


def register_ledger_transcodings(transcoder: Transcoder) -> None:
    register = transcoder.register  # type: ignore[attr-defined]
    register(DateAsISO())
    register(_dataclass_transcoding(CredentialAward, "credential_award"))
    register(_dataclass_transcoding(Evidence, "evidence"))
    register(_dataclass_transcoding(Waiver, "waiver"))
    register(_dataclass_transcoding(UnmetRequirement, "unmet_requirement"))


@functools.cache
def _enum_fields(event_class: type[Any]) -> tuple[tuple[str, type[enum.Enum]], ...]:
    """Fields of an event class typed as an Enum (or an optional one)."""
    found = []
    for name, hint in typing.get_type_hints(event_class).items():
        candidates = typing.get_args(hint) if isinstance(hint, types.UnionType) else (hint,)
        for candidate in candidates:
            if isinstance(candidate, type) and issubclass(candidate, enum.Enum):
                found.append((name, candidate))
    return tuple(found)


class LedgerMapper(Mapper[UUID]):
    """The library's mapper, plus restoring enum members.

    JSON writes a ``StrEnum`` as a plain string and reads it back as ``str``; without this, an
    event read from the store would not equal the event that was saved.
    """

    def to_domain_event(self, stored_event: StoredEvent) -> Any:
        event = super().to_domain_event(stored_event)
        state = event.__dict__
        for name, enum_type in _enum_fields(type(event)):
            value = state.get(name)
            if value is not None and not isinstance(value, enum_type):
                state[name] = enum_type(value)
        return event


# ------------------------------------------------------------ national ids

# The events that set a person's personal identification number, by stored topic (the topics
# are the events' explicit TOPICs, never renamed; a test checks they match ledger.staff).
REGISTERED_TOPIC = "staff.registered.v1"
NATIONAL_ID_CORRECTED_TOPIC = "staff.national_id_corrected.v1"
NATIONAL_ID_TOPICS = (REGISTERED_TOPIC, NATIONAL_ID_CORRECTED_TOPIC)


class NationalIdTaken(IntegrityError):
    """The number is held by another staff member: refused in the transaction that would have
    recorded the event, so two concurrent writers can never both hold it."""

    def __init__(self, holder: UUID) -> None:
        super().__init__("national_id already held by another staff member")
        self.holder = holder


@dataclasses.dataclass(frozen=True)
class NationalIdClaim:
    """An event's effect on the national-id index: ``originator_id`` holds ``national_id`` (None:
    holds none) from this event on."""

    originator_id: UUID
    national_id: str | None


def national_id_claims(stored_events: Iterable[StoredEvent]) -> list[NationalIdClaim]:
    """What the events about to be stored do to the index: a registration claims its number (if
    it has one); a national-id correction replaces the person's number. Read from the stored
    state (plain JSON: the ledger configures no cipher or compressor), so every way in (the API,
    imports of records, ``ledger import`` of a log) goes through the same index."""
    claims = []
    for s in stored_events:
        if s.topic not in NATIONAL_ID_TOPICS:
            continue
        value = json.loads(s.state).get("national_id")
        if s.topic == REGISTERED_TOPIC and value is None:
            continue
        claims.append(NationalIdClaim(as_uuid(s.originator_id), value))
    return claims


class ChainedRecorder(Protocol):
    """What the integrity checks and the log export need from either store."""

    def select_notifications(
        self,
        start: int | None,
        limit: int,
        stop: int | None = None,
        topics: Sequence[str] = (),
        *,
        inclusive_of_start: bool = True,
    ) -> Sequence[Notification]: ...

    def max_notification_id(self) -> int | None: ...

    def select_chain(self, after_seq: int, limit: int) -> list[ChainLink]: ...

    def select_events(
        self,
        originator_id: UUID | str,
        *,
        gt: int | None = None,
        lte: int | None = None,
        desc: bool = False,
        limit: int | None = None,
    ) -> Sequence[StoredEvent]: ...

    def positions_of(self, originator_id: UUID) -> dict[int, int]: ...

    def link_of(self, originator_id: UUID, version: int) -> ChainLink | None: ...

    def links_of(self, originator_id: UUID) -> list[ChainLink]: ...

    def digests_at(self, seqs: Iterable[int]) -> dict[int, str]: ...

    def import_events(self, rows: Iterable[tuple[int, StoredEvent]]) -> None: ...

    def is_empty(self) -> bool: ...

    def holder_of_national_id(self, national_id: str) -> UUID | None: ...

    @property
    def proofs(self) -> ProofTables: ...


class ChainTail(threading.local):
    """The running digest before the events being inserted, read by ``_append_links`` and passed
    to the proof tables in the same transaction (per thread: each thread has its own)."""

    digest: str | None = None


chain_tail = ChainTail()


def as_uuid(originator_id: UUID | str) -> UUID:
    """SQLite hands back ids as text, PostgreSQL as UUIDs; the chain keys on UUIDs."""
    return originator_id if isinstance(originator_id, UUID) else UUID(originator_id)


def links_for(
    stored_events: Sequence[StoredEvent],
    last: tuple[int, str] | None,
    previous_hash_of: dict[tuple[UUID, int], str],
) -> list[ChainLink]:
    """Chain links for events about to be inserted, continuing the chain's tail ``last`` and each
    staff member's previous hash (``previous_hash_of`` for streams this batch continues)."""
    builder = ChainBuilder(*(last or (0, GENESIS)))
    links = []
    for s in stored_events:
        oid = as_uuid(s.originator_id)
        version = s.originator_version
        if version == 1:
            previous = GENESIS
        else:
            previous = builder.last_hash_of.get(str(oid)) or previous_hash_of.get(
                (oid, version - 1), GENESIS
            )
        links.append(builder.link(previous, oid, version, s.topic, s.state))
    return links


def continued_streams(stored_events: Sequence[StoredEvent]) -> list[tuple[UUID, int]]:
    """(staff aggregate, version) of the last event already stored for each stream the batch
    continues: where its chain picks up."""
    first: dict[UUID, int] = {}
    for s in stored_events:
        oid = as_uuid(s.originator_id)
        first[oid] = min(first.get(oid, s.originator_version), s.originator_version)
    return [(oid, version - 1) for oid, version in first.items() if version > 1]


IMPORT_BATCH_SIZE = 1000


def refuse_unless_empty(used: bool) -> None:
    if used:
        msg = "The store is not empty: a log can only be imported into an empty store."
        raise IntegrityError(msg)


def import_batches(
    rows: Iterable[tuple[int, StoredEvent]],
) -> Iterator[list[tuple[int, StoredEvent]]]:
    """The rows of an import in batches, checking that positions strictly increase.

    Rows are ``(position, stored_event)`` in log order; they are consumed lazily, so an import
    streamed from a file holds one batch in memory. The chain is computed by the recorder from
    the stored bytes, exactly as for a live write. Any exception (including one raised by the
    iterator itself) rolls the whole import back.
    """
    batch: list[tuple[int, StoredEvent]] = []
    previous = 0
    for position, stored_event in rows:
        if position <= previous:
            msg = f"Import positions must increase: {position} comes after {previous}."
            raise ValueError(msg)
        previous = position
        batch.append((position, stored_event))
        if len(batch) >= IMPORT_BATCH_SIZE:
            yield batch
            batch = []
    if batch:
        yield batch


def iter_notifications(
    recorder: ChainedRecorder, *, after: int = 0, page_size: int = 1000
) -> Iterator[Notification]:
    """Every notification after ``after``, in log order, read in pages."""
    while True:
        page = recorder.select_notifications(after, page_size, inclusive_of_start=False)
        yield from page
        if len(page) < page_size:
            return
        after = page[-1].id


def iter_chain(recorder: ChainedRecorder, *, page_size: int = 1000) -> Iterator[ChainLink]:
    after = 0
    while True:
        page = recorder.select_chain(after, page_size)
        yield from page
        if len(page) < page_size:
            return
        after = page[-1].seq
