"""How events are stored: transcodings, the enum-restoring mapper, and hash-chained recorders.

The recorders are the library's own SQLite and PostgreSQL application recorders, extended so
that the transaction that inserts events also appends their links to the chain table (see
``ledger.store.chain``). Both stores serialise writers while inserting (SQLite's write lock, the
library's EXCLUSIVE table lock on PostgreSQL), so the chain's order is the log's order.
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
from contextlib import AbstractContextManager, contextmanager
from datetime import date
from typing import Any, Protocol, cast
from uuid import UUID

from eventsourcing.persistence import (
    IntegrityError,
    Mapper,
    Notification,
    StoredEvent,
    Transcoder,
    Transcoding,
)
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor, SQLiteDatastore
from psycopg import Cursor as PgCursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier

from ledger.domain.record import CredentialAward, Evidence, UnmetRequirement, Waiver
from ledger.store.chain import GENESIS, ChainBuilder, ChainLink
from ledger.store.proofstore import Cursor, ProofTables


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
        claims.append(NationalIdClaim(_uuid(s.originator_id), value))
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


class _Tail(threading.local):
    """The running digest before the events being inserted, read by ``_append_links`` and passed
    to the proof tables in the same transaction (per thread: each thread has its own)."""

    digest: str | None = None


_tail = _Tail()


def _uuid(originator_id: UUID | str) -> UUID:
    """SQLite hands back ids as text, PostgreSQL as UUIDs; the chain keys on UUIDs."""
    return originator_id if isinstance(originator_id, UUID) else UUID(originator_id)


def _links_for(
    stored_events: Sequence[StoredEvent],
    last: tuple[int, str] | None,
    previous_hash_of: dict[tuple[UUID, int], str],
) -> list[ChainLink]:
    """Chain links for events about to be inserted, continuing the chain's tail ``last`` and each
    staff member's previous hash (``previous_hash_of`` for streams this batch continues)."""
    builder = ChainBuilder(*(last or (0, GENESIS)))
    links = []
    for s in stored_events:
        oid = _uuid(s.originator_id)
        version = s.originator_version
        if version == 1:
            previous = GENESIS
        else:
            previous = builder.last_hash_of.get(str(oid)) or previous_hash_of.get(
                (oid, version - 1), GENESIS
            )
        links.append(builder.link(previous, oid, version, s.topic, s.state))
    return links


def _continued_streams(stored_events: Sequence[StoredEvent]) -> list[tuple[UUID, int]]:
    """(staff aggregate, version) of the last event already stored for each stream the batch
    continues: where its chain picks up."""
    first: dict[UUID, int] = {}
    for s in stored_events:
        oid = _uuid(s.originator_id)
        first[oid] = min(first.get(oid, s.originator_version), s.originator_version)
    return [(oid, version - 1) for oid, version in first.items() if version > 1]


