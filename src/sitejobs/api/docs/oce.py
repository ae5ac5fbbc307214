"""The OpenAPI document of the Content Management surface: the Sites Management API (site, theme and
component jobs, `_status` with its query parameters, the read resources, the metadata catalog), the token
endpoint, and the Documents and System calls the Content Toolkit makes. Response schemas are the metadata
catalog's (`api/oce/catalog.py`) and request bodies the jobs' own request models (`jobs/oce/requests.py`)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from sitejobs.api.docs.common import OPENAPI_VERSION, json_content, openapi_schema, response, string_param
from sitejobs.api.oce import catalog
from sitejobs.jobs.oce import requests as req

API = "/sites/management/api/v1"
COMPONENTS_REF = "#/components/schemas/{model}"
ERROR_REF = {"$ref": "#/components/schemas/Error"}
STATUS_REF = {"$ref": "#/components/schemas/SiteJobStatus"}
ID = string_param("id", "path", "An id, or `name:NAME`")
ASYNC = {
    "name": "Prefer",
    "in": "header",
    "required": False,
    "description": "`respond-async`: answer 202 at once with the job's `_status` URL in Location; without it "
    "the answer waits for the job to end",
    "schema": {"type": "string", "enum": ["respond-async"]},
}


def _list_param(name: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description + " (comma-separated; may be repeated)",
        "schema": {"type": "string"},
    }


SHAPING = [
    _list_param("fields", "Fields to keep (`all` for all); unknown names are ignored"),
    _list_param("excludeFields", "Fields to leave out"),
    _list_param("links", "Link relations to keep; `none` for none"),
    _list_param("excludeLinks", "Link relations to leave out"),
    _list_param("expand", "Relationships to expand in place (`all`, or e.g. `site`, `pages`)"),
    {
        "name": "expansionErrors",
        "in": "query",
        "required": False,
        "description": "What an expansion that fails does: `ignore` leaves it out, `include` (default) puts "
        "the error in its place, `fail` fails the request with the relation's own status",
        "schema": {"type": "string", "enum": ["ignore", "include", "fail"]},
    },
    {
        "name": "return",
        "in": "query",
        "required": False,
        "description": "The representation: minimal, basic, default or representation",
        "schema": {"type": "string", "enum": ["minimal", "basic", "default", "representation"]},
    },
]
PAGING = [
    {
        "name": "limit",
        "in": "query",
        "required": False,
        "description": "Items per page (1 to 250)",
        "schema": {"type": "integer", "minimum": 1},
    },
    {
        "name": "offset",
        "in": "query",
        "required": False,
        "description": "Items to skip",
        "schema": {"type": "integer", "minimum": 0},
    },
    string_param("orderBy", "query", "`field[:asc|:desc]`, comma-separated"),
    string_param(
        "q", "query", 'A filter, e.g. `name sw "Bar"` (eq, ne, co, sw, gt, ge, lt, le; and, or, not)'
    ),
    {
        "name": "totalResults",
        "in": "query",
        "required": False,
        "description": "Count every match",
        "schema": {"type": "boolean"},
    },
]
INCLUDE_DELETED = {
    "name": "includeDeleted",
    "in": "query",
    "required": False,
    "description": "Show sites in the trash too",
    "schema": {"type": "boolean"},
}
FAULTS = {
    "400": response("A bad body or query parameter (the error names it)", ERROR_REF),
    "401": response("No credentials, or wrong ones", ERROR_REF),
    "406": response("The Accept header rules out application/json", ERROR_REF),
    "429": response(
        "Too many requests from this user: wait Retry-After seconds", ERROR_REF, **{"Retry-After": "Seconds"}
    ),
}


def _model_body(model: type[BaseModel], components: dict[str, Any]) -> dict[str, Any]:
    schema = model.model_json_schema(ref_template=COMPONENTS_REF, by_alias=True)
    for name, definition in schema.pop("$defs", {}).items():
        components[name] = openapi_schema(definition)
    properties = {k: v for k, v in schema.get("properties", {}).items() if not k.startswith("target_")}
    schema["properties"] = properties
    schema["required"] = [r for r in schema.get("required", []) if r in properties]
    if not schema["required"]:
        del schema["required"]
    return {"required": bool(schema.get("required")), "content": json_content(openapi_schema(schema))}


def _job(
    summary: str,
    action: str,
    model: type[BaseModel] | None,
    components: dict[str, Any],
    *,
    path_id: bool = True,
    tag: str = "site jobs",
) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "tags": [tag],
        "summary": summary,
        "description": f"Starts a job whose `_status` action is `{action}`.",
        "parameters": [*([ID] if path_id else []), ASYNC],
        "responses": {
            "202": response(
                "Accepted: poll the Location", STATUS_REF, Location="The job's absolute `_status` URL"
            ),
            "200": response("Without respond-async: the job's status once it ended", STATUS_REF),
            **FAULTS,
            "403": response("The caller's role on the site does not allow this", ERROR_REF),
            "404": response("No such site, template, theme or component visible to the caller", ERROR_REF),
            "409": response(
                "A site or resource of that name exists, or the site is in a state that refuses it", ERROR_REF
            ),
            "413": response("The body is larger than the limit", ERROR_REF),
            "415": response("The body is not application/json", ERROR_REF),
        },
    }
    if model is not None:
        operation["requestBody"] = _model_body(model, components)
    return operation


def _read(kind: str, schema_name: str, collection: bool) -> dict[str, Any]:
    ref = {"$ref": f"#/components/schemas/{schema_name}{'Collection' if collection else ''}"}
    params: list[dict[str, Any]] = [] if collection else [ID]
    params += SHAPING + (PAGING if collection else [])
    if kind == "sites":
        params.append(INCLUDE_DELETED)
    return {
        "tags": ["read"],
        "summary": f"{'List' if collection else 'Get'} {kind if collection else kind[:-1]}",
        "parameters": params,
        "responses": {
            "200": response("OK", ref),
            **FAULTS,
            **({} if collection else {"404": response("Not found, or not visible to the caller", ERROR_REF)}),
        },
    }


def _state_change(summary: str) -> dict[str, Any]:
    return {
        "tags": ["site state"],
        "summary": summary,
        "parameters": [ID],
        "responses": {
            "200": response("The site", {"$ref": "#/components/schemas/Site"}),
            "204": response("Done (DELETE)"),
            **FAULTS,
            "403": response("The caller's role does not allow it", ERROR_REF),
            "404": response("No such site visible to the caller", ERROR_REF),
            "409": response("The site is in a state that refuses it", ERROR_REF),
        },
    }


def _sites_paths(components: dict[str, Any]) -> dict[str, Any]:
    status_params = [string_param("id", "path", "The job id (the `context` of its status)"), *SHAPING]
    return {
        f"{API}/sites": {
            "get": _read("sites", "Site", True),
            "post": _job("Create a site from a template", "copy", req.CreateSite, components, path_id=False),
        },
        f"{API}/sites/{{id}}": {
            "get": _read("sites", "Site", False),
            "delete": _state_change("Move a site to the trash"),
        },
        f"{API}/sites/{{id}}/copy": {"post": _job("Copy a site", "copy", req.CopySite, components)},
        f"{API}/sites/{{id}}/publish": {
            "post": _job("Publish a site (static HTML)", "publish", req.PublishSite, components)
        },
        f"{API}/sites/{{id}}/translate": {
            "post": _job("Make a translation zip", "translate", req.TranslateSite, components)
        },
        f"{API}/sites/{{id}}/importTranslations": {
            "post": _job(
                "Import translations into this site", "importTranslations", req.ImportTranslations, components
            )
        },
        f"{API}/sites/_importTranslations": {
            "post": _job(
                "Import translations (the zip names the site)",
                "importTranslations",
                req.ImportTranslations,
                components,
                path_id=False,
            )
        },
        f"{API}/sites/{{id}}/refresh": {
            "post": _job("Re-render a site page by page", "refresh", None, components)
        },
        f"{API}/sites/{{id}}/hardDelete": {
            "post": _job("Delete a site for good", "hardDelete", None, components)
        },
        f"{API}/sites/{{id}}/activate": {"post": _state_change("Bring a site online")},
        f"{API}/sites/{{id}}/deactivate": {"post": _state_change("Take a site offline")},
        f"{API}/sites/{{id}}/unpublish": {"post": _state_change("Unpublish a site")},
        f"{API}/sites/{{id}}/undelete": {"post": _state_change("Restore a site from the trash")},
        f"{API}/sites/_status/{{id}}": {
            "get": {
                "tags": ["status"],
                "summary": "A job's status (poll it every intervalToPoll ms until it ends)",
                "description": "Unknown query parameters (a cache-buster `_=…`) are ignored.",
                "parameters": status_params,
                "responses": {
                    "200": response("The job's status", STATUS_REF),
                    **FAULTS,
                    "404": response(
                        "No such job visible to the caller (or, with expansionErrors=fail, a relation that is gone)",
                        ERROR_REF,
                    ),
                },
            }
        },
        f"{API}/sites/_status/{{id}}/pages": {
            "get": {
                "tags": ["status"],
                "summary": "A refresh job's page statuses",
                "parameters": [status_params[0], *SHAPING, *PAGING[:4]],
                "responses": {
                    "200": response(
                        "A page of page statuses", {"$ref": "#/components/schemas/PageStatusCollection"}
                    ),
                    **FAULTS,
                    "404": response("No such job visible to the caller", ERROR_REF),
                },
            }
        },
        f"{API}/metadata-catalog/{{name}}": {
            "get": {
                "tags": ["status"],
                "summary": "The JSON Schema of a document (its describedBy link)",
                "parameters": [
                    string_param("name", "path", "sites/_status, sites, templates, themes or components")
                ],
                "responses": {
                    "200": {
                        "description": "A JSON Schema",
                        "content": {catalog.SCHEMA_JSON: {"schema": {"type": "object"}}},
                    },
                    "401": response("No credentials, or wrong ones", ERROR_REF),
                    "404": response("No such document", ERROR_REF),
                },
            }
        },
    }


def _resource_paths(components: dict[str, Any]) -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for kind, schema_name in (("templates", "Template"), ("themes", "Theme"), ("components", "Component")):
        paths[f"{API}/{kind}"] = {"get": _read(kind, schema_name, True)}
        paths[f"{API}/{kind}/{{id}}"] = {"get": _read(kind, schema_name, False)}
    for kind, noun in (("themes", "Theme"), ("components", "Component")):
        paths[f"{API}/{kind}/{{id}}/copy"] = {
            "post": _job(
                f"Copy a {noun.lower()}", f"copy{noun}", req.CopyResource, components, tag="resource jobs"
            )
        }
        paths[f"{API}/{kind}/{{id}}/publish"] = {
            "post": _job(
                f"Publish a {noun.lower()}",
                "publishTheme" if kind == "themes" else "publish",
                req.PublishResource,
                components,
                tag="resource jobs",
            )
        }
    return paths


def _documents_paths() -> dict[str, Any]:
    file_ref = {
        "type": "object",
        "properties": {"id": {"type": "string"}, "name": {"type": "string"}, "size": {"type": "integer"}},
    }
    return {
        "/documents/api/1.2/files/data": {
            "post": {
                "tags": ["documents"],
                "summary": "Upload a file (a translation zip to import)",
                "requestBody": {
                    "required": True,
                    "content": {
                        "multipart/form-data": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "jsonInputParameters": {
                                        "type": "string",
                                        "description": '{"parentID": "self"}',
                                    },
                                    "primaryFile": {"type": "string", "format": "binary"},
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "201": response("The file, whose id `importTranslations` takes", file_ref),
                    "400": response("No file in the form", ERROR_REF),
                    "401": response("No credentials, or wrong ones", ERROR_REF),
                    "413": response("Larger than the upload limit", ERROR_REF),
                },
            }
        },
        "/documents/api/1.2/files/{id}/data": {
            "get": {
                "tags": ["documents"],
                "summary": "Download a file (a translation job's zip)",
                "parameters": [string_param("id", "path", "The file id")],
                "responses": {
                    "200": {
                        "description": "The file",
                        "content": {
                            "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
                        },
                    },
                    "401": response("No credentials, or wrong ones", ERROR_REF),
                    "404": response("No such file of the caller's", ERROR_REF),
                },
            }
        },
        "/documents/integration": {
            "get": {
                "tags": ["documents"],
                "summary": "The IdcService calls the Content Toolkit makes at login",
                "parameters": [
                    string_param(
                        "IdcService", "query", "SCS_GET_TENANT_CONFIG, GET_USER_INFO or GET_TENANT_CONFIG"
                    )
                ],
                "responses": {
                    "200": response("LocalData (and ResultSets)", {"type": "object"}),
                    "401": response("No credentials, or wrong ones", ERROR_REF),
                },
            }
        },
        "/system/api/v1/release/version": {
            "get": {
                "tags": ["documents"],
                "summary": "The release version the toolkit checks",
                "responses": {
                    "200": response("The version", {"type": "object"}),
                    "401": response("No credentials, or wrong ones", ERROR_REF),
                },
            }
        },
    }


def oce_document() -> dict[str, Any]:
    components: dict[str, Any] = {
        "Error": openapi_schema(catalog.ERROR),
        "SiteJobStatus": openapi_schema(catalog.SITE_JOB_STATUS),
        "PageStatusCollection": openapi_schema(catalog.collection_of(catalog.PAGE_STATUS)),
    }
    for name, schema in (
        ("Site", catalog.SITE),
        ("Template", catalog.TEMPLATE),
        ("Theme", catalog.THEME),
        ("Component", catalog.COMPONENT),
    ):
        components[name] = openapi_schema(schema)
        components[f"{name}Collection"] = openapi_schema(catalog.collection_of(schema))
    paths = {**_sites_paths(components), **_resource_paths(components), **_documents_paths()}
    token = {
        "tags": ["token"],
        "summary": "A bearer token for a user (grant_type=password)",
        "security": [],
        "requestBody": {
            "required": True,
            "content": {
                "application/x-www-form-urlencoded": {
                    "schema": {
                        "type": "object",
                        "required": ["grant_type", "username", "password"],
                        "properties": {
                            "grant_type": {"type": "string", "enum": ["password"]},
                            "username": {"type": "string"},
                            "password": {"type": "string"},
                        },
                    }
                }
            },
        },
        "responses": {
            "200": response(
                "A bearer token",
                {
                    "type": "object",
                    "properties": {
                        "access_token": {"type": "string"},
                        "token_type": {"type": "string"},
                        "expires_in": {"type": "integer"},
                    },
                },
            ),
            "400": response("invalid_grant or unsupported_grant_type", {"type": "object"}),
        },
    }
    paths["/oauth2/v1/token"] = {"post": token}
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "sitejobs: Oracle Content Management Sites Management API",
            "version": "v1",
            "description": "Site, theme and component jobs as the Content Toolkit (`cec`) calls them, their "
            "`_status`, the read resources, and the Documents calls the toolkit makes. HTTP Basic or a "
            "bearer token from `/oauth2/v1/token`. Errors have the Content Management shape.",
        },
        "tags": [
            {"name": n}
            for n in ("site jobs", "status", "read", "site state", "resource jobs", "documents", "token")
        ],
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {
                "basic": {"type": "http", "scheme": "basic"},
                "bearer": {"type": "http", "scheme": "bearer"},
            },
        },
        "security": [{"basic": []}, {"bearer": []}],
    }
