"""The OpenAPI document of the Commerce Cloud surface: the OCAPI Data API jobs resource and job search, under
both prefixes, and the Account Manager token endpoint. WebDAV (Impex upload, job logs) is described in prose."""

from __future__ import annotations

from typing import Any

from sitejobs.api.docs.common import OPENAPI_VERSION, json_content, response, string_param

PREFIXES = ("/dw/data/{version}", "/s/-/dw/data/{version}")
FAULT: dict[str, Any] = {
    "type": "object",
    "required": ["_v", "fault"],
    "properties": {
        "_v": {"type": "string", "example": "23.2"},
        "fault": {
            "type": "object",
            "required": ["type", "message"],
            "properties": {
                "type": {"type": "string", "example": "JobNotFoundException"},
                "message": {"type": "string"},
                "arguments": {"type": "object", "additionalProperties": True},
            },
        },
    },
}
STATUS: dict[str, Any] = {
    "type": "object",
    "properties": {
        "_type": {"type": "string", "enum": ["status"]},
        "code": {"type": "string", "example": "OK"},
        "message": {"type": "string"},
        "status": {"type": "string", "enum": ["ok", "error"]},
    },
}
JOB_EXECUTION: dict[str, Any] = {
    "type": "object",
    "required": ["_v", "_type", "id", "job_id", "status", "execution_status"],
    "properties": {
        "_v": {"type": "string"},
        "_type": {"type": "string", "enum": ["job_execution"]},
        "id": {"type": "string", "description": "A decimal string"},
        "job_id": {"type": "string"},
        "client_id": {"type": "string"},
        "execution_status": {
            "type": "string",
            "enum": [
                "pending",
                "running",
                "pausing",
                "paused",
                "resuming",
                "aborting",
                "aborted",
                "finished",
            ],
        },
        "status": {"type": "string", "enum": ["PENDING", "RUNNING", "OK", "ERROR"]},
        "is_log_file_existing": {"type": "boolean"},
        "is_restart": {"type": "boolean"},
        "log_file_name": {"type": "string", "example": "Job-hello-world-20261203110615373.log"},
        "log_file_path": {"type": "string"},
        "modification_time": {"type": "string", "format": "date-time"},
        "start_time": {"type": "string", "format": "date-time"},
        "end_time": {"type": "string", "format": "date-time"},
        "duration": {"type": "integer", "description": "Milliseconds"},
        "parameters": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "_type": {"type": "string"},
                    "name": {"type": "string"},
                    "value": {"type": "string"},
                },
            },
        },
        "exit_status": STATUS,
        "step_executions": {"type": "array", "items": {"type": "object"}},
    },
}
START_BODY: dict[str, Any] = {
    "oneOf": [
        {
            "title": "Custom job parameters",
            "type": "object",
            "properties": {
                "parameters": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["name", "value"],
                        "properties": {"name": {"type": "string"}, "value": {"type": "string"}},
                    },
                }
            },
            "example": {"parameters": [{"name": "Seconds", "value": "3"}]},
        },
        {
            "title": "sfcc-site-archive-import",
            "type": "object",
            "required": ["file_name"],
            "properties": {
                "file_name": {"type": "string", "description": "A zip in Impex/src/instance"},
                "mode": {"type": "string", "enum": ["merge", "replace", "delete"], "default": "merge"},
            },
        },
        {
            "title": "sfcc-site-archive-export",
            "type": "object",
            "required": ["export_file", "data_units"],
            "properties": {
                "export_file": {"type": "string"},
                "overwrite_export_file": {"type": "boolean"},
                "data_units": {"type": "object", "description": "OCAPI's ExportDataUnitsConfiguration"},
            },
        },
        {
            "title": "sfcc-search-index-product-*-update",
            "type": "object",
            "properties": {
                "site_scope": {
                    "oneOf": [
                        {"type": "array", "items": {"type": "string"}},
                        {
                            "type": "object",
                            "properties": {
                                "named_sites": {"type": "array", "items": {"type": "string"}},
                                "all_storefront_sites": {"type": "boolean"},
                            },
                        },
                    ]
                }
            },
        },
    ]
}
TERM_QUERY: dict[str, Any] = {
    "type": "object",
    "properties": {
        "fields": {
            "type": "array",
            "items": {
                "type": "string",
                "enum": [
                    "id",
                    "job_id",
                    "status",
                    "execution_status",
                    "client_id",
                    "start_time",
                    "end_time",
                    "modification_time",
                    "is_restart",
                ],
            },
        },
        "operator": {"type": "string", "enum": ["is", "one_of", "less", "greater", "not_in", "neq"]},
        "values": {"type": "array", "items": {}},
    },
}
SEARCH_BODY: dict[str, Any] = {
    "type": "object",
    "properties": {
        "query": {
            "type": "object",
            "description": "match_all_query, term_query, text_query, range_query, filtered_query or bool_query",
            "properties": {
                "match_all_query": {"type": "object"},
                "term_query": TERM_QUERY,
                "text_query": {
                    "type": "object",
                    "properties": {
                        "fields": {"type": "array", "items": {"type": "string"}},
                        "search_phrase": {"type": "string"},
                    },
                },
                "range_query": {
                    "type": "object",
                    "properties": {
                        "field": {"type": "string"},
                        "from": {},
                        "to": {},
                        "from_inclusive": {"type": "boolean"},
                        "to_inclusive": {"type": "boolean"},
                    },
                },
                "bool_query": {
                    "type": "object",
                    "properties": {
                        "must": {"type": "array", "items": {"type": "object"}},
                        "must_not": {"type": "array", "items": {"type": "object"}},
                        "should": {"type": "array", "items": {"type": "object"}},
                    },
                },
                "filtered_query": {
                    "type": "object",
                    "properties": {"query": {"type": "object"}, "filter": {"type": "object"}},
                },
            },
        },
        "sorts": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "field": {"type": "string"},
                    "sort_order": {"type": "string", "enum": ["asc", "desc"]},
                },
            },
        },
        "start": {"type": "integer", "minimum": 0},
        "count": {"type": "integer", "minimum": 1, "maximum": 200},
        "select": {"type": "string", "example": "(**)"},
    },
    "example": {
        "query": {"term_query": {"fields": ["status"], "operator": "is", "values": ["ERROR"]}},
        "sorts": [{"field": "start_time", "sort_order": "desc"}],
        "count": 10,
    },
}
SEARCH_RESULT: dict[str, Any] = {
    "type": "object",
    "properties": {
        "_v": {"type": "string"},
        "_type": {"type": "string", "enum": ["job_execution_search_result"]},
        "count": {"type": "integer"},
        "total": {"type": "integer"},
        "start": {"type": "integer"},
        "hits": {"type": "array", "items": JOB_EXECUTION},
        "query": {"type": "object"},
        "select": {"type": "string"},
        "sorts": {"type": "array", "items": {"type": "object"}},
        "next": {"type": "object"},
        "previous": {"type": "object"},
    },
}
TOKEN: dict[str, Any] = {
    "type": "object",
    "properties": {
        "access_token": {"type": "string"},
        "token_type": {"type": "string", "enum": ["Bearer"]},
        "expires_in": {"type": "integer"},
        "scope": {"type": "string"},
    },
}
OAUTH_ERROR: dict[str, Any] = {
    "type": "object",
    "properties": {"error": {"type": "string"}, "error_description": {"type": "string"}},
}


