"""Content Delivery (`/content/published/api/v1.1/items`): the items a published, online site delivers, for
anyone (as a public channel's are), with the same `q`, `orderBy`, `offset`, `limit` and `totalResults` as the
Content Management items API (`items.items_page`).

The site is named by its channel's token (`channelToken`, an enterprise site's channel), or by its name
(`site=NAME`, this server's own addition for standard sites, which have no channel); the site runtime's content
client (`runtime/files/renderer.js`, `queryItems`) asks with the site's name. A site that is offline, never
brought online or in the trash delivers nothing: 404, as for a token or name that names no site.

A secure site's items are for the users it admits, as its pages are (`published`, `site_viewers`): anyone else
gets 401 with a Basic challenge, or 403 when signed in and not admitted, and what it delivers is not cacheable
for the next visitor (`Cache-Control: private`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sitejobs.api.oce.items import item_query, items_page
from sitejobs.api.oce.published import refusal
from sitejobs.api.oce.routes import _json, _store, check_accept
from sitejobs.api.services import services
from sitejobs.errors import BadRequest, ResourceNotFound
from sitejobs.sites.content import schema
from sitejobs.sites.content.site_items import delivered_items
from sitejobs.sites.content.site_viewers import ServedSite, served_site
from sitejobs.sites.content.store import ContentStore, SiteRow

DELIVERY = "/content/published/api/v1.1"


def _site_of(store: ContentStore, token: str | None, name: str | None) -> tuple[SiteRow, ServedSite] | None:
    """The online site the channel token or name names, with who may view it."""
    if token:
        c = schema.channels
        with store.db.connect() as conn:
            site_id = conn.execute(select(c.c.site_id).where(c.c.token == token)).scalar()
        site = store.site(site_id) if site_id else None
    elif name:
        site = store.site(f"name:{name}")
    else:
        raise BadRequest("Name the site's channel with 'channelToken' (or the site with 'site').")
    served = served_site(store.db, site.name) if site is not None else None
    if site is None or served is None or served.name != site.name or not served.online:
        return None
    return site, served


async def _delivered(request: Request) -> tuple[list[dict[str, Any]], bool] | Response:
    """The site's delivered items and whether the site is secure; or the 401 or 403 for a caller it does not
    admit."""
    check_accept(request.headers.get("accept", ""))
    svc = services(request)
    svc.database.check()
    item_query(request)  # a bad parameter is a 400 before any work
    store = _store(request)
    params = request.query_params
    found = await run_in_threadpool(_site_of, store, params.get("channelToken"), params.get("site"))
    if found is None:
        raise ResourceNotFound(params.get("channelToken") or f"name:{params.get('site')}")
    site, served = found
    if served.secure:
        refused = await refusal(svc, served, request.scope)
        if refused is not None:
            return refused
    return await run_in_threadpool(delivered_items, store, site), served.secure


def _answer(document: Any, secure: bool) -> Response:
    response = _json(document)
    if secure:
        response.headers["Cache-Control"] = "private"
    return response


async def list_items(request: Request) -> Response:
    delivered = await _delivered(request)
    if isinstance(delivered, Response):
        return delivered
    items, secure = delivered
    return _answer(items_page(items, request), secure)


async def get_item(request: Request) -> Response:
    delivered = await _delivered(request)
    if isinstance(delivered, Response):
        return delivered
    items, secure = delivered
    ref = request.path_params["id"]
    found = next((i for i in items if i.get("id") == ref), None)
    if found is None:
        raise ResourceNotFound(ref)
    return _answer(found, secure)


routes = [
    Route(f"{DELIVERY}/items", list_items, methods=["GET"]),
    Route(f"{DELIVERY}/items/{{id}}", get_item, methods=["GET"]),
]
