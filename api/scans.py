"""Evidence scans: PDF, JPEG or PNG files kept content-addressed in the ledger's own store.

A scan is stored once under the SHA-256 digest of its bytes, in a table beside the events (SQLite
or PostgreSQL; no file server to back up separately). Events refer to scans by digest
(``Evidence.scans``, ``CredentialAward.scans``), so the hash chain holds the digests: a stored file
altered afterwards no longer hashes to the digest the chain holds, and :meth:`ScanStore.check`
says so.

The type is decided by the bytes (``filetype`` reads the magic numbers), never by a file name or a
declared content type; anything else is refused with a named error.
"""

from __future__ import annotations

import hashlib
import re
import threading
from dataclasses import dataclass
from datetime import datetime

import filetype

from projections.service_tables import ServiceTables

SCANS_TABLE = "ledger_scans"
MEDIA_TYPES = ("application/pdf", "image/jpeg", "image/png")
DIGEST = re.compile(r"[0-9a-f]{64}")
DEFAULT_MAX_SCAN_BYTES = 10 * 1024 * 1024


class ScanRefused(ValueError):
    """A file that cannot be kept as a scan; ``code`` names why (``scan_type``, ``scan_size``,
    ``scan_empty``)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class ScanInfo:
    digest: str
    media_type: str
    size: int
    stored_at: datetime
    stored_by: str


@dataclass(frozen=True)
class ScanCheck:
    """A referenced scan as stored today: present or not, and whether its bytes still hash to
    the digest the event (and so the hash chain) holds."""

    digest: str
    info: ScanInfo | None
    matches: bool


def media_type_of(content: bytes) -> str | None:
    """The media type the bytes really are, if it is one a scan may be."""
    kind = filetype.guess(content)
    if kind is None or kind.mime not in MEDIA_TYPES:
        return None
    return str(kind.mime)


def digest_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


class ScanStore:
    """The scan table (created on first use)."""

    def __init__(self, db: ServiceTables, *, max_bytes: int = DEFAULT_MAX_SCAN_BYTES) -> None:
        self.db = db
        self.max_bytes = max_bytes
        self._ready = False
        self._lock = threading.Lock()

    def _ensure_table(self) -> None:
        if self._ready:
            return
        with self._lock:
            if self._ready:
                return
            self.db.create_schema()
            blob = "BLOB" if self.db.dialect == "sqlite" else "BYTEA"
            with self.db.transaction() as c:
                c.execute(
                    f"CREATE TABLE IF NOT EXISTS {SCANS_TABLE} (digest TEXT PRIMARY KEY, "
                    f"media_type TEXT NOT NULL, size INTEGER NOT NULL, content {blob} NOT NULL, "
                    "stored_at TEXT NOT NULL, stored_by TEXT NOT NULL)"
                )
            self._ready = True

    def validate(self, content: bytes) -> str:
        """The media type of an acceptable scan; :class:`ScanRefused` otherwise."""
        if not content:
            raise ScanRefused("scan_empty", "The file is empty.")
        if len(content) > self.max_bytes:
            raise ScanRefused(
                "scan_size",
                f"The file is {len(content)} bytes; a scan may be at most {self.max_bytes} bytes.",
            )
        media_type = media_type_of(content)
        if media_type is None:
            raise ScanRefused("scan_type", "The file is not a PDF, JPEG or PNG (checked by its content).")
        return media_type

    def put(self, content: bytes, *, stored_by: str, now: datetime) -> ScanInfo:
        """Keep a scan (once: the same bytes again return the scan already kept)."""
        media_type = self.validate(content)
        self._ensure_table()
        digest = digest_of(content)
        existing = self.info(digest)
        if existing is not None:
            return existing
        with self.db.transaction() as c:
            c.execute(
                f"INSERT INTO {SCANS_TABLE} (digest, media_type, size, content, stored_at, stored_by) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (digest) DO NOTHING",
                (digest, media_type, len(content), content, now.isoformat(), stored_by),
            )
        found = self.info(digest)
        assert found is not None
        return found

    def info(self, digest: str) -> ScanInfo | None:
        if not DIGEST.fullmatch(digest):
            return None
        self._ensure_table()
        with self.db.reading() as c:
            row = c.record(
                f"SELECT digest, media_type, size, stored_at, stored_by FROM {SCANS_TABLE} WHERE digest = ?",
                (digest,),
            )
        if row is None:
            return None
        return ScanInfo(
            row["digest"],
            row["media_type"],
            int(row["size"]),
            datetime.fromisoformat(row["stored_at"]),
            row["stored_by"],
        )

    def content(self, digest: str) -> tuple[ScanInfo, bytes] | None:
        info = self.info(digest)
        if info is None:
            return None
        with self.db.reading() as c:
            content = c.scalar(f"SELECT content FROM {SCANS_TABLE} WHERE digest = ?", (digest,))
        return info, bytes(content)

    def missing(self, digests: list[str] | tuple[str, ...]) -> list[str]:
        """The digests not kept here (a write may only refer to scans already uploaded)."""
        return [d for d in digests if self.info(d) is None]

    def check(self, digest: str) -> ScanCheck:
        """Whether the stored bytes still hash to ``digest`` (False if altered or gone)."""
        found = self.content(digest)
        if found is None:
            return ScanCheck(digest, None, False)
        info, content = found
        return ScanCheck(digest, info, digest_of(content) == digest)


def scan_store(app_state: object) -> ScanStore:
    """The app's scan store, made on first use from the services' SQL store and the settings."""
    services = app_state.services  # type: ignore[attr-defined]
    store: ScanStore | None = getattr(app_state, "scans", None)
    if store is None or store.db is not services.db:
        max_bytes = getattr(app_state.settings, "max_scan_bytes", DEFAULT_MAX_SCAN_BYTES)  # type: ignore[attr-defined]
        store = ScanStore(services.db, max_bytes=max_bytes)
        app_state.scans = store  # type: ignore[attr-defined]
    return store


def require_stored(app_state: object, digests: list[str] | tuple[str, ...], field: str) -> tuple[str, ...]:
    """The digests, once each, if every one names a kept scan; else a 422 naming the field (a
    write never refers to a scan the store does not hold)."""
    from api.errors import ApiProblem

    unique = tuple(dict.fromkeys(digests))
    if not unique:
        return unique
    missing = scan_store(app_state).missing(unique)
    if missing:
        raise ApiProblem(
            "validation_error",
            f"No scan is stored under {', '.join(missing)}: upload it first (POST /scans).",
            errors=[{"field": field, "message": f"Unknown scan {d}.", "in": "body"} for d in missing],
        )
    return unique
