"""What the surfaces work with: one typed object, opened by the server at startup.

The sub-apps are built before the store is open, so each is handed the server's `Started`, which its lifespan
fills; a request reaches the services through the app that serves it (`services(request)`).
"""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry
from starlette.requests import HTTPConnection
from starlette.types import Scope

from sitejobs.api.credentials import CredentialChecker
from sitejobs.api.database import DatabaseGate
from sitejobs.api.read_cache import ReadCache
from sitejobs.auth.clients import ClientStore
from sitejobs.auth.rate import RateLimiter
from sitejobs.auth.tokens import TokenIssuer
from sitejobs.auth.users import UserStore
from sitejobs.engine.executor import Executor
from sitejobs.engine.service import JobEngine
from sitejobs.settings import Settings
from sitejobs.sites.content.store import ContentStore


@dataclass(frozen=True, slots=True)
class Services:
    settings: Settings
    engine: JobEngine
    #: The OCAPI clients and the Content Management users, and the checks of their secrets.
    clients: ClientStore
    users: UserStore
    credentials: CredentialChecker
    tokens: TokenIssuer
    #: Database work of requests, under a deadline (503 when the database does not answer).
    database: DatabaseGate
    #: Rendered status answers, valid until the store changes.
    read_cache: ReadCache
    content: ContentStore
    #: Content Management requests per user.
    rate_limiter: RateLimiter
    metrics: CollectorRegistry
    #: The executor this server runs, if any.
    executor: Executor | None


class Started:
    """The services of one server: None until its lifespan has opened them."""

    __slots__ = ("services",)

    def __init__(self) -> None:
        self.services: Services | None = None

    def __call__(self) -> Services:
        if self.services is None:
            raise RuntimeError("The server has not started: its services are not open yet.")
        return self.services


def services(conn: HTTPConnection) -> Services:
    """The services of the server this request came to."""
    return services_in(conn.scope)


def services_in(scope: Scope) -> Services:
    started: Started = scope["app"].started
    return started()
