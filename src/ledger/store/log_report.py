"""What a check of the log reports: the kinds of problem it names, the report of a walk, and the
anchor (a checkpoint kept outside the database) a walk is checked against."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

from ledger.store.chain import Checkpoint
from ledger.store.checkpoints import SIGNED_CHECKPOINT_PREFIX, SignedCheckpoint

DEFAULT_PAGE_SIZE = 1000

Progress = Callable[[int], None]
"""Called after each page with the number of events checked so far."""


class ProblemKind(enum.StrEnum):
    MODIFIED_EVENT = "modified event"
    REPLACED_EVENT = "replaced event"
    MISSING_EVENT = "missing event"
    REORDERED_EVENTS = "reordered events"
    INSERTED_EVENT = "inserted event"
    EVENT_WITHOUT_CHAIN_ROW = "event without chain row"
    CHAIN_ROW_WITHOUT_EVENT = "chain row without event"
    MISSING_CHAIN_ROW = "missing chain row"
    ALTERED_CHAIN_ROW = "altered chain row"
    VERSION_OUT_OF_SEQUENCE = "versions out of sequence"
    UNDECODABLE_EVENT = "undecodable event"
    CHECKPOINT_NOT_EXTENDED = "log does not extend the checkpoint"
    UNAUTHENTICATED_EVENT = "event not authenticated by the agency's key"
    BAD_CHECKPOINT_SIGNATURE = "checkpoint signature not valid"
    TREE_MISMATCH = "Merkle tree does not match the log"
    LOG_SHORTER_THAN_CHECKPOINT = "log shorter than the checkpoint"


@dataclass(frozen=True)
class Problem:
    """The first broken place of the log, in words an auditor understands."""

    kind: ProblemKind
    detail: str
    position: int | None = None
    seq: int | None = None
    originator_id: UUID | None = None
    version: int | None = None
    staff_id: str | None = None

    def where(self) -> str:
        parts = []
        if self.position is not None:
            parts.append(f"log position {self.position}")
        if self.seq is not None:
            parts.append(f"chain seq {self.seq}")
        if self.originator_id is not None:
            who = f"staff {self.staff_id}" if self.staff_id else "staff member"
            parts.append(f"{who} (aggregate {self.originator_id}) version {self.version}")
        return ", ".join(parts) or "the log"

    def __str__(self) -> str:
        return f"{self.kind.value} at {self.where()}: {self.detail}"


@dataclass(frozen=True)
class VerifyReport:
    """The outcome of a walk over the log.

    ``checkpoint`` is the length and running digest of the part of the log that verified (all
    of it when ``ok``); ``against`` is the checkpoint the log was checked against, if any.
    """

    events: int
    staff_members: int
    checkpoint: Checkpoint
    problem: Problem | None = None
    against: Anchor | None = None
    against_found_at: int | None = None
    authenticated_from: int | None = None
    root: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None

    def summary(self) -> str:
        if self.problem is not None:
            return f"BROKEN: {self.problem}"
        text = (
            f"Log verified: {self.events} events of {self.staff_members} staff members; every "
            "hash and running digest recomputed from the stored events matches the chain."
        )
        if self.authenticated_from is None or self.authenticated_from > self.events:
            text += " No event is authenticated by the agency's key yet."
        else:
            text += (
                f" Events from chain seq {self.authenticated_from} on carry a valid link MAC "
                "under the agency's key"
                + (f" (events 1 to {self.authenticated_from - 1} were written before keyed links)."
                   if self.authenticated_from > 1 else ".")
            )
        if self.root is not None:
            text += f" Merkle root at size {self.events}: {self.root}."
        if self.against is not None:
            text += f" The log extends the checkpoint at event {self.against_found_at}."
        return text


class LogBroken(Exception):
    """Raised where a verified log is required (e.g. taking a checkpoint) and it is broken."""

    def __init__(self, report: VerifyReport) -> None:
        super().__init__(report.summary())
        self.report = report


@dataclass(frozen=True)
class Anchor:
    """What ``--against`` accepts: a full checkpoint, or a bare running digest (any length)."""

    digest: str
    seq: int | None = None
    signed: SignedCheckpoint | None = None

    @classmethod
    def parse(cls, text: str) -> Anchor:
        text = text.strip()
        if text.startswith(("{", SIGNED_CHECKPOINT_PREFIX)):
            signed = SignedCheckpoint.parse(text)
            return cls("", signed.size, signed)
        if len(text) == 64 and all(c in "0123456789abcdef" for c in text):
            return cls(text)
        checkpoint = Checkpoint.parse(text)
        return cls(checkpoint.digest, checkpoint.seq)

    @classmethod
    def load(cls, value: str) -> Anchor:
        """What ``--against`` accepts on the command line: a checkpoint or a bare digest, or the
        path of a file holding one (its last non-empty line, so the saved output of ``ledger
        verify --checkpoint`` will do). The one place where another kind of checkpoint (a signed
        checkpoint file) is to be recognised."""
        path = Path(value)
        if value.strip() and path.is_file():
            try:
                lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
            except (OSError, UnicodeDecodeError) as error:
                raise ValueError(f"cannot read the checkpoint file '{value}': {error}") from None
            if not lines:
                raise ValueError(f"the checkpoint file '{value}' is empty.")
            if lines[0].lstrip().startswith("{"):  # a signed checkpoint saved as JSON
                return cls.parse("\n".join(lines))
            return cls.parse(lines[-1])
        return cls.parse(value)

    @classmethod
    def of(cls, checkpoint: Checkpoint | Anchor | str) -> Anchor:
        if isinstance(checkpoint, Anchor):
            return checkpoint
        if isinstance(checkpoint, Checkpoint):
            return cls(checkpoint.digest, checkpoint.seq)
        return cls.parse(checkpoint)

    def __str__(self) -> str:
        if self.signed is not None:
            return str(self.signed)
        return str(Checkpoint(self.seq, self.digest)) if self.seq is not None else self.digest
