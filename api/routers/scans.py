"""Evidence scans: upload one (PDF, JPEG or PNG, checked by content), read it back by digest."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from api.deps import Auditor, LedgerDep, Registrar
from api.errors import ApiProblem
from api.scans import ScanRefused, digest_of, scan_store
from api.schemas.problem import problems

router = APIRouter(prefix="/scans", tags=["scans"])

Digest = Annotated[str, Path(pattern=r"^[0-9a-f]{64}$", description="The scan's SHA-256 digest.")]


@router.post(
    "",
    status_code=201,
    summary="Upload an evidence scan",
    responses={
        201: {"description": "Kept (or already kept): `{digest, media_type, size}`."},
        **problems(401, 403, 413, 422),
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                t: {"schema": {"type": "string", "format": "binary"}}
                for t in ("application/pdf", "image/jpeg", "image/png")
            },
        }
    },
)
async def upload(request: Request, principal: Registrar, ledger: LedgerDep) -> JSONResponse:
    """Keep the request body as a scan, under the SHA-256 digest of its bytes. The type is decided
    by the content (a PDF, JPEG or PNG), whatever the `Content-Type` says; at most
    `LEDGER_MAX_SCAN_BYTES` (10 MB by default). Refer to it from a completion's
    `credential.scans` or a recognised credential's `evidence.scans`."""
    content = await request.body()
    store = scan_store(request.app.state)
    try:
        info = await run_in_threadpool(store.put, content, stored_by=principal.name, now=ledger.clock.now())
    except ScanRefused as refused:
        raise ApiProblem(
            "validation_error",
            refused.message,
            errors=[{"field": "body", "message": refused.message, "in": "body"}],
        ) from None
    body = {"digest": info.digest, "media_type": info.media_type, "size": info.size}
    return JSONResponse(body, status_code=201, headers={"Location": f"/scans/{info.digest}"})


@router.get(
    "/{digest}",
    summary="Read an evidence scan",
    responses={200: {"description": "The scan's bytes."}, **problems(401, 403, 404, 422)},
)
def read(digest: Digest, request: Request, principal: Auditor) -> Response:
    """The stored bytes, with their media type. `Ledger-Scan-Matches: false` says the stored bytes
    no longer hash to the digest (the events, and so the hash chain, hold the digest)."""
    store = scan_store(request.app.state)
    found = store.content(digest)
    if found is None:
        raise ApiProblem("not_found", f"No scan is stored under {digest}.")
    info, content = found
    return Response(
        content,
        media_type=info.media_type,
        headers={
            "Ledger-Scan-Matches": "true" if digest_of(content) == digest else "false",
            "Content-Disposition": f'inline; filename="{digest[:16]}"',
            "X-Content-Type-Options": "nosniff",
        },
    )
