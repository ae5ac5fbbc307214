"""The ASGI application: both API surfaces, the token endpoint, operations routes, one fault handler."""

from __future__ import annotations

import contextlib
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
from sitejobs.api.docs.routes import routes as docs_routes
from sitejobs.api.faults import json_response
from sitejobs.api.landing import landing_page
from sitejobs.api.limits import BodyLimit
from sitejobs.api.ocapi.fastpath import StatusFastPath
from sitejobs.api.ocapi.routes import router as ocapi_router
from sitejobs.api.oce import catalog as oce_catalog
from sitejobs.api.oce import integration as oce_integration
from sitejobs.api.oce import routes as oce_routes
from sitejobs.api.oce import site_state as oce_site_state
from sitejobs.api.oce.auth import RateLimiter
from sitejobs.api.oce.errors import error_document, error_headers
from sitejobs.api.oce.fastpath import OceStatusFastPath
from sitejobs.auth.clients import ClientStore
from sitejobs.auth.tokens import TokenIssuer, load_or_create_key
from sitejobs.auth.users import UserStore
from sitejobs.engine.executor import LocalExecutor
from sitejobs.engine.service import JobEngine
from sitejobs.errors import SitejobsError
from sitejobs.settings import Settings
from sitejobs.sites.content.store import ContentStore

log = logging.getLogger(__name__)

OCAPI_PREFIXES = ("/s/-/dw/data", "/dw/data")
OCE_PREFIXES = ("/sites/management", "/documents", "/system/api", "/site/", "/_themes/", "/_compdelivery/")
#: Published content (sites, themes, components) served as static files: URL prefix → folder of
#: DATA_DIR/content/published.
PUBLISHED_MOUNTS = {"/site": "sites", "/_themes": "themes", "/_compdelivery": "components"}
WEBDAV_PREFIX = "/on/demandware.servlet/webdav"
UPLOAD_PREFIX = "/documents/api/1.2/files/data"


def _oce_fault(request: Request, error: SitejobsError) -> Response:
    return json_response(error_document(error), error.status, error_headers(error))


def create_app(settings: Settings, *, engine: JobEngine | None = None, executor: bool = True) -> ASGIApp:
    """The server. It opens (and migrates) the store at startup unless given an engine, and runs an
    in-process executor when `executor` is true and the settings ask for the local one."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own = engine is None
        app.state.engine = JobEngine.open(settings) if own else engine
        app.state.users = UserStore(app.state.engine.db)
        app.state.content = ContentStore(app.state.engine.db, settings.content_dir)
        app.state.metrics, durations = ops.metrics_registry(app.state.engine)
        runner: LocalExecutor | None = None
        if executor and settings.executor == "local":
            runner = LocalExecutor(app.state.engine, kind="embedded")
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
    app.state.clients = ClientStore(settings.resolved_clients_file)
    key = (
        settings.token_secret.encode()
        if settings.token_secret
        else load_or_create_key(settings.data_dir / "token.key")
    )
    app.state.tokens = TokenIssuer(key, settings.token_ttl_seconds)
    app.state.fault_renderers = dict.fromkeys(OCE_PREFIXES, _oce_fault)
    app.state.rate_limiter = RateLimiter(settings.oce_rate_per_second, settings.oce_rate_burst)

    for prefix in OCAPI_PREFIXES:
        app.include_router(ocapi_router, prefix=prefix)
    app.router.routes.extend(token.routes)
    app.router.routes.extend(ops.routes)
    app.router.routes.extend(webdav.routes)
    app.router.routes.extend(oce_routes.routes)
    app.router.routes.extend(oce_site_state.routes)
    app.router.routes.extend(oce_integration.routes)
    app.router.routes.extend(oce_catalog.routes)
    app.router.routes.extend(docs_routes())
    app.router.routes.append(Route("/", landing_page, methods=["GET"], include_in_schema=False))
    published = settings.content_dir / "published"
    for url, folder in PUBLISHED_MOUNTS.items():
        (published / folder).mkdir(parents=True, exist_ok=True)
        app.mount(url, StaticFiles(directory=published / folder, html=True, check_dir=False), name=folder)

    app.add_exception_handler(SitejobsError, faults.on_sitejobs_error)
    app.add_exception_handler(HTTPException, faults.on_http_error)
    app.add_exception_handler(Exception, faults.on_unexpected)
    app.add_exception_handler(RequestValidationError, faults.on_validation_error)
    limited = BodyLimit(
        app, settings.max_body_bytes, {WEBDAV_PREFIX: None, UPLOAD_PREFIX: settings.webdav_max_upload_bytes}
    )
    return OceStatusFastPath(StatusFastPath(limited, app.state), app.state)
