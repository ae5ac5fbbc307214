"""A plain ASGI guard on request body size: each sub-app installs one, with its limits and its error document."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sitejobs.api.faults import Render
from sitejobs.errors import RequestTooLarge


class BodyLimit:
    """`max_bytes` for every request, except paths under a prefix of `by_prefix` (below the sub-app's mount),
    which get that prefix's limit (None: the route enforces its own). A body past the limit is refused with
    `render`'s document of RequestTooLarge: at once when Content-Length says so, else when the app reads past it
    (raised from `receive`, so the sub-app's own handler renders it)."""

    def __init__(
        self, app: ASGIApp, max_bytes: int, render: Render, by_prefix: Mapping[str, int | None] | None = None
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.render = render
        self.by_prefix = dict(by_prefix or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit: int | None = self.max_bytes
        path: str = scope["path"]
        root: str = scope.get("root_path", "")
        if root and path.startswith(root):
            path = path[len(root) :]
        for prefix, prefix_limit in self.by_prefix.items():
            if path.startswith(prefix):
                limit = prefix_limit
                break
        if limit is None:
            await self.app(scope, receive, send)
            return
        max_bytes = limit
        body = False
        for name, value in scope["headers"]:
            if name == b"content-length":
                if value.isdigit() and int(value) > max_bytes:
                    await self._refuse(scope, receive, send, max_bytes)
                    return
                body = True
            elif name == b"transfer-encoding":
                body = True
        if not body:  # neither a length nor chunks: HTTP/1.1 has no body to count (the status reads)
            await self.app(scope, receive, send)
            return
        seen = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > max_bytes:
                    # A SitejobsError, so the sub-app's own handler renders it: a bare exception would be
                    # turned into a 500 by the catch-all handler before it got back here.
                    raise _too_large(max_bytes)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except RequestTooLarge:
            if not started:
                await self._refuse(scope, receive, send, max_bytes)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, max_bytes: int) -> None:
        response = self.render(Request(scope, receive), _too_large(max_bytes))
        response.headers["Connection"] = "close"
        await response(scope, receive, send)


def _too_large(max_bytes: int) -> RequestTooLarge:
    return RequestTooLarge(f"The request body exceeds the limit of {max_bytes} bytes.", limit=max_bytes)
