"""Signed checkpoints, inclusion and consistency proofs, and the agency's public keys.

The proofs are read from the stored Merkle tree in O(log n) node reads (``ledger.store.proofs``)."""

from __future__ import annotations

import os
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response
from fastapi.responses import PlainTextResponse

from api.deps import Auditor, LedgerDep
from api.errors import ApiProblem
from api.routers.common import CredentialId, StaffId
from api.schemas.problem import problems
from api.schemas.proofs import (
    CheckpointPage,
    ConsistencyProofOut,
    InclusionProofOut,
    KeySet,
    SignedCheckpointOut,
)
from ledger.exports.badge import build_badge
from ledger.store import proofs
from ledger.store.proofs import ProofError

router = APIRouter(tags=["proofs"])

MAX_SIZE = 2**62


def _invalid(error: ProofError) -> ApiProblem:
    return ApiProblem(
        "validation_error",
        error.detail,
        errors=[{"field": error.field, "message": error.detail, "in": "query"}],
    )


@router.get(
    "/checkpoints", response_model=CheckpointPage, responses=problems(401, 403, 422),
    summary="Signed checkpoints, oldest first",
)
def checkpoints(
    _who: Auditor,
    ledger: LedgerDep,
    after: Annotated[int, Query(ge=0, le=MAX_SIZE, description="Checkpoints of a size above this.")] = 0,
    limit: Annotated[int, Query(ge=1, le=500, description="At most this many (default 50).")] = 50,
) -> Any:
    """Every signed checkpoint (one per `LEDGER_CHECKPOINT_EVERY` events, `ledger checkpoint`,
    and daily when the log moved). Keep them outside the agency: see docs/integrity.md."""
    page = ledger.chained_recorder.proofs.checkpoints_page(after, limit)
    return {
        "items": [c.as_json() for c in page],
        "next_after": page[-1].size if len(page) == limit else None,
    }


@router.get(
    "/checkpoints/latest", response_model=SignedCheckpointOut, responses=problems(401, 403, 404),
    summary="The latest signed checkpoint",
)
def latest_checkpoint(_who: Auditor, ledger: LedgerDep) -> Any:
    latest = ledger.chained_recorder.proofs.latest_checkpoint()
    if latest is None:
        raise ApiProblem("not_found", "No checkpoint has been signed yet (run `ledger checkpoint`).")
    return latest.as_json()


@router.get(
    "/checkpoints/consistency", response_model=ConsistencyProofOut, responses=problems(401, 403, 422),
    summary="A consistency proof between two tree sizes",
)
def consistency(
    _who: Auditor,
    ledger: LedgerDep,
    from_: Annotated[int, Query(alias="from", ge=1, le=MAX_SIZE, description="The older size.")],
    to: Annotated[int, Query(ge=1, le=MAX_SIZE, description="The newer size.")],
) -> Any:
    """Proves that the tree of size `to` extends the tree of size `from` (RFC 9162 §2.1.4)."""
    try:
        return proofs.consistency_proof(ledger.chained_recorder, from_, to)
    except ProofError as error:
        raise _invalid(error) from None


@router.get(
    "/events/{position}/proof", response_model=InclusionProofOut,
    responses=problems(401, 403, 404, 422), summary="An inclusion proof of one event",
)
def inclusion(
    _who: Auditor,
    ledger: LedgerDep,
    position: Annotated[int, Path(ge=1, le=MAX_SIZE, description="The event's log position.")],
    size: Annotated[int, Query(ge=1, le=MAX_SIZE, description="The tree size (a checkpoint's).")],
) -> Any:
    """Proves that the event at `position` is in the tree of `size` events (RFC 9162 §2.1.3)."""
    try:
        return proofs.inclusion_proof(ledger.chained_recorder, position, size).as_json()
    except ProofError as error:
        if error.field == "position":
            raise ApiProblem("not_found", error.detail) from None
        raise _invalid(error) from None


@router.get(
    "/.well-known/ledger-keys.json", response_model=KeySet, summary="The agency's public keys",
)
def published_keys(ledger: LedgerDep) -> Any:
    """The Ed25519 public keys that sign checkpoints and credentials (JWK, RFC 8037), with the
    chain seqs whose links each one authenticates. No key needed."""
    return proofs.published_keys(ledger.chained_recorder)


BADGE_MEDIA_TYPE = "application/vc+jwt"


def badge_settings() -> dict[str, Any]:
    """The issuer's name (``LEDGER_AGENCY_NAME``) and whether badges show the birth date
    (``LEDGER_BADGE_BIRTH_DATE=true``; off by default: it is personal data)."""
    return {
        "agency_name": os.environ.get("LEDGER_AGENCY_NAME", "").strip() or "Ledger",
        "with_birth_date": os.environ.get("LEDGER_BADGE_BIRTH_DATE", "").lower() in ("1", "true", "yes"),
    }


@router.get(
    "/staff/{staff_id}/credentials/{credential_id}/badge",
    response_class=PlainTextResponse,
    responses={
        200: {"content": {BADGE_MEDIA_TYPE: {}}, "description": "The signed badge (VC-JWT)."},
        **problems(401, 403, 404),
    },
    summary="A credential as a signed Open Badges 3.0 credential",
)
def badge(staff_id: StaffId, credential_id: CredentialId, _who: Auditor, ledger: LedgerDep) -> Response:
    """The credential as an Open Badges 3.0 `OpenBadgeCredential` (W3C VC 2.0), signed by the
    agency's Ed25519 key as a VC-JWT. Its `evidence` lists the events that produced it (the
    enrollment with its dispatch decision, the completion or recognition, any correction), and
    `ledgerProof` their inclusion proofs into a signed checkpoint: `ledger verify-credential`
    checks it offline. A voided credential's badge says so (`ledgerStatus`) and does not verify.
    `LEDGER_AGENCY_NAME` names the issuer; `LEDGER_BADGE_BIRTH_DATE=true` adds the birth date."""
    made = build_badge(ledger, staff_id, credential_id, now=ledger.clock.now(), **badge_settings())
    return Response(
        made.token,
        media_type=BADGE_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="badge-{staff_id}-{credential_id}.jwt"'},
    )
