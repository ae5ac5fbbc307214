"""Published sites under `/site/NAME/`, served only while the site is online, and a secure site's only to the
users it admits.

Content Management serves a site's published files to visitors only once the site is brought online: a site
that is offline (taken offline, or never brought online) or in the trash answers 404 for every one of its
files, the page and its theme alike. The check is one indexed lookup by name per request, which also reads the
site's access list (`site_viewers.served_site`); the files come from the publish folder as static files
(`/site/NAME/` is the folder's `index.html`, which publish writes for the site's home page).

A secure site asks for HTTP Basic credentials of a Content Management user (401 with a Basic challenge),
checked as the API checks them (`CredentialChecker`: throttled, remembered briefly), and answers 403 to a user
it does not admit (`site_viewers.may_view`). What it serves is `Cache-Control: private`: no shared cache keeps
one user's page for the next.
"""

from __future__ import annotations

from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Message, Receive, Scope, Send

from sitejobs.api.credentials import client_address
from sitejobs.api.faults import json_response
from sitejobs.api.oce.errors import error_document
from sitejobs.api.security import basic_credentials
from sitejobs.api.services import Services, services_in
from sitejobs.errors import Forbidden, SitejobsError, SiteNotFound, Unauthorized
from sitejobs.sites.content.site_viewers import ServedSite, may_view, served_site

CHALLENGE = 'Basic realm="sitejobs"'


class PublishedSites:
    """The `/site` mount: the publish folder of every site, gated by the site's runtime status and security."""

    def __init__(self, directory: Path) -> None:
        self._files = StaticFiles(directory=directory, html=True, check_dir=False)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            name = site_name(scope)
            svc = services_in(scope)
            site = await run_in_threadpool(served_site, svc.content.db, name) if name else None
            if site is None or site.name != name or not site.online:
                raise SiteNotFound(f"name:{name}")
            if site.secure:
                refused = await refusal(svc, site, scope)
                if refused is not None:
                    await refused(scope, receive, send)
                    return
                send = _private(send)
        await self._files(scope, receive, send)


def site_name(scope: Scope) -> str:
    """The first segment of the path below the mount: the site's name."""
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    if root and path.startswith(root):
        path = path[len(root) :]
    return path.lstrip("/").split("/", 1)[0]


async def refusal(svc: Services, site: ServedSite, scope: Scope) -> Response | None:
    """None when the request's credentials name a user the secure site admits; else the 401 or 403."""
    credentials = basic_credentials(Headers(scope=scope).get("authorization", ""))
    user = None
    if credentials is not None:
        user = await svc.credentials.user(*credentials, client_address(scope.get("client")))
    if user is None:
        return _error(Unauthorized(f"Sign in to see site '{site.name}'."), {"WWW-Authenticate": CHALLENGE})
    if not await run_in_threadpool(may_view, svc.content.db, site, user):
        return _error(Forbidden(f"User '{user.name}' may not see site '{site.name}'."), {})
    return None


def _error(error: SitejobsError, headers: dict[str, str]) -> Response:
    return json_response(error_document(error), error.status, {**headers, "Cache-Control": "no-store"})


def _private(send: Send) -> Send:
    """`send`, with `Cache-Control: private` on the response it starts."""

    async def private(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"cache-control"]
            message = {**message, "headers": [*headers, (b"cache-control", b"private")]}
        await send(message)

    return private