class ChainedSQLiteRecorder(SQLiteApplicationRecorder):
    """SQLite application recorder that chains every inserted event in the same transaction."""

    def __init__(self, datastore: SQLiteDatastore, events_table_name: str = "stored_events"):
        self.chain_table_name = f"{events_table_name}_chain"
        self._proofs = ProofTables(
            lambda name: f"{events_table_name}_{name}",
            postgres=False,
            read=lambda: cast(AbstractContextManager[Cursor], datastore.transaction(commit=False)),
            write=lambda: cast(AbstractContextManager[Cursor], datastore.transaction(commit=True)),
        )
        # The personal identification numbers in force, one row per holder: the unique index
        # that refuses a second holder, written in the transaction that records the event.
        self.national_ids_table_name = f"{events_table_name}_national_ids"
        self._proofs.positions_query = (
            f"SELECT c.seq AS seq, e.rowid AS position, c.event_hash AS event_hash "
            f"FROM {self.chain_table_name} c JOIN {events_table_name} e "
            "ON e.originator_id = c.originator_id AND e.originator_version = c.originator_version "
            "WHERE c.seq > ? ORDER BY c.seq LIMIT ?"
        )
        super().__init__(datastore, events_table_name)

    @property
    def proofs(self) -> ProofTables:
        return self._proofs

    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            *self._proofs.create_statements(),
            f"CREATE TABLE IF NOT EXISTS {self.chain_table_name} ("
            "seq INTEGER PRIMARY KEY, originator_id TEXT NOT NULL, "
            "originator_version INTEGER NOT NULL, event_hash TEXT NOT NULL, "
            "chain_digest TEXT NOT NULL, UNIQUE (originator_id, originator_version))",
            f"CREATE TABLE IF NOT EXISTS {self.national_ids_table_name} ("
            "national_id TEXT PRIMARY KEY, originator_id TEXT NOT NULL UNIQUE)",
        ]

    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        # The inserts take SQLite's write lock first, so the chain's tail read next is final.
        ids = super()._insert_events(c, stored_events, **kwargs)
        links = self._append_links(c, stored_events)
        # The tree and the link MACs go in the same transaction as the events (ledger.store.proofstore).
        self._proofs.append(cast(Cursor, c), links, list(ids or ()), _tail.digest)
        self._claim_national_ids(c, national_id_claims(stored_events))
        return ids

    def _claim_national_ids(self, c: SQLiteCursor, claims: Sequence[NationalIdClaim]) -> None:
        # Under SQLite's write lock (taken by the inserts above): nobody else writes meanwhile, so
        # the look-up is final; the primary key stays as the last word.
        table = self.national_ids_table_name
        for claim in claims:
            oid = claim.originator_id.hex
            if claim.national_id is not None:
                c.execute(f"SELECT originator_id FROM {table} WHERE national_id=?", (claim.national_id,))
                row = c.fetchone()
                if row is not None and row["originator_id"] != oid:
                    raise NationalIdTaken(UUID(row["originator_id"]))
            c.execute(f"DELETE FROM {table} WHERE originator_id=?", (oid,))
            if claim.national_id is not None:
                c.execute(f"INSERT INTO {table} VALUES (?, ?)", (claim.national_id, oid))

    def holder_of_national_id(self, national_id: str) -> UUID | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT originator_id FROM {self.national_ids_table_name} WHERE national_id=?",
                (national_id,),
            )
            row = c.fetchone()
            return None if row is None else UUID(row["originator_id"])

    def _append_links(self, c: SQLiteCursor, stored_events: Sequence[StoredEvent]) -> list[ChainLink]:
        c.execute(f"SELECT seq, chain_digest FROM {self.chain_table_name} ORDER BY seq DESC LIMIT 1")
        row = c.fetchone()
        last = (row["seq"], row["chain_digest"]) if row else None
        _tail.digest = last[1] if last else GENESIS
        previous: dict[tuple[UUID, int], str] = {}
        for oid, version in _continued_streams(stored_events):
            c.execute(
                f"SELECT event_hash FROM {self.chain_table_name} "
                "WHERE originator_id=? AND originator_version=?",
                (oid.hex, version),
            )
            found = c.fetchone()
            if found:
                previous[(oid, version)] = found["event_hash"]
        links = _links_for(stored_events, last, previous)
        c.executemany(
            f"INSERT INTO {self.chain_table_name} VALUES (?,?,?,?,?)",
            [
                (k.seq, k.originator_id.hex, k.originator_version, k.event_hash, k.chain_digest)
                for k in links
            ],
        )
        return links

    def select_chain(self, after_seq: int, limit: int) -> list[ChainLink]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT * FROM {self.chain_table_name} WHERE seq>? ORDER BY seq LIMIT ?",
                (after_seq, limit),
            )
            return [
                ChainLink(
                    r["seq"], UUID(r["originator_id"]), r["originator_version"],
                    r["event_hash"], r["chain_digest"],
                )
                for r in c.fetchall()
            ]

    def link_of(self, originator_id: UUID, version: int) -> ChainLink | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT * FROM {self.chain_table_name} WHERE originator_id=? AND originator_version=?",
                (originator_id.hex, version),
            )
            r = c.fetchone()
            if r is None:
                return None
            return ChainLink(
                r["seq"], UUID(r["originator_id"]), r["originator_version"],
                r["event_hash"], r["chain_digest"],
            )

    def links_of(self, originator_id: UUID) -> list[ChainLink]:
        """Every chain row of one staff member, by version (an indexed read)."""
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT * FROM {self.chain_table_name} WHERE originator_id=? ORDER BY originator_version",
                (originator_id.hex,),
            )
            return [
                ChainLink(
                    r["seq"], UUID(r["originator_id"]), r["originator_version"],
                    r["event_hash"], r["chain_digest"],
                )
                for r in c.fetchall()
            ]

    def digests_at(self, seqs: Iterable[int]) -> dict[int, str]:
        """The running digest stored at each of ``seqs`` that has a chain row."""
        wanted = sorted(set(seqs))
        found: dict[int, str] = {}
        with self.datastore.transaction(commit=False) as c:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                marks = ", ".join("?" for _ in chunk)
                c.execute(
                    f"SELECT seq, chain_digest FROM {self.chain_table_name} WHERE seq IN ({marks})", chunk
                )
                found.update((int(r["seq"]), r["chain_digest"]) for r in c.fetchall())
        return found

    def positions_of(self, originator_id: UUID) -> dict[int, int]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT rowid, originator_version FROM {self.events_table_name} "
                "WHERE originator_id=?",
                (originator_id.hex,),
            )
            return {r["originator_version"]: r["rowid"] for r in c.fetchall()}

    def is_empty(self) -> bool:
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT 1 FROM {self.events_table_name} LIMIT 1")
            return c.fetchone() is None

    def import_events(self, rows: Iterable[tuple[int, StoredEvent]]) -> None:
        """Insert events at their log positions into an empty store, chaining them, in one
        transaction. See :func:`_import_batches` for the contract."""
        with self.datastore.transaction(commit=True) as c:
            c.execute(
                f"SELECT EXISTS (SELECT 1 FROM {self.events_table_name}) "
                f"OR EXISTS (SELECT 1 FROM {self.chain_table_name})"
            )
            _refuse_unless_empty(bool(c.fetchone()[0]))
            for batch in _import_batches(rows):
                c.executemany(
                    f"INSERT INTO {self.events_table_name} "
                    "(rowid, originator_id, originator_version, topic, state) VALUES (?,?,?,?,?)",
                    [
                        (
                            position,
                            s.originator_id.hex if isinstance(s.originator_id, UUID) else s.originator_id,
                            s.originator_version,
                            s.topic,
                            s.state,
                        )
                        for position, s in batch
                    ],
                )
                links = self._append_links(c, [s for _, s in batch])
                self._proofs.append(cast(Cursor, c), links, [position for position, _ in batch])
                self._claim_national_ids(c, national_id_claims(s for _, s in batch))


