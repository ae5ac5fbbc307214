"""The status read (`GET …/jobs/{job}/executions/{id}`) answered in front of the framework.

It is the request clients repeat most (sfcc-ci polls every few seconds per running job), so it skips routing,
dependency injection and middleware: one regular expression, one token check, one indexed read, one
serialization. It calls the same functions as the routed handler, so both give the same answers and faults.
"""

from __future__ import annotations

import logging
import re

import orjson
from starlette.types import ASGIApp, Receive, Scope, Send

from sitejobs.api.faults import JSON_TYPE, ocapi_fault, version_of
from sitejobs.api.ocapi.documents import job_execution
from sitejobs.api.ocapi.routes import api_version, execution_id
from sitejobs.api.security import authorize_header
from sitejobs.errors import SitejobsError

log = logging.getLogger(__name__)

_STATUS_PATH = re.compile(r"^(?:/s/-)?/dw/data/([^/]+)/jobs/([^/]+)/executions/([^/]+)$")
_HEADERS = [(b"content-type", JSON_TYPE.encode())]


class StatusFastPath:
    def __init__(self, app: ASGIApp, state: object) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        match = (
            _STATUS_PATH.match(scope["path"])
            if scope["type"] == "http" and scope["method"] == "GET"
            else None
        )
        if match is None:
            await self.app(scope, receive, send)
            return
        version_segment, job_id, raw_id = match.groups()
        authorization = ""
        for name, value in scope["headers"]:
            if name == b"authorization":
                authorization = value.decode("latin-1")
                break
        state = self.state
        try:
            version = api_version(version_segment)
            authorize_header(
                state.tokens,  # type: ignore[attr-defined]
                state.clients,  # type: ignore[attr-defined]
                authorization,
                f"/jobs/{job_id}/executions/{raw_id}",
                "get",
            )
            engine = state.engine  # type: ignore[attr-defined]
            execution = engine.get_for_job(job_id, execution_id(job_id, raw_id))
            body = orjson.dumps(job_execution(execution, version, engine.logs_dir))
            status, headers = 200, _HEADERS
        except SitejobsError as error:
            response = ocapi_fault(error, version_of(scope["path"]))
            await response(scope, receive, send)
            return
        except Exception:
            log.exception("status read failed")
            response = ocapi_fault(SitejobsError("The server could not complete the request."), "23.2")
            await response(scope, receive, send)
            return
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [*headers, (b"content-length", str(len(body)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": body})
