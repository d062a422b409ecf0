"""Proofs an auditor can carry away: what the API and the commands ask of the proof tables.

- :func:`configure_proofs` (called by the ``Ledger`` on start) loads the agency's key
  (``LEDGER_SIGNING_KEY``, else a key made beside the SQLite file) and the checkpoint interval
  (``LEDGER_CHECKPOINT_EVERY``, default 1,000);
- :func:`inclusion_proof` and :func:`consistency_proof` answer in O(log n) node reads;
- :func:`published_keys` is the key set of ``/.well-known/ledger-keys.json`` (JWKS-shaped).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from ledger.store import merkle
from ledger.store.checkpoints import SignedCheckpoint
from ledger.store.config import StoreConfig
from ledger.store.persistence import ChainedRecorder
from ledger.store.proofstore import DEFAULT_CHECKPOINT_EVERY, MissingNodes
from ledger.store.signing import SIGNING_KEY_VARIABLE, KeyRing, SigningKeyError, default_key_path, key_ring

CHECKPOINT_EVERY_VARIABLE = "LEDGER_CHECKPOINT_EVERY"


class ProofError(LookupError):
    """A proof that cannot be given (no such event, a size the tree has not reached)."""

    def __init__(self, field: str, detail: str) -> None:
        super().__init__(detail)
        self.field = field
        self.detail = detail


def checkpoint_every(environ: Mapping[str, str]) -> int:
    raw = environ.get(CHECKPOINT_EVERY_VARIABLE, "").strip()
    if not raw:
        return DEFAULT_CHECKPOINT_EVERY
    if not raw.isdigit() or int(raw) < 1:
        raise SigningKeyError(f"{CHECKPOINT_EVERY_VARIABLE}='{raw}': expected a whole number ≥ 1.")
    return int(raw)


def key_path(store: StoreConfig, environ: Mapping[str, str]) -> tuple[Path, bool]:
    """The key file and whether it may be created (only the default one is made)."""
    named = environ.get(SIGNING_KEY_VARIABLE, "").strip()
    if named:
        return Path(named), False
    sqlite_path = store.sqlite_path if store.kind == "sqlite" else None
    return default_key_path(store.kind, sqlite_path, store.url, environ), True


def configure_proofs(recorder: ChainedRecorder, store: StoreConfig, environ: Mapping[str, str]) -> KeyRing:
    path, may_create = key_path(store, environ)
    if not may_create and not path.is_file():
        raise SigningKeyError(f"{SIGNING_KEY_VARIABLE}={path}: no such file.")
    if may_create and not path.is_file():
        registered = recorder.proofs.link_keys()
        if registered:
            # Never make a new key for a log that already has one: that would hide its MACs.
            raise SigningKeyError(
                f"this log is authenticated by key {registered[-1].key_id}, and there is no key "
                f"file at {path}: set {SIGNING_KEY_VARIABLE} to the agency's key file."
            )
    ring = key_ring(path, create=may_create)
    recorder.proofs.configure(ring, checkpoint_every(environ), _chain_table(recorder))
    return ring


def _chain_table(recorder: ChainedRecorder) -> str:
    name = str(getattr(recorder, "chain_table_name"))  # noqa: B009 - both recorders have it
    schema = getattr(getattr(recorder, "datastore", None), "schema", None)
    return f'"{schema}"."{name}"' if isinstance(schema, str) else name


# ----------------------------------------------------------------------------- proofs


@dataclass(frozen=True)
class InclusionProof:
    position: int
    index: int
    size: int
    leaf_hash: str
    event_hash: str
    root: str
    hashes: list[str]

    def as_json(self) -> dict[str, Any]:
        return {
            "position": self.position,
            "leaf_index": self.index,
            "tree_size": self.size,
            "event_hash": self.event_hash,
            "leaf_hash": self.leaf_hash,
            "root": self.root,
            "hashes": self.hashes,
        }


def seq_of_position(recorder: ChainedRecorder, position: int) -> tuple[int, str] | None:
    """(chain seq, event hash) of the event at ``position``: one read of the log, one of the chain."""
    found = recorder.select_notifications(position, 1)
    if not found or found[0].id != position:
        return None
    n = found[0]
    oid = n.originator_id if isinstance(n.originator_id, UUID) else UUID(str(n.originator_id))
    link = recorder.link_of(oid, n.originator_version)
    return None if link is None else (link.seq, link.event_hash)


def tree_size(recorder: ChainedRecorder) -> int:
    return recorder.proofs.tree_size()


def _check_size(recorder: ChainedRecorder, size: int, field: str) -> None:
    current = tree_size(recorder)
    if size < 1 or size > current:
        raise ProofError(field, f"{field}={size}: the tree holds sizes 1 to {current}.")


def inclusion_proof(recorder: ChainedRecorder, position: int, size: int) -> InclusionProof:
    """Three reads whatever the log's length: the event, its chain row, and every tree node the
    audit path and the root need (one query)."""
    found = seq_of_position(recorder, position)
    if found is None:
        raise ProofError("position", f"no event at log position {position}.")
    seq, event_hash = found
    if seq > size:
        raise ProofError(
            "size", f"the event at position {position} is leaf {seq} of the tree, after size {size}."
        )
    ranges = [*merkle.inclusion_ranges(seq - 1, size), (0, size)]
    try:
        *hashes, root = merkle.range_hashes(ranges, recorder.proofs.read_nodes)
    except MissingNodes:
        # The only way a sound tree lacks a node: the size is beyond it.
        _check_size(recorder, size, "size")
        raise
    return InclusionProof(
        position, seq - 1, size, merkle.leaf_hash(position, event_hash), event_hash, root, hashes
    )


def consistency_proof(recorder: ChainedRecorder, old: int, new: int) -> dict[str, Any]:
    _check_size(recorder, new, "to")
    if old < 1 or old > new:
        raise ProofError("from", f"from={old}: expected 1 to {new} (the value of to).")
    # The proof and both roots from one read of the tree.
    ranges = [*merkle.consistency_ranges(old, new), (0, old), (0, new)]
    *hashes, old_root, new_root = merkle.range_hashes(ranges, recorder.proofs.read_nodes)
    return {"from": old, "to": new, "from_root": old_root, "to_root": new_root, "hashes": hashes}


def published_keys(recorder: ChainedRecorder) -> dict[str, Any]:
    """The public keys, JWK-shaped (RFC 8037 OKP), with the chain seqs each one covers."""
    rows = recorder.proofs.link_keys()
    keys = []
    for i, row in enumerate(rows):
        following = rows[i + 1] if i + 1 < len(rows) else None
        keys.append(
            {
                "kty": "OKP",
                "crv": "Ed25519",
                "x": row.public_key,
                "kid": row.key_id,
                "alg": "EdDSA",
                "use": "sig",
                "valid_from": row.recorded_at,
                "valid_until": following.recorded_at if following else None,
                "authenticates_from_seq": row.first_seq,
                "authenticates_until_seq": following.first_seq - 1 if following else None,
            }
        )
    return {"keys": keys}


def sign_checkpoint(recorder: ChainedRecorder) -> SignedCheckpoint:
    return recorder.proofs.sign_checkpoint()


DAILY = 24 * 3600


def sign_if_due(
    recorder: ChainedRecorder, now: datetime, *, max_age_seconds: int = DAILY
) -> SignedCheckpoint | None:
    """Sign a checkpoint if the log moved since the latest one and that one is older than a day
    (the server's timer calls this hourly): every event is under a signed checkpoint within a
    day, however slowly the log grows."""
    latest = recorder.proofs.latest_checkpoint()
    if recorder.proofs.tree_size() == (latest.size if latest else 0):
        return None
    if latest is not None:
        signed_at = datetime.fromisoformat(latest.signed_at.replace("Z", "+00:00"))
        if (now - signed_at).total_seconds() < max_age_seconds:
            return None
    return recorder.proofs.sign_checkpoint()
