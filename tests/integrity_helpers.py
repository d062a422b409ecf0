"""Helpers for the integrity and transfer tests: a small real log, and a forger with raw SQL.

The fixtures built on them are in ``integrity_fixtures`` (loaded with ``pytest_plugins``).

Nothing here mocks the store. ``Forger`` edits the real tables the way someone with database
access would, and can rebuild the whole chain table consistently with the chain functions (the
"full rewrite" that only a checkpoint kept elsewhere can catch).
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import psycopg
from psycopg import sql

from ledger.application import Ledger
from ledger.domain.catalog import Gender, Mode, Outcome, Track
from ledger.domain.ids import staff_aggregate_id
from ledger.store import merkle
from ledger.store.chain import ChainBuilder, ChainLink
from ledger.store.config import StoreConfig
from ledger.store.signing import link_mac

REGISTRAR = "phong-to-chuc"
EPOCH = datetime(2025, 1, 6, 8, 0, tzinfo=UTC)
STAFF = {
    "NV-001": "Nguyễn Văn An",
    "NV-002": "Trần Thị Bích Ngọc",
    "NV-003": "Lê Hoàng Đức",
}


def populate(ledger: Ledger) -> list[int]:
    """Three staff members with interleaved events (10 in all); returns their positions."""
    clock = iter(EPOCH + timedelta(minutes=i) for i in range(100))
    positions = []
    enrollments = {}
    for staff_id, name in STAFF.items():
        positions.append(
            ledger.register(
                staff_id=staff_id,
                full_name=name,
                gender=Gender.FEMALE if "Thị" in name else Gender.MALE,
                birth_date=date(1985, 4, 30),
                unit="Phòng Tổ chức – Cán bộ",
                joined_on=date(2010, 9, 2),
                recorded_by=REGISTRAR,
                recorded_at=next(clock),
            ).position
        )
    for staff_id in STAFF:
        result = ledger.enroll(
            staff_id,
            course_code="QLNN-CV",
            course_title="Bồi dưỡng ngạch chuyên viên",
            track=Track.STATE_MANAGEMENT,
            level="specialist",
            provider="Học viện Hành chính Quốc gia",
            mode=Mode.FULL_TIME,
            starts_on=date(2024, 3, 4),
            cost=Decimal("4500000.50"),
            recorded_by=REGISTRAR,
            recorded_at=next(clock),
        )
        enrollments[staff_id] = result.enrollment_id
        positions.append(result.position)
    for staff_id in STAFF:
        positions.append(
            ledger.complete(
                staff_id,
                enrollments[staff_id] or "",
                completed_on=date(2024, 6, 28),
                outcome=Outcome.PASSED,
                recorded_by=REGISTRAR,
                recorded_at=next(clock),
            ).position
        )
    positions.append(
        ledger.depart("NV-003", on=date(2024, 12, 31), reason="Nghỉ hưu", recorded_by=REGISTRAR,
                      recorded_at=next(clock)).position
    )
    return positions


def staff_uuid(staff_id: str) -> uuid.UUID:
    return staff_aggregate_id(staff_id)


class Forger:
    """Raw SQL on the real tables of a store: what someone with database access could do."""

    def __init__(self, ledger: Ledger) -> None:
        self.store = ledger.store
        recorder: Any = ledger.recorder
        self.events_table: str = recorder.events_table_name
        self.chain_table: str = recorder.chain_table_name
        self.key = ledger.key_ring.current
        env = self.store.application_env()
        self.sqlite = self.store.kind == "sqlite"
        if self.sqlite:
            self.conn: Any = sqlite3.connect(env["SQLITE_DBNAME"], isolation_level=None)
            self.pos = "rowid"
        else:
            self.conn = psycopg.connect(
                dbname=env["POSTGRES_DBNAME"],
                host=env["POSTGRES_HOST"],
                port=env["POSTGRES_PORT"],
                user=env["POSTGRES_USER"],
                autocommit=True,
            )
            self.conn.execute(
                sql.SQL("SET search_path TO {0}").format(sql.Identifier(env["POSTGRES_SCHEMA"]))
            )
            self.pos = "notification_id"

    def close(self) -> None:
        self.conn.close()

    def run(self, statement: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """``statement`` with {events}, {chain}, {pos} names and ``?`` placeholders."""
        text = statement.format(events=self.events_table, chain=self.chain_table, pos=self.pos)
        if not self.sqlite:
            text = text.replace("?", "%s")
        cursor = self.conn.execute(text, params)
        rows = cursor.fetchall() if cursor.description else []
        return [tuple(r) for r in rows]

    @contextmanager
    def transaction(self) -> Iterator[None]:
        if self.sqlite:
            self.conn.execute("BEGIN")
            try:
                yield
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")
        else:
            with self.conn.transaction():
                yield

    def oid(self, staff_id: str) -> Any:
        value = staff_uuid(staff_id)
        return value.hex if self.sqlite else value

    # ------------------------------------------------------------------ edits

    def state_at(self, position: int) -> bytes:
        return bytes(self.run("SELECT state FROM {events} WHERE {pos}=?", (position,))[0][0])

    def set_state(self, position: int, state: bytes) -> None:
        self.run("UPDATE {events} SET state=? WHERE {pos}=?", (state, position))

    def edit_state(self, position: int, change: Callable[[bytes], bytes]) -> None:
        self.set_state(position, change(self.state_at(position)))

    def delete_event(self, position: int) -> None:
        self.run("DELETE FROM {events} WHERE {pos}=?", (position,))

    def delete_chain_row(self, seq: int) -> None:
        self.run("DELETE FROM {chain} WHERE seq=?", (seq,))

    def swap_events(self, first: int, second: int) -> None:
        """Swap the contents of two event rows (their positions stay)."""
        select = "SELECT originator_id, originator_version, topic, state FROM {events} WHERE {pos}=?"
        a = self.run(select, (first,))[0]
        b = self.run(select, (second,))[0]
        update = (
            "UPDATE {events} SET originator_id=?, originator_version=?, topic=?, state=? "
            "WHERE {pos}=?"
        )
        with self.transaction():
            self.run("UPDATE {events} SET originator_version=-1 WHERE {pos}=?", (first,))
            self.run(update, (*a, second))
            self.run(update, (*b, first))

    def insert_event(self, position: int, staff_id: str, version: int, topic: str, state: bytes) -> None:
        self.run(
            "INSERT INTO {events} ({pos}, originator_id, originator_version, topic, state) "
            "VALUES (?,?,?,?,?)",
            (position, self.oid(staff_id), version, topic, state),
        )

    def set_chain_digest(self, seq: int, digest: str) -> None:
        self.run("UPDATE {chain} SET chain_digest=? WHERE seq=?", (digest, seq))

    def insert_chain_row(self, seq: int, staff_id: str, version: int, event_hash: str, digest: str) -> None:
        self.run(
            "INSERT INTO {chain} VALUES (?,?,?,?,?)",
            (seq, self.oid(staff_id), version, event_hash, digest),
        )

    def rewrite_chain(self, *, with_key: bool = True) -> None:
        """Rebuild the whole chain table from the events as they now are, with the chain functions.

        This is the forger who changed an event and then recomputed every later hash and digest.
        ``with_key``: an insider who also holds the agency's key file recomputes the link MACs and
        the Merkle tree too (only a checkpoint kept elsewhere catches that); without it, only the
        chain is rewritten, which the link MACs catch.
        """
        rows = self.run(
            "SELECT originator_id, originator_version, topic, state, {pos} FROM {events} ORDER BY {pos}"
        )
        builder = ChainBuilder()
        links = []
        with self.transaction():
            self.run("DELETE FROM {chain}")
            for raw_oid, version, topic, state, position in rows:
                oid = raw_oid if isinstance(raw_oid, uuid.UUID) else uuid.UUID(raw_oid)
                previous = builder.last_hash_of.get(str(oid), "0" * 64)
                link = builder.link(previous, oid, version, topic, bytes(state))
                self.run(
                    "INSERT INTO {chain} VALUES (?,?,?,?,?)",
                    (
                        link.seq,
                        oid.hex if self.sqlite else oid,
                        version,
                        link.event_hash,
                        link.chain_digest,
                    ),
                )
                links.append((link, position))
            if with_key:
                self._rewrite_proofs(links)

    def _rewrite_proofs(self, links: list[tuple[ChainLink, int]]) -> None:
        macs, keys, nodes_table = (f"{self.events_table}_{n}" for n in ("link_macs", "keys", "merkle"))
        first_seq = self.run(f"SELECT MIN(first_seq) FROM {keys}")[0][0] or len(links) + 1
        key = self.key.link_key
        self.run(f"DELETE FROM {macs}")
        self.run(f"DELETE FROM {nodes_table}")
        nodes: dict[tuple[int, int], str] = {}
        for link, position in links:
            if link.seq >= first_seq:
                mac = link_mac(key, link.seq, position, link.event_hash, link.chain_digest)
                self.run(f"INSERT INTO {macs} VALUES (?,?,?)", (link.seq, self.key.key_id, mac))
            index = link.seq - 1
            nodes[(0, index)] = merkle.leaf_hash(position, link.event_hash)
            for level, idx in merkle.parents_to_add(index):
                nodes[(level, idx)] = merkle.node_hash(
                    nodes[(level - 1, 2 * idx)], nodes[(level - 1, 2 * idx + 1)]
                )
        for (level, idx), value in nodes.items():
            self.run(f"INSERT INTO {nodes_table} VALUES (?,?,?)", (level, idx, value))


@contextmanager
def open_ledger(store: StoreConfig) -> Iterator[Ledger]:
    app = Ledger(store)
    try:
        yield app
    finally:
        app.close()
