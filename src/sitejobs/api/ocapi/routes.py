"""The Data API jobs resource: start, read, delete and search executions.

Mounted under `/s/-/dw/data` (what sfcc-ci calls) and `/dw/data` (the seed's form), each path starting with the
version. The status read and the start are the hot requests (clients poll a status while a job runs, CI
pipelines start jobs in bursts): plain endpoints, one token check, one indexed read or one commit.
"""

from __future__ import annotations

import asyncio
import functools
import re
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from sitejobs.api.database import DatabaseGate, unavailable
from sitejobs.api.faults import JSON_TYPE, json_response
from sitejobs.api.ocapi import query
from sitejobs.api.ocapi.documents import job_execution
from sitejobs.api.security import authorize, authorize_header
from sitejobs.api.services import services, services_in
from sitejobs.engine.models import Execution
from sitejobs.engine.search import Compare, Condition, Not
from sitejobs.engine.service import JobEngine
from sitejobs.errors import (
    InvalidParameter,
    JobExecutionNotFound,
    JobNotFound,
    MalformedDocument,
    UnknownProperty,
    UnsupportedMediaType,
    UnsupportedVersion,
)
from sitejobs.settings import Settings

# ASCII digits only (`\d` takes any Unicode digit) and fullmatch (`$` lets a trailing newline through).
_VERSION = re.compile(r"v([0-9]{2})_([0-9]{1,2})")
_ID = re.compile(r"[0-9]{1,18}")
_JSON_TYPE = JSON_TYPE.encode()


@functools.lru_cache(maxsize=64)
def api_version(segment: str) -> str:
    match = _VERSION.fullmatch(segment)
    if not match or not (15 <= int(match.group(1)) <= 99):
        raise UnsupportedVersion(
            f"'{segment}' is not an API version of the form v{{major}}_{{minor}}, e.g. v23_2."
        )
    return f"{match.group(1)}.{match.group(2)}"


def execution_id(job_id: str, raw: str) -> int:
    if not _ID.fullmatch(raw):
        raise JobExecutionNotFound(
            f"No execution '{raw}' of job '{job_id}' exists.", jobId=job_id, executionId=raw
        )
    return int(raw)


def owned(settings: Settings, execution: Execution, client_id: str) -> Execution:
    """`execution`, unless executions are private to their client (`own_executions`) and it is another's: then
    JobExecutionNotFound, the answer for one that does not exist."""
    if settings.own_executions and execution.client_id != client_id:
        raise JobExecutionNotFound(
            f"No execution '{execution.id}' of job '{execution.job_id}' exists.",
            jobId=execution.job_id,
            executionId=str(execution.id),
        )
    return execution


def not_on_ocapi(engine: JobEngine) -> list[str]:
    """Registered jobs of other surfaces (the OCE site jobs): their executions are not this API's."""
    return [d.id for d in engine.registry if "ocapi" not in d.surfaces]


def ocapi_execution_id(engine: JobEngine, job_id: str, raw: str) -> int:
    """The execution id of `raw`, or JobExecutionNotFound, also for a job this API does not show."""
    definition = engine.registry.find(job_id)
    if definition is not None and "ocapi" not in definition.surfaces:
        raise JobExecutionNotFound(
            f"No execution '{raw}' of job '{job_id}' exists.", jobId=job_id, executionId=raw
        )
    return execution_id(job_id, raw)


async def json_body(request: Request) -> Any:
    """The request's JSON document (None when empty); faults for other media types and bad JSON."""
    return parse_json(await request.body(), request.headers.get("content-type", ""))


def parse_json(body: bytes, content_type: str) -> Any:
    media = content_type.split(";")[0].strip().lower()
    if not body.strip():
        return None
    if media and media != "application/json" and not media.endswith("+json"):
        raise UnsupportedMediaType(f"The request body must be application/json, not '{media}'.")
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise MalformedDocument(f"The request body is not valid JSON: {exc}.") from None


