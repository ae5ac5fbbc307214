"""A surface: one mounted sub-app with its own routes, its own error document and its own body limit.

The app factory mounts one per API (`api/ocapi`, `api/oce`, WebDAV, the server's own routes); each renders every
error it meets, the router's 404 and 405 included, in its own shape, so nothing above it decides by path.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from starlette.datastructures import URLPath
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.routing import BaseRoute, Match, NoMatchFound, Router
from starlette.types import ASGIApp, ExceptionHandler, Message, Receive, Scope, Send

from sitejobs.api.faults import Render, exception_handlers
from sitejobs.api.limits import BodyLimit
from sitejobs.api.services import Started
from sitejobs.errors import SitejobsError


class Surface:
    """A sub-app: its router, with its error handlers around it and its body limit in front.

    The handlers are the same for every route, so one `try` here does what Starlette's two exception
    middlewares and its per-route wrapper do together (the hot status reads cross nothing else); routes
    whose endpoints take a Request find them in the scope as Starlette's do."""

    def __init__(
        self,
        started: Started,
        routes: Sequence[BaseRoute],
        render: Render,
        *,
        max_body_bytes: int | None,
        body_limits: Mapping[str, int | None] | None = None,
    ) -> None:
        """`render` shapes its errors; requests may carry `max_body_bytes`, or under a path prefix of
        `body_limits` (below the mount) that prefix's limit (None: the routes enforce their own)."""
        #: The server's services, once it has started (see `sitejobs.api.services.services`).
        self.started = started
        self.router = Router(list(routes))
        self._handlers = dict(exception_handlers(render))
        no_status_handlers: dict[int, ExceptionHandler] = {}
        self._scope_handlers = (self._handlers, no_status_handlers)
        self._app: ASGIApp = (
            self.router
            if max_body_bytes is None
            else BodyLimit(self.router, max_body_bytes, render, body_limits)
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope["app"] = self
        scope["starlette.exception_handlers"] = self._scope_handlers
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self._app(scope, receive, tracked)
        except Exception as exc:
            if started or scope["type"] != "http":
                raise
            handler = next(self._handlers[cls] for cls in type(exc).__mro__ if cls in self._handlers)
            response = await handler(Request(scope, receive), exc)
            await response(scope, receive, send)
            if not isinstance(exc, SitejobsError | HTTPException):
                raise  # as Starlette does: the server logs it too (the client has its answer)


class Mounted(BaseRoute):
    """A sub-app at path prefixes: a request at a prefix or below it goes to `app`. With `strip`, the app's
    routes are below the prefix (it becomes the request's `root_path`, as with a Mount); else they are whole
    paths. The request at the prefix itself goes there too, so the sub-app answers it (a redirect to the
    slashed path, or its own 404)."""

    def __init__(self, prefixes: Sequence[str], app: ASGIApp, *, strip: bool) -> None:
        self.prefixes = tuple(prefixes)
        self.app = app
        self.strip = strip

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] in ("http", "websocket"):
            path: str = scope["path"]
            for prefix in self.prefixes:
                if path.startswith(prefix) and (len(path) == len(prefix) or path[len(prefix)] == "/"):
                    if not self.strip:
                        return Match.FULL, {}
                    root = scope.get("root_path", "")
                    return Match.FULL, {
                        "root_path": root + prefix,
                        "app_root_path": scope.get("app_root_path", root),
                    }
        return Match.NONE, {}

    def url_path_for(self, name: str, /, **path_params: Any) -> URLPath:
        raise NoMatchFound(name, path_params)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)
