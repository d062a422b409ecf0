"""The SQLite store: the library's application recorder, extended so that the transaction that
inserts events also appends their links to the chain table, their leaves to the Merkle tree and
the claims of national ids (``ledger.store.persistence`` says how)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from typing import Any, cast
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor, SQLiteDatastore

from ledger.store.chain import GENESIS, ChainLink
from ledger.store.persistence import (
    NationalIdClaim,
    NationalIdTaken,
    chain_tail,
    continued_streams,
    import_batches,
    links_for,
    national_id_claims,
    refuse_unless_empty,
)
from ledger.store.proofstore import Cursor, ProofTables


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
        self._proofs.append(cast(Cursor, c), links, list(ids or ()), chain_tail.digest)
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
        chain_tail.digest = last[1] if last else GENESIS
        previous: dict[tuple[UUID, int], str] = {}
        for oid, version in continued_streams(stored_events):
            c.execute(
                f"SELECT event_hash FROM {self.chain_table_name} "
                "WHERE originator_id=? AND originator_version=?",
                (oid.hex, version),
            )
            found = c.fetchone()
            if found:
                previous[(oid, version)] = found["event_hash"]
        links = links_for(stored_events, last, previous)
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
        transaction. See :func:`import_batches` for the contract."""
        with self.datastore.transaction(commit=True) as c:
            c.execute(
                f"SELECT EXISTS (SELECT 1 FROM {self.events_table_name}) "
                f"OR EXISTS (SELECT 1 FROM {self.chain_table_name})"
            )
            refuse_unless_empty(bool(c.fetchone()[0]))
            for batch in import_batches(rows):
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
