"""Idempotency keys for writes, remembered in the store so they survive a restart.

A write that carries ``Idempotency-Key`` first *reserves* the key by inserting a row (the primary
key makes the insert race-safe: of two concurrent requests with one key, exactly one inserts and
goes on to write; the other waits for the first to finish and replays its response). The row
holds a fingerprint of the request (method, path, canonical JSON body) so the same key with other
content is refused. Only successful writes are remembered: when a write is refused (a 4xx), its
reservation is dropped, nothing was recorded, and the client may retry with the same key.

Keys are scoped per API key name, so two clients cannot collide by choosing the same string.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from projections.service_tables import ServiceTables
from projections.store import Record

IDEMPOTENCY_TABLE = "ledger_api_idempotency"
PENDING = "pending"
DONE = "done"
# A reservation older than this without a response belongs to a request that never finished
# (the process stopped between recording and answering).
ABANDONED_AFTER = timedelta(minutes=2)


@dataclass(frozen=True)
class StoredResponse:
    status: int
    body: Any
    headers: dict[str, str]
    position: int | None


class IdempotencyKeyReused(Exception):
    """The key was first used for a different request."""


class IdempotencyInProgress(Exception):
    """The first request with this key has not finished yet."""

    def __init__(self, message: str, *, abandoned: bool) -> None:
        super().__init__(message)
        self.abandoned = abandoned


def fingerprint(method: str, path: str, body: Any) -> str:
    canonical = json.dumps(
        [method.upper(), path, body], sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class IdempotencyStore:
    def __init__(self, db: ServiceTables, *, wait_seconds: float = 10.0) -> None:
        self.db = db
        self.wait_seconds = wait_seconds

    def create_table(self) -> None:
        self.db.create_schema()
        with self.db.transaction() as c:
            c.execute(
                f"CREATE TABLE IF NOT EXISTS {IDEMPOTENCY_TABLE} ("
                "principal TEXT NOT NULL, idem_key TEXT NOT NULL, fingerprint TEXT NOT NULL, "
                "state TEXT NOT NULL, status INTEGER, body TEXT, headers TEXT, position BIGINT, "
                "created_at TEXT NOT NULL, PRIMARY KEY (principal, idem_key))"
            )

    def prune(self, older_than: timedelta) -> int:
        cutoff = (datetime.now(UTC) - older_than).isoformat()
        with self.db.transaction() as c:
            c.execute(
                f"DELETE FROM {IDEMPOTENCY_TABLE} WHERE created_at < ?", (cutoff,)
            )
            return int(c.rowcount)

    def begin(self, principal: str, key: str, print_: str) -> StoredResponse | None:
        """Reserve the key (None: go ahead and write) or return the first response to replay."""
        with self.db.transaction() as c:
            c.execute(
                f"INSERT INTO {IDEMPOTENCY_TABLE} (principal, idem_key, fingerprint, state, created_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (principal, key, print_, PENDING, datetime.now(UTC).isoformat()),
            )
            if c.rowcount == 1:
                return None
        deadline = time.monotonic() + self.wait_seconds
        delay = 0.005
        while True:
            row = self._row(principal, key)
            if row is None:
                # The first request was refused and released the key: this one may try.
                return self.begin(principal, key, print_)
            if row["fingerprint"] != print_:
                raise IdempotencyKeyReused(
                    f"Idempotency-Key '{key}' was already used for a different request "
                    "(another path or body); use a new key for a new request."
                )
            if row["state"] == DONE:
                return StoredResponse(
                    status=int(row["status"]),
                    body=json.loads(row["body"]),
                    headers=json.loads(row["headers"]),
                    position=row["position"],
                )
            started = datetime.fromisoformat(row["created_at"])
            if datetime.now(UTC) - started > ABANDONED_AFTER:
                raise IdempotencyInProgress(
                    f"A request with Idempotency-Key '{key}' started at {started.isoformat()} and never "
                    "finished (the server stopped?). Whether it was recorded is unknown: check the "
                    "staff member's history, then retry with a new key if it is missing.",
                    abandoned=True,
                )
            if time.monotonic() >= deadline:
                raise IdempotencyInProgress(
                    f"A request with Idempotency-Key '{key}' is still being processed; retry shortly.",
                    abandoned=False,
                )
            time.sleep(delay)
            delay = min(delay * 2, 0.2)

    def finish(self, principal: str, key: str, response: StoredResponse) -> None:
        with self.db.transaction() as c:
            c.execute(
                f"UPDATE {IDEMPOTENCY_TABLE} SET state = ?, status = ?, body = ?, headers = ?, position = ? "
                "WHERE principal = ? AND idem_key = ?",
                (
                    DONE,
                    response.status,
                    json.dumps(response.body, ensure_ascii=False),
                    json.dumps(response.headers),
                    response.position,
                    principal,
                    key,
                ),
            )

    def release(self, principal: str, key: str) -> None:
        """Forget a reservation whose request was refused (nothing was recorded)."""
        with self.db.transaction() as c:
            c.execute(
                f"DELETE FROM {IDEMPOTENCY_TABLE} WHERE principal = ? AND idem_key = ? AND state = ?",
                (principal, key, PENDING),
            )

    def _row(self, principal: str, key: str) -> Record | None:
        with self.db.reading() as c:
            return c.record(
                "SELECT fingerprint, state, status, body, headers, position, created_at "
                f"FROM {IDEMPOTENCY_TABLE} WHERE principal = ? AND idem_key = ?",
                (principal, key),
            )
