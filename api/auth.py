"""Authentication (who is calling) before anything else reads the request; roles are checked per
route by the dependencies in ``api.deps``.

Authentication is an ASGI middleware, so an unauthenticated request is answered 401 before its
body is parsed or validated: a stranger learns nothing about the API from its error messages.
A request that may carry a body (any method but GET, HEAD and OPTIONS) also has its role checked
here, against the permissions its route's dependencies declare: FastAPI runs dependencies only after
it has read and parsed the body, and a reader's 200 MB POST must be refused before that (403).
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

from anyio import to_thread
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from api.deps import forbidden_detail, route_permissions
from api.errors import problem_response
from api.keys import KeyStore, Permission, Principal

PUBLIC_PATHS = frozenset(
    {"/", "/health", "/metrics", "/docs", "/docs/oauth2-redirect", "/redoc", "/openapi.json", "/ui",
     "/.well-known/ledger-keys.json"}  # the agency's public keys: for anyone to check signatures
)
# The pages under /ui sign in with a session cookie of their own (api.pages.session_store); /docs/
# holds the docs pages' scripts and styles (api.docs).
PUBLIC_PREFIXES = ("/problems", "/ui/", "/docs/")
MAX_TOKEN_LENGTH = 256
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="ledger"'}
BODYLESS_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


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
        self._routes: list[tuple[re.Pattern[str], frozenset[str], list[Permission]]] | None = None
        self._refreshes: set[asyncio.Future[None]] = set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or is_public(scope["path"]):
            await self.app(scope, receive, send)
            return
        keys: KeyStore = scope["app"].state.keys
        token = bearer_token(scope)
        principal: Principal | None = None
        if token is not None:
            principal = keys.cached(token)
            if principal is None:
                principal = await to_thread.run_sync(keys.authenticate, token)
            elif keys.claim_refresh(token):
                # Re-verified ahead of expiry, off the request's path (see KeyStore.claim_refresh).
                self._refreshes.add(asyncio.ensure_future(to_thread.run_sync(keys.refresh, token)))
                self._refreshes = {task for task in self._refreshes if not task.done()}
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
        if scope["method"] not in BODYLESS_METHODS:
            missing = next((p for p in self._permissions(scope) if not principal.may(p)), None)
            if missing is not None:
                response = problem_response(
                    Request(scope), code="forbidden", status=403, detail=forbidden_detail(principal, missing)
                )
                await response(scope, receive, send)
                return
        scope.setdefault("state", {})["principal"] = principal
        await self.app(scope, receive, send)

    def _permissions(self, scope: Scope) -> list[Permission]:
        """The permissions of the route this request will reach (none if it reaches no route);
        sorted so that the refusal names the same permission every time."""
        if self._routes is None:
            self._routes = guarded_routes(scope["app"])
        path = scope["path"]
        root = scope.get("root_path", "")
        if root and path.startswith(root):
            path = path[len(root) :]
        method = scope["method"]
        for pattern, methods, permissions in self._routes:
            if method in methods and pattern.match(path):
                return permissions
        return []


def route_contexts(app: Any) -> list[Any]:
    """Every route of the app as it is served: FastAPI's ``iter_route_contexts`` sees through
    included routers, with their prefixes and dependencies; FastAPI releases without it copy the
    included routes into the app's own list."""
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:
        return list(app.router.routes)
    return list(iter_route_contexts(app.router.routes))


def guarded_routes(app: Any) -> list[tuple[re.Pattern[str], frozenset[str], list[Permission]]]:
    """(path pattern, methods, permissions) of every route of the app that takes a body and needs
    a permission, in routing order."""
    found = []
    for context in route_contexts(app):
        pattern = getattr(context, "path_regex", None)
        dependant = getattr(context, "dependant", None)
        methods = frozenset(getattr(context, "methods", None) or ()) - BODYLESS_METHODS
        if pattern is None or dependant is None or not methods:
            continue
        permissions = sorted(route_permissions(dependant))
        if permissions:
            found.append((pattern, methods, permissions))
    return found
