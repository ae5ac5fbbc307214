"""The Content Management API (`/content/management/api/v1.1`) documents: repositories, channels, localization
policies and translation jobs, and the query specs of their collections."""

from __future__ import annotations

from typing import Any

from sitejobs.api.oce.resources import ResourceSpec
from sitejobs.api.oce.status import link
from sitejobs.timefmt import iso_ms

CM_API = "/content/management/api/v1.1"


def _spec(name: str, *, orderable: frozenset[str], filterable: frozenset[str]) -> ResourceSpec:
    return ResourceSpec(
        name=name,
        expandable=frozenset(),
        essential=frozenset({"id", "name"}),
        basic=frozenset({"id", "name", "description"}),
        collection=True,
        orderable=orderable,
        filterable=filterable,
        default_limit=100,
        flags=frozenset({"totalResults"}),
    )


SPECS = {
    "repositories": _spec(
        "repositories",
        orderable=frozenset({"id", "name", "updatedDate.value"}),
        filterable=frozenset({"id", "name", "description", "repositoryType"}),
    ),
    "channels": _spec(
        "channels",
        orderable=frozenset({"id", "name", "updatedDate.value"}),
        filterable=frozenset({"id", "name", "description", "channelType"}),
    ),
    "localizationPolicies": _spec(
        "localizationPolicies",
        orderable=frozenset({"id", "name", "updatedDate.value"}),
        filterable=frozenset({"id", "name", "description", "defaultValue"}),
    ),
    "translationJobs": _spec(
        "translationJobs",
        orderable=frozenset({"id", "name", "lastUpdatedDate"}),
        filterable=frozenset({"id", "name", "status", "type", "repositoryId"}),
    ),
}
ITEM_SPECS = {kind: spec.singular(kind) for kind, spec in SPECS.items()}


def _date(ms: int) -> dict[str, str]:
    return {"value": iso_ms(ms), "timezone": "UTC"}


def _common(kind: str, row: dict[str, Any], base: str) -> dict[str, Any]:
    href = f"{base}{CM_API}/{kind}/{row['id']}"
    return {
        "id": row["id"],
        "name": row["name"],
        "description": row.get("description", ""),
        "createdBy": row["owner"],
        "createdDate": _date(row["created_at"]),
        "updatedBy": row["owner"],
        "updatedDate": _date(row["updated_at"]),
        "links": [link("self", href), link("canonical", href)],
    }


def repository_document(row: dict[str, Any], base: str) -> dict[str, Any]:
    return {
        **_common("repositories", row, base),
        "repositoryType": row["repository_type"],
        "defaultLanguage": row["default_language"],
        "languageOptions": row["language_options"],
        "channels": row["channels"],
        "contentTypes": [],
        "taxonomies": [],
    }


def policy_document(row: dict[str, Any], base: str) -> dict[str, Any]:
    return {
        **_common("localizationPolicies", row, base),
        "requiredValues": row["required_values"],
        "optionalValues": row["optional_values"],
        "defaultValue": row["default_value"],
    }


def channel_document(row: dict[str, Any], base: str) -> dict[str, Any]:
    return {
        **_common("channels", row, base),
        "channelType": row["channel_type"],
        "publishPolicy": row["publish_policy"],
        "localizationPolicy": row["localization_policy_id"],
        "isSiteChannel": row["site_id"] is not None,
        "channelTokens": [{"name": "defaultToken", "token": row["token"], "expirationDate": ""}],
    }


def translation_job_document(row: dict[str, Any], base: str) -> dict[str, Any]:
    href = f"{base}{CM_API}/translationJobs/{row['id']}"
    return {
        **row["document"],
        "status": row["status"],
        "lastUpdatedDate": iso_ms(row["updated_at"]),
        "links": [link("self", href), link("canonical", href)],
    }


DOCUMENTS = {
    "repositories": repository_document,
    "channels": channel_document,
    "localizationPolicies": policy_document,
}
