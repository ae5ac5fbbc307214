"""The read documents of the Sites Management API: sites, templates, themes and components.

Every resource says when and by whom it was created and last changed (`createdAt`/`createdBy`,
`lastModifiedAt`/`lastModifiedBy`, which `describe-*` and `list` print); a component says its `type`.
"""

from __future__ import annotations

from typing import Any

from sitejobs.api.oce.status import link
from sitejobs.auth.users import user_reference
from sitejobs.sites.content.site_settings import SiteSettings
from sitejobs.sites.content.store import SiteRow
from sitejobs.timefmt import iso_ms

API = "/sites/management/api/v1"


def links(base_url: str, collection: str, item_id: str) -> list[dict[str, Any]]:
    href = f"{base_url}{API}/{collection}/{item_id}"
    return [
        link("self", href),
        link("canonical", href),
        link("parent", f"{base_url}{API}/{collection}"),
        link("describedBy", f"{base_url}{API}/metadata-catalog/{collection}", "application/schema+json"),
    ]


def site_document(
    site: SiteRow, base_url: str, settings: SiteSettings | None = None, repository_name: str | None = None
) -> dict[str, Any]:
    settings = settings or SiteSettings()
    repository = {"id": site.repository_id, "name": repository_name or ""} if site.repository_id else None
    return {
        "id": site.id,
        "name": site.name,
        "description": site.description,
        "sitePrefix": site.site_prefix,
        "themeName": site.theme_name,
        "templateName": site.template_name,
        "isEnterprise": site.repository_id is not None,
        "defaultLanguage": site.default_language,
        "localizationPolicy": site.localization_policy,
        "repository": repository,
        "runtimeStatus": site.runtime_status,
        "publishStatus": "published" if site.published_at else "unpublished",
        "status": "active",
        "isDeleted": site.deleted_at is not None,
        "siteURL": f"{base_url}/site/{site.name}/",
        "createdBy": user_reference(site.owner),
        "ownedBy": user_reference(site.owner),
        "createdAt": iso_ms(site.created_at),
        "updatedAt": iso_ms(site.updated_at),
        "lastModifiedAt": iso_ms(site.updated_at),
        "lastModifiedBy": user_reference(settings.updated_by or site.owner),
        "publishedAt": iso_ms(site.published_at) if site.published_at else None,
        "security": {"access": list(settings.access)},
        # Site updates (named variants of a site) are not kept here: a site has none.
        "numberOfUpdates": 0,
        "isIframeEmbeddingAllowed": settings.embeddable,
        "staticSiteDeliveryOptions": settings.static_delivery or {},
        "expiresAt": iso_ms(settings.expires_at) if settings.expires_at else None,
        "links": links(base_url, "sites", site.id),
    }


def resource_document(
    kind: str, row: dict[str, Any], base_url: str, component_type: str | None = None
) -> dict[str, Any]:
    """A template, theme or component (a component with its `type`, read from its appinfo.json)."""
    doc: dict[str, Any] = {
        "id": row["id"],
        "name": row["name"],
        "description": row["description"],
        "createdBy": user_reference(row["owner"]),
        "ownedBy": user_reference(row["owner"]),
        "createdAt": iso_ms(row["created_at"]),
        "updatedAt": iso_ms(row["updated_at"]),
        "lastModifiedAt": iso_ms(row["updated_at"]),
        "lastModifiedBy": user_reference(row["owner"]),
        "publishStatus": "published" if row.get("published_at") else "unpublished",
        "isDeleted": row.get("deleted_at") is not None,
    }
    if kind == "components":
        doc["type"] = component_type or "local"
        doc["isHidden"] = False
    if kind == "templates":
        doc["themeName"] = row["theme_name"]
        doc["isEnterprise"] = False
    doc["links"] = links(base_url, kind, row["id"])
    return doc
