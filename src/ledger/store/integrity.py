"""Checking the log: ``ledger verify`` over the whole log (:func:`verify_log`, against a checkpoint
with :func:`verify_against`), one staff member's stream (:func:`check_stream`), and the checkpoint
of the log as it stands (:func:`checkpoint`).

The walk itself is ``ledger.store.walk``; what it reports, ``ledger.store.log_report``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from uuid import UUID

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from eventsourcing.persistence import Mapper

from ledger.store.chain import GENESIS, ChainLink, Checkpoint, chain_digest, event_hash
from ledger.store.log_report import DEFAULT_PAGE_SIZE, Anchor, LogBroken, Progress, VerifyReport
from ledger.store.persistence import ChainedRecorder
from ledger.store.proofstore import LinkKeyRow
from ledger.store.signing import link_mac, macs_equal
from ledger.store.walk import Walk, state_bytes

# ------------------------------------------------------------------------- one person


@dataclass(frozen=True)
class StreamCheck:
    """The verdict on one staff member's stream: ``ok`` with the number of events and the last
    event hash, or the first problem (in words) and the version it is at."""

    originator_id: UUID
    ok: bool
    events: int
    last_hash: str | None
    problem: str | None = None
    version: int | None = None


def check_stream(recorder: ChainedRecorder, originator_id: UUID) -> StreamCheck:
    """Check one staff member's stored events against their chain rows, without walking the log.

    From the stored bytes of that person's events alone, each event's hash over the previous
    one's is recomputed and compared with the person's chain rows; each of those rows must fit
    the global running digest at its place (the ``chain_digest`` of the row before it), and a
    row written under a link key must carry a valid MAC under the agency's key. Any change,
    removal, insertion or reordering of the person's stored events, or of their chain rows, or a
    row forged without the key, shows as a problem naming the first bad version. It reads only
    the person's events and chain rows (indexed) and the rows just before them, so a page can
    afford it; :func:`verify_log` is the check of the whole log.
    """
    stored = sorted(recorder.select_events(originator_id), key=lambda s: s.originator_version)
    rows = {link.originator_version: link for link in recorder.links_of(originator_id)}
    previous = GENESIS
    last: str | None = None

    def broken(problem: str, version: int | None) -> StreamCheck:
        return StreamCheck(originator_id, False, len(stored), last, problem, version)

    for expected, event in enumerate(stored, start=1):
        version = int(event.originator_version)
        if version != expected:
            return broken(
                f"version {expected} is missing: the stored events jump to version {version}.", expected
            )
        row = rows.get(version)
        if row is None:
            return broken(
                f"version {version} has no row in the chain table: it was not written by the ledger.",
                version,
            )
        this = event_hash(previous, originator_id, version, event.topic, state_bytes(event.state))
        if this != row.event_hash:
            return broken(
                f"version {version} does not match its hash: the stored event (or an earlier one) "
                "was changed after it was recorded.",
                version,
            )
        previous = last = this
    extra = sorted(v for v in rows if v > len(stored))
    if extra:
        return broken(
            f"the chain records version {extra[0]}, which is missing from the stored events "
            "(an event was removed).",
            extra[0],
        )
    links = sorted(rows.values(), key=lambda r: r.seq)
    before = {0: GENESIS, **recorder.digests_at(r.seq - 1 for r in links if r.seq > 1)}
    for row in links:
        prior = before.get(row.seq - 1)
        if prior is None or chain_digest(prior, row.event_hash) != row.chain_digest:
            return broken(
                f"the chain row of version {row.originator_version} (seq {row.seq}) does not fit "
                "the running digest of the log at its place.",
                row.originator_version,
            )
    problem = _stream_macs(recorder, originator_id, links)
    if problem is not None:
        return broken(*problem)
    if not stored:
        return StreamCheck(originator_id, False, 0, None, "no events are stored for this staff member.")
    return StreamCheck(originator_id, True, len(stored), last)


def _stream_macs(
    recorder: ChainedRecorder, originator_id: UUID, links: list[ChainLink]
) -> tuple[str, int] | None:
    """The first of one person's chain rows whose keyed link does not hold, as (problem, version)."""
    proofs = recorder.proofs
    key_rows = proofs.link_keys()
    if not key_rows or not links:
        return None

    def key_for(seq: int) -> LinkKeyRow | None:
        found = None
        for key_row in key_rows:
            if key_row.first_seq <= seq:
                found = key_row
        return found

    keyed = [link for link in links if key_for(link.seq) is not None]
    if not keyed:
        return None
    macs = proofs.macs_at(link.seq for link in keyed)
    positions = recorder.positions_of(originator_id)
    for link in keyed:
        expected_key = key_for(link.seq)
        assert expected_key is not None
        version = link.originator_version
        mac = macs.get(link.seq)
        if mac is None:
            return (
                f"version {version} (seq {link.seq}) carries no MAC under key {expected_key.key_id}: "
                "its event and chain row were written by someone without the agency's key.",
                version,
            )
        agency_key = proofs.ring.by_id(mac.key_id) if proofs.ring is not None else None
        position = positions.get(version)
        if mac.key_id != expected_key.key_id or agency_key is None or position is None:
            return (
                f"the MAC of version {version} (seq {link.seq}) is under key {mac.key_id}, which "
                "does not cover this seq or is not in the key file.",
                version,
            )
        expected = link_mac(agency_key.link_key, link.seq, position, link.event_hash, link.chain_digest)
        if not macs_equal(expected, mac.mac):
            return (
                f"the MAC of version {version} (seq {link.seq}) does not match its seq, position, "
                "hash and running digest under the agency's key.",
                version,
            )
    return None


# ------------------------------------------------------------------------- public API


def verify_log(
    recorder: ChainedRecorder,
    *,
    mapper: Mapper[UUID] | None = None,
    page_size: int = DEFAULT_PAGE_SIZE,
    progress: Progress | None = None,
) -> VerifyReport:
    """Recompute the whole chain from the stored events and name the first broken place.

    With ``mapper`` (the application's), each event must also decode into a domain event.
    """
    return Walk(recorder, mapper=mapper, page_size=page_size, progress=progress).run()


def verify_against(
    recorder: ChainedRecorder,
    checkpoint: Checkpoint | Anchor | str,
    *,
    mapper: Mapper[UUID] | None = None,
    page_size: int = DEFAULT_PAGE_SIZE,
    progress: Progress | None = None,
    checkpoint_keys: Mapping[str, Ed25519PublicKey] | None = None,
) -> VerifyReport:
    """Everything :func:`verify_log` checks, and that the log still extends ``checkpoint``.

    A signed checkpoint's signature is checked with ``checkpoint_keys`` (a published key set,
    e.g. of the store an import came from), by default the keys of the agency's key file.

    The running digest is recomputed from the stored event bytes, never read from the chain
    table, so a forger who rewrote an early event and every later hash and digest is caught.
    A bare digest (no length) is searched for among the recomputed running digests.
    """
    walk = Walk(
        recorder, mapper=mapper, anchor=Anchor.of(checkpoint), page_size=page_size, progress=progress,
        checkpoint_keys=checkpoint_keys,
    )
    return walk.run()


def checkpoint(recorder: ChainedRecorder, *, page_size: int = DEFAULT_PAGE_SIZE) -> Checkpoint:
    """The length and running digest of the log, after verifying it (raises :class:`LogBroken`)."""
    report = verify_log(recorder, page_size=page_size)
    if not report.ok:
        raise LogBroken(report)
    return report.checkpoint
