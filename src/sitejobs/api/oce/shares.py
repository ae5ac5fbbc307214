"""Sharing, as `cec share-site`, `unshare-site`, `share-theme` and `unshare-theme` do it (serverRest.js
`_getUser`, `_getFolderUsers`, `_shareFolder`, `_unshareFolder`), and the Sites Management API's
`sites/{id}/members` (sitesRest.js `_shareSite`).

- `GET /documents/api/1.2/users/items?info=NAME`: users whose login or display name contains NAME.
- `GET /documents/api/1.2/shares/{id}/items`: the members of the site (or template, theme, component) `{id}`.
- `POST /shares/{id}` `{"userID","role"}` grants, `PUT /shares/{id}/role` changes, `DELETE /shares/{id}/user`
  `{"userID"}` revokes; each answers `{"errorCode":"0","user":{…},"role"}`, which the toolkit prints.

Only a site's managers (its owner, administrators, members with the manager role) may change who it is shared
with; anyone who can see it may list its members. A template, theme or component is shared by its owner, an
administrator or one of its managers. A user's id is their login name, as in every document's `createdBy`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sitejobs.api.oce.auth import current_user
from sitejobs.api.oce.doc_files import DOCS, ItemNotFound
from sitejobs.api.oce.routes import API, MANAGE, READ, _json, _site_for
from sitejobs.api.services import services
from sitejobs.auth.users import User, UserStore
from sitejobs.errors import BadRequest, Forbidden, MalformedDocument, SiteNotFound
from sitejobs.sites.content.sharing import ROLES, Sharing
from sitejobs.sites.content.store import RESOURCE_TABLES, ContentStore


@dataclass(frozen=True)
class Shared:
    """What a share names: a site, or a template, theme or component (`site` false)."""

    id: str
    name: str
    site: bool


def _users(request: Request) -> UserStore:
    users: UserStore = services(request).users
    return users


def _store(request: Request) -> ContentStore:
    store: ContentStore = services(request).content
    return store


def user_document(user: User) -> dict[str, Any]:
    return {"id": user.name, "loginName": user.name, "displayName": user.display_name, "type": "user"}


def _shared(store: ContentStore, user: User, item_id: str, *, change: bool) -> Shared:
    """The site or resource `item_id` names, if the user may list (or, with `change`, change) its members."""
    site = store.site(item_id)
    if site is not None:
        try:
            _site_for(store, user, site.id, MANAGE if change else READ)
        except SiteNotFound:
            raise ItemNotFound(item_id) from None
        return Shared(site.id, site.name, True)
    for kind in RESOURCE_TABLES:
        row = store.resource(kind, item_id)
        if row is None:
            continue
        if change and not (user.is_admin or row["owner"] == user.name or _manages(store, row["id"], user)):
            raise Forbidden(f"Only the owner or a manager of '{row['name']}' may share it.")
        return Shared(row["id"], row["name"], False)
    raise ItemNotFound(item_id)


def _manages(store: ContentStore, resource_id: str, user: User) -> bool:
    return (user.name, "manager") in Sharing(store).members(resource_id, site=False)


def _member(users: UserStore, user_id: object) -> User:
    if not isinstance(user_id, str) or not user_id:
        raise BadRequest("'userID' must name a user.", property="userID")
    found = users.get(user_id) or next((u for u in users.list() if u.id == user_id), None)
    if found is None:
        raise BadRequest(f"There is no user '{user_id}'.", property="userID")
    return found


async def _json_body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    try:
        body = orjson.loads(raw) if raw.strip() else {}
    except orjson.JSONDecodeError:
        raise MalformedDocument("The request body is not well-formed JSON.") from None
    if not isinstance(body, dict):
        raise MalformedDocument("The request body must be a JSON object.")
    return body


def _role(value: object) -> str:
    if value not in ROLES:
        raise BadRequest(f"'role' must be one of {', '.join(ROLES)}.", property="role")
    return str(value)


# ---- Documents API ---------------------------------------------------------------------------------------------


async def users_items(request: Request) -> Response:
    await current_user(request)
    text = (request.query_params.get("info") or "").lower()
    users = await run_in_threadpool(_users(request).list)
    items = [
        user_document(u) for u in users if text and (text in u.name.lower() or text in u.display_name.lower())
    ]
    return _json({"errorCode": "0", "count": str(len(items)), "items": items})


def _member_items(request: Request, shared: Shared) -> list[dict[str, Any]]:
    users = _users(request)
    items = []
    for name, role in Sharing(_store(request)).members(shared.id, site=shared.site):
        user = users.get(name)
        document = user_document(user) if user else {"id": name, "loginName": name, "displayName": name}
        items.append({"type": "share", "role": role, "user": document})
    return items


async def share_items(request: Request) -> Response:
    user = await current_user(request)
    shared = await run_in_threadpool(_shared_in, request, user, False)
    items = await run_in_threadpool(_member_items, request, shared)
    return _json({"errorCode": "0", "id": shared.id, "count": str(len(items)), "items": items})


def _shared_in(request: Request, user: User, change: bool) -> Shared:
    """The site or resource the path's `{id}` names (see `_shared`)."""
    return _shared(_store(request), user, request.path_params["id"], change=change)


