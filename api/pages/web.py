"""The plumbing of the pages: state built once per app, sign-in checks, language, rendering.

Routes call :func:`open_page` first: it finds the session (or redirects to the sign-in form),
checks the role, settles the language (``?lang=`` beats the cookie; Vietnamese by default) and
returns a :class:`Page` that renders templates with the right words. Anything that ends a request
early raises :class:`PageExit` carrying the response (a redirect, a 403 page).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.keys import Permission
from api.pages.data import Workbench
from api.pages.dates import DAY_PATTERN, parse_day, parse_moment, show_day
from api.pages.i18n import LANGUAGES, Translator, pick_language
from api.pages.session_store import LANG_COOKIE, SESSION_COOKIE, Session, SessionStore
from api.pages.settings import PagesSettings

PREFIX = "/ui"
PACKAGE = Path(__file__).resolve().parent.parent
TEMPLATES = PACKAGE / "templates"
STATIC = PACKAGE / "static"

SECURITY_HEADERS = {
    # No script at all; styles and images only from here (charts are inline SVG markup).
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


class PageExit(Exception):
    """Stop here and answer with ``response``."""

    def __init__(self, response: Response) -> None:
        super().__init__("page exit")
        self.response = response


async def on_page_exit(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PageExit)
    return exc.response


class PagesState:
    """What the pages build once per app (the workbench and sessions wait for the lifespan)."""

    def __init__(self, settings: PagesSettings) -> None:
        self.settings = settings
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(TEMPLATES)),
            autoescape=jinja2.select_autoescape(("html",), default=True),
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.globals.update(show_day=show_day, day_pattern=DAY_PATTERN)
        self._lock = threading.Lock()
        self._for: object | None = None
        self._workbench: Workbench | None = None
        self._sessions: SessionStore | None = None

    def _build(self, request: Request) -> tuple[Workbench, SessionStore]:
        services = request.app.state.services
        with self._lock:
            if self._for is not services or self._workbench is None or self._sessions is None:
                self._workbench = Workbench(services.ledger, services.read_model)
                self._sessions = SessionStore(
                    services.db, lifetime=timedelta(hours=self.settings.session_hours)
                )
                self._for = services
            return self._workbench, self._sessions

    def workbench(self, request: Request) -> Workbench:
        return self._build(request)[0]

    def sessions(self, request: Request) -> SessionStore:
        return self._build(request)[1]


def pages_state(request: Request) -> PagesState:
    state: PagesState = request.app.state.pages
    return state


def language_of(request: Request) -> str:
    return pick_language(request.query_params.get("lang"), request.cookies.get(LANG_COOKIE))


def secure(request: Request, settings: PagesSettings) -> bool:
    if settings.secure_cookies == "always":
        return True
    if settings.secure_cookies == "never":
        return False
    forwarded = request.headers.get("x-forwarded-proto", "")
    return request.url.scheme == "https" or forwarded.split(",")[0].strip() == "https"


def set_language_cookie(response: Response, code: str, request: Request, settings: PagesSettings) -> None:
    """Remember the reader's language for a year (``?lang=`` on any page, or the switch)."""
    response.set_cookie(
        LANG_COOKIE,
        code,
        max_age=365 * 24 * 3600,
        path=PREFIX,
        samesite="lax",
        httponly=True,
        secure=secure(request, settings),
    )


def safe_next(target: str | None) -> str:
    """A place to go back to after sign-in or a language switch: a path of the pages only."""
    if not target or not target.startswith(PREFIX + "/") or target.startswith("//") or "\\" in target:
        return f"{PREFIX}/staff"
    return target


def here(request: Request) -> str:
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


