"""The two hot requests answered in front of the framework: the status read
(`GET …/jobs/{job}/executions/{id}`, which clients repeat while a job runs) and the start
(`POST …/jobs/{job}/executions`, which CI pipelines fire in bursts).

They skip routing, dependency injection and middleware: one regular expression, one token check, then the same
functions the routed handlers call, so both give the same answers and faults. The routed handlers stay for the
OpenAPI document and for anything this path does not match.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import orjson
from starlette.types import ASGIApp, Receive, Scope, Send

from sitejobs.api.asgi import send_json
from sitejobs.api.database import DatabaseGate
from sitejobs.api.faults import JSON_TYPE, internal_error, ocapi_fault, version_of
from sitejobs.api.ocapi.documents import job_execution
from sitejobs.api.ocapi.routes import api_version, ocapi_execution_id, owned, parse_json, start
from sitejobs.api.security import authorize_header
from sitejobs.errors import RequestTooLarge, SitejobsError

log = logging.getLogger(__name__)

_STATUS_PATH = re.compile(r"^(?:/s/-)?/dw/data/([^/]+)/jobs/([^/]+)/executions/([^/]+)$")
_START_PATH = re.compile(r"^(?:/s/-)?/dw/data/([^/]+)/jobs/([^/]+)/executions$")
_CONTENT_TYPE = JSON_TYPE.encode()
_READ_HEADERS = frozenset({b"authorization", b"content-type"})


class StatusFastPath:
    def __init__(self, app: ASGIApp, state: object) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        match = None
        if scope["type"] == "http":
            if scope["method"] == "GET":
                match = _STATUS_PATH.match(scope["path"])
            elif scope["method"] == "POST":
                match = _START_PATH.match(scope["path"])
        if match is None:
            await self.app(scope, receive, send)
            return
        headers = {name: value.decode("latin-1") for name, value in scope["headers"] if name in _READ_HEADERS}
        state: Any = self.state
        try:
            if scope["method"] == "GET":
                status, payload = 200, await self._status(state, headers, *match.groups())
            else:
                body = await _read_body(receive, state.settings.max_body_bytes)
                status, payload = 202, orjson.dumps(await self._start(state, headers, body, *match.groups()))
        except SitejobsError as error:
            await ocapi_fault(error, version_of(scope["path"]))(scope, receive, send)
            return
        except Exception as exc:
            internal = internal_error(exc)
            if internal.status == 500:
                log.exception("%s %s failed", scope["method"], scope["path"])
            await ocapi_fault(internal, version_of(scope["path"]))(scope, receive, send)
            return
        await send_json(send, status, payload, _CONTENT_TYPE)

    @staticmethod
    async def _status(
        state: Any, headers: dict[bytes, str], version_segment: str, job_id: str, raw_id: str
    ) -> bytes:
        version = api_version(version_segment)
        resource = f"/jobs/{job_id}/executions/{raw_id}"
        client = authorize_header(
            state.tokens, state.clients, headers.get(b"authorization", ""), resource, "get"
        )
        engine = state.engine
        own = engine.settings.own_executions

        def render() -> bytes:
            execution = engine.get_for_job(job_id, ocapi_execution_id(engine, job_id, raw_id))
            owned(engine.settings, execution, client.client_id)
            return orjson.dumps(job_execution(execution, version))

        # The document does not depend on the caller, whose grants were checked above (unless executions are
        # private to their client: then the entry is the caller's own).
        key = (version, job_id, raw_id, client.client_id if own else None)
        gate: DatabaseGate = state.database
        cached: bytes = await gate.read_now(lambda: engine.read_cache.get(key, render))
        return cached

    @staticmethod
    async def _start(
        state: Any, headers: dict[bytes, str], body: bytes, version_segment: str, job_id: str
    ) -> dict[str, Any]:
        version = api_version(version_segment)
        resource = f"/jobs/{job_id}/executions"
        client = authorize_header(
            state.tokens, state.clients, headers.get(b"authorization", ""), resource, "post"
        )
        document = parse_json(body, headers.get(b"content-type", ""))
        return await start(state.engine, state.database, job_id, document, client.client_id, version)


async def _read_body(receive: Receive, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise SitejobsError("The client went away.")
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise RequestTooLarge(f"The request body exceeds the limit of {limit} bytes.", limit=limit)
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)
