"""Published sites under `/site/NAME/`, served only while the site is online.

Content Management serves a site's published files to visitors only once the site is brought online: a site
that is offline (taken offline, or never brought online) or in the trash answers 404 for every one of its
files, the page and its theme alike. The check is one indexed lookup by name per request; the files come from
the publish folder as static files (`/site/NAME/` is the folder's `index.html`, which publish writes for the
site's home page).
"""

from __future__ import annotations

from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

from sitejobs.api.services import services_in
from sitejobs.errors import SiteNotFound
from sitejobs.sites.content.store import ContentStore

SERVED_STATUS = "online"


class PublishedSites:
    """The `/site` mount: the publish folder of every site, gated by the site's runtime status."""

    def __init__(self, directory: Path) -> None:
        self._files = StaticFiles(directory=directory, html=True, check_dir=False)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            name = site_name(scope)
            store = services_in(scope).content
            if not name or not await run_in_threadpool(is_served, store, name):
                raise SiteNotFound(f"name:{name}")
        await self._files(scope, receive, send)


def site_name(scope: Scope) -> str:
    """The first segment of the path below the mount: the site's name."""
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    if root and path.startswith(root):
        path = path[len(root) :]
    return path.lstrip("/").split("/", 1)[0]


def is_served(store: ContentStore, name: str) -> bool:
    """Whether the site named exactly `name` (its publish folder's name) is online and not in the trash."""
    site = store.site(f"name:{name}")
    return site is not None and site.name == name and site.runtime_status == SERVED_STATUS
