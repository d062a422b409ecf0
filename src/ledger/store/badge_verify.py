"""``ledger verify-credential FILE [--keys KEYS.json]``: check a badge with no database and no
network, and name the first thing that fails.

In order: the VC-JWT's signature under the agency's published keys; that the credential was not
voided; the checkpoint's signature under the same keys; that the evidence lists exactly the events
whose proofs it carries; and each event's RFC 9162 inclusion proof into the checkpoint's root.

Badges are signed with ``joserfc``; this checker verifies the compact JWS's Ed25519 signature
with ``cryptography`` directly (the signing input is ``HEADER.PAYLOAD``, RFC 7515 §5.2): importing
``joserfc`` (it loads ``cryptography.x509``) alone costs more than the 50 ms budget of an offline
check, process start-up included. No primitive is hand-written; only the three dot-separated
parts are split. So ``python -m ledger.store.badge_verify FILE --keys KEYS.json`` starts fast (see
bench/proofs.py); tests check that ``joserfc`` accepts the same badges.
Exit 0 valid, 1 not valid (or unreadable).
"""

from __future__ import annotations

import base64
import json
import os
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from ledger.store import merkle
from ledger.store.checkpoints import SignedCheckpoint, public_keys_from_jwks

# No typing, dataclasses or pathlib at run time: this module's start-up is part of the check's
# budget (bench/proofs.py). mypy reads the names under TYPE_CHECKING.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

ALGORITHMS = ["Ed25519", "EdDSA"]


class Outcome:
    __slots__ = ("message", "valid")

    def __init__(self, valid: bool, message: str) -> None:
        self.valid = valid
        self.message = message


def _fail(message: str) -> Outcome:
    return Outcome(False, f"INVALID: {message}")


def verify_badge(token: str, key_set: Any) -> Outcome:
    try:
        keys = public_keys_from_jwks(key_set)
    except ValueError as error:
        return _fail(f"the key set cannot be read ({error}).")
    parts = token.strip().split(".")
    try:
        if len(parts) != 3:
            raise ValueError("not three parts")
        header = json.loads(b64url_decode(parts[0]))
        payload, signature = b64url_decode(parts[1]), b64url_decode(parts[2])
    except ValueError:
        return _fail("the file is not a VC-JWT (compact JWS).")
    kid = header.get("kid") if isinstance(header, dict) else None
    if not isinstance(kid, str) or kid not in keys:
        return _fail(f"signature: the badge is signed by key {kid!r}, which is not among the published keys.")
    if header.get("alg") not in ALGORITHMS or header.get("crit"):
        return _fail(f"signature: algorithm {header.get('alg')!r} is not Ed25519.")
    if not _signature_holds(keys[kid], f"{parts[0]}.{parts[1]}".encode("ascii"), signature):
        return _fail(f"signature: the badge's signature does not verify under key {kid}.")
    try:
        credential = json.loads(payload)
        proof = credential["ledgerProof"]
        checkpoint = SignedCheckpoint.from_json(proof["checkpoint"])
        events = proof["events"]
        status = credential.get("ledgerStatus") or {}
    except (ValueError, KeyError, TypeError) as error:
        return _fail(f"the badge's ledger proof cannot be read ({error}).")
    if status.get("voided"):
        return _fail(f"voided: the credential was voided by event {status.get('voided_by')}.")
    wrong = checkpoint.verify(keys)
    if wrong is not None:
        return _fail(f"checkpoint: {wrong}.")
    evidence_ids = [e.get("id") for e in credential.get("evidence", []) if isinstance(e, dict)]
    proof_ids = [f"urn:ledger:event:{e.get('event_id')}" for e in events if isinstance(e, dict)]
    if evidence_ids != proof_ids or not proof_ids:
        return _fail("evidence: the evidence does not list exactly the events whose proofs it carries.")
    for event in events:
        outcome = _check_event(event, checkpoint)
        if outcome is not None:
            return outcome
    name = credential.get("credentialSubject", {}).get("achievement", {}).get("name", "?")
    return Outcome(
        True,
        f"VALID: '{name}', signed by key {kid}; {len(events)} evidence event(s) are in the log's "
        f"tree of {checkpoint.size} events (root {checkpoint.root}), whose checkpoint is signed.",
    )


def _check_event(event: Any, checkpoint: SignedCheckpoint) -> Outcome | None:
    try:
        position, event_hash = int(event["position"]), str(event["event_hash"])
        index, hashes = int(event["leaf_index"]), [str(h) for h in event["hashes"]]
        leaf = merkle.leaf_hash(position, event_hash)
        included = merkle.verify_inclusion(index, checkpoint.size, leaf, hashes, checkpoint.root)
    except (KeyError, TypeError, ValueError):
        return _fail(f"proof: the proof of event {event!r:.80} cannot be read.")
    if not included:
        return _fail(
            f"proof: event {event.get('event_id')} (position {position}) is not proven to be in the "
            f"checkpoint's tree of {checkpoint.size} events."
        )
    return None


def b64url_decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _signature_holds(public: Ed25519PublicKey, signing_input: bytes, signature: bytes) -> bool:
    try:
        public.verify(signature, signing_input)
    except (InvalidSignature, ValueError):
        return False
    return True


def _read(path: str | os.PathLike[str]) -> str:
    with open(path, encoding="utf-8") as stream:
        return stream.read()


def verify_file(path: str | os.PathLike[str], keys_path: str | os.PathLike[str] | None) -> Outcome:
    try:
        token = _read(path)
    except (OSError, UnicodeDecodeError) as error:
        return _fail(f"cannot read {path}: {error}")
    keys_file = keys_path or os.path.join(os.path.dirname(os.fspath(path)), "ledger-keys.json")
    try:
        key_set = json.loads(_read(keys_file))
    except (OSError, ValueError) as error:
        return _fail(
            f"no usable key set at {keys_file} ({error}): give --keys, the agency's "
            "/.well-known/ledger-keys.json kept by the auditor."
        )
    return verify_badge(token, key_set)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    keys: str | None = None
    if "--keys" in args:
        at = args.index("--keys")
        if at + 1 >= len(args):
            print("usage: verify-credential FILE [--keys KEYS.json]", file=sys.stderr)
            return 1
        keys = args[at + 1]
        del args[at : at + 2]
    if len(args) != 1:
        print("usage: verify-credential FILE [--keys KEYS.json]", file=sys.stderr)
        return 1
    outcome = verify_file(args[0], keys)
    print(outcome.message)
    return 0 if outcome.valid else 1


if __name__ == "__main__":
    raise SystemExit(main())
