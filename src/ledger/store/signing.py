"""The agency's key: one Ed25519 private key, in a PEM file outside the database.

``LEDGER_SIGNING_KEY`` names the file. Without it, an SQLite ledger makes one beside its database
file (``ledger.db`` → ``ledger.db.signing-key.pem``) on first start, and a PostgreSQL ledger in
``$XDG_STATE_HOME/ledger/`` (default ``~/.local/state/ledger/``), named after host, database and
schema; either way the path is logged. The file is created readable by its owner only.

Two things come from the one key, so there is one secret to guard and to rotate:

- the **link key**: HMAC-SHA256 over each chain link (``link_mac``). An HMAC costs about a
  microsecond, an Ed25519 signature about 50; both are small beside a commit, but the link MAC is
  checked by ``ledger verify``, which runs where the key is, so nothing is gained by making every
  link publicly verifiable. It is derived from the private key with HKDF (RFC 5869), never the
  key itself.
- **signatures** (Ed25519) on checkpoints and credentials, which anyone can check with the public
  key published at ``/.well-known/ledger-keys.json``.

A file may hold several PEM keys: the last is the current one, earlier ones are retired keys kept
so that links they authenticated still verify (rotation: append a new key to the file, restart;
the ledger records the rotation in its key table).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

SIGNING_KEY_VARIABLE = "LEDGER_SIGNING_KEY"
LINK_MAC_PREFIX = "ledger-link-v1"
_PEM_BLOCK = re.compile(
    rb"-----BEGIN PRIVATE KEY-----.+?-----END PRIVATE KEY-----", re.DOTALL
)

log = logging.getLogger("ledger.signing")  # the name operators filter on; kept when the module moved


class SigningKeyError(ValueError):
    pass


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def public_key_id(public: Ed25519PublicKey) -> str:
    """A short name for a public key: the first 16 hex digits of SHA-256 of its raw bytes."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def public_key_b64(public: Ed25519PublicKey) -> str:
    return b64url(public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))


def load_public_key(raw_b64url: str) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(b64url_decode(raw_b64url))


class AgencyKey:
    """One Ed25519 key; its id and derived link key are computed once (appends use them)."""

    def __init__(self, private: Ed25519PrivateKey) -> None:
        self.private = private
        self.public: Ed25519PublicKey = private.public_key()
        self.key_id = public_key_id(self.public)
        raw = private.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        self.link_key = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=b"ledger link mac v1"
        ).derive(raw)

    def sign(self, message: bytes) -> str:
        return b64url(self.private.sign(message))


def link_message(seq: int, position: int, event_hash: str, chain_digest: str) -> bytes:
    """What a link MAC covers: the link's place in the chain and in the log, the event's hash and
    the running digest (which commits to every earlier event, so one MAC authenticates the whole
    prefix)."""
    return f"{LINK_MAC_PREFIX}\n{seq}\n{position}\n{event_hash}\n{chain_digest}".encode()


def link_mac(link_key: bytes, seq: int, position: int, event_hash: str, chain_digest: str) -> str:
    return hmac.new(
        link_key, link_message(seq, position, event_hash, chain_digest), hashlib.sha256
    ).hexdigest()


def macs_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def verify_signature(public: Ed25519PublicKey, signature_b64url: str, message: bytes) -> bool:
    try:
        public.verify(b64url_decode(signature_b64url), message)
    except (InvalidSignature, ValueError):
        return False
    return True


@dataclass(frozen=True)
class KeyRing:
    """The keys read from the key file: ``current`` signs, all of them verify."""

    path: Path
    keys: tuple[AgencyKey, ...]
    created: bool = False

    @property
    def current(self) -> AgencyKey:
        return self.keys[-1]

    def by_id(self, key_id: str) -> AgencyKey | None:
        return next((k for k in self.keys if k.key_id == key_id), None)


def read_key_file(path: Path) -> tuple[AgencyKey, ...]:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise SigningKeyError(f"cannot read the signing key file {path}: {error}") from None
    keys = []
    for block in _PEM_BLOCK.findall(data):
        try:
            key = serialization.load_pem_private_key(block, password=None)
        except ValueError as error:
            raise SigningKeyError(f"{path} holds a key that cannot be read: {error}") from None
        if not isinstance(key, Ed25519PrivateKey):
            raise SigningKeyError(f"{path} holds a key that is not Ed25519.")
        keys.append(AgencyKey(key))
    if not keys:
        raise SigningKeyError(f"{path} holds no PEM private key (PKCS#8, Ed25519).")
    return tuple(keys)


def pem_of(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def create_key_file(path: Path) -> bool:
    """Write a new key to ``path`` unless it exists (another process may race us: O_EXCL)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "wb") as out:
        out.write(pem_of(Ed25519PrivateKey.generate()))
    return True


def default_key_path(store_kind: str, sqlite_path: str | None, url: str, environ: Mapping[str, str]) -> Path:
    if store_kind == "sqlite" and sqlite_path:
        return Path(f"{sqlite_path}.signing-key.pem")
    parts = urlsplit(url)
    schema = "public"
    for pair in parts.query.split("&"):
        name, _, value = pair.partition("=")
        if name == "schema" and value:
            schema = unquote(value)
    state = Path(environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state")
    name = f"{parts.hostname}-{parts.port or 5432}-{unquote(parts.path.strip('/'))}-{schema}"
    return state / "ledger" / f"{re.sub(r'[^A-Za-z0-9._-]', '_', name)}.signing-key.pem"


def key_ring(path: Path, *, create: bool) -> KeyRing:
    created = create and create_key_file(path)
    if created:
        log.warning("No LEDGER_SIGNING_KEY: made a new signing key at %s (keep a copy; it "
                    "authenticates the log)", path)
    return KeyRing(path, read_key_file(path), created)
