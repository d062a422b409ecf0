"""API keys and roles.

A key has a NAME (who: it is written into every event the key records, as ``recorded_by``), a
ROLE, and a random token. Only the token's SHA-256 digest is stored; a request's token is hashed
and looked up by digest, and the digests are compared with ``hmac.compare_digest``. Tokens are
256-bit random values, so a fast hash is the right tool (a password hash would add nothing).
Keys are never deleted, only revoked, so a name is never reused for someone else.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from projections.service_tables import ServiceTables

KEYS_TABLE = "ledger_api_keys"
MAX_CACHED_KEYS = 1024  # verified tokens a process remembers (see KeyStore)
TOKEN_PREFIX = "lgr_"
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")


class Role(StrEnum):
    REGISTRAR = "registrar"
    AUDITOR = "auditor"
    READER = "reader"


class Permission(StrEnum):
    WRITE = "write"  # record events
    AUDIT = "audit"  # histories, trails, the global log, verification
    READ = "read"  # standing, directory, aggregate reports


PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.REGISTRAR: frozenset({Permission.WRITE, Permission.AUDIT, Permission.READ}),
    Role.AUDITOR: frozenset({Permission.AUDIT, Permission.READ}),
    Role.READER: frozenset({Permission.READ}),
}


class KeyCommandError(ValueError):
    """A key command that cannot be done (bad name, name taken, unknown key)."""


@dataclass(frozen=True)
class Principal:
    """Who is calling: the key's name and role."""

    name: str
    role: Role

    def may(self, permission: Permission) -> bool:
        return permission in PERMISSIONS[self.role]


@dataclass(frozen=True)
class KeyInfo:
    name: str
    role: Role
    created_at: datetime
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


