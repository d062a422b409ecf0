"""The auditor's workbench: server-rendered pages over the same read side as the HTTP API.

``install(app)`` mounts them under ``/ui`` (with their stylesheet under ``/ui/static``); they sign
in with the API's keys and keep a session cookie (``api.pages.session_store``). See docs/workbench.md.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from api.pages import badges, bm01, operations, reports, session, staff
from api.pages.forms import router as forms_router
from api.pages.settings import PagesSettings
from api.pages.web import PREFIX, STATIC, PageExit, PagesState, on_page_exit

__all__ = ["PREFIX", "install"]


def install(app: FastAPI, settings: PagesSettings | None = None) -> None:
    """Mount the pages on ``app``: settings from ``LEDGER_PAGES_*`` unless given. (The anomaly
    thresholds, ``LEDGER_ANOMALY_*``, are the anomalies view's: see ``projections.anomaly_rules``.)"""
    app.state.pages = PagesState(settings or PagesSettings())
    app.add_exception_handler(PageExit, on_page_exit)
    # The forms first: their fixed paths (/staff/new, …/credentials/new) must win over the
    # pages' /staff/{staff_id} and …/credentials/{credential_id}.
    app.include_router(forms_router)
    app.include_router(session.router)
    app.include_router(staff.router)
    app.include_router(reports.router)
    app.include_router(operations.router)
    app.include_router(badges.router)  # the provenance page's badge download (issue 13)
    app.include_router(bm01.router)  # form BM01/BNV (issue 15)
    app.mount(f"{PREFIX}/static", StaticFiles(directory=STATIC), name="pages-static")
