"""How errors leave the server: the fault document of the surface the request was made to.

One handler for the whole app: it picks the surface by path. No stack trace ever reaches a client.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Any

import orjson
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match, Mount

from sitejobs.api.database import RETRY_AFTER_SECONDS, unavailable
from sitejobs.errors import (
    BadRequest,
    HttpError,
    MethodNotAllowed,
    NotFound,
    ServiceUnavailable,
    SitejobsError,
)

log = logging.getLogger(__name__)

DEFAULT_VERSION = "23.2"
_VERSION_IN_PATH = re.compile(r"/dw/data/v([0-9]{2})_([0-9]{1,2})/")
JSON_TYPE = "application/json;charset=UTF-8"
PROBED_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(body), status_code=status, media_type=JSON_TYPE, headers=headers)


def version_of(path: str) -> str:
    match = _VERSION_IN_PATH.search(path)
    return f"{match.group(1)}.{match.group(2)}" if match else DEFAULT_VERSION


def common_headers(error: SitejobsError) -> dict[str, str]:
    """Headers an error answer carries on every surface: `Retry-After` (429, 503) and `Allow` (405)."""
    headers: dict[str, str] = {}
    retry_after = getattr(error, "retry_after", None)
    if isinstance(retry_after, int):
        headers["Retry-After"] = str(retry_after)
    if isinstance(error, MethodNotAllowed) and error.allow:
        headers["Allow"] = error.allow
    return headers


def ocapi_fault(error: SitejobsError, version: str) -> Response:
    fault: dict[str, Any] = {"type": error.fault_type, "message": error.message}
    if error.arguments:
        fault["arguments"] = error.arguments
    headers = common_headers(error)
    if error.status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="sitejobs"'
    return json_response({"_v": version, "fault": fault}, error.status, headers)


def render(request: Request, error: SitejobsError) -> Response:
    state = getattr(request.scope.get("app"), "state", None)
    renderer = getattr(state, "fault_renderers", None) or {}
    for prefix, fn in renderer.items():
        if request.url.path.startswith(prefix):
            response: Response = fn(request, error)
            return response
    return ocapi_fault(error, version_of(request.url.path))


async def on_sitejobs_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SitejobsError)
    if exc.status >= 500 and not isinstance(exc, ServiceUnavailable):
        log.error("request failed: %s", exc.message, extra={"path": request.url.path})
    return render(request, exc)


async def on_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    error: SitejobsError
    if exc.status_code == 404:
        error = NotFound(f"No resource at '{request.url.path}'.", path=request.url.path)
    elif exc.status_code == 405:
        error = MethodNotAllowed(
            f"Method {request.method} is not allowed on '{request.url.path}'.",
            allow=_allowed_methods(request, exc),
        )
    else:
        error = HttpError(exc.status_code, str(exc.detail))
    return render(request, error)


def _allowed_methods(request: Request, exc: HTTPException) -> str:
    """Every method some route takes at this path (the router names only those of the first route it met).
    Static mounts take GET and HEAD."""
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


async def on_unexpected(request: Request, exc: Exception) -> Response:
    if unavailable(exc):  # refused, dropped or timed out: the database's trouble, not the request's
        log.warning("database unavailable on %s %s: %s", request.method, request.url.path, exc)
        return render(
            request,
            ServiceUnavailable(RETRY_AFTER_SECONDS, "The database is not answering; try again later."),
        )
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return render(request, SitejobsError("The server could not complete the request."))


def internal_error(exc: Exception) -> SitejobsError:
    """What an unexpected exception becomes in an answer: 503 when the database is unavailable, else 500."""
    if unavailable(exc):
        return ServiceUnavailable(RETRY_AFTER_SECONDS, "The database is not answering; try again later.")
    return SitejobsError("The server could not complete the request.")


async def on_validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors: Sequence[Any] = exc.errors()
    first: dict[str, Any] = dict(errors[0]) if errors else {}
    where = ".".join(str(p) for p in first.get("loc", ())) or "request"
    return render(request, BadRequest(f"Invalid {where}: {first.get('msg', 'not valid')}.", property=where))
