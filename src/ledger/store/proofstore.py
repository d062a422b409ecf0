"""The tables that make the log provable, written in the transaction that inserts the events.

Beside the chain table (``ledger.store.chain``), each store keeps:

- ``…_link_macs`` (seq, key_id, mac): the HMAC of each chain link under the agency's link key
  (``ledger.store.signing``); someone who can write to the database but does not hold the key file
  cannot add, change, remove or reorder an event without a MAC failing;
- ``…_keys`` (key_id, public_key, first_seq, recorded_at): which key authenticates links from
  which chain seq on. A log written before this change has no row for its early links: those are
  the unauthenticated prefix, and ``ledger verify`` says where authentication starts. A new key in
  the key file is recorded here on start: rotation is in the store, with the seq it starts at;
- ``…_merkle`` (level, idx, hash): every perfect subtree of the RFC 9162 tree (``ledger.store.merkle``);
- ``…_checkpoints`` (size, root, key_id, signed_at, signature): signed tree heads, one every
  ``LEDGER_CHECKPOINT_EVERY`` events (default 1,000), on demand (``ledger checkpoint``), and daily
  when the log moved (the server's timer).

Everything here runs on either store: SQL is written once with ``?`` placeholders, and a small
dialect turns it into PostgreSQL's. Appending reads only the tree's frontier (⌈log2 n⌉ nodes, one
query), so its cost does not grow with the log.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol
from uuid import UUID

from ledger.store import merkle
from ledger.store.chain import ChainLink
from ledger.store.checkpoints import SignedCheckpoint
from ledger.store.signing import KeyRing, SigningKeyError, link_mac, public_key_b64

DEFAULT_CHECKPOINT_EVERY = 1000
_NIL = UUID(int=0)


class Cursor(Protocol):
    def execute(self, query: Any, params: Any = ...) -> Any: ...

    def executemany(self, query: Any, params_seq: Any) -> Any: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> Any: ...


@dataclass(frozen=True)
class LinkKeyRow:
    key_id: str
    public_key: str
    first_seq: int
    recorded_at: str


@dataclass(frozen=True)
class LinkMac:
    seq: int
    key_id: str
    mac: str


def utc_now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


class ProofTables:
    """The proof tables of one store. ``read`` opens a read-only cursor; writes use the cursor of
    the recorder's own transaction."""

    def __init__(
        self,
        names: Callable[[str], str],
        *,
        postgres: bool,
        read: Callable[[], AbstractContextManager[Cursor]],
        write: Callable[[], AbstractContextManager[Cursor]],
    ) -> None:
        self.macs = names("link_macs")
        self.keys = names("keys")
        self.nodes = names("merkle")
        self.checkpoints = names("checkpoints")
        self.postgres = postgres
        self._read = read
        self._write = write
        self.ring: KeyRing | None = None
        self.checkpoint_every = DEFAULT_CHECKPOINT_EVERY
        # Set by the recorder: (seq, position, event_hash) of chain rows after a seq, in order.
        self.positions_query = ""
        # The frontier after this process's last append, keyed by (size, running digest): the
        # digest names the whole prefix, so a hit is exact even with other writers, and a rolled
        # back append can never be mistaken for the log. Saves a read per write.
        self._frontier: tuple[int, str, dict[merkle.NodeKey, str]] | None = None
        self._frontier_lock = threading.Lock()

    def q(self, sql: str) -> str:
        return sql.replace("?", "%s") if self.postgres else sql

    def create_statements(self) -> list[str]:
        integer = "bigint" if self.postgres else "INTEGER"
        return [
            f"CREATE TABLE IF NOT EXISTS {self.macs} (seq {integer} PRIMARY KEY, "
            "key_id TEXT NOT NULL, mac TEXT NOT NULL)",
            f"CREATE TABLE IF NOT EXISTS {self.keys} (key_id TEXT PRIMARY KEY, "
            f"public_key TEXT NOT NULL, first_seq {integer} NOT NULL, recorded_at TEXT NOT NULL)",
            f"CREATE TABLE IF NOT EXISTS {self.nodes} (level INTEGER NOT NULL, "
            f"idx {integer} NOT NULL, hash TEXT NOT NULL, PRIMARY KEY (level, idx))",
            f"CREATE TABLE IF NOT EXISTS {self.checkpoints} (size {integer} PRIMARY KEY, "
            "root TEXT NOT NULL, key_id TEXT NOT NULL, signed_at TEXT NOT NULL, "
            "signature TEXT NOT NULL)",
        ]

    # ------------------------------------------------------------------ configuration

    def configure(self, ring: KeyRing, checkpoint_every: int, chain_table: str) -> None:
        """Use ``ring`` from now on; record its current key (a new key is a rotation) at the seq
        that follows the chain's tail."""
        self.ring = ring
        self.checkpoint_every = checkpoint_every
        key = ring.current
        with self._write() as c:
            c.execute(self.q(f"SELECT 1 FROM {self.keys} WHERE key_id=?"), (key.key_id,))
            known = c.fetchone() is not None
            c.execute(f"SELECT COALESCE(MAX(idx) + 1, 0) AS n FROM {self.nodes} WHERE level=0")
            size = int(_first(c.fetchone()))
            c.execute(f"SELECT COALESCE(MAX(seq), 0) AS tail FROM {chain_table}")
            if known and size == int(_first(c.fetchone())):
                return
            # Take the write lock, then read again: another process may be doing the same.
            if self.postgres:
                c.execute(f"LOCK TABLE {chain_table} IN EXCLUSIVE MODE")
            else:
                c.execute(f"DELETE FROM {self.nodes} WHERE level < 0")  # takes SQLite's write lock
            c.execute(self.q(f"SELECT 1 FROM {self.keys} WHERE key_id=?"), (key.key_id,))
            known = c.fetchone() is not None
            c.execute(f"SELECT COALESCE(MAX(idx) + 1, 0) AS n FROM {self.nodes} WHERE level=0")
            size = int(_first(c.fetchone()))
            c.execute(f"SELECT COALESCE(MAX(seq), 0) AS tail FROM {chain_table}")
            tail = int(_first(c.fetchone()))
            self._backfill_tree(c, size, tail)
            if known:
                return
            c.execute(f"SELECT key_id FROM {self.keys} ORDER BY first_seq DESC LIMIT 1")
            last = c.fetchone()
            if last is not None and ring.by_id(last["key_id"]) is None:
                self.ring = None
                raise SigningKeyError(
                    f"the key file {ring.path} does not hold key {last['key_id']}, which "
                    "authenticates this log: to rotate, append the new key to the file that "
                    "holds the old one."
                )
            c.execute(
                self.q(
                    f"INSERT INTO {self.keys} VALUES (?,?,?,?) ON CONFLICT (key_id) DO NOTHING"
                ),
                (key.key_id, public_key_b64(key.public), int(tail) + 1, utc_now()),
            )

    # ------------------------------------------------------------------ appending

    def append(
        self,
        c: Cursor,
        links: Sequence[ChainLink],
        positions: Sequence[int],
        previous_digest: str | None = None,
    ) -> None:
        """Tree nodes, link MACs and any checkpoint due for ``links`` (at ``positions``), in the
        inserting transaction; ``previous_digest`` is the running digest before them."""
        if not links:
            return
        old_size = links[0].seq - 1
        with self._frontier_lock:
            cached = self._frontier
        if cached is not None and previous_digest is not None and cached[:2] == (old_size, previous_digest):
            nodes = dict(cached[2])
        else:
            nodes = self._read_nodes(c, merkle.frontier(old_size))
        new_rows: list[tuple[int, int, str]] = []
        for link, position in zip(links, positions, strict=True):
            index = link.seq - 1
            leaf = merkle.leaf_hash(position, link.event_hash)
            nodes[(0, index)] = leaf
            new_rows.append((0, index, leaf))
            for level, idx in merkle.parents_to_add(index):
                value = merkle.node_hash(nodes[(level - 1, 2 * idx)], nodes[(level - 1, 2 * idx + 1)])
                nodes[(level, idx)] = value
                new_rows.append((level, idx, value))
        c.executemany(self.q(f"INSERT INTO {self.nodes} VALUES (?,?,?)"), new_rows)
        new_size = links[-1].seq
        with self._frontier_lock:
            self._frontier = (
                new_size, links[-1].chain_digest, {k: nodes[k] for k in merkle.frontier(new_size)}
            )
        if self.ring is None:
            return
        key = self.ring.current
        link_key = key.link_key
        c.executemany(
            self.q(f"INSERT INTO {self.macs} VALUES (?,?,?)"),
            [
                (k.seq, key.key_id, link_mac(link_key, k.seq, p, k.event_hash, k.chain_digest))
                for k, p in zip(links, positions, strict=True)
            ],
        )
        if new_size // self.checkpoint_every > old_size // self.checkpoint_every:
            root = merkle.fold(merkle.frontier(new_size), nodes)
            self._insert_checkpoint(c, SignedCheckpoint.sign(key, new_size, root, utc_now()))

    def _backfill_tree(self, c: Cursor, size: int, tail: int) -> None:
        """Grow the tree over chain rows it does not cover yet: a log written before the tree
        existed, on its first start with it (once; O(n)). Those events get no link MAC: they are
        the unauthenticated prefix."""
        ring, self.ring = self.ring, None  # tree nodes only
        try:
            while size < tail:
                c.execute(self.q(self.positions_query), (size, 10_000))
                rows = [(int(r["seq"]), int(r["position"]), r["event_hash"]) for r in c.fetchall()]
                if not rows:
                    return
                links = [ChainLink(seq, _NIL, 0, event_hash, "") for seq, _, event_hash in rows]
                self.append(c, links, [position for _, position, _ in rows])
                size = rows[-1][0]
        finally:
            self.ring = ring

    def _insert_checkpoint(self, c: Cursor, checkpoint: SignedCheckpoint) -> None:
        c.execute(
            self.q(f"INSERT INTO {self.checkpoints} VALUES (?,?,?,?,?) ON CONFLICT (size) DO NOTHING"),
            (checkpoint.size, checkpoint.root, checkpoint.key_id, checkpoint.signed_at,
             checkpoint.signature),
        )

    def _read_nodes(self, c: Cursor, keys: Iterable[merkle.NodeKey]) -> dict[merkle.NodeKey, str]:
        wanted = sorted(set(keys))
        if not wanted:
            return {}
        found: dict[merkle.NodeKey, str] = {}
        # Chunks keep the statement small; a proof asks for at most a few hundred nodes.
        for start in range(0, len(wanted), 200):
            chunk = wanted[start : start + 200]
            condition = " OR ".join(["(level=? AND idx=?)"] * len(chunk))
            c.execute(
                self.q(f"SELECT level, idx, hash FROM {self.nodes} WHERE {condition}"),
                [v for key in chunk for v in key],
            )
            for row in c.fetchall():
                found[(int(row["level"]), int(row["idx"]))] = row["hash"]
        missing = [key for key in wanted if key not in found]
        if missing:
            raise MissingNodes(missing)
        return found

    # ------------------------------------------------------------------ reading

    def read_nodes(self, keys: Iterable[merkle.NodeKey]) -> Mapping[merkle.NodeKey, str]:
        with self._read() as c:
            return self._read_nodes(c, keys)

    def nodes_in_range(self, level: int, lo: int, hi: int) -> dict[int, str]:
        """The stored nodes of one level with ``lo <= idx <= hi`` (a range of the primary key)."""
        with self._read() as c:
            c.execute(
                self.q(f"SELECT idx, hash FROM {self.nodes} WHERE level=? AND idx BETWEEN ? AND ?"),
                (level, lo, hi),
            )
            return {int(r["idx"]): r["hash"] for r in c.fetchall()}

    def tree_size(self) -> int:
        with self._read() as c:
            c.execute(f"SELECT COALESCE(MAX(idx) + 1, 0) AS n FROM {self.nodes} WHERE level=0")
            return int(_first(c.fetchone()))

    def select_macs(self, after_seq: int, limit: int) -> list[LinkMac]:
        with self._read() as c:
            c.execute(
                self.q(f"SELECT seq, key_id, mac FROM {self.macs} WHERE seq>? ORDER BY seq LIMIT ?"),
                (after_seq, limit),
            )
            return [LinkMac(int(r["seq"]), r["key_id"], r["mac"]) for r in c.fetchall()]

    def macs_at(self, seqs: Iterable[int]) -> dict[int, LinkMac]:
        """The link MACs stored at each of ``seqs`` that has one."""
        wanted = sorted(set(seqs))
        found: dict[int, LinkMac] = {}
        with self._read() as c:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                marks = ", ".join("?" for _ in chunk)
                c.execute(self.q(f"SELECT seq, key_id, mac FROM {self.macs} WHERE seq IN ({marks})"), chunk)
                for r in c.fetchall():
                    found[int(r["seq"])] = LinkMac(int(r["seq"]), r["key_id"], r["mac"])
        return found

    def link_keys(self) -> list[LinkKeyRow]:
        with self._read() as c:
            c.execute(
                f"SELECT key_id, public_key, first_seq, recorded_at FROM {self.keys} ORDER BY first_seq"
            )
            return [
                LinkKeyRow(r["key_id"], r["public_key"], int(r["first_seq"]), r["recorded_at"])
                for r in c.fetchall()
            ]

    def checkpoints_page(self, after_size: int, limit: int) -> list[SignedCheckpoint]:
        with self._read() as c:
            c.execute(
                self.q(f"SELECT * FROM {self.checkpoints} WHERE size>? ORDER BY size LIMIT ?"),
                (after_size, limit),
            )
            return [_checkpoint(r) for r in c.fetchall()]

    def latest_checkpoint(self) -> SignedCheckpoint | None:
        with self._read() as c:
            c.execute(f"SELECT * FROM {self.checkpoints} ORDER BY size DESC LIMIT 1")
            row = c.fetchone()
            return None if row is None else _checkpoint(row)

    def checkpoint_at(self, size: int) -> SignedCheckpoint | None:
        with self._read() as c:
            c.execute(self.q(f"SELECT * FROM {self.checkpoints} WHERE size=?"), (size,))
            row = c.fetchone()
            return None if row is None else _checkpoint(row)

    def sign_checkpoint(self) -> SignedCheckpoint:
        """Sign the tree as it stands now (``ledger checkpoint``, the daily timer); the same size
        twice gives back the checkpoint already signed."""
        if self.ring is None:
            raise RuntimeError("no signing key configured")
        with self._write() as c:
            c.execute(f"SELECT COALESCE(MAX(idx) + 1, 0) AS n FROM {self.nodes} WHERE level=0")
            size = int(_first(c.fetchone()))
            c.execute(self.q(f"SELECT * FROM {self.checkpoints} WHERE size=?"), (size,))
            row = c.fetchone()
            if row is not None:
                return _checkpoint(row)
            root = (
                merkle.EMPTY_ROOT
                if size == 0
                else merkle.fold(merkle.frontier(size), self._read_nodes(c, merkle.frontier(size)))
            )
            checkpoint = SignedCheckpoint.sign(self.ring.current, size, root, utc_now())
            self._insert_checkpoint(c, checkpoint)
            return checkpoint


class MissingNodes(LookupError):
    """The tree lacks nodes a computation needs: the tree table was edited, or is behind."""

    def __init__(self, keys: Sequence[merkle.NodeKey]) -> None:
        super().__init__(f"the Merkle tree lacks {len(keys)} node(s), e.g. level/index {keys[0]}")
        self.keys = keys


def _first(row: Any) -> Any:
    return row[0] if not isinstance(row, dict) else next(iter(row.values()))


def _checkpoint(row: Any) -> SignedCheckpoint:
    return SignedCheckpoint(
        int(row["size"]), row["root"], row["key_id"], row["signed_at"], row["signature"]
    )
