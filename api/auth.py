"""Authentication (who is calling) before anything else reads the request; roles are checked per
route by the dependencies in ``api.deps``.

Authentication is an ASGI middleware, so an unauthenticated request is answered 401 before its
body is parsed or validated: a stranger learns nothing about the API from its error messages.
"""

from __future__ import annotations

from anyio import to_thread
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from api.errors import problem_response
from api.keys import KeyStore, Principal

PUBLIC_PATHS = frozenset({"/", "/health", "/docs", "/docs/oauth2-redirect", "/redoc", "/openapi.json", "/ui"})
# The pages under /ui sign in with a session cookie of their own (api.pages.sessions).
PUBLIC_PREFIXES = ("/problems", "/ui/")
MAX_TOKEN_LENGTH = 256
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="ledger"'}


def is_public(path: str) -> bool:
    return path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES)


def bearer_token(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            text: str = value.decode("latin-1")
            scheme, _, token = text.partition(" ")
            token = token.strip()
            if scheme.lower() == "bearer" and token and len(token) <= MAX_TOKEN_LENGTH:
                return token
            return None
    return None


class AuthenticationMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or is_public(scope["path"]):
            await self.app(scope, receive, send)
            return
        keys: KeyStore = scope["app"].state.keys
        token = bearer_token(scope)
        principal: Principal | None = None
        if token is not None:
            principal = keys.cached(token) or await to_thread.run_sync(keys.authenticate, token)
        if principal is None:
            detail = (
                "This request needs an API key: send `Authorization: Bearer <token>`."
                if token is None
                else "The API key is unknown or revoked."
            )
            response = problem_response(
                Request(scope), code="unauthorized", status=401, detail=detail, headers=CHALLENGE
            )
            await response(scope, receive, send)
            return
        scope.setdefault("state", {})["principal"] = principal
        await self.app(scope, receive, send)