@dataclass
class Page:
    """One request of a signed-in (or signing-in) user."""

    request: Request
    state: PagesState
    t: Translator
    session: Session | None
    errors: list[str] = field(default_factory=list)

    @property
    def workbench(self) -> Workbench:
        return self.state.workbench(self.request)

    @property
    def can_audit(self) -> bool:
        return self.session is not None and self.session.principal.may(Permission.AUDIT)

    @property
    def can_write(self) -> bool:
        """The registrar role: the forms and their links are shown only to it."""
        return self.session is not None and self.session.principal.may(Permission.WRITE)

    def today(self) -> date:
        return self.workbench.today()

    def now(self) -> datetime:
        """The instant (UTC) from the ledger's clock; shown with ``t.when`` in agency time."""
        return self.workbench.read_model.clock.now()

    # ----------------------------------------------------------- query values

    def text(self, name: str, limit: int = 200) -> str | None:
        value = self.request.query_params.get(name)
        if value is None:
            return None
        value = value.strip()[:limit]
        return value or None

    def day(self, name: str) -> date | None:
        value = self.text(name, 20)
        if value is None:
            return None
        iso = parse_day(value)
        if iso is None:
            self.errors.append(self.t("common.invalid_date") + value)
            return None
        return date.fromisoformat(iso)

    def moment(self, name: str) -> datetime | None:
        """A local date and time (dd/mm/yyyy hh:mm, or ISO) or a date (the end of that day), in
        agency time."""
        value = self.text(name, 40)
        if value is None:
            return None
        day = parse_day(value)
        if day is not None:
            return datetime.combine(date.fromisoformat(day), time(23, 59, 59), self.t.zone)
        parsed = parse_moment(value)
        if parsed is None:
            self.errors.append(self.t("common.invalid_time") + value)
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=self.t.zone)

    def choice(self, name: str, allowed: Mapping[str, Any] | tuple[str, ...] | list[str]) -> str | None:
        value = self.text(name)
        return value if value is not None and value in allowed else None

    def link(self, path: str, **params: Any) -> str:
        clean = {k: v for k, v in params.items() if v not in (None, "", [])}
        return path + ("?" + urlencode(clean, doseq=True) if clean else "")

    def with_query(self, **changes: Any) -> str:
        """This page's address with some query values changed (None removes one)."""
        params = dict(self.request.query_params.multi_items())
        for key, value in changes.items():
            if value is None:
                params.pop(key, None)
            else:
                params[key] = value
        return self.link(self.request.url.path, **params)

    # ------------------------------------------------------------- responses

    def render(self, template: str, *, status: int = 200, title: str = "", **context: Any) -> HTMLResponse:
        html = self.state.env.get_template(template).render(
            title=title,
            page=self,
            t=self.t,
            lang=self.t.language,
            languages=LANGUAGES,
            user=self.session.principal if self.session else None,
            csrf=self.session.csrf if self.session else "",
            here=here(self.request),
            prefix=PREFIX,
            errors=self.errors,
            **context,
        )
        response = HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)
        self.remember_language(response)
        return response

    def remember_language(self, response: Response) -> None:
        asked = self.request.query_params.get("lang")
        if asked in LANGUAGES and asked != self.request.cookies.get(LANG_COOKIE):
            set_language_cookie(response, asked, self.request, self.state.settings)

    def fail(self, message: str, *, status: int) -> PageExit:
        return PageExit(self.render("pages/error.html", status=status, message=message))


def open_page(request: Request, need: Permission | None = Permission.READ) -> Page:
    """The page of a signed-in user who may ``need``; else a redirect to sign in, or a 403 page."""
    state = pages_state(request)
    t = Translator(language_of(request), state.workbench(request).ledger.clock.zone)
    if need is None:
        return Page(request, state, t, None)
    session = state.sessions(request).get(request.cookies.get(SESSION_COOKIE))
    if session is None:
        target = f"{PREFIX}/login?" + urlencode({"next": here(request)})
        response = RedirectResponse(target, status_code=303, headers={"Cache-Control": "no-store"})
        if request.cookies.get(SESSION_COOKIE):
            response.delete_cookie(SESSION_COOKIE, path=PREFIX)
        raise PageExit(response)
    page = Page(request, state, t, session)
    request.state.principal = session.principal  # the key name of the request's log line (api.observe)
    if not session.principal.may(need):
        role = t(f"role.{session.principal.role.value}")
        raise page.fail(t("error.forbidden", name=session.principal.name, role=role), status=403)
    return page
