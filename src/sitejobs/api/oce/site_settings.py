"""Changing a site's properties and who may see it once online: `PATCH /sites/{id}` (description, runtime
access `security.access`, static delivery options, expiry, embedding), and the users a secure site admits
(`GET|POST /sites/{id}/access`, `DELETE /sites/{id}/access/{member}`), as `update-site`,
`set-site-security`, `get-site-security` and `control-site expire` call them (sitesRest.js `_updateSite`,
`_setSiteRuntimeAccess`, `_grantSiteAccess`, `_removeSiteAccess`, `_getSiteAccess`).

Only a site's managers may change these. Switching between a public and a secure site is refused while the
site is online or published, as Content Management refuses it.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sitejobs.api.oce import resources
from sitejobs.api.oce.routes import (
    API,
    MANAGE,
    READ,
    _base_url,
    _body,
    _caller,
    _json,
    _query,
    _site_for,
    _store,
)
from sitejobs.api.oce.shaping import shape
from sitejobs.api.oce.site_relations import access_item, site_doc, site_relations
from sitejobs.api.services import services
from sitejobs.auth.users import User
from sitejobs.errors import BadRequest, ResourceNotFound, SiteStateConflict
from sitejobs.sites.content.groups import GroupStore
from sitejobs.sites.content.site_settings import ACCESS_VALUES, SiteSettingsStore
from sitejobs.sites.content.store import ContentStore, SiteRow
from sitejobs.timefmt import parse_iso


class Security(BaseModel):
    model_config = ConfigDict(extra="forbid")
    access: list[str] = Field(min_length=1, max_length=len(ACCESS_VALUES))


class SiteUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    description: str | None = Field(default=None, max_length=4000)
    security: Security | None = None
    staticSiteDeliveryOptions: dict[str, Any] | None = None
    expiresAt: str | None = Field(default=None, max_length=64)
    isIframeEmbeddingAllowed: bool | None = None


class AccessGrant(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: str = Field(min_length=3, max_length=264)


def _access(values: list[str]) -> list[str]:
    unknown = [v for v in values if v not in ACCESS_VALUES]
    if unknown:
        raise BadRequest(
            f"security.access: unknown values {unknown}; the values are {list(ACCESS_VALUES)}.",
            property="security.access",
        )
    if "everyone" in values and len(values) > 1:
        raise BadRequest("security.access: 'everyone' cannot be combined with other values.")
    return list(dict.fromkeys(values))


def _apply(store: ContentStore, user: User, site: SiteRow, change: dict[str, Any]) -> None:
    settings = SiteSettingsStore(store.db)
    access = _access(change["security"]["access"]) if change.get("security") else None
    if access is not None:
        was_public = "everyone" in settings.get(site.id).access
        if was_public != ("everyone" in access):
            if site.runtime_status == "online":
                raise SiteStateConflict(
                    f"Site '{site.name}' is online: take it offline to change who signs in."
                )
            if site.published_at is not None:
                raise SiteStateConflict(
                    f"Site '{site.name}' is published: unpublish it to change who signs in."
                )
    expires = None
    if change.get("expiresAt"):
        try:
            expires = parse_iso(change["expiresAt"])
        except ValueError:
            raise BadRequest("expiresAt must be an ISO 8601 time.", property="expiresAt") from None
    if change.get("description") is not None:
        store.update_site(site.id, description=change["description"])
    settings.change(
        site.id,
        user.name,
        access=access,
        static_delivery=change.get("staticSiteDeliveryOptions"),
        expires_at=expires,
        embeddable=change.get("isIframeEmbeddingAllowed"),
    )


async def update_site(request: Request) -> Response:
    user = await _caller(request)
    params = _query(request, resources.SITE)
    store = _store(request)
    site = await run_in_threadpool(_site_for, store, user, request.path_params["id"], MANAGE)
    change = await _body(request, SiteUpdate)
    await run_in_threadpool(_apply, store, user, site, change)
    changed = await run_in_threadpool(_site_for, store, user, site.id, MANAGE)
    base = _base_url(request)
    doc = await run_in_threadpool(site_doc, store, changed, base)
    return _json(shape(doc, params, relations=site_relations(store, changed, base)))


async def list_access(request: Request) -> Response:
    user = await _caller(request)
    store = _store(request)
    site = await run_in_threadpool(_site_for, store, user, request.path_params["id"], READ)
    members = await run_in_threadpool(SiteSettingsStore(store.db).members, site.id)
    items = [access_item(m) for m in members]
    return _json({"items": items, "count": len(items), "hasMore": False, "offset": 0, "limit": len(items)})


def _member(request: Request, member: str) -> str:
    kind, _, name = member.partition(":")
    if kind == "user" and name and services(request).users.get(name) is not None:
        return member
    if kind == "group" and name and (group := GroupStore(services(request).content.db).get(name)) is not None:
        return f"group:{group.name}"
    if kind not in ("user", "group") or not name:
        raise BadRequest(f"'{member}' is not user:<login name> or group:<name>.", property="id")
    raise ResourceNotFound(member)


async def grant_access(request: Request) -> Response:
    user = await _caller(request)
    store = _store(request)
    site = await run_in_threadpool(_site_for, store, user, request.path_params["id"], MANAGE)
    body = await _body(request, AccessGrant)
    member = await run_in_threadpool(_member, request, body["id"])
    settings = SiteSettingsStore(store.db)
    await run_in_threadpool(settings.grant, site.id, member)
    await run_in_threadpool(settings.touch, site.id, user.name)
    return _json(access_item(member), 201)


async def revoke_access(request: Request) -> Response:
    user = await _caller(request)
    store = _store(request)
    site = await run_in_threadpool(_site_for, store, user, request.path_params["id"], MANAGE)
    member = request.path_params["member"]
    settings = SiteSettingsStore(store.db)
    if not await run_in_threadpool(settings.revoke, site.id, member):
        raise ResourceNotFound(member)
    await run_in_threadpool(settings.touch, site.id, user.name)
    return Response(status_code=204)


routes = [
    Route(f"{API}/sites/{{id}}", update_site, methods=["PATCH"]),
    Route(f"{API}/sites/{{id}}/access", list_access, methods=["GET"]),
    Route(f"{API}/sites/{{id}}/access", grant_access, methods=["POST"]),
    Route(f"{API}/sites/{{id}}/access/{{member}}", revoke_access, methods=["DELETE"]),
]
