"""Sign-in sessions of the pages, kept server-side beside the API keys.

Signing in with an API key makes a session: a random 256-bit id goes to the browser in an
HttpOnly, SameSite=Lax cookie; the store keeps only its SHA-256 digest, the key it was opened with
(by the key's own token digest), a CSRF token for the sign-out form, and an expiry. Every request
looks the session up *joined with the key table*, so revoking or rotating the key ends its
sessions at once, and the role is always the key's current role. Sessions live in the database,
so any number of server processes share them.

The sign-in form itself is protected against login CSRF by a double-submit token: the form page
sets a random ``ledger_csrf`` cookie (SameSite=Strict) and puts the same value in a hidden field;
a sign-in is accepted only when both match (and the Origin header, when sent, is this site).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from api.keys import KEYS_TABLE, Principal, Role, hash_token
from projections.service_tables import ServiceTables

SESSIONS_TABLE = "ledger_page_sessions"
SESSION_COOKIE = "ledger_session"
CSRF_COOKIE = "ledger_csrf"
LANG_COOKIE = "ledger_lang"


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def same_secret(a: str | None, b: str | None) -> bool:
    """Constant-time comparison of two secrets (False if either is missing)."""
    if not a or not b:
        return False
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


@dataclass(frozen=True)
class Session:
    """A signed-in browser: who (the key's name and current role), its sign-out token, expiry."""

    principal: Principal
    csrf: str
    expires_at: datetime


class SessionStore:
    """The sessions table (created on first use)."""

    def __init__(self, db: ServiceTables, *, lifetime: timedelta) -> None:
        self.db = db
        self.lifetime = lifetime
        self._ready = False
        self._lock = threading.Lock()

    def _ensure_table(self) -> None:
        if self._ready:
            return
        with self._lock:
            if self._ready:
                return
            self.db.create_schema()
            with self.db.transaction() as c:
                c.execute(
                    f"CREATE TABLE IF NOT EXISTS {SESSIONS_TABLE} ("
                    "id_hash TEXT PRIMARY KEY, token_hash TEXT NOT NULL, csrf TEXT NOT NULL, "
                    "created_at TEXT NOT NULL, expires_at TEXT NOT NULL)"
                )
            self._ready = True

    def open(self, token: str, *, now: datetime | None = None) -> tuple[str, Session] | None:
        """A new session for an active key's token, as (cookie value, session); None if the key
        is unknown or revoked. Expired sessions are swept on the way."""
        self._ensure_table()
        now = now or datetime.now(UTC)
        token_hash = hash_token(token)
        with self.db.reading() as c:
            row = c.record(
                f"SELECT name, role, token_hash FROM {KEYS_TABLE} "
                "WHERE token_hash = ? AND revoked_at IS NULL",
                (token_hash,),
            )
        if row is None or not hmac.compare_digest(row["token_hash"], token_hash):
            return None
        session_id = new_secret()
        csrf = new_secret()
        expires = now + self.lifetime
        with self.db.transaction() as c:
            c.execute(f"DELETE FROM {SESSIONS_TABLE} WHERE expires_at < ?", (now.isoformat(),))
            c.execute(
                f"INSERT INTO {SESSIONS_TABLE} (id_hash, token_hash, csrf, created_at, expires_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (_digest(session_id), token_hash, csrf, now.isoformat(), expires.isoformat()),
            )
        principal = Principal(name=row["name"], role=Role(row["role"]))
        return session_id, Session(principal, csrf, expires)

    def get(self, session_id: str | None, *, now: datetime | None = None) -> Session | None:
        """The live session of a cookie value, with its key's current name and role; None if there
        is none, it expired, or its key was revoked or rotated since."""
        if not session_id or len(session_id) > 200:
            return None
        self._ensure_table()
        now = now or datetime.now(UTC)
        with self.db.reading() as c:
            row = c.record(
                f"SELECT k.name, k.role, s.csrf, s.expires_at FROM {SESSIONS_TABLE} s JOIN {KEYS_TABLE} k "
                "ON k.token_hash = s.token_hash AND k.revoked_at IS NULL WHERE s.id_hash = ?",
                (_digest(session_id),),
            )
        if row is None:
            return None
        expires = datetime.fromisoformat(row["expires_at"])
        if expires <= now:
            self.close(session_id)
            return None
        return Session(Principal(name=row["name"], role=Role(row["role"])), row["csrf"], expires)

    def close(self, session_id: str | None) -> None:
        """End a session (sign-out); nothing happens for an unknown one."""
        if not session_id or len(session_id) > 200:
            return
        self._ensure_table()
        with self.db.transaction() as c:
            c.execute(f"DELETE FROM {SESSIONS_TABLE} WHERE id_hash = ?", (_digest(session_id),))
