"""Checking the log against its hash chain: what ``ledger verify`` does.

The walk reads every stored event in log order and every row of the chain table in ``seq``
order, side by side, in pages (so it runs in constant memory apart from one small entry per
staff member). For each pair it recomputes, from the stored bytes alone, the event's hash (over
the hash of the previous event of the same staff member) and the global running digest, and
compares them with what the chain table says. It stops at the first broken place and names it:
the log position, the chain ``seq``, the staff member and version, and what is wrong.

A forger with write access to the database can rewrite an event *and* every later hash and
digest consistently; the walk alone cannot tell. A checkpoint (``seq`` and running digest at
that length) kept outside the database can: ``verify_against`` (``ledger.store.integrity``)
recomputes the running digest from the stored event bytes and proves that the log still extends
the checkpoint.

The walk works on a live log: it first fixes the last position it will read, and a chain row
beyond that position is accepted only if its event exists at a later position (written while
the walk ran).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from uuid import UUID

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from eventsourcing.persistence import Mapper, Notification

from ledger.store import merkle
from ledger.store.chain import GENESIS, ChainLink, Checkpoint, chain_digest, event_hash
from ledger.store.log_report import DEFAULT_PAGE_SIZE, Anchor, Problem, ProblemKind, Progress, VerifyReport
from ledger.store.merkle import Frontier
from ledger.store.persistence import ChainedRecorder, iter_chain, iter_notifications
from ledger.store.proofstore import LinkKeyRow, LinkMac, MissingNodes
from ledger.store.signing import KeyRing, link_mac, macs_equal

# ----------------------------------------------------------------------------- the walk


@dataclass
class _StaffTail:
    version: int
    event_hash: str


@dataclass
class Walk:
    """One pass over the log and the chain, side by side; yields each verified pair.

    Stops at the first problem and leaves it in ``problem``. Used by :func:`verify_log` and by
    the export, which writes exactly the pairs the walk vouches for.
    """

    recorder: ChainedRecorder
    mapper: Mapper[UUID] | None = None
    anchor: Anchor | None = None
    page_size: int = DEFAULT_PAGE_SIZE
    progress: Progress | None = None
    seq: int = 0  # the pair being checked (advanced before its checks)
    digest: str = GENESIS
    verified_seq: int = 0  # the prefix that verified: its length and running digest
    verified_digest: str = GENESIS
    problem: Problem | None = None
    anchor_found_at: int | None = None
    tails: dict[UUID, _StaffTail] = field(default_factory=dict)
    keys: KeyRing | None = None
    checkpoint_keys: Mapping[str, Ed25519PublicKey] | None = None
    tree: Frontier = field(default_factory=Frontier)
    verified_root: str | None = None
    _key_rows: list[LinkKeyRow] = field(default_factory=list)
    _macs: Iterator[LinkMac] = field(default_factory=lambda: iter(()))
    _mac: LinkMac | None = None
    _computed_nodes: list[tuple[int, int, str]] = field(default_factory=list)

    def pairs(self) -> Iterator[tuple[Notification, ChainLink]]:
        proofs = self.recorder.proofs
        if self.keys is None:
            self.keys = proofs.ring
        self._key_rows = proofs.link_keys()
        self._macs = _iter_macs(self.recorder, self.page_size)
        if not self._check_signed_anchor():
            return
        yield from self._pairs()
        if self.tree.size == self.verified_seq:
            self.verified_root = self.tree.root()
        if self.problem is None:
            self._check_stored_tree()

    def _pairs(self) -> Iterator[tuple[Notification, ChainLink]]:
        # Fix the end first: every event at or before it is committed, and so is its chain row
        # (same transaction); chain rows read later may run ahead of it (see _check_trailing).
        last_position = self.recorder.max_notification_id() or 0
        events = (
            n
            for n in iter_notifications(self.recorder, page_size=self.page_size)
            if n.id <= last_position
        )
        links = iter_chain(self.recorder, page_size=self.page_size)
        for notification in _stop_after(events, last_position):
            link = next(links, None)
            self.seq += 1
            if link is None:
                self._fail(
                    ProblemKind.EVENT_WITHOUT_CHAIN_ROW,
                    "this event has no row in the chain table: it was written to the database "
                    "directly, not by the ledger (a forged or inserted row).",
                    notification,
                )
                return
            if not self._check(notification, link):
                return
            yield notification, link
            if self.progress is not None and self.seq % self.page_size == 0:
                self.progress(self.seq)
        if self.progress is not None:
            self.progress(self.seq)
        self._check_trailing(links, last_position)
        if self.problem is None:
            self._check_anchor_reached()

    def run(self) -> VerifyReport:
        for _ in self.pairs():
            pass
        return self.report()

    def report(self) -> VerifyReport:
        return VerifyReport(
            events=self.verified_seq,
            staff_members=len(self.tails),
            checkpoint=Checkpoint(self.verified_seq, self.verified_digest),
            problem=self.problem,
            against=self.anchor,
            against_found_at=self.anchor_found_at,
            authenticated_from=self._key_rows[0].first_seq if self._key_rows else None,
            root=self.verified_root,
        )

    # ------------------------------------------------------------------ keyed links and tree

    def _check_signed_anchor(self) -> bool:
        signed = self.anchor.signed if self.anchor is not None else None
        if signed is None:
            return True
        public = dict(self.checkpoint_keys or {})
        if self.checkpoint_keys is None and self.keys is not None:
            public = {k.key_id: k.public for k in self.keys.keys}
        wrong = signed.verify(public)
        if wrong is not None:
            origin = "given" if self.checkpoint_keys is not None else "of the agency's key file"
            self.problem = Problem(
                ProblemKind.BAD_CHECKPOINT_SIGNATURE,
                f"{wrong} (the keys are those {origin}, never the database's).",
            )
            return False
        return True

    def _key_for(self, seq: int) -> LinkKeyRow | None:
        found = None
        for row in self._key_rows:
            if row.first_seq <= seq:
                found = row
        return found

    def _check_mac(self, n: Notification, link: ChainLink) -> bool:
        expected_key = self._key_for(self.seq)
        if expected_key is None:
            return True  # written before keyed links: the unauthenticated prefix
        while self._mac is None or self._mac.seq < self.seq:
            self._mac = next(self._macs, None)
            if self._mac is None:
                break
        mac = self._mac if self._mac is not None and self._mac.seq == self.seq else None
        if mac is None:
            self._fail(
                ProblemKind.UNAUTHENTICATED_EVENT,
                f"links from chain seq {expected_key.first_seq} on must carry a MAC under key "
                f"{expected_key.key_id}, and this one has none: the event and its chain row were "
                "written to the database by someone without the key (or its MAC was deleted).",
                n,
            )
            return False
        agency_key = self.keys.by_id(mac.key_id) if self.keys is not None else None
        if mac.key_id != expected_key.key_id or agency_key is None:
            self._fail(
                ProblemKind.UNAUTHENTICATED_EVENT,
                f"the link's MAC names key {mac.key_id}, but key {expected_key.key_id} covers this "
                "seq" if mac.key_id != expected_key.key_id else
                f"the link's MAC is under key {mac.key_id}, which the key file does not hold: "
                "add the retired key to the key file to check it.",
                n,
            )
            return False
        expected = link_mac(agency_key.link_key, self.seq, n.id, link.event_hash, link.chain_digest)
        if not macs_equal(expected, mac.mac):
            self._fail(
                ProblemKind.UNAUTHENTICATED_EVENT,
                "the link's MAC does not match its seq, position, hash and running digest under "
                "the agency's key: the event, its place or the chain was changed by someone "
                "without the key.",
                n,
            )
            return False
        return True

    def _compare_nodes(self, n: Notification | None) -> bool:
        """Every stored tree node must equal the one recomputed from the events (proofs are read
        from them); checked a page at a time, one range query per level."""
        by_level: dict[int, list[tuple[int, str]]] = {}
        for level, idx, value in self._computed_nodes:
            by_level.setdefault(level, []).append((idx, value))
        self._computed_nodes = []
        for level, computed in sorted(by_level.items()):
            stored = self.recorder.proofs.nodes_in_range(level, computed[0][0], computed[-1][0])
            for idx, value in computed:
                if stored.get(idx) != value:
                    detail = (
                        f"the stored tree node at level {level}, index {idx} is "
                        f"{stored.get(idx) or 'missing'}, but the events give {value}: the tree "
                        "table was edited, so proofs read from it would not verify."
                    )
                    if n is not None:
                        self._fail(ProblemKind.TREE_MISMATCH, detail, n, at_event=False)
                    else:
                        self.problem = Problem(ProblemKind.TREE_MISMATCH, detail)
                    return False
        return True

    def _check_stored_tree(self) -> None:
        """The stored tree must give the root recomputed from the events (proofs come from it)."""
        size = self.verified_seq
        if size == 0:
            return
        if not self._compare_nodes(None):
            return
        try:
            stored = merkle.root(size, self.recorder.proofs.read_nodes)
        except MissingNodes as error:
            self.problem = Problem(ProblemKind.TREE_MISMATCH, f"{error}.")
            return
        if stored != self.verified_root:
            self.problem = Problem(
                ProblemKind.TREE_MISMATCH,
                f"the stored tree's root at size {size} is {stored}, but the events give "
                f"{self.verified_root}: the tree table was edited.",
            )

    # ------------------------------------------------------------------ checks

    def _check(self, n: Notification, link: ChainLink) -> bool:
        oid = _uuid(n.originator_id)
        if link.seq != self.seq:
            self._fail(
                ProblemKind.MISSING_CHAIN_ROW,
                f"the chain table jumps from seq {self.seq - 1} to seq {link.seq}: chain rows "
                "were deleted.",
                n,
            )
            return False
        if (oid, n.originator_version) != (link.originator_id, link.originator_version):
            self._classify_mismatch(n, link)
            return False
        tail = self.tails.get(oid)
        expected_version = tail.version + 1 if tail else 1
        if n.originator_version != expected_version:
            before = f"version {tail.version}" if tail else "nothing (no earlier event)"
            self._fail(
                ProblemKind.VERSION_OUT_OF_SEQUENCE,
                f"in log order this staff member's version {n.originator_version} follows "
                f"{before}; versions must run 1, 2, 3… without gaps.",
                n,
            )
            return False
        previous_hash = tail.event_hash if tail else GENESIS
        this_hash = event_hash(
            previous_hash, oid, n.originator_version, str(n.topic), state_bytes(n.state)
        )
        if this_hash != link.event_hash:
            self._fail(
                ProblemKind.MODIFIED_EVENT,
                "the stored event does not match the hash recorded when it was written: its "
                "content (or topic) was changed, or the recorded hash of this staff member's "
                "previous event was rewritten.",
                n,
            )
            return False
        digest = chain_digest(self.digest, this_hash)
        if digest != link.chain_digest:
            self._fail(
                ProblemKind.ALTERED_CHAIN_ROW,
                "the running digest stored in this chain row does not follow from the events "
                "before it: the chain table was edited.",
                n,
            )
            return False
        if self.mapper is not None:
            try:
                self.mapper.to_domain_event(n)
            except Exception as error:
                self._fail(
                    ProblemKind.UNDECODABLE_EVENT,
                    f"the event matches its hash but the ledger cannot read it ({error}).",
                    n,
                )
                return False
        if not self._check_mac(n, link):
            return False
        self._computed_nodes.extend(self.tree.append(merkle.leaf_hash(n.id, this_hash)))
        if len(self._computed_nodes) >= 2 * self.page_size and not self._compare_nodes(n):
            return False
        if self.anchor is not None and not self._check_anchor(digest, n):
            return False
        self.digest = digest
        self.tails[oid] = _StaffTail(n.originator_version, this_hash)
        self.verified_seq, self.verified_digest = self.seq, digest
        return True

    def _check_anchor(self, recomputed_digest: str, n: Notification) -> bool:
        anchor = self.anchor
        assert anchor is not None
        if anchor.seq is None:
            if self.anchor_found_at is None and recomputed_digest == anchor.digest:
                self.anchor_found_at = self.seq
            return True
        if self.seq == anchor.seq and anchor.signed is not None:
            root = self.tree.root()
            if root != anchor.signed.root:
                self._fail(
                    ProblemKind.CHECKPOINT_NOT_EXTENDED,
                    f"the Merkle root recomputed from the stored events over the first "
                    f"{anchor.seq} events is {root}, but the signed checkpoint says "
                    f"{anchor.signed.root}: at least one of those events was changed, removed, "
                    "reordered or inserted since the checkpoint was signed.",
                    n,
                    at_event=False,
                )
                return False
            self.anchor_found_at = self.seq
        elif self.seq == anchor.seq:
            if recomputed_digest != anchor.digest:
                self._fail(
                    ProblemKind.CHECKPOINT_NOT_EXTENDED,
                    f"the running digest recomputed from the stored events over the first "
                    f"{anchor.seq} events is {recomputed_digest}, but the checkpoint says "
                    f"{anchor.digest}: at least one of those events was changed, removed, "
                    "reordered or inserted since the checkpoint was taken, and the hashes were "
                    "rewritten to hide it.",
                    n,
                    at_event=False,
                )
                return False
            self.anchor_found_at = self.seq
        return True

    def _check_anchor_reached(self) -> None:
        anchor = self.anchor
        if anchor is None or self.anchor_found_at is not None:
            return
        if anchor.seq is None and anchor.digest == GENESIS:
            self.anchor_found_at = 0
        elif anchor.seq is None:
            self.problem = Problem(
                ProblemKind.CHECKPOINT_NOT_EXTENDED,
                f"no prefix of the log has the running digest {anchor.digest} (recomputed from "
                "the stored events): the log was changed since that digest was taken, or the "
                "digest is not of this ledger.",
            )
        elif anchor.seq == 0:
            if anchor.signed is not None:
                self.anchor_found_at = 0
            elif anchor.digest != GENESIS:
                self.problem = Problem(
                    ProblemKind.CHECKPOINT_NOT_EXTENDED,
                    "a checkpoint at length 0 must have the genesis digest.",
                )
            else:
                self.anchor_found_at = 0
        else:
            self.problem = Problem(
                ProblemKind.LOG_SHORTER_THAN_CHECKPOINT,
                f"the checkpoint covers {anchor.seq} events but the log holds only {self.seq}: "
                "events were removed since the checkpoint was taken.",
            )

    def _check_trailing(self, links: Iterator[ChainLink], last_position: int) -> None:
        """Chain rows left after the last event: fine only if written while the walk ran."""
        if self.problem is not None:
            return
        digest = self.digest
        for link in links:
            positions = self.recorder.positions_of(link.originator_id)
            position = positions.get(link.originator_version)
            if position is not None and position > last_position:
                return  # a write that committed after the walk started; the rest are later
            seq = self.verified_seq + 1
            consistent = (
                link.seq == seq and chain_digest(digest, link.event_hash) == link.chain_digest
            )
            self.seq = seq
            if consistent:
                kind = ProblemKind.MISSING_EVENT
                detail = (
                    "the chain records this event (its row follows from the chain), but the log "
                    f"does not hold it (the log ends at position {last_position}): the event was "
                    "deleted."
                )
            else:
                kind = ProblemKind.CHAIN_ROW_WITHOUT_EVENT
                detail = (
                    "this chain row names no event of the log, and its digest does not follow "
                    "from the chain before it: it was added to the chain table by hand."
                )
            self.problem = Problem(
                kind,
                detail,
                seq=link.seq,
                originator_id=link.originator_id,
                version=link.originator_version,
                staff_id=self._staff_id(link.originator_id),
            )
            return

    def _classify_mismatch(self, n: Notification, link: ChainLink) -> None:
        """The event at this place is not the one the chain records here: say why."""
        oid = _uuid(n.originator_id)
        expected_position = self.recorder.positions_of(link.originator_id).get(
            link.originator_version
        )
        found_seq = _find_in_chain(self.recorder, oid, n.originator_version, after=link.seq)
        expected = (
            f"staff {self._staff_id(link.originator_id) or '?'} (aggregate {link.originator_id}) "
            f"version {link.originator_version}"
        )
        if expected_position is None and found_seq is not None:
            self.problem = Problem(
                ProblemKind.MISSING_EVENT,
                f"the chain records {expected} here, but the log no longer holds that event: it "
                f"was deleted (position {n.id} holds the event the chain records at seq "
                f"{found_seq}).",
                seq=link.seq,
                originator_id=link.originator_id,
                version=link.originator_version,
                staff_id=self._staff_id(link.originator_id),
            )
            return
        if expected_position is None:
            kind = ProblemKind.REPLACED_EVENT
            detail = (
                f"the chain records {expected} here, which the log no longer holds, and this "
                "event appears nowhere in the chain: the event at this position was replaced or "
                "its staff member or version was changed."
            )
        elif found_seq is not None:
            kind = ProblemKind.REORDERED_EVENTS
            detail = (
                f"the chain records this event at seq {found_seq}, and expects {expected} here, "
                f"which the log holds at position {expected_position}: rows were swapped or moved."
            )
        else:
            kind = ProblemKind.INSERTED_EVENT
            detail = (
                "this event has no row in the chain table: it was written to the database "
                "directly, not by the ledger (a forged or inserted row)."
            )
        self._fail(kind, detail, n)

    def _fail(
        self, kind: ProblemKind, detail: str, n: Notification, *, at_event: bool = True
    ) -> None:
        oid = _uuid(n.originator_id)
        self.problem = Problem(
            kind,
            detail,
            position=n.id,
            seq=self.seq,
            originator_id=oid if at_event else None,
            version=n.originator_version if at_event else None,
            staff_id=self._staff_id(oid) if at_event else None,
        )

    def _staff_id(self, oid: UUID) -> str | None:
        """The agency's staff code, read from the staff member's registration (best effort)."""
        position = self.recorder.positions_of(oid).get(1)
        if position is None:
            return None
        found = self.recorder.select_notifications(position, 1)
        try:
            state = json.loads(found[0].state)
        except (IndexError, ValueError, UnicodeDecodeError):
            return None
        staff_id = state.get("staff_id") if isinstance(state, dict) else None
        return staff_id if isinstance(staff_id, str) else None


def _iter_macs(recorder: ChainedRecorder, page_size: int) -> Iterator[LinkMac]:
    after = 0
    while True:
        page = recorder.proofs.select_macs(after, page_size)
        yield from page
        if len(page) < page_size:
            return
        after = page[-1].seq


def _stop_after(events: Iterator[Notification], last_position: int) -> Iterator[Notification]:
    for n in events:
        yield n
        if n.id >= last_position:
            return


def state_bytes(state: object) -> bytes:
    """The stored state as bytes (an edit by hand can leave TEXT where a BLOB was)."""
    if isinstance(state, bytes):
        return state
    if isinstance(state, bytearray | memoryview):
        return bytes(state)
    return str(state).encode("utf-8")


def _uuid(value: UUID | str) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))


def _find_in_chain(
    recorder: ChainedRecorder, originator_id: UUID, version: int, *, after: int
) -> int | None:
    """The seq at which the chain records an event (a scan: only run on a broken log)."""
    seq = after
    while True:
        page = recorder.select_chain(seq, DEFAULT_PAGE_SIZE)
        for link in page:
            if link.originator_id == originator_id and link.originator_version == version:
                return link.seq
        if len(page) < DEFAULT_PAGE_SIZE:
            return None
        seq = page[-1].seq
