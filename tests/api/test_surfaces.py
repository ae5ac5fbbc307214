"""Each surface is a sub-app of its own and renders every error it meets in its own shape: what its routes raise,
the router's 404 and 405, and a request body past its limit (declared, or streamed past it)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from sitejobs.server import create_app
from sitejobs.settings import Settings
from tests.api.conftest import V, assert_fault
from tests.conftest import add_client, token_for
from tests.dashboard.conftest import add_users

LIMIT = 16 * 1024
OCE_API = "/sites/management/api/v1"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    settings.max_body_bytes = LIMIT
    return settings


@pytest.fixture
def idle_api(settings: Settings) -> Iterator[TestClient]:
    """The app without its executor, with an OCAPI client and the dashboard's users."""
    add_client(settings)
    add_users(settings)
    with TestClient(create_app(settings, executor=False)) as client:
        client.headers["Authorization"] = f"Bearer {token_for(client)}"
        yield client


def _streamed(total: int) -> Iterator[bytes]:
    sent = 0
    while sent <= total:
        yield b" " * 4096
        sent += 4096


@pytest.mark.parametrize("streamed", [False, True], ids=["declared", "streamed"])
def test_an_oversized_body_gets_each_surfaces_own_document(idle_api: TestClient, streamed: bool) -> None:
    def body() -> bytes | Iterator[bytes]:
        return _streamed(LIMIT) if streamed else b" " * (LIMIT + 1)

    json = {"Content-Type": "application/json"}
    ocapi = idle_api.post(f"{V}/jobs/noop/executions", content=body(), headers=json)
    assert_fault(ocapi, 413, "RequestEntityTooLargeException")

    ada = {"Authorization": "Basic YWRhOmFkYS1wYXNzd29yZA=="}  # ada:ada-password
    oce = idle_api.post(f"{OCE_API}/sites", content=body(), headers={**json, **ada})
    assert oce.status_code == 413
    assert oce.json()["o:errorCode"] == "OCE-SITEMGMT-000413", oce.text

    idle_api.get("/ui/login")  # a session cookie, so that the sign-in reads its form
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    page = idle_api.post("/ui/login", content=body(), headers=form)
    assert page.status_code == 413
    assert page.headers["content-type"].startswith("text/html"), page.headers
    assert "exceeds the limit" in page.text


def test_a_path_no_route_takes_gets_its_surfaces_404(idle_api: TestClient) -> None:
    assert_fault(idle_api.get(f"{V}/no/such/resource"), 404, "ResourcePathNotFoundException")
    assert_fault(idle_api.get("/no/such/path"), 404, "ResourcePathNotFoundException")
    oce = idle_api.get(f"{OCE_API}/no-such-resource")
    assert oce.status_code == 404
    assert oce.json()["o:errorCode"] == "OCE-SITEMGMT-000404"
    assert idle_api.get("/ui/no-such-page").headers["content-type"].startswith("text/html")


def test_a_method_a_path_does_not_take_gets_405_with_the_methods_it_does(idle_api: TestClient) -> None:
    status = f"{V}/jobs/noop/executions/1"
    refused = idle_api.put(status)
    assert_fault(refused, 405, "MethodNotAllowedException")
    assert refused.headers["Allow"] == "GET, DELETE"
    # The Data API's resources never answered HEAD: no implicit one on the status read.
    assert idle_api.head(status).status_code == 405
    oce = idle_api.put(f"{OCE_API}/sites", headers={"Authorization": "Basic eDp5"})
    assert oce.status_code == 405
    assert oce.json()["o:errorCode"] == "OCE-SITEMGMT-000405"
    assert oce.headers["Allow"] == "GET, HEAD, POST"


def test_a_surfaces_bare_prefix_is_answered_by_that_surface(idle_api: TestClient) -> None:
    dashboard = idle_api.get("/ui", follow_redirects=False)
    assert (dashboard.status_code, dashboard.headers["location"]) == (307, "http://testserver/ui/")
    assert_fault(idle_api.get("/dw/data"), 404, "ResourcePathNotFoundException")