def custom_parameters(document: Any) -> list[tuple[str, object]]:
    """`{"parameters": [{"name": …, "value": …}]}` as name/value pairs."""
    if document is None:
        return []
    if not isinstance(document, dict):
        raise MalformedDocument("The request body must be a JSON object.")
    for key in document:
        if key not in ("parameters", "_v", "_type"):
            raise UnknownProperty(f"Unknown property '{key}'; a custom job takes 'parameters'.", property=key)
    raw = document.get("parameters", [])
    if not isinstance(raw, list):
        raise InvalidParameter("'parameters' must be a list of {name, value} objects.", property="parameters")
    pairs: list[tuple[str, object]] = []
    for item in raw:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise InvalidParameter(
                "Each parameter must be an object with a string 'name'.", property="parameters"
            )
        for key in item:
            if key not in ("name", "value", "_type"):
                raise UnknownProperty(f"Unknown property '{key}' in a parameter.", property=key)
        value = item.get("value")
        if isinstance(value, dict | list) or value is None:
            raise InvalidParameter(
                f"Parameter '{item['name']}' needs a string value.", parameter=item["name"]
            )
        pairs.append((item["name"], value))
    return pairs


def _gate(request: Request) -> DatabaseGate:
    return services(request).database


def _engine(request: Request) -> JobEngine:
    return services(request).engine


async def start_execution(request: Request) -> Response:
    version, job_id = request.path_params["version"], request.path_params["job_id"]
    v = api_version(version)
    client = authorize(request, f"/jobs/{job_id}/executions", "post")
    engine = _engine(request)
    document = await json_body(request)
    return json_response(await start(engine, _gate(request), job_id, document, client.client_id, v), 202)


async def start(
    engine: JobEngine, gate: DatabaseGate, job_id: str, document: Any, client_id: str, version: str
) -> dict[str, Any]:
    """Submit an execution from a request document: a system job's own document or custom `parameters`.
    503 when the database does not commit it within the deadline (then it was not acknowledged)."""
    definition = engine.registry.get(job_id)
    if "ocapi" not in definition.surfaces:
        raise JobNotFound(f"No job with id '{job_id}' is defined.", jobId=job_id)
    gate.check()
    if definition.system_request is not None:
        if document is not None and not isinstance(document, dict):
            raise MalformedDocument("The request body must be a JSON object.")
        submitted = engine.asubmit(job_id, request=document or {}, client_id=client_id)
    else:
        submitted = engine.asubmit(job_id, custom_parameters(document), client_id=client_id)
    try:
        execution = await asyncio.wait_for(submitted, gate.timeout_s)
    except TimeoutError:
        raise gate.failed(None) from None
    except Exception as exc:
        if unavailable(exc):
            raise gate.failed(exc) from None
        raise
    return job_execution(execution, version)


