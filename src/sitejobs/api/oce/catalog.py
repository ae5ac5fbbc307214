"""The metadata catalog: the JSON Schema of each document the Sites Management API answers with.

Every document's `describedBy` link points here (`/metadata-catalog/sites/_status` for a SiteJobStatus,
`/metadata-catalog/{collection}` for sites, templates, themes and components). The same schemas are the
response schemas of the surface's OpenAPI document (`api/openapi`), so there is one description of each.
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sitejobs.api.oce.auth import current_user
from sitejobs.api.oce.routes import base_url
from sitejobs.errors import ResourceNotFound

API = "/sites/management/api/v1"
SCHEMA_JSON = "application/schema+json"

LINK: dict[str, Any] = {
    "type": "object",
    "properties": {
        "rel": {"type": "string"},
        "href": {"type": "string", "format": "uri"},
        "templated": {"type": "boolean"},
        "mediaType": {"type": "string"},
        "method": {"type": "string"},
    },
    "required": ["rel", "href"],
}
LINKS: dict[str, Any] = {"type": "array", "items": LINK}
USER: dict[str, Any] = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "userName": {"type": "string"},
        "displayName": {"type": "string"},
    },
}
ERROR: dict[str, Any] = {
    "title": "Error",
    "type": "object",
    "properties": {
        "type": {"type": "string", "description": "The RFC 2616 section of the status"},
        "title": {"type": "string"},
        "status": {"type": ["string", "integer"]},
        "detail": {"type": "string"},
        "o:errorCode": {"type": "string"},
        "o:errorDetails": {"type": "array", "items": {"type": "object"}},
    },
    "required": ["type", "title", "status", "detail", "o:errorCode"],
}
FILE_REF: dict[str, Any] = {
    "type": "object",
    "properties": {"id": {"type": "string"}, "name": {"type": "string"}, "links": LINKS},
}
SITE_JOB_STATUS: dict[str, Any] = {
    "title": "SiteJobStatus",
    "description": "The progress of a site job (copy, publish, translate, importTranslations, refresh, "
    "hardDelete, copyTheme, publishTheme, copyComponent). Poll it every `intervalToPoll` ms until "
    "`progress` is succeeded, failed or aborted.",
    "type": "object",
    "properties": {
        "context": {"type": "string", "description": "The job id"},
        "action": {"type": "string"},
        "startTime": {"type": "string", "format": "date-time"},
        "endTime": {"type": "string", "format": "date-time"},
        "progress": {
            "type": "string",
            "enum": ["pending", "processing", "paused", "blocked", "succeeded", "failed", "aborted"],
        },
        "completed": {"type": "boolean", "description": "Completed successfully"},
        "completedPercentage": {"type": "integer", "minimum": 0, "maximum": 100},
        "intervalToPoll": {"type": "integer", "description": "Milliseconds to wait before the next poll"},
        "message": {"type": "string"},
        "error": ERROR,
        "translationFile": FILE_REF,
        "translationJob": {"type": "object"},
        "valid": {"type": "boolean"},
        "sourceLanguage": {"type": "string"},
        "targetLanguages": {"type": "array", "items": {"type": "string"}},
        "importedAssetTranslations": {"type": "array", "items": {"type": "string"}},
        "importedSiteTranslations": {"type": "array", "items": {"type": "string"}},
        "assetValidation": {"type": "object"},
        "siteValidation": {"type": "object"},
        "validationOnly": {"type": "boolean"},
        "pageCount": {"type": "integer"},
        "pendingCount": {"type": "integer"},
        "processingCount": {"type": "integer"},
        "completedCount": {"type": "integer"},
        "failedCount": {"type": "integer"},
        "site": {"type": "object", "description": "With expand=site: the site the job made or changed"},
        "pages": {"type": "object", "description": "With expand=pages (refresh): a page of page statuses"},
        "links": LINKS,
    },
    "required": ["context", "action", "progress", "completed"],
}
_COMMON: dict[str, Any] = {
    "id": {"type": "string"},
    "name": {"type": "string"},
    "description": {"type": "string"},
    "createdBy": USER,
    "ownedBy": USER,
    "createdAt": {"type": "string", "format": "date-time"},
    "updatedAt": {"type": "string", "format": "date-time"},
    "publishStatus": {"type": "string", "enum": ["published", "unpublished"]},
    "lastModifiedAt": {"type": "string", "format": "date-time"},
    "lastModifiedBy": USER,
    "isDeleted": {"type": "boolean"},
    "links": LINKS,
}
SITE: dict[str, Any] = {
    "title": "Site",
    "type": "object",
    "properties": {
        **_COMMON,
        "sitePrefix": {"type": "string"},
        "themeName": {"type": "string"},
        "templateName": {"type": "string"},
        "isEnterprise": {"type": "boolean"},
        "defaultLanguage": {"type": "string"},
        "localizationPolicy": {"type": ["string", "null"]},
        "repository": {"type": ["object", "null"]},
        "runtimeStatus": {"type": "string", "enum": ["online", "offline"]},
        "status": {"type": "string"},
        "isDeleted": {"type": "boolean"},
        "siteURL": {"type": "string", "format": "uri"},
        "publishedAt": {"type": ["string", "null"], "format": "date-time"},
        "security": {"type": "object"},
        "staticSiteDeliveryOptions": {"type": ["object", "null"]},
        "isIframeEmbeddingAllowed": {"type": "boolean"},
        "expiresAt": {"type": ["string", "null"], "format": "date-time"},
        "numberOfUpdates": {"type": "integer"},
        "channel": {"type": ["object", "null"]},
        "members": {"type": "object"},
        "access": {"type": "object"},
    },
    "required": ["id", "name"],
}
TEMPLATE: dict[str, Any] = {
    "title": "Template",
    "type": "object",
    "properties": {**_COMMON, "themeName": {"type": "string"}, "isEnterprise": {"type": "boolean"}},
    "required": ["id", "name"],
}
THEME: dict[str, Any] = {
    "title": "Theme",
    "type": "object",
    "properties": _COMMON,
    "required": ["id", "name"],
}
COMPONENT: dict[str, Any] = {
    "title": "Component",
    "type": "object",
    "properties": {**_COMMON, "type": {"type": "string"}, "isHidden": {"type": "boolean"}},
    "required": ["id", "name"],
}
PAGE_STATUS: dict[str, Any] = {
    "title": "PageStatus",
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "pageUrl": {"type": "string"},
        "status": {"type": "string"},
    },
}


def collection_of(item: dict[str, Any]) -> dict[str, Any]:
    """A page of a collection: `items` plus the paging fields."""
    return {
        "title": f"{item['title']}Collection",
        "type": "object",
        "properties": {
            "items": {"type": "array", "items": item},
            "hasMore": {"type": "boolean"},
            "offset": {"type": "integer"},
            "count": {"type": "integer"},
            "limit": {"type": "integer"},
            "totalResults": {"type": "integer"},
            "links": LINKS,
        },
    }


#: The catalog: path below /metadata-catalog/ → schema.
CATALOG: dict[str, dict[str, Any]] = {
    "sites/_status": SITE_JOB_STATUS,
    "sites/_status/pages": collection_of(PAGE_STATUS),
    "sites": SITE,
    "templates": TEMPLATE,
    "themes": THEME,
    "components": COMPONENT,
}


def described(name: str, base_url: str) -> dict[str, Any]:
    """The catalog entry `name` as a standalone JSON Schema document."""
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": f"{base_url}{API}/metadata-catalog/{name}",
        **CATALOG[name],
    }


async def metadata(request: Request) -> Response:
    await current_user(request)
    name = request.path_params["name"].strip("/")
    if name not in CATALOG:
        raise ResourceNotFound(f"metadata-catalog/{name}")
    return Response(orjson.dumps(described(name, base_url(request.scope))), media_type=SCHEMA_JSON)


routes = [Route(f"{API}/metadata-catalog/{{name:path}}", metadata, methods=["GET"])]