def _fault(description: str) -> dict[str, Any]:
    return response(description, FAULT)


COMMON_FAULTS = {
    "400": _fault("UnsupportedVersionException (the version is not vNN_N), or a bad request document"),
    "401": _fault("InvalidAccessTokenException: no bearer token, or a token that is expired or not ours"),
    "403": _fault("ClientAccessForbiddenException: the client's OCAPI settings do not grant this resource"),
}
VERSION = string_param(
    "version", "path", "The API version, e.g. v23_2 (echoed as `_v`: 23.2)", pattern="^v[0-9]{2}_[0-9]$"
)
JOB_ID = string_param("job_id", "path", "The job's id: hello-world, noop, sfcc-site-archive-import, …")
EXECUTION = string_param("execution", "path", "The execution's id (a decimal string)")
WEBDAV_PROSE = """
### WebDAV (Impex files and job logs)

`/on/demandware.servlet/webdav/Sites/Impex/…` with the same bearer token (the client needs the
`/webdav/Sites/impex/**` resource, which `--all` grants):

- `PUT …/Sites/Impex/src/instance/NAME.zip` uploads an archive for `sfcc-site-archive-import` (201 new, 204
  replaced; chunked bodies accepted; 413 beyond the upload limit, 507 when the disk is full; nothing is kept
  from a failed upload). `GET`/`HEAD` (with Range), `DELETE`, `MKCOL`, `MOVE` and `PROPFIND` (Depth 0 or 1)
  work as WebDAV clients expect; LOCK, COPY and PROPPATCH answer 405.
- `GET …/Sites/Impex/log/{log_file_name}` and `…/Sites/LOGS/jobs/{job_id}/{log_file_name}` read an execution's
  log (read-only), as sfcc-ci does when `is_log_file_existing` is true.
- Path segments may not be empty, `.` or `..` (400); a path that leaves its area is refused (403).

```
curl -T demo-store.zip -H "Authorization: Bearer $TOKEN" \\
     http://127.0.0.1:8080/on/demandware.servlet/webdav/Sites/Impex/src/instance/demo-store.zip
```
"""