class ChainedPostgresRecorder(PostgresApplicationRecorder):
    """PostgreSQL application recorder that chains every inserted event in the same transaction."""

    def __init__(self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events"):
        super().__init__(datastore, events_table_name=events_table_name)
        self.chain_table_name = f"{events_table_name}_chain"
        self.check_identifier_length(self.chain_table_name)
        self.chain_table = SQL("{0}.{1}").format(
            Identifier(self.datastore.schema), Identifier(self.chain_table_name)
        )
        self.events_table = SQL("{0}.{1}").format(
            Identifier(self.datastore.schema), Identifier(self.events_table_name)
        )
        # The personal identification numbers in force, one row per holder (see the SQLite one).
        self.national_ids_table_name = f"{events_table_name}_national_ids"
        self.check_identifier_length(self.national_ids_table_name)
        self.national_ids_table = SQL("{0}.{1}").format(
            Identifier(self.datastore.schema), Identifier(self.national_ids_table_name)
        )
        schema = self.datastore.schema.replace('"', '""')
        for suffix in ("link_macs", "keys", "merkle", "checkpoints"):
            self.check_identifier_length(f"{events_table_name}_{suffix}")
        self._proofs = ProofTables(
            lambda name: f'"{schema}"."{events_table_name}_{name}"',
            postgres=True,
            read=self._read_cursor,
            write=lambda: cast(AbstractContextManager[Cursor], self.datastore.transaction(commit=True)),
        )
        chain = f'"{schema}"."{self.chain_table_name}"'
        events = f'"{schema}"."{events_table_name}"'
        self._proofs.positions_query = (
            f"SELECT c.seq AS seq, e.notification_id AS position, c.event_hash AS event_hash "
            f"FROM {chain} c JOIN {events} e USING (originator_id, originator_version) "
            "WHERE c.seq > ? ORDER BY c.seq LIMIT ?"
        )
        self.sql_create_statements.append(
            SQL(
                "CREATE TABLE IF NOT EXISTS {0} ("
                "seq bigint PRIMARY KEY, originator_id uuid NOT NULL, "
                "originator_version bigint NOT NULL, event_hash text NOT NULL, "
                "chain_digest text NOT NULL, UNIQUE (originator_id, originator_version))"
            ).format(self.chain_table)
        )
        self.sql_create_statements.extend(
            SQL(s).format() for s in self._proofs.create_statements()  # type: ignore[arg-type]
        )
        self.sql_create_statements.append(
            SQL(
                "CREATE TABLE IF NOT EXISTS {0} ("
                "national_id text PRIMARY KEY, originator_id uuid NOT NULL UNIQUE)"
            ).format(self.national_ids_table)
        )

    @property
    def proofs(self) -> ProofTables:
        return self._proofs

    @contextmanager
    def _read_cursor(self) -> Iterator[Cursor]:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            yield cast(Cursor, curs)

    def _fetch_ids_after_insert_events(
        self, curs: PgCursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        ids = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
        # Still inside the inserting transaction, under the EXCLUSIVE lock on the events table.
        links = self._append_links(curs, stored_events)
        # A cursor of its own: in the library's pipeline mode, a cursor that ran executemany()
        # can hand a later SELECT the results of its inserts.
        with curs.connection.cursor() as proofs_cursor:
            self._proofs.append(cast(Cursor, proofs_cursor), links, list(ids or ()), _tail.digest)
        return ids

    def _insert_events(
        self, curs: PgCursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> None:
        # The national ids are claimed here, before the events are inserted, not with the chain
        # links: the library catches exceptions raised after its inserts and commits before
        # re-raising them, so a refusal from there would keep the refused events. Raised here, it
        # rolls the transaction back. The table lock is taken first (the library takes it again
        # for its inserts), so the look-up is final.
        super()._insert_events(curs, stored_events, **kwargs)
        claims = national_id_claims(stored_events)
        if claims:
            self._lock_table(curs)
            self._claim_national_ids(curs, claims)

    def _claim_national_ids(self, curs: PgCursor[Any], claims: Sequence[NationalIdClaim]) -> None:
        # Under the EXCLUSIVE lock on the events table, which every writer takes before inserting:
        # the look-up is final; the primary key stays as the last word (its violation aborts the
        # transaction in the database itself).
        table = self.national_ids_table
        for claim in claims:
            if claim.national_id is not None:
                curs.execute(
                    SQL("SELECT originator_id FROM {0} WHERE national_id=%s").format(table),
                    (claim.national_id,),
                )
                row = curs.fetchone()
                if row is not None and row["originator_id"] != claim.originator_id:
                    raise NationalIdTaken(row["originator_id"])
            curs.execute(
                SQL("DELETE FROM {0} WHERE originator_id=%s").format(table), (claim.originator_id,)
            )
            if claim.national_id is not None:
                curs.execute(
                    SQL("INSERT INTO {0} VALUES (%s, %s)").format(table),
                    (claim.national_id, claim.originator_id),
                )

    def holder_of_national_id(self, national_id: str) -> UUID | None:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(
                SQL("SELECT originator_id FROM {0} WHERE national_id=%s").format(
                    self.national_ids_table
                ),
                (national_id,),
            )
            row = curs.fetchone()
            return None if row is None else cast(UUID, row["originator_id"])

    def _append_links(
        self, curs: PgCursor[DictRow], stored_events: Sequence[StoredEvent]
    ) -> list[ChainLink]:
        # One statement, so one round trip: the chain's tail (the row without an originator) and
        # the last hash of each staff member whose stream these events continue.
        wanted = _continued_streams(stored_events)
        curs.execute(
            SQL(
                "(SELECT NULL::uuid AS originator_id, seq AS originator_version, chain_digest AS hash "
                "FROM {0} ORDER BY seq DESC LIMIT 1) UNION ALL "
                "(SELECT c.originator_id, c.originator_version, c.event_hash AS hash "
                "FROM unnest(%s::uuid[], %s::bigint[]) AS w (originator_id, originator_version) "
                "JOIN {0} AS c USING (originator_id, originator_version))"
            ).format(self.chain_table),
            ([w[0] for w in wanted], [w[1] for w in wanted]),
        )
        last: tuple[int, str] | None = None
        previous: dict[tuple[UUID, int], str] = {}
        for r in curs.fetchall():
            if r["originator_id"] is None:
                last = (r["originator_version"], r["hash"])
            else:
                previous[(r["originator_id"], r["originator_version"])] = r["hash"]
        _tail.digest = last[1] if last else GENESIS
        links = _links_for(stored_events, last, previous)
        curs.executemany(
            SQL("INSERT INTO {0} VALUES (%s,%s,%s,%s,%s)").format(self.chain_table),
            [
                (k.seq, k.originator_id, k.originator_version, k.event_hash, k.chain_digest)
                for k in links
            ],
        )
        return links

    def select_chain(self, after_seq: int, limit: int) -> list[ChainLink]:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(
                SQL("SELECT * FROM {0} WHERE seq>%s ORDER BY seq LIMIT %s").format(self.chain_table),
                (after_seq, limit),
            )
            return [
                ChainLink(
                    r["seq"], r["originator_id"], r["originator_version"],
                    r["event_hash"], r["chain_digest"],
                )
                for r in curs.fetchall()
            ]

    def link_of(self, originator_id: UUID, version: int) -> ChainLink | None:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(
                SQL("SELECT * FROM {0} WHERE originator_id=%s AND originator_version=%s").format(
                    self.chain_table
                ),
                (originator_id, version),
            )
            r = curs.fetchone()
            if r is None:
                return None
            return ChainLink(
                r["seq"], r["originator_id"], r["originator_version"],
                r["event_hash"], r["chain_digest"],
            )

    def links_of(self, originator_id: UUID) -> list[ChainLink]:
        """Every chain row of one staff member, by version (an indexed read)."""
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(
                SQL("SELECT * FROM {0} WHERE originator_id=%s ORDER BY originator_version").format(
                    self.chain_table
                ),
                (originator_id,),
            )
            return [
                ChainLink(
                    r["seq"], r["originator_id"], r["originator_version"],
                    r["event_hash"], r["chain_digest"],
                )
                for r in curs.fetchall()
            ]

    def digests_at(self, seqs: Iterable[int]) -> dict[int, str]:
        """The running digest stored at each of ``seqs`` that has a chain row."""
        wanted = sorted(set(seqs))
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(
                SQL("SELECT seq, chain_digest FROM {0} WHERE seq = ANY(%s)").format(self.chain_table),
                (wanted,),
            )
            return {int(r["seq"]): r["chain_digest"] for r in curs.fetchall()}

    def positions_of(self, originator_id: UUID) -> dict[int, int]:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(
                SQL(
                    "SELECT notification_id, originator_version FROM {0} WHERE originator_id=%s"
                ).format(self.events_table),
                (originator_id,),
            )
            return {r["originator_version"]: r["notification_id"] for r in curs.fetchall()}

    def is_empty(self) -> bool:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(SQL("SELECT 1 FROM {0} LIMIT 1").format(self.events_table))
            return curs.fetchone() is None

    def import_events(self, rows: Iterable[tuple[int, StoredEvent]]) -> None:
        """Insert events at their log positions into an empty store, chaining them, in one
        transaction, and move the position sequence past them. See :func:`_import_batches`."""
        with self.datastore.transaction(commit=True) as curs:
            self._lock_table(curs)
            curs.execute(
                SQL(
                    "SELECT EXISTS (SELECT 1 FROM {0}) OR EXISTS (SELECT 1 FROM {1}) AS used"
                ).format(self.events_table, self.chain_table)
            )
            used = curs.fetchone()
            _refuse_unless_empty(bool(used and used["used"]))
            copy_events = SQL(
                "COPY {0} (notification_id, originator_id, originator_version, topic, state) "
                "FROM STDIN"
            ).format(self.events_table)
            for batch in _import_batches(rows):
                with curs.copy(copy_events) as copy:
                    for position, s in batch:
                        copy.write_row(
                            (position, s.originator_id, s.originator_version, s.topic, s.state)
                        )
                links = self._append_links(curs, [s for _, s in batch])
                self._proofs.append(cast(Cursor, curs), links, [position for position, _ in batch])
                self._claim_national_ids(curs, national_id_claims(s for _, s in batch))
            # Later writes must continue after the imported positions (nextval = MAX + 1).
            curs.execute(
                SQL(
                    "SELECT setval(pg_get_serial_sequence(%s, 'notification_id'), "
                    "COALESCE(MAX(notification_id), 1), MAX(notification_id) IS NOT NULL) "
                    "FROM {0}"
                ).format(self.events_table),
                (f'"{self.datastore.schema}"."{self.events_table_name}"',),
            )
            self._notify_channel(curs)


IMPORT_BATCH_SIZE = 1000


def _refuse_unless_empty(used: bool) -> None:
    if used:
        msg = "The store is not empty: a log can only be imported into an empty store."
        raise IntegrityError(msg)


def _import_batches(
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
