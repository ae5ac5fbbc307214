"""A surface: one mounted sub-app with its own routes, its own error document and its own body limit.

The app factory mounts one per API (`api/ocapi`, `api/oce`, WebDAV, the server's own routes); each renders every
error it meets, the router's 404 and 405 included, in its own shape, so nothing above it decides by path.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from starlette.applications import Starlette
from starlette.datastructures import URLPath
from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Match, NoMatchFound
from starlette.types import ASGIApp, Receive, Scope, Send

from sitejobs.api.faults import Render, exception_handlers
from sitejobs.api.limits import BodyLimit
from sitejobs.api.services import Started


class Surface(Starlette):
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
        limit = (
            []
            if max_body_bytes is None
            else [Middleware(BodyLimit, max_bytes=max_body_bytes, render=render, by_prefix=body_limits)]
        )
        super().__init__(routes=routes, exception_handlers=dict(exception_handlers(render)), middleware=limit)
        #: The server's services, once it has started (see `sitejobs.api.services.services`).
        self.started = started


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
