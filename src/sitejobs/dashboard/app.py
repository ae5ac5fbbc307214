"""The dashboard as a mountable Starlette application: its routes, its static files, its own error pages (an
oversized request body included)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from sitejobs.api.limits import BodyLimit
from sitejobs.dashboard import auth_views, execution_views, job_views, overview_views
from sitejobs.dashboard.live import LiveFeed
from sitejobs.dashboard.session import SessionSigner
from sitejobs.dashboard.web import HERE, Dashboard, Host, NotSignedIn, prefix, render, session_of, templates
from sitejobs.errors import SitejobsError
from sitejobs.settings import Settings

log = logging.getLogger(__name__)


def _routes() -> list[BaseRoute]:
    return [
        Route("/", overview_views.home),
        Route("/login", auth_views.login_form, methods=["GET"]),
        Route("/login", auth_views.login, methods=["POST"]),
        Route("/logout", auth_views.logout, methods=["POST"]),
        Route("/executions", execution_views.executions_page),
        Route("/executions/stream", execution_views.executions_stream),
        Route("/executions/{id}", execution_views.execution_page),
        Route("/executions/{id}/stream", execution_views.execution_stream),
        Route("/executions/{id}/{action}", execution_views.execution_action, methods=["POST"]),
        Route("/jobs", job_views.jobs_page),
        Route("/jobs/{job_id}", job_views.job_form, methods=["GET"]),
        Route("/jobs/{job_id}", job_views.start_job, methods=["POST"]),
        Route("/impex", job_views.import_archive, methods=["POST"]),
        Route("/sites", overview_views.sites_page),
        Route("/workers", overview_views.workers_page),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]


async def _on_not_signed_in(request: Request, exc: Exception) -> Response:
    if request.method == "GET" and not request.url.path.endswith("/stream"):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"{prefix(request)}/login?next={quote(target, safe='/')}", status_code=303)
    return _error_page(request, 401, "Sign in to use the dashboard.")


async def _on_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SitejobsError)
    return _error_document(request, exc)


async def _on_unexpected(request: Request, exc: Exception) -> Response:
    log.exception("dashboard: unexpected error", exc_info=exc)
    return _error_page(request, 500, "Something went wrong on the server; it has been logged.")


async def _on_http_error(request: Request, exc: Exception) -> Response:
    status: int = getattr(exc, "status_code", 500)
    detail: Any = getattr(exc, "detail", "")
    return _error_page(request, status, str(detail))


def _error_document(request: Request, error: SitejobsError) -> Response:
    return _error_page(request, error.status, error.message)


def _error_page(request: Request, status: int, message: str) -> Response:
    return render(
        request,
        "error.html",
        {"status": status, "message": message},
        session=session_of(request),
        status=status,
    )


def create_dashboard(
    settings: Settings, host: Callable[[], Host], *, secret: Callable[[], bytes], mount_path: str = "/ui"
) -> Starlette:
    """The dashboard, to mount (at `/ui`) in the server. `host` gives the server's services (engine, users,
    content store, executor), which it opens at startup. `secret` gives the server's token key (asked for on
    first use), which keys the session cookies; they are sent back only under `mount_path`. Request bodies may
    carry `max_body_bytes`, a site archive uploaded to `/impex` the WebDAV upload limit."""
    app = Starlette(
        routes=_routes(),
        middleware=[
            Middleware(
                BodyLimit,
                max_bytes=settings.max_body_bytes,
                render=_error_document,
                by_prefix={"/impex": settings.webdav_max_upload_bytes},
            )
        ],
        exception_handlers={
            NotSignedIn: _on_not_signed_in,
            SitejobsError: _on_error,
            HTTPException: _on_http_error,
            Exception: _on_unexpected,
        },
    )
    app.state.dashboard = Dashboard(
        settings=settings,
        host=host,
        signer=SessionSigner(secret, path=mount_path),
        templates=templates(),
        live=LiveFeed(lambda: host().engine),
    )
    return app
