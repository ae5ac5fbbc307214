"""The ASGI application: one mounted sub-app per surface under a bare router, and the services they share.

Each sub-app owns its routes, its error document, its body limit and its authentication:
- `api/ocapi` (the Data API jobs resource) under `/s/-/dw/data` and `/dw/data`;
- `api/oce` (Sites Management, Content Management, Documents, the published sites) under its prefixes;
- WebDAV (the Impex and log areas) under `/on/demandware.servlet/webdav/Sites`;
- the dashboard under `/ui`;
- the server's own routes (the token endpoints, operations, the API docs, the landing page) everywhere else,
  with OCAPI fault documents, as everything not under another surface has always had.
"""

from __future__ import annotations

import contextlib
import functools
import logging
from collections.abc import AsyncIterator

from starlette.routing import Route, Router
from starlette.types import ASGIApp

from sitejobs.api import ops, token
from sitejobs.api.credentials import CredentialChecker
from sitejobs.api.database import DatabaseGate
from sitejobs.api.docs.routes import routes as docs_routes
from sitejobs.api.landing import landing_page
from sitejobs.api.ocapi import faults as ocapi_faults
from sitejobs.api.ocapi.app import PREFIXES as OCAPI_PREFIXES
from sitejobs.api.ocapi.app import create_ocapi
from sitejobs.api.oce.app import PREFIXES as OCE_PREFIXES
from sitejobs.api.oce.app import create_oce
from sitejobs.api.read_cache import ReadCache
from sitejobs.api.services import Services, Started
from sitejobs.api.surface import Mounted, Surface
from sitejobs.api.webdav import SITES_PREFIX, create_webdav
from sitejobs.auth.clients import open_clients
from sitejobs.auth.rate import RateLimiter
from sitejobs.auth.throttle import Limit
from sitejobs.auth.tokens import TokenIssuer, key_ring
from sitejobs.auth.users import UserStore
from sitejobs.dashboard import create_dashboard
from sitejobs.engine.executor import Executor
from sitejobs.engine.local import LocalExecutor
from sitejobs.engine.registry import Registry
from sitejobs.engine.service import JobEngine
from sitejobs.jobs.builtin import default_registry
from sitejobs.settings import Settings
from sitejobs.sites.content.store import ContentStore

log = logging.getLogger(__name__)

DASHBOARD_PREFIX = "/ui"


class Server(Router):
    """The root: it routes each request to its surface and opens the services at startup (`started`)."""

    def __init__(self, started: Started, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.started = started


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
    started = Started()

    @contextlib.asynccontextmanager
    async def lifespan(_app: object) -> AsyncIterator[None]:
        own = engine is None
        store = (
            JobEngine.open(settings, registry or default_registry(settings.jobs_module)) if own else engine
        )
        assert store is not None
        try:
            clients = open_clients(store.db, settings.resolved_clients_file)
            clients.start_refreshing()
            tokens = TokenIssuer(key_ring(settings, store.db), settings.token_ttl_seconds)
            users = UserStore(store.db)
            users.watch()
        except BaseException:
            if own:
                store.close()
            raise
        metrics, durations = ops.metrics_registry(store)
        runner = _start_executor(settings, store) if executor else None
        started.services = Services(
            settings=settings,
            engine=store,
            clients=clients,
            users=users,
            credentials=CredentialChecker(
                clients,
                users,
                threads=settings.auth_threads,
                per_account=Limit(
                    settings.auth_account_failures, settings.auth_account_failures_per_minute / 60
                ),
                per_address=Limit(
                    settings.auth_address_failures, settings.auth_address_failures_per_minute / 60
                ),
            ),
            tokens=tokens,
            database=DatabaseGate(store.db, settings.database_request_timeout),
            read_cache=ReadCache.of(store),
            content=ContentStore(store.db, settings.content_dir),
            rate_limiter=RateLimiter(settings.oce_rate_per_second, settings.oce_rate_burst),
            metrics=metrics,
            executor=runner,
        )
        if runner is not None:
            runner.on_finished = lambda e, o, seconds: durations.labels(e.job_id, o.state.value).observe(
                seconds
            )
            runner.start()
        try:
            yield
        finally:
            if runner is not None:
                runner.stop()
            clients.stop_refreshing()
            users.stop_watching()
            if own:
                store.close()

    settings.ensure_dirs()
    ocapi = create_ocapi(started, settings)
    server = Surface(
        started,
        [
            *token.routes,
            *ops.routes,
            *docs_routes(),
            Route("/", landing_page, methods=["GET"], include_in_schema=False),
        ],
        ocapi_faults.render,
        max_body_bytes=settings.max_body_bytes,
    )
    dashboard = create_dashboard(
        settings, started, secret=lambda: started().tokens.signing_secret(), mount_path=DASHBOARD_PREFIX
    )
    return Server(
        started,
        routes=[
            Mounted(OCAPI_PREFIXES, ocapi, strip=True),
            Mounted(OCE_PREFIXES, create_oce(started, settings), strip=False),
            Mounted((SITES_PREFIX,), create_webdav(started), strip=False),
            Mounted((DASHBOARD_PREFIX,), dashboard, strip=True),
        ],
        default=server,
        redirect_slashes=False,
        lifespan=lifespan,
    )