def _operations() -> dict[str, Any]:
    start = {
        "tags": ["jobs"],
        "summary": "Start a job execution",
        "description": "A system job (sfcc-*) takes its own document; a custom job its `parameters`. "
        "Acknowledged only once the execution is stored.",
        "parameters": [VERSION, JOB_ID],
        "requestBody": {"required": False, "content": json_content(START_BODY)},
        "responses": {
            "202": response("The execution, pending", JOB_EXECUTION),
            **COMMON_FAULTS,
            "400": _fault(
                "UnsupportedVersionException, MalformedDocumentException, UnknownPropertyException, "
                "MissingParameterException, InvalidParameterException, JobAlreadyRunningException"
            ),
            "404": _fault("JobNotFoundException"),
            "413": _fault("RequestEntityTooLargeException: the body is larger than the limit"),
            "415": _fault("UnsupportedMediaTypeException: the body is not application/json"),
        },
    }
    get = {
        "tags": ["jobs"],
        "summary": "Get a job execution (poll it until status is OK or ERROR)",
        "parameters": [VERSION, JOB_ID, EXECUTION],
        "responses": {
            "200": response("The execution", JOB_EXECUTION),
            **COMMON_FAULTS,
            "404": _fault("JobExecutionNotFoundException (unknown id, or it belongs to another job)"),
        },
    }
    delete = {
        "tags": ["jobs"],
        "summary": "Delete a finished execution's record",
        "parameters": [VERSION, JOB_ID, EXECUTION],
        "responses": {
            "204": response("Deleted"),
            **COMMON_FAULTS,
            "400": _fault("UnsupportedVersionException, or JobExecutionNotFinishedException: it still runs"),
            "404": _fault("JobExecutionNotFoundException"),
        },
    }
    search = {
        "tags": ["jobs"],
        "summary": "Search job executions",
        "parameters": [VERSION],
        "requestBody": {"required": True, "content": json_content(SEARCH_BODY)},
        "responses": {
            "200": response("A page of executions", SEARCH_RESULT),
            **COMMON_FAULTS,
            "400": _fault(
                "UnsupportedVersionException, MalformedDocumentException, InvalidSearchQueryException "
                "(an unknown field, operator or sort)"
            ),
            "413": _fault("RequestEntityTooLargeException"),
            "415": _fault("UnsupportedMediaTypeException"),
        },
    }
    abort = {
        "tags": ["jobs"],
        "summary": "Abort an execution (sitejobs' own; needs the delete grant on the execution)",
        "description": "A pending execution ends at once (aborted); a running one is asked to stop at its next "
        "progress report (aborting). An execution that has ended is answered as it is.",
        "parameters": [VERSION, JOB_ID, EXECUTION],
        "responses": {
            "200": response("The execution", JOB_EXECUTION),
            **COMMON_FAULTS,
            "404": _fault("JobExecutionNotFoundException"),
        },
    }
    paths: dict[str, Any] = {}
    for prefix in PREFIXES:
        paths[f"{prefix}/jobs/{{job_id}}/executions"] = {"post": start}
        paths[f"{prefix}/jobs/{{job_id}}/executions/{{execution}}"] = {"get": get, "delete": delete}
        paths[f"{prefix}/jobs/{{job_id}}/executions/{{execution}}/abort"] = {"post": abort}
        paths[f"{prefix}/job_execution_search"] = {"post": search}
    return paths


def ocapi_document() -> dict[str, Any]:
    token = {
        "tags": ["token"],
        "summary": "Account Manager token (client credentials)",
        "description": "HTTP Basic with the client id and secret, form body `grant_type=client_credentials`.",
        "security": [{"basic": []}],
        "requestBody": {
            "required": True,
            "content": {
                "application/x-www-form-urlencoded": {
                    "schema": {
                        "type": "object",
                        "required": ["grant_type"],
                        "properties": {"grant_type": {"type": "string", "enum": ["client_credentials"]}},
                    }
                }
            },
        },
        "responses": {
            "200": response("A bearer token", TOKEN),
            "400": response("unsupported_grant_type or invalid_request", OAUTH_ERROR),
            "401": response("invalid_client: missing or wrong credentials", OAUTH_ERROR),
        },
    }
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "sitejobs: Commerce Cloud OCAPI Data API jobs",
            "version": "23.2",
            "description": "The jobs resource and job search of Salesforce B2C Commerce's OCAPI Data API, as "
            "sfcc-ci and b2c-tools call them, under `/s/-/dw/data/vNN_N` and `/dw/data/vNN_N`. Errors are "
            "OCAPI fault documents.\n" + WEBDAV_PROSE,
        },
        "tags": [{"name": "jobs"}, {"name": "token"}],
        "paths": {**_operations(), "/dwsso/oauth2/access_token": {"post": token}},
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "basic": {"type": "http", "scheme": "basic"},
            }
        },
        "security": [{"bearer": []}],
    }
