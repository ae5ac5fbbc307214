"""Changes of a site's state that answer at once: bring a site online (`activate`), take it offline
(`deactivate`) and unpublish it. The toolkit accepts exactly 200 for these (sitesRest.js
`_setSiteOnlineStatus`, `_unpublishResource`); the body is the site as it now is. Only the site's managers
may change its state."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sitejobs.api.oce import documents, resources
from sitejobs.api.oce.routes import API, MANAGE, _base_url, _caller, _json, _query, _site_for, _store
from sitejobs.api.oce.shaping import shape
from sitejobs.errors import SiteNotFound, SiteStateConflict
from sitejobs.sites.content.store import ContentStore, SiteRow


def _bring_online(store: ContentStore, site: SiteRow) -> None:
    if not store.set_online(site.id, True):
        raise SiteStateConflict(f"Site '{site.name}' is not published: publish it before bringing it online.")


def _take_offline(store: ContentStore, site: SiteRow) -> None:
    store.set_online(site.id, False)


def _unpublish(store: ContentStore, site: SiteRow) -> None:
    if not store.unpublish_site(site):
        raise SiteStateConflict(f"Site '{site.name}' is online: take it offline before unpublishing it.")


def _state_change(change: Callable[[ContentStore, SiteRow], None]) -> Callable[..., Any]:
    async def endpoint(request: Request) -> Response:
        user = _caller(request)
        params = _query(request, resources.SITE)
        store = _store(request)
        site = await run_in_threadpool(_site_for, store, user, request.path_params["id"], MANAGE)
        await run_in_threadpool(change, store, site)
        changed = await run_in_threadpool(store.site, site.id)
        if changed is None:  # hard-deleted meanwhile
            raise SiteNotFound(site.id)
        return _json(shape(documents.site_document(changed, _base_url(request)), params))

    return endpoint


routes = [
    Route(f"{API}/sites/{{id}}/activate", _state_change(_bring_online), methods=["POST"]),
    Route(f"{API}/sites/{{id}}/deactivate", _state_change(_take_offline), methods=["POST"]),
    Route(f"{API}/sites/{{id}}/unpublish", _state_change(_unpublish), methods=["POST"]),
]