async def _grant(request: Request) -> Response:
    user = await current_user(request)
    body = await _json_body(request)
    role = _role(body.get("role"))
    shared = await run_in_threadpool(_shared_in, request, user, True)
    member = await run_in_threadpool(_member, _users(request), body.get("userID"))
    await run_in_threadpool(Sharing(_store(request)).share, shared.id, member.name, role, site=shared.site)
    return _json({"errorCode": "0", "user": user_document(member), "role": role})


async def _revoke(request: Request) -> Response:
    user = await current_user(request)
    body = await _json_body(request)
    shared = await run_in_threadpool(_shared_in, request, user, True)
    member = await run_in_threadpool(_member, _users(request), body.get("userID"))
    removed = await run_in_threadpool(
        Sharing(_store(request)).unshare, shared.id, member.name, site=shared.site
    )
    if not removed:
        raise BadRequest(f"'{shared.name}' is not shared with {member.name}.", property="userID")
    return _json({"errorCode": "0", "user": user_document(member)})


# ---- Sites Management API: sites/{id}/members ------------------------------------------------------------------


def _member_document(user: dict[str, Any], role: str) -> dict[str, Any]:
    return {
        "id": user["id"],
        "name": user["loginName"],
        "displayName": user["displayName"],
        "type": "user",
        "role": role,
    }


async def site_members(request: Request) -> Response:
    user = await current_user(request)
    store = _store(request)
    site = await run_in_threadpool(_site_for, store, user, request.path_params["id"], READ)
    items = await run_in_threadpool(_member_items, request, Shared(site.id, site.name, True))
    members = [_member_document(item["user"], item["role"]) for item in items]
    return _json(
        {"items": members, "count": len(members), "hasMore": False, "offset": 0, "limit": len(members)}
    )


async def add_site_member(request: Request) -> Response:
    """`POST sites/{id}/members` `{"id": user, "role"}` (sitesRest.js `_shareSite`)."""
    user = await current_user(request)
    store = _store(request)
    body = await _json_body(request)
    role = _role(body.get("role"))
    site = await run_in_threadpool(_site_for, store, user, request.path_params["id"], MANAGE)
    member = await run_in_threadpool(_member, _users(request), body.get("id"))
    await run_in_threadpool(store.share, site.id, member.name, role)
    return _json(_member_document(user_document(member), role), 201)


async def remove_site_member(request: Request) -> Response:
    user = await current_user(request)
    store = _store(request)
    site = await run_in_threadpool(_site_for, store, user, request.path_params["id"], MANAGE)
    member = await run_in_threadpool(_member, _users(request), request.path_params["member"])
    if not await run_in_threadpool(Sharing(store).unshare, site.id, member.name, site=True):
        raise BadRequest(f"Site '{site.name}' is not shared with {member.name}.", property="id")
    return Response(status_code=204)


routes = [
    Route(f"{DOCS}/users/items", users_items, methods=["GET"]),
    Route(f"{DOCS}/shares/{{id}}/items", share_items, methods=["GET"]),
    Route(f"{DOCS}/shares/{{id}}", _grant, methods=["POST"]),
    Route(f"{DOCS}/shares/{{id}}/role", _grant, methods=["PUT"]),
    Route(f"{DOCS}/shares/{{id}}/user", _revoke, methods=["DELETE"]),
    Route(f"{API}/sites/{{id}}/members", site_members, methods=["GET"]),
    Route(f"{API}/sites/{{id}}/members", add_site_member, methods=["POST"]),
    Route(f"{API}/sites/{{id}}/members/{{member}}", remove_site_member, methods=["DELETE"]),
]