class StatusRead:
    """`GET …/jobs/{job_id}/executions/{execution}`, which clients repeat while a job runs: a plain ASGI
    endpoint, which takes what it needs from the scope and sends the cached bytes.

    The document does not depend on the caller, whose grants are checked first (unless executions are private
    to their client: then the entry is the caller's own), so it comes from the read cache until the store
    changes."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        params = scope["path_params"]
        version, job_id, raw_id = params["version"], params["job_id"], params["execution"]
        v = api_version(version)
        authorization = b""
        for name, value in scope["headers"]:
            if name == b"authorization":
                authorization = value
                break
        svc = services_in(scope)
        client = authorize_header(
            svc.tokens,
            svc.clients,
            authorization.decode("latin-1"),
            f"/jobs/{job_id}/executions/{raw_id}",
            "get",
        )
        engine = svc.engine
        key = (v, job_id, raw_id, client.client_id if engine.settings.own_executions else None)
        payload = await svc.database.read_now(
            svc.read_cache.get, key, _status_document, engine, job_id, raw_id, v, client.client_id
        )
        headers = [(b"content-length", str(len(payload)).encode()), (b"content-type", _JSON_TYPE)]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": payload})


def _status_document(engine: JobEngine, job_id: str, raw_id: str, version: str, client_id: str) -> bytes:
    execution = engine.get_for_job(job_id, ocapi_execution_id(engine, job_id, raw_id))
    owned(engine.settings, execution, client_id)
    return orjson.dumps(job_execution(execution, version))


async def delete_execution(request: Request) -> Response:
    version, job_id = request.path_params["version"], request.path_params["job_id"]
    execution = request.path_params["execution"]
    api_version(version)
    client = authorize(request, f"/jobs/{job_id}/executions/{execution}", "delete")
    engine = _engine(request)
    wanted = ocapi_execution_id(engine, job_id, execution)
    if engine.settings.own_executions:
        owned(engine.settings, await _gate(request).run(engine.get_for_job, job_id, wanted), client.client_id)
    await _gate(request).run(engine.delete, job_id, wanted)
    return Response(status_code=204)


async def abort_execution(request: Request) -> Response:
    """sitejobs' own: abort a pending execution at once, a running one at its next progress report. It needs
    the grant that deletes the execution (`delete` on `/jobs/*/executions/*`)."""
    version, job_id = request.path_params["version"], request.path_params["job_id"]
    execution = request.path_params["execution"]
    v = api_version(version)
    client = authorize(request, f"/jobs/{job_id}/executions/{execution}", "delete")
    engine = _engine(request)
    wanted = ocapi_execution_id(engine, job_id, execution)
    found = await _gate(request).run(engine.get_for_job, job_id, wanted)
    owned(engine.settings, found, client.client_id)
    aborted = await _gate(request).run(engine.abort, found.id)
    return json_response(job_execution(aborted, v))


async def search_executions(request: Request) -> Response:
    v = api_version(request.path_params["version"])
    client = authorize(request, "/job_execution_search", "post")
    engine = _engine(request)
    document = await json_body(request)
    search = query.parse_search(document)
    hidden = not_on_ocapi(engine)
    also: list[Condition] = [Not(Compare("job_id", "in", tuple(hidden)))] if hidden else []
    if engine.settings.own_executions:
        also.append(Compare("client_id", "eq", (client.client_id,)))
    total, hits = await _gate(request).run(engine.search, search.search(*also))
    result: dict[str, Any] = {
        "_v": v,
        "_type": "job_execution_search_result",
        "count": len(hits),
        "hits": [job_execution(h, v) for h in hits],
        "query": search.query,
        "select": search.select,
        "start": search.start,
        "total": total,
    }
    if search.sorts is not None:
        result["sorts"] = search.sorts
    if search.start + len(hits) < total:
        result["next"] = {"_type": "result_page", "start": search.start + search.count, "count": search.count}
    if search.start > 0:
        previous = max(0, search.start - search.count)
        result["previous"] = {
            "_type": "result_page",
            "start": previous,
            "count": min(search.count, search.start),
        }
    return json_response(result)


def _route(path: str, endpoint: Callable[[Request], Awaitable[Response]] | ASGIApp, method: str) -> Route:
    route = Route(path, endpoint, methods=[method])
    route.methods = {method}  # no implicit HEAD: these resources have never answered one (405, with Allow)
    return route


routes = [  # the status read first: the router tries the routes in turn
    _route("/{version}/jobs/{job_id}/executions/{execution}", StatusRead(), "GET"),
    _route("/{version}/jobs/{job_id}/executions", start_execution, "POST"),
    _route("/{version}/jobs/{job_id}/executions/{execution}", delete_execution, "DELETE"),
    _route("/{version}/jobs/{job_id}/executions/{execution}/abort", abort_execution, "POST"),
    _route("/{version}/job_execution_search", search_executions, "POST"),
]
