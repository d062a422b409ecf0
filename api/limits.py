"""Limits every request meets before the application reads it: the ``Host`` it names and the size
of its body (docs/api.md, "Limits").

Both are pure ASGI middleware, so nothing here buffers or parses a body:

- :class:`HostGate` answers 400 to a ``Host`` that is not trusted (``LEDGER_TRUSTED_HOSTS``), and
  turns an absolute ``Location`` that points back at the request's own host into a relative one,
  so that no redirect (Starlette's trailing-slash redirects included) repeats what the client sent.
- :class:`BodyLimit` answers 413 to a body over the limit: at once when ``Content-Length`` says so,
  and otherwise as soon as the bytes streamed (chunked) pass it, without reading further.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import problem_response

LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")
WILDCARD_BINDS = frozenset({"0.0.0.0", "::", ""})


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            text: str = value.decode("latin-1")
            return text
    return None


def host_name(host_header: str) -> str:
    """``example.org:8000`` → ``example.org``; ``[::1]:8000`` → ``::1``."""
    if host_header.startswith("["):
        return host_header[1 : host_header.find("]")] if "]" in host_header else host_header
    if host_header.count(":") == 1:
        return host_header.split(":", 1)[0]
    return host_header


class HostGate:
    """Only trusted host names reach the application. A pattern is a name (``ledger.gov.vn``), a
    wildcard for its subdomains (``*.gov.vn``) or ``*`` for any."""

    def __init__(self, app: ASGIApp, trusted: Iterable[str]) -> None:
        self.app = app
        names = [t.strip().lower() for t in trusted if t.strip()]
        self.any = "*" in names
        self.exact = frozenset(n for n in names if not n.startswith("*."))
        self.suffixes = tuple(n[1:] for n in names if n.startswith("*."))

    def trusts(self, name: str) -> bool:
        name = name.lower()
        return self.any or name in self.exact or (bool(name) and name.endswith(self.suffixes))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        host = _header(scope, b"host") or ""
        if not self.trusts(host_name(host)):
            response = problem_response(
                Request(scope),
                code="untrusted_host",
                status=400,
                detail=f"The Host header {host[:100]!r} is not one this service answers to "
                "(LEDGER_TRUSTED_HOSTS).",
            )
            await response(scope, receive, send)
            return
        own = tuple(f"{scheme}://{host}".encode("latin-1") for scheme in ("http", "https", "ws", "wss"))

        async def relative_location(message: Message) -> None:
            if message["type"] == "http.response.start" and host:
                headers = [
                    (k, _relative(v, own) if k.lower() == b"location" else v)
                    for k, v in message.get("headers", ())
                ]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, relative_location)


def _relative(location: bytes, own: Sequence[bytes]) -> bytes:
    for prefix in own:
        if location.lower().startswith(prefix.lower()):
            rest = location[len(prefix) :]
            if not rest or rest.startswith((b"/", b"?", b"#")):
                return rest if rest.startswith(b"/") else b"/" + rest
    return location


class PayloadTooLarge(Exception):
    """Raised into the application when a streamed body passes the limit."""


class BodyLimit:
    """Bodies over ``limit`` bytes answer 413 before they are read.

    ``overrides`` gives other limits to paths under a prefix (longest prefix first), e.g. a future
    upload of evidence scans: ``[("/staff/evidence", 20_000_000)]``.
    """

    def __init__(self, app: ASGIApp, limit: int, overrides: Sequence[tuple[str, int]] = ()) -> None:
        self.app = app
        self.limit = limit
        self.overrides = sorted(overrides, key=lambda o: len(o[0]), reverse=True)

    def limit_for(self, path: str) -> int:
        return next((size for prefix, size in self.overrides if path.startswith(prefix)), self.limit)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        declared = _header(scope, b"content-length")
        if declared is not None and declared.strip().isdigit() and int(declared) > limit:
            await self._refuse(scope, receive, send, limit)
            return
        received = 0
        exceeded = False
        started = False

        async def counted_receive() -> Message:
            nonlocal received, exceeded
            if exceeded:
                raise PayloadTooLarge
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # Stop here: the application gets no more of the body, and whatever it answers
                    # is replaced by the 413 below.
                    exceeded = True
                    raise PayloadTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if exceeded and not started:
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, guarded_send)
        except Exception:
            if not exceeded:
                raise
        if exceeded and not started:
            await self._refuse(scope, receive, send, limit)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        response = problem_response(
            Request(scope),
            code="payload_too_large",
            status=413,
            detail=f"The request body is larger than {limit} bytes, the limit of this service "
            "(LEDGER_MAX_BODY_BYTES).",
            headers={"Connection": "close"},
        )
        await response(scope, receive, send)
