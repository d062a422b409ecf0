"""Signed checkpoints, proofs and the published keys (docs/integrity.md)."""

from __future__ import annotations

from pydantic import Field

from api.schemas.common import ResponseModel


class SignedCheckpointOut(ResponseModel):
    size: int = Field(description="How many events the tree holds (the log's length then).")
    root: str = Field(description="The RFC 9162 Merkle root of those events (SHA-256, hex).")
    key_id: str = Field(description="The signing key's id (see /.well-known/ledger-keys.json).")
    signed_at: str = Field(description="When it was signed (UTC, ISO 8601).")
    signature: str = Field(
        description="Ed25519 over `ledger-signed-checkpoint-v1\\nSIZE\\nROOT\\nKEY_ID\\nSIGNED_AT\\n` "
        "(base64url)."
    )


class CheckpointPage(ResponseModel):
    items: list[SignedCheckpointOut]
    next_after: int | None = Field(description="Ask again with `after=` this for the next page.")


class InclusionProofOut(ResponseModel):
    position: int = Field(description="The event's log position.")
    leaf_index: int = Field(description="Its leaf in the tree (chain order, from 0).")
    tree_size: int
    event_hash: str = Field(description="The event's chain hash.")
    leaf_hash: str = Field(description="SHA-256(0x00 ‖ position as 8 bytes ‖ event_hash).")
    root: str = Field(description="The root of the tree of `tree_size` events.")
    hashes: list[str] = Field(description="The audit path of RFC 9162 §2.1.3, leaf side first.")


class ConsistencyProofOut(ResponseModel):
    from_: int = Field(alias="from", serialization_alias="from")
    to: int
    from_root: str
    to_root: str
    hashes: list[str] = Field(description="The consistency proof of RFC 9162 §2.1.4.")


class PublishedKey(ResponseModel):
    kty: str
    crv: str
    x: str = Field(description="The raw Ed25519 public key (base64url), RFC 8037.")
    kid: str
    alg: str
    use: str
    valid_from: str
    valid_until: str | None
    authenticates_from_seq: int
    authenticates_until_seq: int | None


class KeySet(ResponseModel):
    keys: list[PublishedKey]
