"""How errors leave a surface: the handlers every sub-app installs around the renderer of its own error document.

A surface gives `exception_handlers` its renderer (`Render`); what it raises, what the router answers (404,
405) and what nobody expected (500, or 503 when the database is unavailable) all come out in that shape. No
stack trace ever reaches a client.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

import orjson
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match, Mount
from starlette.types import ExceptionHandler

from sitejobs.api.database import RETRY_AFTER_SECONDS, unavailable
from sitejobs.errors import HttpError, MethodNotAllowed, NotFound, ServiceUnavailable, SitejobsError

log = logging.getLogger(__name__)

JSON_TYPE = "application/json;charset=UTF-8"
PROBED_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")

#: A surface's error document for an error raised while serving a request.
Render = Callable[[Request, SitejobsError], Response]


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(body), status_code=status, media_type=JSON_TYPE, headers=headers)


def common_headers(error: SitejobsError) -> dict[str, str]:
    """Headers an error answer carries on every surface: `Retry-After` (429, 503) and `Allow` (405)."""
    headers: dict[str, str] = {}
    retry_after = getattr(error, "retry_after", None)
    if isinstance(retry_after, int):
        headers["Retry-After"] = str(retry_after)
    if isinstance(error, MethodNotAllowed) and error.allow:
        headers["Allow"] = error.allow
    return headers


def internal_error(exc: Exception) -> SitejobsError:
    """What an unexpected exception becomes in an answer: 503 when the database is unavailable, else 500."""
    if unavailable(exc):
        return ServiceUnavailable(RETRY_AFTER_SECONDS, "The database is not answering; try again later.")
    return SitejobsError("The server could not complete the request.")


def exception_handlers(render: Render) -> Mapping[Any, ExceptionHandler]:
    """The exception handlers of a sub-app whose errors `render` shapes."""

    async def on_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, SitejobsError)
        if exc.status >= 500 and not isinstance(exc, ServiceUnavailable):
            log.error("request failed: %s", exc.message, extra={"path": request.url.path})
        return render(request, exc)

    async def on_http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        return render(request, http_error(request, exc))

    async def on_unexpected(request: Request, exc: Exception) -> Response:
        if unavailable(exc):  # refused, dropped or timed out: the database's trouble, not the request's
            log.warning("database unavailable on %s %s: %s", request.method, request.url.path, exc)
        else:
            log.exception("unexpected error on %s %s", request.method, request.url.path)
        return render(request, internal_error(exc))

    return {SitejobsError: on_error, HTTPException: on_http_error, Exception: on_unexpected}


def http_error(request: Request, exc: HTTPException) -> SitejobsError:
    """The router's 404 and 405 (and any other HTTP error) as errors of the tree."""
    if exc.status_code == 404:
        return NotFound(f"No resource at '{request.url.path}'.", path=request.url.path)
    if exc.status_code == 405:
        return MethodNotAllowed(
            f"Method {request.method} is not allowed on '{request.url.path}'.",
            allow=_allowed_methods(request, exc),
        )
    return HttpError(exc.status_code, str(exc.detail))


def _allowed_methods(request: Request, exc: HTTPException) -> str:
    """Every method some route of the sub-app takes at this path (the router names only those of the first
    route it met). Static mounts take GET and HEAD."""
    router = getattr(request.scope.get("app"), "router", None)
    methods: set[str] = set()
    for method in PROBED_METHODS:
        probe = {**request.scope, "method": method}
        for route in getattr(router, "routes", []):
            if not isinstance(route, Mount) and route.matches(probe)[0] is Match.FULL:
                methods.add(method)
                break
    if not methods:
        return (exc.headers or {}).get("Allow", "GET, HEAD")
    return ", ".join(m for m in PROBED_METHODS if m in methods)
