"""The hash-chain check of one staff member's record, for a credential's provenance page.

``ledger verify`` (``ledger.integrity``) walks the whole log; a page wants the answer for one
person, now. This recomputes, from the stored bytes of that person's events alone, each event's
hash over the previous one's (``ledger.chain.event_hash``) and compares it with the person's rows
of the chain table; it also checks that each of those rows fits the global running digest at its
place (``chain_digest`` of the row before it). Any change, removal, insertion or reordering of the
person's stored events, or of their chain rows, shows as "broken", naming the first bad version.
It reads only the person's events and chain rows (indexed), so it is cheap enough for every page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from api.db import SqlStore
from ledger.application import Ledger
from ledger.chain import GENESIS, chain_digest, event_hash
from ledger.integrity import state_bytes
from ledger.staff import staff_aggregate_id


@dataclass(frozen=True)
class ChainCheck:
    """The verdict: ``ok`` with the number of events and the last hash, or the first problem."""

    staff_id: str
    ok: bool
    events: int
    last_hash: str | None
    problem: str | None = None
    version: int | None = None


@dataclass(frozen=True)
class _Row:
    seq: int
    version: int
    event_hash: str
    chain_digest: str


def _chain_rows(db: SqlStore, table: str, originator: UUID) -> dict[int, _Row]:
    key: Any = originator.hex if db.kind == "sqlite" else originator
    with db.reading() as c:
        c.execute(
            db.statement(
                "SELECT seq, originator_version, event_hash, chain_digest FROM {t} WHERE originator_id = ?",
                t=table,
            ),
            (key,),
        )
        rows = c.fetchall()
    return {
        int(r["originator_version"]): _Row(
            int(r["seq"]), int(r["originator_version"]), r["event_hash"], r["chain_digest"]
        )
        for r in rows
    }


def _digests_before(db: SqlStore, table: str, seqs: list[int]) -> dict[int, str]:
    """The running digest of the rows just before each of ``seqs`` (GENESIS before the first)."""
    wanted = sorted({s - 1 for s in seqs if s > 1})
    found: dict[int, str] = {0: GENESIS}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        marks = ", ".join("?" for _ in chunk)
        with db.reading() as c:
            c.execute(
                db.statement(f"SELECT seq, chain_digest FROM {{t}} WHERE seq IN ({marks})", t=table), chunk
            )
            for r in c.fetchall():
                found[int(r["seq"])] = r["chain_digest"]
    return found


def check_staff_chain(ledger: Ledger, db: SqlStore, staff_id: str) -> ChainCheck:
    """Verify the hash chain of ``staff_id``'s events (see the module docstring)."""
    originator = staff_aggregate_id(staff_id)
    recorder: Any = ledger.recorder
    table: str = recorder.chain_table_name
    stored = sorted(recorder.select_events(originator), key=lambda s: s.originator_version)
    rows = _chain_rows(db, table, originator)
    previous = GENESIS
    last: str | None = None

    def broken(problem: str, version: int | None) -> ChainCheck:
        return ChainCheck(staff_id, False, len(stored), last, problem, version)

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
        this = event_hash(previous, originator, version, event.topic, state_bytes(event.state))
        if not _same(this, row.event_hash):
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
    before = _digests_before(db, table, [r.seq for r in rows.values()])
    for row in sorted(rows.values(), key=lambda r: r.seq):
        prior = before.get(row.seq - 1)
        if prior is None or not _same(chain_digest(prior, row.event_hash), row.chain_digest):
            return broken(
                f"the chain row of version {row.version} (seq {row.seq}) does not fit the running "
                "digest of the log at its place.",
                row.version,
            )
    if not stored:
        return ChainCheck(staff_id, False, 0, None, "no events are stored for this staff member.")
    return ChainCheck(staff_id, True, len(stored), last)


def _same(a: str, b: str) -> bool:
    return a == b
