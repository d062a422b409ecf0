"""The provenance page's download of a credential as a signed Open Badges 3.0 badge (VC-JWT).

The same badge as ``GET /staff/{staff_id}/credentials/{credential_id}/badge``, for a signed-in
auditor or registrar of the pages (session cookie instead of an API key)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.keys import Permission
from api.pages.web import PREFIX, open_page
from api.routers.proofs import BADGE_MEDIA_TYPE, badge_settings
from ledger.domain import errors
from ledger.exports.badge import build_badge

router = APIRouter(prefix=PREFIX, include_in_schema=False)


@router.get("/staff/{staff_id}/credentials/{credential_id}/badge")
def download_badge(request: Request, staff_id: str, credential_id: str) -> Response:
    page = open_page(request, Permission.AUDIT)
    ledger = page.workbench.ledger
    try:
        made = build_badge(ledger, staff_id, credential_id, now=ledger.clock.now(), **badge_settings())
    except (errors.StaffNotFound, errors.CredentialNotFound):
        return Response(page.t("trail.not_found", staff_id=staff_id, credential_id=credential_id),
                        status_code=404, media_type="text/plain; charset=utf-8")
    return Response(
        made.token,
        media_type=BADGE_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="badge-{staff_id}-{credential_id}.jwt"'},
    )
