"""The ASGI application: both API surfaces, the token endpoint, operations routes, one fault handler."""

from __future__ import annotations

import contextlib
import functools
import logging
from collections.abc import AsyncIterator

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp

from sitejobs.api import faults, ops, token, webdav
from sitejobs.api.credentials import CredentialChecker
from sitejobs.api.database import DatabaseGate
from sitejobs.api.docs.routes import routes as docs_routes
from sitejobs.api.faults import json_response
from sitejobs.api.landing import landing_page
from sitejobs.api.limits import BodyLimit
from sitejobs.api.ocapi.fastpath import StatusFastPath
from sitejobs.api.ocapi.routes import router as ocapi_router
from sitejobs.api.oce import catalog as oce_catalog
from sitejobs.api.oce import content_management as oce_content_management
from sitejobs.api.oce import delivery as oce_delivery
from sitejobs.api.oce import doc_files as oce_doc_files
from sitejobs.api.oce import integration as oce_integration
from sitejobs.api.oce import items as oce_items
from sitejobs.api.oce import routes as oce_routes
from sitejobs.api.oce import shares as oce_shares
from sitejobs.api.oce import site_settings as oce_site_settings
from sitejobs.api.oce import site_state as oce_site_state
from sitejobs.api.oce import social as oce_social
from sitejobs.api.oce import templates as oce_templates
from sitejobs.api.oce.auth import RateLimiter
from sitejobs.api.oce.errors import error_document, error_headers
from sitejobs.api.oce.fastpath import OceStatusFastPath
from sitejobs.api.oce.published import PublishedSites
from sitejobs.auth.clients import open_clients
from sitejobs.auth.throttle import Limit
from sitejobs.auth.tokens import TokenIssuer, key_ring
from sitejobs.auth.users import UserStore
from sitejobs.dashboard import create_dashboard
from sitejobs.engine.executor import Executor
from sitejobs.engine.local import LocalExecutor
from sitejobs.engine.registry import Registry
from sitejobs.engine.service import JobEngine
from sitejobs.errors import SitejobsError
from sitejobs.jobs.builtin import default_registry
from sitejobs.settings import Settings
from sitejobs.sites.content.store import ContentStore

log = logging.getLogger(__name__)

OCAPI_PREFIXES = ("/s/-/dw/data", "/dw/data")
OCE_PREFIXES = (
    "/sites/management",
    "/content/management",
    "/content/published",
    "/osn/social",
    "/documents",
    "/system/api",
    "/site/",
    "/_themes/",
    "/_compdelivery/",
)
#: Published themes and components served as static files: URL prefix → folder of FILES_DIR/content/published.
#: Sites are served from its folder `sites` under `/site`, while they are online (`oce.published`).
PUBLISHED_MOUNTS = {"/_themes": "themes", "/_compdelivery": "components"}
WEBDAV_PREFIX = "/on/demandware.servlet/webdav"
UPLOAD_PREFIX = "/documents/api/1.2/files/data"
DASHBOARD_PREFIX = "/ui"


def _oce_fault(request: Request, error: SitejobsError) -> Response:
    return json_response(error_document(error), error.status, error_headers(error))


def _start_executor(settings: Settings, engine: JobEngine) -> Executor | None:
    """The executor the settings ask for: local (in-process pools), celery (publish to the broker), or none."""
    if settings.executor == "local":
        loader = functools.partial(default_registry, settings.jobs_module)
        return LocalExecutor(engine, kind="embedded", registry_loader=loader)
    if settings.executor == "celery":
        from sitejobs.celery_app import create_celery, dispatcher

        return dispatcher(engine, create_celery(settings))
    return None


