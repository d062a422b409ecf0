"""Evidence scans on the provenance page: which scans the events name, whether each stored file
still hashes to the digest the event (and so the hash chain) holds, and a way to open it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from api.keys import Permission
from api.pages.web import Page, open_page
from api.scans import DIGEST, ScanCheck, digest_of, scan_store

# Included by the forms' router, which carries the pages' prefix.
router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class ScanRow:
    """One scan named by an event of the trail."""

    event_id: str
    digest: str
    check: ScanCheck


def scans_named(data: dict[str, Any]) -> list[str]:
    """The scan digests an event's data names: a recognition's ``evidence.scans`` or a
    completion's ``credential.scans`` (older events name none)."""
    found: list[str] = []
    for holder in ("evidence", "credential"):
        value = data.get(holder)
        # The history gives the value objects; a view's stored copy gives their JSON form.
        scans = value.get("scans") if isinstance(value, dict) else getattr(value, "scans", None)
        found.extend(str(d) for d in scans or ())
    return found


def scan_rows(page: Page, steps: Sequence[Any]) -> list[ScanRow]:
    """Every scan the trail's events name, each checked against the store now."""
    store = scan_store(page.request.app.state)
    rows = []
    for step in steps:
        for digest in scans_named(step.data):
            rows.append(ScanRow(step.event_id, digest, store.check(digest)))
    return rows


@router.get("/scans/{digest}")
async def open_scan(request: Request, digest: str) -> Response:
    """The stored file, for registrars and auditors; ``Ledger-Scan-Matches`` says whether it still
    hashes to its digest."""
    page = open_page(request, Permission.AUDIT)
    if not DIGEST.fullmatch(digest):
        raise page.fail(page.t("error.not_found"), status=404)
    store = scan_store(request.app.state)
    found = await run_in_threadpool(store.content, digest)
    if found is None:
        raise page.fail(page.t("error.not_found"), status=404)
    info, content = found
    return Response(
        content,
        media_type=info.media_type,
        headers={
            "Ledger-Scan-Matches": "true" if digest_of(content) == digest else "false",
            "Content-Disposition": f'inline; filename="{digest[:16]}"',
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
        },
    )
