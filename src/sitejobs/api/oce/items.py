"""`GET /content/management/api/v1.1/items`: the content items of the enterprise sites the caller may see.

The toolkit counts a site's items with it (`describe-site`, serverRest.js `queryItems`):
`?q=channels co "CH…" AND languageIsMaster eq "true"&orderBy=id&limit=1&offset=0`, and reads the answer's
`limit` as the number of items that match (`totalCount = result.limit`; content.js and asset.js read it the
same way). So the answer's `limit` is that number, as Content Management's search answers it, `count` is the
number of items on the page, `hasMore` whether any follow, and `totalResults=true` adds `totalResults` too.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sitejobs.api.oce.cm_documents import CM_API
from sitejobs.api.oce.routes import _caller, _json, _store
from sitejobs.errors import BadQueryParameter, ResourceNotFound
from sitejobs.sites.content.item_query import ItemQuery, run
from sitejobs.sites.content.site_items import site_items

DEFAULT_LIMIT = 100
#: The most items one page holds (the toolkit asks for pages of 500, `QUERY_SIZE`).
MAX_LIMIT = 500
_WHOLE = re.compile(r"[0-9]{1,9}")


def _whole(request: Request, name: str, default: int, minimum: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    if not _WHOLE.fullmatch(raw) or int(raw) < minimum:
        raise BadQueryParameter(name, f"The query parameter {name!r} must be a whole number from {minimum}.")
    return int(raw)


def item_query(request: Request) -> ItemQuery:
    params = request.query_params
    return ItemQuery.parse(
        params.get("q"),
        params.get("orderBy"),
        _whole(request, "offset", 0, 0),
        min(_whole(request, "limit", DEFAULT_LIMIT, 1), MAX_LIMIT),
    )


def items_page(items: list[dict[str, Any]], request: Request) -> dict[str, Any]:
    """One page of `items` as the query string asks for it."""
    found = run(item_query(request), items)
    body: dict[str, Any] = {
        "hasMore": found.has_more,
        "offset": _whole(request, "offset", 0, 0),
        "count": len(found.items),
        "limit": found.total,
        "items": found.items,
    }
    if request.query_params.get("totalResults") == "true":
        body["totalResults"] = found.total
    return body


async def list_items(request: Request) -> Response:
    user = await _caller(request)
    store = _store(request)
    item_query(request)  # a bad parameter is a 400 before any work

    def visible() -> list[dict[str, Any]]:
        return site_items(store, store.sites(visible_to=user))

    return _json(items_page(await run_in_threadpool(visible), request))


async def get_item(request: Request) -> Response:
    user = await _caller(request)
    store = _store(request)
    ref = request.path_params["id"]
    items = await run_in_threadpool(lambda: site_items(store, store.sites(visible_to=user)))
    found = next((i for i in items if i.get("id") == ref), None)
    if found is None:
        raise ResourceNotFound(ref)
    return _json(found)


routes = [
    Route(f"{CM_API}/items", list_items, methods=["GET"]),
    Route(f"{CM_API}/items/{{id}}", get_item, methods=["GET"]),
]