def create_app(
    settings: Settings,
    *,
    engine: JobEngine | None = None,
    executor: bool = True,
    registry: Registry | None = None,
) -> ASGIApp:
    """The server. It opens (and migrates) the store at startup unless given an engine, with `registry` (the
    built-in and configured custom jobs when not given), and starts the executor the settings ask for unless
    `executor` is false."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own = engine is None
        app.state.engine = (
            JobEngine.open(settings, registry or default_registry(settings.jobs_module)) if own else engine
        )
        db = app.state.engine.db
        try:
            app.state.clients = open_clients(db, settings.resolved_clients_file)
            app.state.clients.start_refreshing()
            app.state.tokens = TokenIssuer(key_ring(settings, db), settings.token_ttl_seconds)
        except BaseException:
            if own:
                app.state.engine.close()
            raise
        app.state.users = UserStore(db)
        app.state.database = DatabaseGate(db, settings.database_request_timeout)
        app.state.credentials = CredentialChecker(
            app.state.clients,
            app.state.users,
            threads=settings.auth_threads,
            per_account=Limit(settings.auth_account_failures, settings.auth_account_failures_per_minute / 60),
            per_address=Limit(settings.auth_address_failures, settings.auth_address_failures_per_minute / 60),
        )
        app.state.content = ContentStore(db, settings.content_dir)
        app.state.metrics, durations = ops.metrics_registry(app.state.engine)
        runner = _start_executor(settings, app.state.engine) if executor else None
        if runner is not None:
            runner.on_finished = lambda e, o, seconds: durations.labels(e.job_id, o.state.value).observe(
                seconds
            )
            runner.start()
        app.state.executor = runner
        try:
            yield
        finally:
            if runner is not None:
                runner.stop()
            app.state.clients.stop_refreshing()
            if own:
                app.state.engine.close()

    app = FastAPI(
        title="sitejobs",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,  # api/docs serves the docs and one OpenAPI document per surface
        redoc_url=None,
        openapi_url=None,
    )
    settings.ensure_dirs()
    app.state.settings = settings
    app.state.fault_renderers = dict.fromkeys(OCE_PREFIXES, _oce_fault)
    app.state.rate_limiter = RateLimiter(settings.oce_rate_per_second, settings.oce_rate_burst)

    for prefix in OCAPI_PREFIXES:
        app.include_router(ocapi_router, prefix=prefix)
    app.router.routes.extend(token.routes)
    app.router.routes.extend(ops.routes)
    app.router.routes.extend(webdav.routes)
    app.router.routes.extend(oce_routes.routes)
    app.router.routes.extend(oce_site_state.routes)
    app.router.routes.extend(oce_site_settings.routes)
    app.router.routes.extend(oce_integration.routes)
    app.router.routes.extend(oce_content_management.routes)
    app.router.routes.extend(oce_items.routes)
    app.router.routes.extend(oce_social.routes)
    app.router.routes.extend(oce_delivery.routes)
    app.router.routes.extend(oce_doc_files.routes)
    app.router.routes.extend(oce_shares.routes)
    app.router.routes.extend(oce_templates.routes)
    app.router.routes.extend(oce_catalog.routes)
    app.router.routes.extend(docs_routes())
    app.router.routes.append(Route("/", landing_page, methods=["GET"], include_in_schema=False))
    published = settings.content_dir / "published"
    (published / "sites").mkdir(parents=True, exist_ok=True)
    app.mount("/site", PublishedSites(published / "sites"), name="sites")
    for url, folder in PUBLISHED_MOUNTS.items():
        (published / folder).mkdir(parents=True, exist_ok=True)
        app.mount(url, StaticFiles(directory=published / folder, html=True, check_dir=False), name=folder)
    dashboard = create_dashboard(
        settings, app.state, secret=lambda: app.state.tokens.signing_secret(), mount_path=DASHBOARD_PREFIX
    )
    app.mount(DASHBOARD_PREFIX, dashboard, name="dashboard")

    app.add_exception_handler(SitejobsError, faults.on_sitejobs_error)
    app.add_exception_handler(HTTPException, faults.on_http_error)
    app.add_exception_handler(Exception, faults.on_unexpected)
    app.add_exception_handler(RequestValidationError, faults.on_validation_error)
    limited = BodyLimit(
        app,
        settings.max_body_bytes,
        {
            WEBDAV_PREFIX: None,
            UPLOAD_PREFIX: settings.webdav_max_upload_bytes,
            f"{DASHBOARD_PREFIX}/impex": settings.webdav_max_upload_bytes,
        },
    )
    return OceStatusFastPath(StatusFastPath(limited, app.state), app.state)
