"""`GET /sites/management/api/v1/sites/_status/{id}` answered in front of the framework: the request pollers
repeat (the toolkit every 5 s per job, dashboards more often). Same function as the routed handler
(`routes.status_payload`), so both give the same answers and errors."""

from __future__ import annotations

import logging
import re
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from sitejobs.api.asgi import send_json
from sitejobs.api.credentials import client_address
from sitejobs.api.faults import internal_error, json_response
from sitejobs.api.oce.errors import error_document, error_headers
from sitejobs.api.oce.routes import base_url, status_payload
from sitejobs.errors import SitejobsError

log = logging.getLogger(__name__)

_STATUS_PATH = re.compile(r"^/sites/management/api/v1/sites/_status/([^/]+)$")
_READ_HEADERS = frozenset({b"authorization", b"accept"})


class OceStatusFastPath:
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
        headers = {name: value.decode("latin-1") for name, value in scope["headers"] if name in _READ_HEADERS}
        state: Any = self.state
        try:
            payload = await status_payload(
                state,
                headers.get(b"authorization", ""),
                headers.get(b"accept", ""),
                match.group(1),
                scope["query_string"],
                base_url(scope),
                client_address(scope.get("client")),
            )
        except SitejobsError as error:
            await json_response(error_document(error), error.status, error_headers(error))(
                scope, receive, send
            )
            return
        except Exception as exc:
            internal = internal_error(exc)
            if internal.status == 500:
                log.exception("GET %s failed", scope["path"])
            await json_response(error_document(internal), internal.status, error_headers(internal))(
                scope, receive, send
            )
            return
        await send_json(send, 200, payload, b"application/json")
