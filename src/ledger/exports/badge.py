"""A credential as an Open Badges 3.0 ``OpenBadgeCredential`` (W3C VC 2.0 data model), signed as
a VC-JWT, that carries the proof of the history that produced it.

The file is a compact JWS (RFC 7515; ``typ: vc+jwt``, ``alg: Ed25519`` of RFC 9864) whose payload
is the credential JSON. It is signed with the agency's Ed25519 key through ``joserfc`` (a kept,
typed JOSE library built on ``cryptography``): VC-JWT needs no JSON-LD canonicalisation, unlike
Data Integrity ``eddsa-rdfc-2022``, whose RDF canonicalisation would need a document loader (and
network access to contexts) to verify — the opposite of an offline check.

Besides the OB 3.0 fields, the payload carries ``ledgerProof``: the signed checkpoint and, for
each evidence event, its position, chain hash, leaf index and RFC 9162 inclusion proof into that
checkpoint's tree. ``ledger verify-credential`` (``ledger.store.badge_verify``) checks all of it with
no database and no network.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from joserfc import jws
from joserfc.jwk import OKPKey

from ledger.application import Ledger
from ledger.domain import errors
from ledger.service import HistoryEntry
from ledger.store.checkpoints import SignedCheckpoint
from ledger.store.proofs import inclusion_proof, seq_of_position
from ledger.store.signing import AgencyKey, pem_of

ALGORITHM = "Ed25519"
MEDIA_TYPE = "application/vc+jwt"
CONTEXTS = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
_NAMESPACE = uuid.UUID("6f1c43f2-5d7e-4c59-8d3e-2b3f7e5c9a10")  # ids of badges: uuid5 under this
EVENT_NAMES = {
    "Enrolled": "Quyết định cử đi học và ghi danh / Dispatch decision and enrollment",
    "Completed": "Hoàn thành khoá học / Completion",
    "CredentialRecognized": "Công nhận văn bằng, chứng chỉ / Credential recognised",
    "Corrected": "Đính chính / Correction",
}


@dataclass(frozen=True)
class Badge:
    token: str
    credential: dict[str, Any]
    voided_by: str | None


def _iso(day: date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def credential_events(history: list[HistoryEntry], credential_id: str) -> list[HistoryEntry]:
    """The events that produced the credential: the enrollment (with its dispatch decision), the
    completion that awarded it, or its recognition, and every correction of any of them."""
    source = None
    for entry in history:
        award = entry.data.get("credential")
        awarded = entry.type == "Completed" and getattr(award, "credential_id", None) == credential_id
        recognized = (
            entry.type == "CredentialRecognized" and entry.data.get("credential_id") == credential_id
        )
        if awarded or recognized:
            source = entry
    if source is None:
        raise errors.CredentialNotFound(
            f"No credential '{credential_id}' on this record.", field="credential_id"
        )
    chosen = [source]
    enrollment_id = source.data.get("enrollment_id")
    if source.type == "Completed" and enrollment_id:
        chosen += [
            e for e in history if e.type == "Enrolled" and e.data.get("enrollment_id") == enrollment_id
        ]
    ids = {e.event_id for e in chosen}
    chosen += [e for e in history if e.type == "Corrected" and e.data.get("voided_event_id") in ids]
    return sorted(chosen, key=lambda e: e.version)


def build_badge(
    ledger: Ledger,
    staff_id: str,
    credential_id: str,
    *,
    now: datetime,
    agency_name: str,
    with_birth_date: bool = False,
) -> Badge:
    history = ledger.history(staff_id)
    events = credential_events(history, credential_id)
    source = next(e for e in events if e.type in ("Completed", "CredentialRecognized"))
    details = _details(source, events)
    registered = history[0].data
    recorder = ledger.chained_recorder
    # The tree as it stands now, signed (or the checkpoint already signed at this size).
    checkpoint: SignedCheckpoint = recorder.proofs.sign_checkpoint()
    key: AgencyKey = ledger.key_ring.current
    proofs = []
    for entry in events:
        assert entry.position is not None
        proof = inclusion_proof(recorder, entry.position, checkpoint.size)
        found = seq_of_position(recorder, entry.position)
        assert found is not None
        proofs.append(
            {
                "event_id": entry.event_id,
                "type": entry.type,
                "position": entry.position,
                "event_hash": proof.event_hash,
                "leaf_index": proof.index,
                "hashes": proof.hashes,
            }
        )
    voided_by = source.voided_by
    identifiers = [
        {"type": "IdentityObject", "identityType": "name", "hashed": False,
         "identityHash": registered.get("full_name", "")},
        {"type": "IdentityObject", "identityType": "identifier", "hashed": False, "identityHash": staff_id},
    ]
    if with_birth_date and registered.get("birth_date") is not None:
        identifiers.append(
            {"type": "IdentityObject", "identityType": "ext:birthDate", "hashed": False,
             "identityHash": str(registered["birth_date"])}
        )
    badge_id = uuid.uuid5(_NAMESPACE, f"{staff_id}/{credential_id}")
    title = details["title"]
    credential: dict[str, Any] = {
        "@context": CONTEXTS,
        "id": f"urn:uuid:{badge_id}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": title if voided_by is None else f"[ĐÃ HỦY / VOIDED] {title}",
        "issuer": {"id": f"urn:ledger:key:{key.key_id}", "type": ["Profile"], "name": agency_name},
        "validFrom": _iso(details["issued_on"]),
        "issuanceDate": _iso(details["issued_on"]),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": identifiers,
            "achievement": {
                "id": f"urn:ledger:achievement:{credential_id}",
                "type": ["Achievement"],
                "achievementType": "Certificate",
                "name": title,
                "description": f"{details['track']} · {details['level'] or '-'} · {details['issuer']}",
                "criteria": {"narrative": f"{title} — {details['issuer']}"},
                "fieldOfStudy": details["track"],
                "tag": [t for t in (details["track"], details["level"]) if t],
                "creator": {"id": f"urn:ledger:issuer:{uuid.uuid5(_NAMESPACE, details['issuer'])}",
                            "type": ["Profile"], "name": details["issuer"]},
                **({"humanCode": details["number"]} if details["number"] else {}),
            },
        },
        "evidence": [
            {
                "id": f"urn:ledger:event:{p['event_id']}",
                "type": ["Evidence"],
                "name": EVENT_NAMES.get(str(p["type"]), str(p["type"])),
                "description": f"event {p['event_id']}, position {p['position']}, hash {p['event_hash']}",
            }
            for p in proofs
        ],
        "ledgerProof": {"checkpoint": checkpoint.as_json(), "events": proofs},
        "ledgerStatus": {"voided": voided_by is not None, "voided_by": voided_by,
                         "exported_at": now.isoformat()},
    }
    header = {"alg": ALGORITHM, "kid": key.key_id, "typ": "vc+jwt", "cty": "vc"}
    payload = json.dumps(credential, ensure_ascii=False, separators=(",", ":")).encode()
    signer = OKPKey.import_key(pem_of(key.private))
    token = jws.serialize_compact(header, payload, signer, algorithms=[ALGORITHM])
    return Badge(token, credential, voided_by)


def _details(source: HistoryEntry, events: list[HistoryEntry]) -> dict[str, Any]:
    data = source.data
    if source.type == "Completed":
        award = data["credential"]
        enrolled = next((e.data for e in events if e.type == "Enrolled"), {})
        return {
            "title": award.title, "issuer": award.issuer, "issued_on": award.issued_on,
            "number": award.number, "track": str(enrolled.get("track") or ""),
            "level": enrolled.get("level"),
        }
    return {
        "title": data["title"], "issuer": data["issuer"], "issued_on": data["issued_on"],
        "number": data.get("number"), "track": str(data.get("track") or ""), "level": data.get("level"),
    }
