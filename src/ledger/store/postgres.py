"""The PostgreSQL store: the library's application recorder, extended so that the transaction
that inserts events also appends their links to the chain table, their leaves to the Merkle tree
and the claims of national ids (``ledger.store.persistence`` says how)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any, cast
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from psycopg import Cursor as PgCursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier

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
            self._proofs.append(cast(Cursor, proofs_cursor), links, list(ids or ()), chain_tail.digest)
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
        wanted = continued_streams(stored_events)
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
        chain_tail.digest = last[1] if last else GENESIS
        links = links_for(stored_events, last, previous)
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
        transaction, and move the position sequence past them. See :func:`import_batches`."""
        with self.datastore.transaction(commit=True) as curs:
            self._lock_table(curs)
            curs.execute(
                SQL(
                    "SELECT EXISTS (SELECT 1 FROM {0}) OR EXISTS (SELECT 1 FROM {1}) AS used"
                ).format(self.events_table, self.chain_table)
            )
            used = curs.fetchone()
            refuse_unless_empty(bool(used and used["used"]))
            copy_events = SQL(
                "COPY {0} (notification_id, originator_id, originator_version, topic, state) "
                "FROM STDIN"
            ).format(self.events_table)
            for batch in import_batches(rows):
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
