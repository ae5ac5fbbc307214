"""Bad requests: each gets the OCAPI fault document with the right status, never a 500 or a stack trace, and
leaves the store as it was."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from sitejobs.settings import Settings
from tests.api.conftest import V_SFCC_CI, V, assert_fault, start, stored_count

LIMIT = 64 * 1024
JSON = {"Content-Type": "application/json"}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    settings.max_body_bytes = LIMIT
    return settings


@pytest.fixture
def client(idle_api: TestClient) -> TestClient:
    start(idle_api, "noop")  # something in the store, to see that bad requests leave it alone
    return idle_api


def _chunks(total: int, size: int = 16 * 1024) -> Iterator[bytes]:
    yield b'{"parameters": ['
    sent = 0
    while sent < total:
        yield b" " * size
        sent += size
    yield b"]}"


EXECUTIONS = f"{V}/jobs/hello-world/executions"
SEARCH = f"{V}/job_execution_search"

BAD_REQUESTS: list[tuple[str, str, dict[str, Any], int, str]] = [
    ("POST", EXECUTIONS, {"content": b"{bad", "headers": JSON}, 400, "MalformedDocumentException"),
    ("POST", EXECUTIONS, {"content": b'{"parameters": [', "headers": JSON}, 400, "MalformedDocumentException"),
    ("POST", EXECUTIONS, {"content": b"\xff\xfe{}", "headers": JSON}, 400, "MalformedDocumentException"),
    ("POST", EXECUTIONS, {"content": b'{"a": 1e400}', "headers": JSON}, 400, "MalformedDocumentException"),
    ("POST", EXECUTIONS, {"content": b"[1, 2]", "headers": JSON}, 400, "MalformedDocumentException"),
    ("POST", EXECUTIONS, {"content": b'"text"', "headers": JSON}, 400, "MalformedDocumentException"),
    ("POST", EXECUTIONS, {"content": b"42", "headers": JSON}, 400, "MalformedDocumentException"),
    ("POST", f"{V}/jobs/sfcc-site-archive-import/executions", {"content": b"[]", "headers": JSON}, 400,
     "MalformedDocumentException"),
    ("POST", SEARCH, {"content": b"{bad", "headers": JSON}, 400, "MalformedDocumentException"),
    ("POST", SEARCH, {"content": b"[]", "headers": JSON}, 400, "MalformedDocumentException"),
    ("POST", EXECUTIONS, {"content": b"Seconds=1", "headers": {"Content-Type": "application/x-www-form-urlencoded"}},
     415, "UnsupportedMediaTypeException"),
    ("POST", EXECUTIONS, {"content": b'{"parameters": []}', "headers": {"Content-Type": "text/plain"}}, 415,
     "UnsupportedMediaTypeException"),
    ("POST", SEARCH, {"content": b"<query/>", "headers": {"Content-Type": "application/xml"}}, 415,
     "UnsupportedMediaTypeException"),
    ("POST", f"{V}/jobs/hello-world/executions", {"content": b"x" * (LIMIT + 1), "headers": JSON}, 413,
     "RequestEntityTooLargeException"),
    ("POST", f"{V}/jobs/hello-world/executions", {"content": lambda: _chunks(LIMIT), "headers": JSON}, 413,
     "RequestEntityTooLargeException"),
    ("POST", SEARCH, {"content": lambda: _chunks(LIMIT), "headers": JSON}, 413, "RequestEntityTooLargeException"),
    ("POST", "/dw/data/vX/jobs/hello-world/executions", {"json": {}}, 400, "UnsupportedVersionException"),
    ("POST", "/dw/data/v23/jobs/hello-world/executions", {"json": {}}, 400, "UnsupportedVersionException"),
    ("POST", "/dw/data/23_2/jobs/hello-world/executions", {"json": {}}, 400, "UnsupportedVersionException"),
    ("POST", "/dw/data/v14_1/jobs/hello-world/executions", {"json": {}}, 400, "UnsupportedVersionException"),
    ("POST", "/dw/data/v23_2x/jobs/hello-world/executions", {"json": {}}, 400, "UnsupportedVersionException"),
    ("POST", "/dw/data/v23_2%0A/jobs/hello-world/executions", {"json": {}}, 400, "UnsupportedVersionException"),
    ("POST", "/dw/data/v%D9%A2%D9%A3_2/jobs/hello-world/executions", {"json": {}}, 400,
     "UnsupportedVersionException"),
    ("GET", "/dw/data/vX/jobs/hello-world/executions/1", {}, 400, "UnsupportedVersionException"),
    ("DELETE", "/dw/data/vX/jobs/hello-world/executions/1", {}, 400, "UnsupportedVersionException"),
    ("POST", "/dw/data/vX/job_execution_search", {"json": {"query": {"match_all_query": {}}}}, 400,
     "UnsupportedVersionException"),
    ("GET", f"{V}/jobs", {}, 404, "ResourcePathNotFoundException"),
    ("GET", f"{V}/nothing/here", {}, 404, "ResourcePathNotFoundException"),
    ("POST", f"{V}/jobs/hello-world/executions/1/extra", {"json": {}}, 404, "ResourcePathNotFoundException"),
    ("GET", "/no/such/path", {}, 404, "ResourcePathNotFoundException"),
    ("PUT", EXECUTIONS, {"json": {}}, 405, "MethodNotAllowedException"),
    ("GET", EXECUTIONS, {}, 405, "MethodNotAllowedException"),
    ("PATCH", f"{V}/jobs/hello-world/executions/1", {"json": {}}, 405, "MethodNotAllowedException"),
    ("POST", f"{V}/jobs/hello-world/executions/1", {"json": {}}, 405, "MethodNotAllowedException"),
    ("GET", SEARCH, {}, 405, "MethodNotAllowedException"),
    ("DELETE", SEARCH, {}, 405, "MethodNotAllowedException"),
]  # fmt: skip


def test_bad_requests_get_an_ocapi_fault_and_change_nothing(client: TestClient) -> None:
    """The whole table against one app (setting one up is the slow part); every mismatch is reported."""
    wrong = []
    for method, path, kwargs, status, fault_type in BAD_REQUESTS:
        if callable(kwargs.get("content")):
            kwargs = {**kwargs, "content": kwargs["content"]()}  # a fresh chunk generator each time
        before = stored_count(client)
        response = client.request(method, path, **kwargs)
        try:
            # a refused version may be echoed or not
            assert_fault(
                response, status, fault_type, None if fault_type == "UnsupportedVersionException" else "23.2"
            )
            assert stored_count(client) == before, "the store changed"
        except AssertionError as exc:
            wrong.append(f"{method} {path}: wanted {status} {fault_type}, got {response.status_code} "
                         f"{response.text[:300]} ({exc})")  # fmt: skip
    assert not wrong, "\n".join(wrong)


def test_the_fault_echoes_the_path_version(client: TestClient) -> None:
    response = client.post(f"{V_SFCC_CI}/jobs/hello-world/executions", content=b"{bad", headers=JSON)
    assert_fault(response, 400, "MalformedDocumentException", version="19.5")
    response = client.get(f"{V_SFCC_CI}/jobs/no-such/executions/1")
    assert_fault(response, 404, "JobExecutionNotFoundException", version="19.5")


def test_a_body_just_under_the_limit_is_accepted(client: TestClient) -> None:
    body = b'{"parameters": [' + b" " * (LIMIT - 100) + b"]}"
    response = client.post(f"{V}/jobs/hello-world/executions", content=body, headers=JSON)
    assert response.status_code == 202, response.text


def test_the_size_limit_applies_to_the_token_endpoint(client: TestClient) -> None:
    response = client.post(
        "/dwsso/oauth2/access_token",
        content=b"grant_type=client_credentials&x=" + b"a" * LIMIT,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 413
    assert "Traceback" not in response.text


def test_an_empty_body_with_a_json_type_is_no_document(client: TestClient) -> None:
    response = client.post(f"{V}/jobs/noop/executions", content=b"", headers=JSON)
    assert response.status_code == 202, response.text


def test_json_with_a_charset_is_json(client: TestClient) -> None:
    response = client.post(
        f"{V}/jobs/hello-world/executions",
        content=b'{"parameters": [{"name": "Seconds", "value": "1"}]}',
        headers={"Content-Type": "application/json; charset=UTF-8"},
    )
    assert response.status_code == 202, response.text


def test_bad_requests_without_a_token_still_get_faults(client: TestClient) -> None:
    client.headers.pop("Authorization")
    assert_fault(client.get("/no/such/path"), 404, "ResourcePathNotFoundException")
    assert_fault(client.post(EXECUTIONS, json={}), 401, "InvalidAccessTokenException")
    assert_fault(client.post(SEARCH, json={}), 401, "InvalidAccessTokenException")


ALLOWED = [
    ("PUT", EXECUTIONS, {"POST"}),
    ("GET", EXECUTIONS, {"POST"}),
    ("PATCH", f"{V}/jobs/hello-world/executions/1", {"GET", "DELETE"}),
    ("POST", f"{V}/jobs/hello-world/executions/1", {"GET", "DELETE"}),
    ("DELETE", SEARCH, {"POST"}),
    ("GET", "/dwsso/oauth2/access_token", {"POST"}),
    ("DELETE", "/healthz", {"GET"}),
    ("DELETE", "/sites/management/api/v1/sites", {"GET", "POST"}),  # two routes, one path
]


@pytest.mark.parametrize(("method", "path", "allowed"), ALLOWED)
def test_a_405_says_which_methods_are_allowed(
    client: TestClient, method: str, path: str, allowed: set[str]
) -> None:
    response = client.request(method, path)
    assert response.status_code == 405
    assert {m.strip() for m in response.headers["Allow"].split(",")} >= allowed
    assert method not in response.headers["Allow"]
