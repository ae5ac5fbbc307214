"""Sites, templates, themes and components as the API answers them: the document with the facts kept beside
the site's row (its settings; a component's type), and the relations `expand` may add to a site: its channel
and repository (an enterprise site), the users and groups admitted to a secure site (`access`), its members."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any

from sitejobs.api.oce import documents
from sitejobs.api.oce.cm_documents import channel_document
from sitejobs.api.oce.shaping import Loader
from sitejobs.auth.users import user_reference
from sitejobs.sites.content.enterprise import EnterpriseStore
from sitejobs.sites.content.site_settings import SiteSettingsStore
from sitejobs.sites.content.store import ContentStore, SiteRow
from sitejobs.sites.content.usage import component_type


def site_doc(store: ContentStore, site: SiteRow, base: str) -> dict[str, Any]:
    return site_docs(store, [site], base)[0]


def site_docs(store: ContentStore, sites: Sequence[SiteRow], base: str) -> list[dict[str, Any]]:
    """The sites' documents, with their settings and their repositories' names (a query each, not per site)."""
    settings = SiteSettingsStore(store.db).for_sites(s.id for s in sites)
    names = (
        {r["id"]: r["name"] for r in EnterpriseStore(store.db).all("repositories")}
        if any(s.repository_id for s in sites)
        else {}
    )
    return [
        documents.site_document(s, base, settings.get(s.id), names.get(s.repository_id or "")) for s in sites
    ]


def resource_doc(store: ContentStore, kind: str, row: dict[str, Any], base: str) -> dict[str, Any]:
    kind_type = component_type(store.folder(kind, row["name"])) if kind == "components" else None
    return documents.resource_document(kind, row, base, kind_type)


def site_relations(store: ContentStore, site: SiteRow, base: str) -> dict[str, Loader]:
    return {
        "channel": partial(_channel, store, site, base),
        "access": partial(_access, store, site),
        "members": partial(_members, store, site),
    }


def _channel(store: ContentStore, site: SiteRow, base: str) -> dict[str, Any] | None:
    channel = EnterpriseStore(store.db).site_channel(site.id)
    return None if channel is None else channel_document(channel, base)


def access_item(member: str) -> dict[str, Any]:
    kind, _, name = member.partition(":")
    return {"id": member, "name": name, "displayName": name, "type": kind}


def _access(store: ContentStore, site: SiteRow) -> dict[str, Any]:
    items = [access_item(m) for m in SiteSettingsStore(store.db).members(site.id)]
    return {"items": items, "count": len(items), "hasMore": False, "offset": 0, "limit": len(items)}


def _members(store: ContentStore, site: SiteRow) -> dict[str, Any]:
    rows = [(site.owner, "manager"), *store.members(site.id)]
    items = [{**user_reference(name), "name": name, "role": role} for name, role in rows]
    return {"items": items, "count": len(items), "hasMore": False, "offset": 0, "limit": len(items)}
