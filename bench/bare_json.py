"""The baseline for the status read: a bare Starlette route returning a fixed JSON document of the same size
as sitejobs' answer (read from the file named by BARE_JSON_BODY), with the same uvicorn settings."""

from __future__ import annotations

import os
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

BODY = Path(os.environ.get("BARE_JSON_BODY", "/dev/null")).read_bytes()


async def document(request: Request) -> Response:
    return Response(BODY, media_type="application/json;charset=UTF-8")


# Any path: one route, matched the way a real route with path parameters is.
app = Starlette(routes=[Route("/{path:path}", document)])
