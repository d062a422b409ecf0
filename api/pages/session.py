"""Signing in and out of the pages, and the language switch: the only forms of the pages that are
not writes to the ledger. The sign-in form is guarded by a double-submit CSRF cookie and, like
every form of the pages, accepted only from this site (``same_origin``); see
``api.pages.session_store`` for the sessions themselves."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from api.pages.i18n import LANGUAGES
from api.pages.session_store import CSRF_COOKIE, SESSION_COOKIE, new_secret, same_secret
from api.pages.web import PREFIX, Page, open_page, safe_next, secure, set_language_cookie

router = APIRouter(prefix=PREFIX, include_in_schema=False)


@router.get("/")
def home() -> Response:
    return RedirectResponse(f"{PREFIX}/staff", status_code=303)


@router.get("/login")
def login_form(request: Request) -> Response:
    page = open_page(request, None)
    token = new_secret()
    notice = {"out": "login.signed_out", "expired": "login.expired"}.get(
        request.query_params.get("notice", "")
    )
    response = page.render(
        "pages/login.html",
        form_token=token,
        next=safe_next(request.query_params.get("next")),
        notice=page.t(notice) if notice else None,
        problem=None,
    )
    _set_csrf_cookie(page, response, token)
    return response


def _set_csrf_cookie(page: Page, response: Response, token: str) -> None:
    response.set_cookie(
        CSRF_COOKIE,
        token,
        max_age=3600,
        path=f"{PREFIX}/login",
        samesite="strict",
        httponly=True,
        secure=secure(page.request, page.state.settings),
    )


def same_origin(request: Request) -> bool:
    """The request comes from this site: its ``Origin`` (when sent) names this host."""
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return origin is None
    host = request.headers.get("host", "")
    return origin.split("://", 1)[-1] == host


@router.post("/login")
async def sign_in(request: Request) -> Response:
    page = open_page(request, None)
    form = await request.form()
    token = str(form.get("token") or "").strip()
    target = safe_next(str(form.get("next") or ""))

    def again(problem: str, status: int) -> Response:
        fresh = new_secret()
        response = page.render(
            "pages/login.html", status=status, form_token=fresh, next=target, notice=None, problem=problem
        )
        _set_csrf_cookie(page, response, fresh)
        return response

    if not same_origin(request) or not same_secret(
        str(form.get("form_token") or ""), request.cookies.get(CSRF_COOKIE)
    ):
        return again(page.t("login.bad_form"), 403)
    if not token or len(token) > 256:
        return again(page.t("login.no_key"), 400)
    sessions = page.state.sessions(request)
    opened = await run_in_threadpool(sessions.open, token)
    if opened is None:
        return again(page.t("login.bad_key"), 401)
    session_id, _session = opened
    response = RedirectResponse(target, status_code=303, headers={"Cache-Control": "no-store"})
    response.set_cookie(
        SESSION_COOKIE,
        session_id,
        max_age=int(page.state.settings.session_hours * 3600),
        path=PREFIX,
        samesite="lax",
        httponly=True,
        secure=secure(request, page.state.settings),
    )
    response.delete_cookie(CSRF_COOKIE, path=f"{PREFIX}/login")
    return response


@router.post("/logout")
async def sign_out(request: Request) -> Response:
    page = open_page(request, None)
    form = await request.form()
    sessions = page.state.sessions(request)
    cookie = request.cookies.get(SESSION_COOKIE)
    session = await run_in_threadpool(sessions.get, cookie)
    if (
        session is not None
        and same_origin(request)
        and same_secret(str(form.get("csrf") or ""), session.csrf)
    ):
        await run_in_threadpool(sessions.close, cookie)
    elif session is not None:
        raise page.fail(page.t("login.bad_form"), status=403)
    response = RedirectResponse(f"{PREFIX}/login?notice=out", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path=PREFIX)
    return response


@router.get("/lang/{code}")
def switch_language(request: Request, code: str) -> Response:
    page = open_page(request, None)
    target = safe_next(request.query_params.get("next"))
    response = RedirectResponse(target, status_code=303)
    if code in LANGUAGES:
        set_language_cookie(response, code, request, page.state.settings)
    return response
