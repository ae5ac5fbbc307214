"""Changes of a site's state that answer at once: bring a site online (`activate`), take it offline
(`deactivate`), unpublish it, move it to the trash (`DELETE`) and back (`undelete`).

The toolkit accepts exactly 200 for the first three (sitesRest.js `_setSiteOnlineStatus`, `_unpublishResource`)
and any 2xx for the trash (`_softDeleteResource`, `_restoreResource`). The body is the site as it now is; a
deleted site's answer is 204, as Oracle documents it. Only a site's managers may bring it online or take it
offline, unpublish or restore it; contributors may also move it to the trash. A site in the trash is found only
with `includeDeleted=true` (`GET /sites/{id}`, which `cec delete-site` reads `isDeleted` from) and keeps its
name until it is deleted for good (`POST /sites/{id}/hardDelete`, a job)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sitejobs.api.oce import resources
from sitejobs.api.oce.routes import (
    API,
    CONTRIBUTE,
    MANAGE,
    _base_url,
    _caller,
    _json,
    _query,
    _site_for,
    _store,
)
from sitejobs.api.oce.shaping import shape
from sitejobs.api.oce.site_relations import site_doc
from sitejobs.api.services import services
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


def _trash(store: ContentStore, site: SiteRow) -> None:
    if not store.trash_site(site.id):
        raise SiteStateConflict(f"Site '{site.name}' is online: take it offline before deleting it.")


def _restore(store: ContentStore, site: SiteRow) -> None:
    if not store.restore_site(site.id):
        raise SiteStateConflict(f"Site '{site.name}' is not in the trash.")


def _state_change(
    change: Callable[[ContentStore, SiteRow], None],
    rights: frozenset[str],
    *,
    in_trash: bool = False,
    no_content: bool = False,
) -> Callable[..., Any]:
    """An endpoint that applies `change` to the site the path names (`in_trash`: also to one in the trash) and
    answers the changed site, or 204 (`no_content`)."""

    async def endpoint(request: Request) -> Response:
        user = await _caller(request)
        params = _query(request, resources.SITE)
        store = _store(request)
        ref = request.path_params["id"]
        site = await services(request).database.run(
            partial(_site_for, include_deleted=in_trash), store, user, ref, rights
        )
        await run_in_threadpool(change, store, site)
        if no_content:
            return Response(status_code=204)
        changed = await services(request).database.run(store.site, site.id)
        if changed is None:  # deleted meanwhile
            raise SiteNotFound(site.id)
        return _json(shape(site_doc(store, changed, _base_url(request)), params))

    return endpoint


routes = [
    Route(f"{API}/sites/{{id}}/activate", _state_change(_bring_online, MANAGE), methods=["POST"]),
    Route(f"{API}/sites/{{id}}/deactivate", _state_change(_take_offline, MANAGE), methods=["POST"]),
    Route(f"{API}/sites/{{id}}/unpublish", _state_change(_unpublish, MANAGE), methods=["POST"]),
    Route(f"{API}/sites/{{id}}/undelete", _state_change(_restore, MANAGE, in_trash=True), methods=["POST"]),
    Route(f"{API}/sites/{{id}}", _state_change(_trash, CONTRIBUTE, no_content=True), methods=["DELETE"]),
]
