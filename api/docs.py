"""``/docs`` (Swagger UI) and ``/redoc`` with every script, style sheet and icon served by the
ledger itself, so that they work on an agency network with no way out (FastAPI's own pages load
them from a CDN and show a white page there).

The assets come from the ``fastapi-offline`` package, which ships Swagger UI and ReDoc's bundles;
they are mounted under ``/docs/assets`` (public, like the pages that use them).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

DOCS = "/docs"
REDOC = "/redoc"
OAUTH2_REDIRECT = "/docs/oauth2-redirect"
ASSETS = "/docs/assets"

# Swagger UI would otherwise send the document to validator.swagger.io for a badge.
SWAGGER_PARAMETERS: dict[str, Any] = {"validatorUrl": None, "persistAuthorization": True}
# The pages may load and call nothing but the ledger: the bundles still name a few outside URLs
# (ReDoc's footer logo, which hides itself when it cannot load), and a page that works offline should
# not try them. Inline scripts and styles are how FastAPI's page templates start the bundles; ReDoc
# runs its search in a blob: worker.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' blob:; worker-src 'self' blob:; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'"
)


def assets_directory() -> Path:
    return Path(fastapi_offline.__file__ or "").parent / "static"


def install(app: FastAPI) -> None:
    """Serve the docs pages and their assets; the app must be built with ``docs_url=None`` and
    ``redoc_url=None`` so that FastAPI's CDN-bound pages are not registered too."""
    app.mount(ASSETS, StaticFiles(directory=assets_directory()), name="docs-assets")

    def local(request: Request, path: str) -> str:
        root: str = request.scope.get("root_path", "")
        return root.rstrip("/") + path

    @app.get(DOCS, include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        return _confined(
            get_swagger_ui_html(
                openapi_url=local(request, app.openapi_url or "/openapi.json"),
                title=f"{app.title} - Swagger UI",
                swagger_js_url=local(request, f"{ASSETS}/swagger-ui-bundle.js"),
                swagger_css_url=local(request, f"{ASSETS}/swagger-ui.css"),
                swagger_favicon_url=local(request, f"{ASSETS}/favicon.png"),
                oauth2_redirect_url=local(request, OAUTH2_REDIRECT),
                swagger_ui_parameters=SWAGGER_PARAMETERS,
            )
        )

    @app.get(OAUTH2_REDIRECT, include_in_schema=False)
    async def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get(REDOC, include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        return _confined(
            get_redoc_html(
                openapi_url=local(request, app.openapi_url or "/openapi.json"),
                title=f"{app.title} - ReDoc",
                redoc_js_url=local(request, f"{ASSETS}/redoc.standalone.js"),
                redoc_favicon_url=local(request, f"{ASSETS}/favicon.png"),
                with_google_fonts=False,
            )
        )


def _confined(page: HTMLResponse) -> HTMLResponse:
    page.headers["Content-Security-Policy"] = DOCS_CSP
    return page
