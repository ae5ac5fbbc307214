"""Helpers for the HTTP-level tests: reaching the app's engine, polling executions, checking fault documents."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient

from sitejobs.api.services import Services
from sitejobs.engine.service import JobEngine
from sitejobs.server import Server, create_app
from sitejobs.settings import Settings
from tests.conftest import add_client, token_for
from tests.timing import deadline_after

V = "/dw/data/v23_2"
V_SFCC_CI = "/s/-/dw/data/v19_5"
TIME_MS = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$")
FINAL_STATUSES = ("OK", "ERROR")


def app_engine(client: TestClient) -> JobEngine:
    """The engine the app under test opened at startup."""
    return app_services(client).engine


def app_services(client: TestClient) -> Services:
    """The services the app under test opened at startup."""
    assert isinstance(client.app, Server)
    return client.app.started()


def stored_count(client: TestClient) -> int:
    return sum(app_engine(client).count_by_state().values())


def wait_for(
    client: TestClient | httpx.Client,
    path: str,
    done: Callable[[dict[str, Any]], bool] = lambda doc: doc["status"] in FINAL_STATUSES,
    timeout: float = 30.0,
) -> dict[str, Any]:
    """GET `path` until `done(document)`; fails with the last document after `timeout` seconds."""
    deadline = deadline_after(timeout)
    doc: dict[str, Any] = {}
    while time.monotonic() < deadline:
        response = client.get(path)
        assert response.status_code == 200, response.text
        doc = response.json()
        if done(doc):
            return doc
        time.sleep(0.05)
    pytest.fail(f"{path} did not reach the expected state within {timeout} s; last: {doc}")


def assert_fault(
    response: httpx.Response, status: int, fault_type: str, version: str | None = "23.2"
) -> dict[str, Any]:
    """The response is the OCAPI fault document of `fault_type`, never a stack trace; returns the fault.
    `version` is the `_v` it must carry (None: any)."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json"), response.headers
    assert "Traceback" not in response.text
    doc = response.json()
    assert set(doc) == {"_v", "fault"}, doc
    assert isinstance(doc["_v"], str)
    assert version is None or doc["_v"] == version
    fault = doc["fault"]
    assert fault["type"] == fault_type, fault
    assert isinstance(fault["message"], str), fault
    assert fault["message"].strip(), fault
    assert set(fault) <= {"type", "message", "arguments"}, fault
    return fault


def assert_faults(client: TestClient, cases: list[tuple[str, str, dict[str, Any], int, str]]) -> None:
    """Each (method, path, request kwargs, status, fault type) gets its fault and leaves the store as it was.
    One app for a whole table (setting one up is the slow part); every mismatch is reported at the end."""
    wrong = []
    for method, path, kwargs, status, fault_type in cases:
        before = stored_count(client)
        response = client.request(method, path, **kwargs)
        try:
            assert_fault(response, status, fault_type)
            assert stored_count(client) == before, "the store changed"
        except AssertionError as exc:
            wrong.append(f"{method} {path} {kwargs}: wanted {status} {fault_type}, got {response.status_code} "
                         f"{response.text[:300]} ({exc})")  # fmt: skip
    assert not wrong, "\n".join(wrong)


def start(client: TestClient, job_id: str, body: Any = None, prefix: str = V) -> dict[str, Any]:
    response = client.post(f"{prefix}/jobs/{job_id}/executions", json=body)
    assert response.status_code == 202, response.text
    doc: dict[str, Any] = response.json()
    return doc


def params(**values: str) -> dict[str, Any]:
    return {"parameters": [{"name": k, "value": v} for k, v in values.items()]}


@pytest.fixture
def idle_api(settings: Settings) -> Iterator[TestClient]:
    """The app without its executor: what is submitted stays PENDING, so tests can look at it undisturbed."""
    add_client(settings)
    with TestClient(create_app(settings, executor=False)) as client:
        client.headers["Authorization"] = f"Bearer {token_for(client)}"
        yield client
