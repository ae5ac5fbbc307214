"""What every dashboard view shares: the services object on the app, the signed-in user, the CSRF check and
rendering with the layout's context."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Protocol

from starlette.datastructures import FormData
from starlette.requests import HTTPConnection, Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from sitejobs.api.database import DatabaseGate
from sitejobs.auth.users import User, UserStore
from sitejobs.dashboard import session_store
from sitejobs.dashboard.live import LiveFeed
from sitejobs.dashboard.session import CSRF_FIELD, CSRF_HEADER, Session, SessionSigner, csrf_matches
from sitejobs.engine.executor import Executor
from sitejobs.engine.models import now_ms
from sitejobs.engine.service import JobEngine
from sitejobs.errors import Forbidden, SitejobsError
from sitejobs.settings import Settings
from sitejobs.sites.content.store import ContentStore, SiteRow
from sitejobs.timefmt import iso_ms

HERE = Path(__file__).parent


class Host(Protocol):
    """The server's services, which its lifespan opens (the dashboard is mounted before they exist)."""

    @property
    def engine(self) -> JobEngine: ...
    @property
    def users(self) -> UserStore: ...
    @property
    def content(self) -> ContentStore: ...
    @property
    def executor(self) -> Executor | None: ...
    @property
    def database(self) -> DatabaseGate: ...


@dataclass(frozen=True)
class Dashboard:
    settings: Settings
    #: The server's services, once it has started.
    host: Callable[[], Host]
    signer: SessionSigner
    templates: Jinja2Templates
    live: LiveFeed

    @property
    def engine(self) -> JobEngine:
        return self.host().engine

    @property
    def users(self) -> UserStore:
        return self.host().users

    @property
    def content(self) -> ContentStore:
        return self.host().content


class MemoContent(ContentStore):
    """The content store for one request, remembering each site and role it looked up: checking many
    executions against the visibility rule then reads each site once."""

    def __init__(self, store: ContentStore) -> None:
        super().__init__(store.db, store.content_dir)
        self._sites: dict[tuple[str, bool], SiteRow | None] = {}
        self._roles: dict[tuple[str, str], str | None] = {}

    def site(self, ref: str, *, include_deleted: bool = False) -> SiteRow | None:
        key = (ref, include_deleted)
        if key not in self._sites:
            self._sites[key] = super().site(ref, include_deleted=include_deleted)
        return self._sites[key]

    def role_of(self, site: SiteRow, user: User) -> str | None:
        key = (site.id, user.name)
        if key not in self._roles:
            self._roles[key] = super().role_of(site, user)
        return self._roles[key]


class NotSignedIn(SitejobsError):
    """Sign in to use the dashboard."""

    status = 401


class CsrfRefused(Forbidden):
    """The form is stale or forged (its CSRF token does not match your session); nothing was changed."""


def dashboard(conn: HTTPConnection) -> Dashboard:
    found: Dashboard = conn.app.state.dashboard
    return found


def prefix(conn: HTTPConnection) -> str:
    """Where the dashboard is mounted (`/ui`)."""
    root: str = conn.scope.get("root_path", "")
    return root


def session_of(conn: HTTPConnection) -> Session | None:
    return dashboard(conn).signer.read(conn)


async def signed_in(conn: HTTPConnection) -> tuple[Session, User]:
    """The session and its user. One statement, by primary key, looks the user up (so a deleted user is
    signed out at once) and checks that the session was not signed out, on this node or another; off the
    event loop on a database that may stall (`DatabaseGate.read_now`: 503 rather than a frozen server)."""
    session = session_of(conn)
    if session is None or session.user is None or session.key is None:
        raise NotSignedIn()
    lookup = partial(session_store.signed_in_user, key=session.key, user_name=session.user, now_ms=now_ms())
    host = dashboard(conn).host()
    user: User | None = await host.database.read_now(host.engine.read, lookup)
    if user is None:
        raise NotSignedIn()
    return session, user


async def checked_form(request: Request, session: Session) -> FormData:
    """The posted form, once its CSRF token (field or header) matches the session's; 403 otherwise."""
    form = await request.form()
    given = request.headers.get(CSRF_HEADER) or form.get(CSRF_FIELD)
    if not csrf_matches(session, given if isinstance(given, str) else None):
        await form.close()
        raise CsrfRefused()
    return form


def render(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    session: Session | None = None,
    user: User | None = None,
    status: int = 200,
) -> Response:
    base = {
        "prefix": prefix(request),
        "user": user,
        "csrf": session.csrf if session else "",
        "csrf_field": CSRF_FIELD,
    }
    response: Response = dashboard(request).templates.TemplateResponse(
        request, template, {**base, **context}, status_code=status
    )
    return response


def templates() -> Jinja2Templates:
    found = Jinja2Templates(directory=HERE / "templates")
    found.env.globals["iso"] = iso_ms
    found.env.globals["csrf_field"] = CSRF_FIELD
    return found
