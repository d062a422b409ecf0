"""Signed checkpoints: the log's size and Merkle root, signed with the agency's Ed25519 key.

A signed checkpoint is what an auditor carries away. It has two forms, both accepted wherever a
checkpoint is read (``ledger verify --against``, ``ledger verify-credential``):

- JSON, as the API answers: ``{"size", "root", "key_id", "signed_at", "signature"}``;
- one line of text: ``ledger-signed-checkpoint-v1 SIZE ROOT KEY_ID SIGNED_AT SIGNATURE``.

The signature (Ed25519, base64url) covers ``ledger-signed-checkpoint-v1\\nSIZE\\nROOT\\nKEY_ID\\n
SIGNED_AT\\n``; anyone can check it with the public key published at
``/.well-known/ledger-keys.json``.
"""

from __future__ import annotations

import base64
import json

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

# The offline checker (ledger.store.badge_verify) imports this module and must start fast: no typing,
# no dataclasses at run time (mypy reads the names under TYPE_CHECKING).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

    from ledger.store.signing import AgencyKey

SIGNED_CHECKPOINT_PREFIX = "ledger-signed-checkpoint-v1"


class SignedCheckpoint:
    __slots__ = ("key_id", "root", "signature", "signed_at", "size")

    def __init__(self, size: int, root: str, key_id: str, signed_at: str, signature: str) -> None:
        self.size = size
        self.root = root
        self.key_id = key_id
        self.signed_at = signed_at
        self.signature = signature

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SignedCheckpoint) and self.as_json() == other.as_json()

    def __hash__(self) -> int:
        return hash(tuple(self.as_json().values()))

    def __repr__(self) -> str:
        return f"SignedCheckpoint({self.as_json()!r})"

    @staticmethod
    def message_for(size: int, root: str, key_id: str, signed_at: str) -> bytes:
        return f"{SIGNED_CHECKPOINT_PREFIX}\n{size}\n{root}\n{key_id}\n{signed_at}\n".encode()

    @classmethod
    def sign(cls, key: AgencyKey, size: int, root: str, signed_at: str) -> SignedCheckpoint:
        message = cls.message_for(size, root, key.key_id, signed_at)
        return cls(size, root, key.key_id, signed_at, key.sign(message))

    def message(self) -> bytes:
        return self.message_for(self.size, self.root, self.key_id, self.signed_at)

    def verify(self, public_keys: Mapping[str, Ed25519PublicKey]) -> str | None:
        """None when the signature is good under the named key; else what is wrong."""
        public = public_keys.get(self.key_id)
        if public is None:
            return f"the checkpoint is signed by key {self.key_id}, which is not among the keys given"
        try:
            public.verify(_b64url_decode(self.signature), self.message())
        except (InvalidSignature, ValueError):
            return f"the checkpoint's signature does not verify under key {self.key_id}"
        return None

    def as_json(self) -> dict[str, Any]:
        return {
            "size": self.size,
            "root": self.root,
            "key_id": self.key_id,
            "signed_at": self.signed_at,
            "signature": self.signature,
        }

    def __str__(self) -> str:
        return " ".join(
            [SIGNED_CHECKPOINT_PREFIX, str(self.size), self.root, self.key_id, self.signed_at,
             self.signature]
        )

    @classmethod
    def from_json(cls, data: Any) -> SignedCheckpoint:
        if not isinstance(data, dict):
            raise ValueError("a signed checkpoint must be a JSON object")
        try:
            size, root = data["size"], data["root"]
            key_id, signed_at, signature = data["key_id"], data["signed_at"], data["signature"]
        except KeyError as missing:
            raise ValueError(f"the signed checkpoint has no field {missing}") from None
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise ValueError("the signed checkpoint's size must be a whole number ≥ 0")
        for name, value in (("root", root), ("key_id", key_id), ("signed_at", signed_at),
                            ("signature", signature)):
            if not isinstance(value, str) or not value:
                raise ValueError(f"the signed checkpoint's {name} must be a non-empty string")
        if len(root) != 64 or any(c not in "0123456789abcdef" for c in root):
            raise ValueError("the signed checkpoint's root must be 64 lowercase hex digits")
        return cls(size, root, key_id, signed_at, signature)

    @classmethod
    def parse(cls, text: str) -> SignedCheckpoint:
        text = text.strip()
        if text.startswith("{"):
            return cls.from_json(json.loads(text))
        parts = text.split()
        if len(parts) != 6 or parts[0] != SIGNED_CHECKPOINT_PREFIX or not parts[1].isdigit():
            raise ValueError(
                f"not a signed checkpoint (expected {SIGNED_CHECKPOINT_PREFIX} SIZE ROOT KEY_ID "
                "SIGNED_AT SIGNATURE, or its JSON)"
            )
        return cls.from_json(
            dict(zip(["size", "root", "key_id", "signed_at", "signature"],
                     [int(parts[1]), *parts[2:]], strict=True))
        )


def public_keys_from_jwks(data: Any) -> dict[str, Ed25519PublicKey]:
    """The Ed25519 keys of a published key set (``/.well-known/ledger-keys.json``) by key id."""
    if not isinstance(data, dict) or not isinstance(data.get("keys"), list):
        raise ValueError("a key set must be a JSON object with a list of keys")
    found = {}
    for entry in data["keys"]:
        if not isinstance(entry, dict) or entry.get("kty") != "OKP" or entry.get("crv") != "Ed25519":
            continue
        kid, x = entry.get("kid"), entry.get("x")
        if isinstance(kid, str) and isinstance(x, str):
            try:
                found[kid] = Ed25519PublicKey.from_public_bytes(_b64url_decode(x))
            except ValueError:
                continue
    return found


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
