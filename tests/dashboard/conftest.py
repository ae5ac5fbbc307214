"""The dashboard in-process (Starlette's TestClient) with three users, and helpers to sign in and post forms."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from starlette.testclient import TestClient

from sitejobs.api.services import Services
from sitejobs.auth.users import UserStore
from sitejobs.engine.db import create_store_engine, migrate
from sitejobs.engine.service import JobEngine
from sitejobs.server import Server, create_app
from sitejobs.settings import Settings
from tests.conftest import add_client

#: name → (password, administrator)
USERS = {"ada": ("ada-password", True), "alice": ("alice-password", False), "bob": ("bob-password", False)}
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def server_state(client: TestClient) -> Services:
    """The services the server under test opened at startup."""
    assert isinstance(client.app, Server)
    return client.app.started()


def ui_engine(client: TestClient) -> JobEngine:
    engine: JobEngine = server_state(client).engine
    return engine


def csrf_of(response: httpx.Response) -> str:
    found = CSRF.search(response.text)
    assert found, f"no CSRF field in {response.url}"
    return found.group(1)


def sign_in(client: httpx.Client, name: str) -> str:
    """Sign `name` in through the form; returns the session's CSRF token."""
    client.cookies.clear()
    form = client.get("/ui/login")
    response = client.post(
        "/ui/login",
        data={"username": name, "password": USERS[name][0], "csrf": csrf_of(form)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return csrf_of(client.get("/ui/executions"))


def row_ids(response: httpx.Response) -> list[int]:
    assert response.status_code == 200, response.text
    return [int(i) for i in re.findall(r'<tr data-execution-id="([0-9]+)"', response.text)]


def add_users(settings: Settings) -> None:
    """The users, written before the server starts: `UserStore.add` reads then writes in one deferred
    transaction, which SQLite refuses at once (no busy wait) if another writer commits in between."""
    settings.ensure_dirs()
    db = create_store_engine(settings.resolved_database_url)
    try:
        migrate(db)
        users = UserStore(db)
        for name, (password, admin) in USERS.items():
            users.add(name, password, admin=admin)
    finally:
        db.dispose()


@pytest.fixture
def ui(settings: Settings) -> Iterator[TestClient]:
    """The server without an executor (executions stay where the test puts them), its users added."""
    add_client(settings)
    add_users(settings)
    with TestClient(create_app(settings, executor=False)) as client:
        yield client


@pytest.fixture
def ui_running(settings: Settings) -> Iterator[TestClient]:
    """The server with its in-process executor: jobs run."""
    add_client(settings)
    add_users(settings)
    with TestClient(create_app(settings)) as client:
        yield client
