"""The operator's page (``/ui/operations``, auditor role): what ``/health`` and ``/metrics`` say,
for a person: the state of the service, each view's position, lag and fault, the log's head and
its running digest, the store and the version. It only reads."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.keys import Permission
from api.observe import is_degraded, service_version
from api.pages.web import PREFIX, open_page
from ledger.store.chain import Checkpoint

router = APIRouter(prefix=PREFIX, include_in_schema=False)


@router.get("/operations")
def operations(request: Request) -> Response:
    page = open_page(request, Permission.AUDIT)
    services = request.app.state.services
    states = sorted(services.read_model.view_states(), key=lambda state: state.name)
    head = int(services.ledger.recorder.max_notification_id() or 0)
    # The chain's last link is the log's running digest as stored: what `ledger verify
    # --checkpoint` prints once it has verified the log up to there.
    links = services.ledger.chained_recorder.select_chain(head - 1, 1) if head else []
    checkpoint = Checkpoint(links[0].seq, links[0].chain_digest) if links else None
    # The latest checkpoint signed with the agency's key (ledger.store.proofs): what an auditor keeps
    # outside the agency and checks the log against.
    signed = services.ledger.chained_recorder.proofs.latest_checkpoint()
    threshold = request.app.state.settings.degraded_lag_seconds
    mode = request.app.state.projections_mode
    return page.render(
        "pages/operations.html",
        title=page.t("ops.title"),
        degraded=is_degraded(states, threshold, mode),
        states=states,
        threshold=threshold,
        head=head,
        checkpoint=checkpoint,
        signed=signed,
        store=services.ledger.store.kind,
        mode=mode,
        version=service_version(),
        checked_at=page.now(),
    )
