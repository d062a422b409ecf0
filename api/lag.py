"""The ``Ledger-Views-Behind`` header on reads: say when an answer comes from views that lag.

A view stopped by a poison event keeps answering from its last good state (never a 503 loop);
the client is told by this header on every read (GET/HEAD) while a view is failing or late (see
``api.readside.format_behind``). The state is read at most once a second per process, in a
worker thread, by one request; reads that arrive meanwhile get the value it replaces, so reads
pay nothing for it otherwise.
"""

from __future__ import annotations

from anyio import to_thread
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.readside import VIEWS_BEHIND, ReadSide

READS = frozenset({"GET", "HEAD"})


class ViewsBehindMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in READS:
            await self.app(scope, receive, send)
            return
        read_side: ReadSide | None = getattr(scope["app"].state, "read_side", None)
        if read_side is None:
            await self.app(scope, receive, send)
            return
        usable, value = read_side.behind_header_cached()
        if not usable:
            value = await to_thread.run_sync(read_side.behind_header)
        if value is None:
            await self.app(scope, receive, send)
            return
        header = (VIEWS_BEHIND.lower().encode(), value.encode("latin-1"))

        async def send_with_header(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), header]
            await send(message)

        await self.app(scope, receive, send_with_header)
