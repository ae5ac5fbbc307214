"""`/docs` (Swagger UI, its assets served from the `swagger-ui-bundle` package) and the OpenAPI documents:
`/openapi/ocapi.json` (also `/openapi.json`) and `/openapi/oce.json`. Each document is built once per app."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import orjson
import swagger_ui_bundle  # type: ignore[import-untyped]
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from sitejobs.api.docs.ocapi import ocapi_document
from sitejobs.api.docs.oce import oce_document

ASSETS = "/docs/assets"
#: Surface name → (title in the selector, document builder).
SURFACES: dict[str, tuple[str, Callable[[], dict[str, Any]]]] = {
    "ocapi": ("Commerce Cloud: OCAPI jobs, token, WebDAV", ocapi_document),
    "oce": ("Content Management: Sites Management API, Documents", oce_document),
}


def _document_route(name: str, build: Callable[[], dict[str, Any]], path: str) -> Route:
    body = orjson.dumps(build())

    async def endpoint(_request: Request) -> Response:
        return Response(body, media_type="application/json")

    return Route(path, endpoint, methods=["GET"], include_in_schema=False, name=f"openapi-{name}-{path}")


def _page() -> str:
    urls = [{"url": f"/openapi/{name}.json", "name": title} for name, (title, _build) in SURFACES.items()]
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>sitejobs API docs</title>
  <link rel="stylesheet" href="{ASSETS}/swagger-ui.css">
  <link rel="icon" href="{ASSETS}/favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="{ASSETS}/swagger-ui-bundle.js"></script>
  <script src="{ASSETS}/swagger-ui-standalone-preset.js"></script>
  <script>
    window.ui = SwaggerUIBundle({{
      urls: {html.escape(orjson.dumps(urls).decode(), quote=False)},
      dom_id: "#swagger-ui",
      deepLinking: true,
      presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
      layout: "StandaloneLayout"
    }});
  </script>
</body>
</html>
"""


def routes() -> list[BaseRoute]:
    page = _page()

    async def docs(_request: Request) -> Response:
        return HTMLResponse(page)

    found: list[BaseRoute] = [
        Route("/docs", docs, methods=["GET"], include_in_schema=False),
        Mount(ASSETS, StaticFiles(directory=swagger_ui_bundle.swagger_ui_path), name="swagger-ui"),
        _document_route("ocapi", ocapi_document, "/openapi.json"),
    ]
    for name, (_title, build) in SURFACES.items():
        found.append(_document_route(name, build, f"/openapi/{name}.json"))
    return found
