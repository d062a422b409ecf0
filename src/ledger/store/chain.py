"""Hash chaining of stored events: the arithmetic, kept apart from any store.

Each stored event gets an ``event_hash`` over its bytes and the hash of the previous event of the
same staff member (a per-person chain), and the global log keeps a running ``chain_digest`` over
every event hash in log order. Changing, removing, reordering or inserting a row breaks one of
the two; a digest kept by an auditor (a checkpoint) also catches a forger who rewrites every later
hash, because the prefix of the log would no longer add up to it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from uuid import UUID

GENESIS = "0" * 64
CHECKPOINT_PREFIX = "ledger-checkpoint-v1"


def event_hash(
    previous_event_hash: str, originator_id: UUID | str, version: int, topic: str, state: bytes
) -> str:
    digest = hashlib.sha256()
    digest.update(f"{previous_event_hash}\n{originator_id}\n{version}\n{topic}\n".encode())
    digest.update(state)
    return digest.hexdigest()


def chain_digest(previous_digest: str, this_event_hash: str) -> str:
    return hashlib.sha256(f"{previous_digest}{this_event_hash}".encode()).hexdigest()


@dataclass(frozen=True)
class ChainLink:
    """One row of the chain table, in global order (``seq`` counts from 1)."""

    seq: int
    originator_id: UUID
    originator_version: int
    event_hash: str
    chain_digest: str


@dataclass(frozen=True)
class Checkpoint:
    """What an auditor keeps: how long the log was and the running digest at that length."""

    seq: int
    digest: str

    def __str__(self) -> str:
        return f"{CHECKPOINT_PREFIX}:{self.seq}:{self.digest}"

    @classmethod
    def parse(cls, text: str) -> Checkpoint:
        prefix, _, rest = text.strip().partition(":")
        seq, _, digest = rest.partition(":")
        if prefix != CHECKPOINT_PREFIX or not seq.isdigit() or len(digest) != 64:
            msg = f"'{text}' is not a ledger checkpoint (expected {CHECKPOINT_PREFIX}:SEQ:DIGEST)."
            raise ValueError(msg)
        return cls(int(seq), digest)


class ChainBuilder:
    """Extends a chain event by event; used by the recorders on insert and by verify on replay."""

    def __init__(self, seq: int = 0, digest: str = GENESIS) -> None:
        self.seq = seq
        self.digest = digest
        self.last_hash_of: dict[str, str] = {}

    def link(
        self,
        previous_event_hash: str,
        originator_id: UUID,
        version: int,
        topic: str,
        state: bytes,
    ) -> ChainLink:
        this_hash = event_hash(previous_event_hash, originator_id, version, topic, state)
        self.seq += 1
        self.digest = chain_digest(self.digest, this_hash)
        self.last_hash_of[str(originator_id)] = this_hash
        return ChainLink(self.seq, originator_id, version, this_hash, self.digest)
