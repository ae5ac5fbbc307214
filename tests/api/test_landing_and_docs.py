"""`GET /` for a person, and the API docs: Swagger UI served from sitejobs itself (it works offline) and one
valid OpenAPI document per surface."""

from __future__ import annotations

import re

import pytest
import schemathesis
from starlette.testclient import TestClient

from sitejobs.settings import Settings
from tests.api.oce.sites_client import (
    basic_auth,
    bring_online,
    create_site,
    poll_like_the_toolkit,
    sites_app,
    start,
)

ALICE = basic_auth("alice")


def test_the_landing_page_links_the_docs_the_dashboard_and_the_published_sites(settings: Settings) -> None:
    with sites_app(settings) as client:
        empty = client.get("/")
        assert empty.status_code == 200
        assert empty.headers["content-type"].startswith("text/html")
        assert 'href="/docs"' in empty.text
        assert 'href="/ui"' in empty.text
        assert "None yet" in empty.text

        create_site(client, "Shop")
        poll_like_the_toolkit(client, start(client, "/sites/name:Shop/publish", None, ALICE), ALICE)
        assert "/site/Shop/" not in client.get("/").text  # published but offline: not served, not linked
        bring_online(client, "Shop", ALICE)
        page = client.get("/").text
        links = re.findall(r'href="(/site/[^"]+)"', page)
        assert links == ["/site/Shop/"]
        assert client.get(links[0]).status_code == 200
        for href in re.findall(r'href="(/(?:docs|openapi)[^"]*)"', page):
            assert client.get(href).status_code == 200, href


def test_the_docs_load_their_assets_from_this_server(api: TestClient) -> None:
    page = api.get("/docs")
    assert page.status_code == 200
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources, page.text
    for source in sources:
        assert source.startswith("/docs/assets/"), source  # nothing from a CDN
        asset = api.get(source)
        assert asset.status_code == 200, source
        assert asset.content, source
    for url in re.findall(r'"url":\s*"([^"]+)"', page.text):
        assert api.get(url).status_code == 200, url


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (
            "/openapi/ocapi.json",
            {
                ("/dw/data/{version}/jobs/{job_id}/executions", "POST"),
                ("/s/-/dw/data/{version}/jobs/{job_id}/executions/{execution}", "GET"),
                ("/s/-/dw/data/{version}/jobs/{job_id}/executions/{execution}", "DELETE"),
                ("/s/-/dw/data/{version}/job_execution_search", "POST"),
                ("/dwsso/oauth2/access_token", "POST"),
            },
        ),
        (
            "/openapi/oce.json",
            {
                ("/sites/management/api/v1/sites", "POST"),
                ("/sites/management/api/v1/sites/_status/{id}", "GET"),
                ("/sites/management/api/v1/sites/_status/{id}/pages", "GET"),
                ("/sites/management/api/v1/sites/{id}/publish", "POST"),
                ("/sites/management/api/v1/metadata-catalog/{name}", "GET"),
                ("/documents/api/1.2/files/data", "POST"),
                ("/documents/api/1.2/files/{id}/data", "GET"),
                ("/oauth2/v1/token", "POST"),
            },
        ),
    ],
)
def test_each_surface_has_a_valid_complete_document(
    api: TestClient, path: str, expected: set[tuple[str, str]]
) -> None:
    document = api.get(path).json()
    schema = schemathesis.openapi.from_dict(document)
    operations = {(op.path, op.method.upper()) for op in (r.ok() for r in schema.get_all_operations())}
    assert expected <= operations, expected - operations
    for methods in document["paths"].values():
        for operation in methods.values():
            assert any(code.startswith(("4", "5")) for code in operation["responses"]), operation["summary"]
    if path.endswith("ocapi.json"):
        assert "WebDAV" in document["info"]["description"]
        assert api.get("/openapi.json").json() == document  # where FastAPI's document used to be
    else:
        status = document["paths"]["/sites/management/api/v1/sites/_status/{id}"]["get"]
        assert {p["name"] for p in status["parameters"]} >= {
            "id", "fields", "excludeFields", "links", "excludeLinks", "expand", "expansionErrors", "return",
        }  # fmt: skip