class KeyStore:
    """The key table, in the store's database.

    With ``cache_seconds`` > 0, a verified token is trusted for that long without asking the
    store again (the key check then costs a hash and a dictionary lookup, no I/O): a key revoked
    or rotated by *another* process (``ledger keys revoke`` beside a running server) stops
    working at most ``cache_seconds`` later; one revoked or rotated through this object stops at
    once. At most ``max_cached`` tokens are remembered (only tokens that verified, so a flood of
    made-up tokens cannot fill it): beyond that, expired entries go first, then the oldest.
    ``clock`` is a monotonic clock in seconds (tests pass their own).
    """

    def __init__(
        self,
        db: ServiceTables,
        *,
        cache_seconds: float = 0.0,
        max_cached: int = MAX_CACHED_KEYS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.db = db
        self.cache_seconds = cache_seconds
        self.max_cached = max(1, max_cached)
        self.clock = clock
        self._cache: dict[str, tuple[Principal, float]] = {}
        self._cache_lock = threading.Lock()
        self._refreshing: set[str] = set()

    def create_table(self) -> None:
        self.db.create_schema()
        with self.db.transaction() as c:
            c.execute(
                f"CREATE TABLE IF NOT EXISTS {KEYS_TABLE} ("
                "name TEXT PRIMARY KEY, role TEXT NOT NULL, token_hash TEXT NOT NULL UNIQUE, "
                "created_at TEXT NOT NULL, revoked_at TEXT)"
            )

    def add(self, name: str, role: Role | str) -> str:
        """Create a key; returns its token (shown once, never stored)."""
        if not NAME_PATTERN.match(name):
            raise KeyCommandError(
                f"'{name}' is not a valid key name: 1 to 64 letters, digits, '.', '_', '@', '-', "
                "starting with a letter or digit."
            )
        try:
            the_role = Role(role)
        except ValueError:
            raise KeyCommandError(f"'{role}' is not a role (registrar, auditor, reader).") from None
        token = new_token()
        with self.db.transaction() as c:
            row = c.record(f"SELECT revoked_at FROM {KEYS_TABLE} WHERE name = ?", (name,))
            if row is not None:
                state = "revoked" if row["revoked_at"] else "in use"
                raise KeyCommandError(
                    f"A key named '{name}' already exists ({state}); names are never reused, "
                    "because events record them. Choose another name, or rotate the key."
                )
            c.execute(
                f"INSERT INTO {KEYS_TABLE} (name, role, token_hash, created_at) VALUES (?, ?, ?, ?)",
                (name, the_role.value, hash_token(token), _now()),
            )
        return token

    def rotate(self, name: str) -> str:
        """Give an active key a new token; the old token stops working."""
        token = new_token()
        with self.db.transaction() as c:
            c.execute(
                f"UPDATE {KEYS_TABLE} SET token_hash = ? WHERE name = ? AND revoked_at IS NULL",
                (hash_token(token), name),
            )
            if c.rowcount != 1:
                raise KeyCommandError(f"No active key named '{name}'.")
        self._forget()
        return token

    def revoke(self, name: str) -> None:
        with self.db.transaction() as c:
            c.execute(
                f"UPDATE {KEYS_TABLE} SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL",
                (_now(), name),
            )
            if c.rowcount != 1:
                raise KeyCommandError(f"No active key named '{name}'.")
        self._forget()

    def list(self) -> list[KeyInfo]:
        with self.db.reading() as c:
            rows = c.records(f"SELECT name, role, created_at, revoked_at FROM {KEYS_TABLE} ORDER BY name")
        return [
            KeyInfo(
                name=r["name"],
                role=Role(r["role"]),
                created_at=datetime.fromisoformat(r["created_at"]),
                revoked_at=datetime.fromisoformat(r["revoked_at"]) if r["revoked_at"] else None,
            )
            for r in rows
        ]

    def cached(self, token: str) -> Principal | None:
        """The principal of a token verified less than ``cache_seconds`` ago, without I/O."""
        if self.cache_seconds <= 0:
            return None
        with self._cache_lock:
            cached = self._cache.get(hash_token(token))
        if cached is not None and cached[1] > self.clock():
            return cached[0]
        return None

    def claim_refresh(self, token: str) -> bool:
        """Whether the caller should re-verify ``token`` now, in the background (True once per
        entry): its cache entry has lived more than half of ``cache_seconds``. Re-verifying
        ahead of expiry keeps a key in steady use from missing the cache every ``cache_seconds``
        (all the requests that arrive while it is looked up again would wait); the bound on
        revocation is unchanged, since an entry is never used after it expires."""
        if self.cache_seconds <= 0:
            return False
        digest = hash_token(token)
        with self._cache_lock:
            cached = self._cache.get(digest)
            if cached is None or digest in self._refreshing:
                return False
            if cached[1] - self.clock() > self.cache_seconds / 2:
                return False
            self._refreshing.add(digest)
            return True

    def refresh(self, token: str) -> None:
        """Re-verify a cached token (after :meth:`claim_refresh`): a fresh entry if the key is
        still active, none if it was revoked or rotated meanwhile."""
        digest = hash_token(token)
        try:
            if self._verify(token) is None:
                with self._cache_lock:
                    self._cache.pop(digest, None)
        finally:
            with self._cache_lock:
                self._refreshing.discard(digest)

    def authenticate(self, token: str) -> Principal | None:
        """The principal of an active key with this token, or None."""
        found = self.cached(token)
        if found is not None:
            return found
        return self._verify(token)

    def _verify(self, token: str) -> Principal | None:
        """Look the token up in the store (and remember it if the key is active)."""
        digest = hash_token(token)
        now = self.clock()
        with self.db.reading() as c:
            row = c.record(
                f"SELECT name, role, token_hash FROM {KEYS_TABLE} "
                "WHERE token_hash = ? AND revoked_at IS NULL",
                (digest,),
            )
        if row is None or not hmac.compare_digest(row["token_hash"], digest):
            return None
        principal = Principal(name=row["name"], role=Role(row["role"]))
        if self.cache_seconds > 0:
            with self._cache_lock:
                self._cache.pop(digest, None)
                if len(self._cache) >= self.max_cached:
                    for stale in [d for d, (_, until) in self._cache.items() if until <= now]:
                        del self._cache[stale]
                while len(self._cache) >= self.max_cached:
                    del self._cache[next(iter(self._cache))]  # the oldest
                self._cache[digest] = (principal, now + self.cache_seconds)
        return principal

    def _forget(self) -> None:
        with self._cache_lock:
            self._cache.clear()


def _now() -> str:
    return datetime.now(UTC).isoformat()
