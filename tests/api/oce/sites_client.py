"""A Sites Management client for tests: users, installed fixture templates, and the toolkit's polling loop."""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient

from sitejobs.auth.users import UserStore
from sitejobs.engine.runner import EngineSink, run_execution
from sitejobs.engine.service import JobEngine
from sitejobs.engine.states import State
from sitejobs.jobs.builtin import default_registry
from sitejobs.server import create_app
from sitejobs.settings import Settings
from sitejobs.sites.content.install import install_template
from sitejobs.sites.content.store import ContentStore
from tests.conftest import REPO
from tests.timing import deadline_after

API = "/sites/management/api/v1"
TEMPLATES = REPO.parent / "shared" / "fixtures" / "oce-site-template"
PASSWORD = "secret-pw"
#: The toolkit polls every 5 s; tests shorten the server's hint and honour it the same way.
POLL_MS = 50
ASYNC = {"Prefer": "respond-async", "Content-Type": "application/json"}


def basic_auth(user: str, password: str = PASSWORD) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def prepare(settings: Settings, users: tuple[str, ...] = ("alice", "bob"), admin: str = "admin") -> None:
    """Users (and an administrator) and both fixture templates, as `make run` installs them."""
    settings.oce_poll_interval_ms = POLL_MS
    engine = JobEngine.open(settings, default_registry(settings.jobs_module))
    try:
        store = UserStore(engine.db)
        for name in users:
            store.add(name, PASSWORD)
        store.add(admin, PASSWORD, admin=True)
        content = ContentStore(engine.db, settings.content_dir)
        for template in sorted(TEMPLATES.iterdir()):
            if template.is_dir():
                install_template(content, template, owner=admin)
    finally:
        engine.close()


@contextmanager
def sites_app(settings: Settings, *, executor: bool = True) -> Iterator[TestClient]:
    prepare(settings)
    with TestClient(create_app(settings, executor=executor), base_url="https://sites.test") as client:
        yield client


def poll_like_the_toolkit(client: TestClient | httpx.Client, location: str, auth: dict[str, str],
                          timeout: float = 60.0) -> dict[str, Any]:  # fmt: skip
    """sitesRest.js `_getBackgroundJobStatus` and its caller: GET the absolute Location with `?links=none`
    every `intervalToPoll` ms; fail on an `error`, no `progress`, `failed` or `aborted`; succeed on
    `completed && progress == "succeeded"`. Returns the last status; fails the test on the toolkit's failures."""
    assert location.startswith(("http://", "https://")), f"Location must be absolute: {location}"
    url = location + ("&" if "?" in location else "?") + "links=none"
    deadline = deadline_after(timeout)
    interval = POLL_MS / 1000
    while time.monotonic() < deadline:
        time.sleep(interval)
        response = client.get(url, headers=auth)
        assert response.status_code == 200, response.text
        data = response.json()
        assert "links" not in data
        if data.get("error") or not data.get("progress") or data["progress"] in ("failed", "aborted"):
            pytest.fail(f"the toolkit would report a failed job: {data}")
        if data["completed"] and data["progress"] == "succeeded":
            return dict(data)
        interval = data.get("intervalToPoll", POLL_MS) / 1000
    pytest.fail(f"{location} did not complete within {timeout} s")


def start(client: TestClient, path: str, body: dict[str, Any] | None, auth: dict[str, str]) -> str:
    """POST an operation as the toolkit does; returns the absolute Location of its status."""
    response = client.post(f"{API}{path}", json=body, headers={**ASYNC, **auth})
    assert response.status_code == 202, response.text
    location: str = response.headers["Location"]
    return location


def wait_status(
    client: TestClient, location: str, auth: dict[str, str], timeout: float = 60.0
) -> dict[str, Any]:
    """The status once the job has ended, whatever the outcome."""
    deadline = deadline_after(timeout)
    while time.monotonic() < deadline:
        data: dict[str, Any] = client.get(location, headers=auth).json()
        if data.get("endTime"):
            return data
        time.sleep(0.02)
    pytest.fail(f"{location} did not end within {timeout} s")


def create_site(client: TestClient, name: str, template: str = "StarterTemplate", user: str = "alice") -> str:
    auth = basic_auth(user)
    found = client.get(f"{API}/templates/name:{template}?links=none", headers=auth)
    assert found.status_code == 200, found.text
    location = start(
        client, "/sites", {"name": name, "description": "", "template": found.json()["id"]}, auth
    )
    poll_like_the_toolkit(client, location, auth)
    site = client.get(f"{API}/sites/name:{name}?links=none", headers=auth)
    assert site.status_code == 200, site.text
    site_id: str = site.json()["id"]
    return site_id


def published_file(settings: Settings, site: str, path: str) -> Path:
    return settings.content_dir / "published" / "sites" / site / path


def create_site_in_process(client: TestClient, engine: JobEngine, name: str) -> None:
    """Create a site with the job run in this thread (for apps started without their executor)."""
    template = client.get(
        f"{API}/templates/name:StarterTemplate?links=none", headers=basic_auth("alice")
    ).json()
    response = client.post(
        f"{API}/sites",
        json={"name": name, "template": template["id"]},
        headers={**ASYNC, **basic_auth("alice")},
    )
    assert response.status_code == 202, response.text
    [execution] = engine.claim("setup", 1)
    outcome = run_execution(execution, engine, EngineSink(engine, "setup"))
    assert outcome is not None
    assert outcome.state is State.SUCCEEDED, outcome


def bring_online(client: TestClient, name: str, auth: dict[str, str]) -> None:
    """`cec control-site bring-online`: a published site is served only once it is online."""
    response = client.post(f"{API}/sites/name:{name}/activate", headers=auth)
    assert response.status_code == 200, response.text
