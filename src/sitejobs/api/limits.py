"""A plain ASGI guard on request body size, answering with the surface's fault document."""

from __future__ import annotations

from collections.abc import Iterable

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sitejobs.api.faults import render
from sitejobs.errors import RequestTooLarge


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int, exempt_prefixes: Iterable[str] = ()) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.exempt = tuple(exempt_prefixes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(self.exempt):
            await self.app(scope, receive, send)
            return
        for name, value in scope["headers"]:
            if name == b"content-length" and value.isdigit() and int(value) > self.max_bytes:
                await self._refuse(scope, receive, send)
                return
        seen = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    # A SitejobsError, so the app's own handler renders the fault: a bare exception would be
                    # turned into a 500 by the catch-all handler before it got back here.
                    raise self._error()
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except RequestTooLarge:
            if not started:
                await self._refuse(scope, receive, send)

    def _error(self) -> RequestTooLarge:
        return RequestTooLarge(
            f"The request body exceeds the limit of {self.max_bytes} bytes.", limit=self.max_bytes
        )

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        # The scope has not been through the app yet: hand it the app, whose state holds the fault renderers.
        request = Request({**scope, "app": scope.get("app", self.app)}, receive)
        response = render(request, self._error())
        response.headers["Connection"] = "close"
        await response(scope, receive, send)
