"""Content Delivery (`/content/published/api/v1.1/items`): the items a published, online site delivers, for
anyone (as a public channel's are), with the same `q`, `orderBy`, `offset`, `limit` and `totalResults` as the
Content Management items API (`items.items_page`).

The site is named by its channel's token (`channelToken`, an enterprise site's channel), or by its name
(`site=NAME`, this server's own addition for standard sites, which have no channel); the site runtime's content
client (`runtime/files/renderer.js`, `queryItems`) asks with the site's name. A site that is offline, never
brought online or in the trash delivers nothing: 404, as for a token or name that names no site.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sitejobs.api.oce.items import item_query, items_page
from sitejobs.api.oce.published import is_served
from sitejobs.api.oce.routes import _json, _store, check_accept
from sitejobs.api.services import services
from sitejobs.errors import BadRequest, ResourceNotFound
from sitejobs.sites.content import schema
from sitejobs.sites.content.site_items import delivered_items
from sitejobs.sites.content.store import ContentStore, SiteRow

DELIVERY = "/content/published/api/v1.1"


def _site_of(store: ContentStore, token: str | None, name: str | None) -> SiteRow | None:
    if token:
        c = schema.channels
        with store.db.connect() as conn:
            site_id = conn.execute(select(c.c.site_id).where(c.c.token == token)).scalar()
        site = store.site(site_id) if site_id else None
    elif name:
        site = store.site(f"name:{name}")
    else:
        raise BadRequest("Name the site's channel with 'channelToken' (or the site with 'site').")
    return site if site is not None and is_served(store, site.name) else None


def _delivered(request: Request) -> list[dict[str, Any]]:
    store = _store(request)
    params = request.query_params
    site = _site_of(store, params.get("channelToken"), params.get("site"))
    if site is None:
        raise ResourceNotFound(params.get("channelToken") or f"name:{params.get('site')}")
    return delivered_items(store, site)


async def list_items(request: Request) -> Response:
    check_accept(request.headers.get("accept", ""))
    services(request).database.check()
    item_query(request)  # a bad parameter is a 400 before any work
    return _json(items_page(await run_in_threadpool(_delivered, request), request))


async def get_item(request: Request) -> Response:
    check_accept(request.headers.get("accept", ""))
    services(request).database.check()
    ref = request.path_params["id"]
    found = next((i for i in await run_in_threadpool(_delivered, request) if i.get("id") == ref), None)
    if found is None:
        raise ResourceNotFound(ref)
    return _json(found)


routes = [
    Route(f"{DELIVERY}/items", list_items, methods=["GET"]),
    Route(f"{DELIVERY}/items/{{id}}", get_item, methods=["GET"]),
]
