"""Several API nodes on one database, each with a data dir of its own, sharing one files dir: a token, a client
or a file from one node is good on every other."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from starlette.testclient import TestClient

from sitejobs.auth.secrets import hash_secret
from sitejobs.auth.tokens import DatabaseKeys, SubjectKind, TokenIssuer
from sitejobs.server import create_app
from sitejobs.settings import Settings
from tests.api.conftest import V, assert_fault, wait_for
from tests.conftest import CLIENT_ID, ServerProcess, add_client, sitejobs_cli, store_db, token_for
from tests.sites.commerce.helpers import fixture_entries, write_zip
from tests.timing import deadline_after

INSTANCE = "/on/demandware.servlet/webdav/Sites/impex/src/instance"
ARCHIVE = "shared-site.zip"


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _kid(token: str) -> str:
    kid: str = jwt.get_unverified_header(token)["kid"]
    return kid


def _node(tmp_path: Path, name: str, database_url: str, **extra: Any) -> Settings:
    return Settings(
        data_dir=tmp_path / name,
        files_dir=tmp_path / "shared-files",
        database_url=database_url,
        poll_seconds=0.05,
        lease_seconds=3.0,
        reap_seconds=0.5,
        workers=2,
        **extra,
    )


@pytest.fixture
def nodes(tmp_path: Path, database_url: str) -> tuple[Settings, Settings]:
    return _node(tmp_path, "node-a", database_url), _node(tmp_path, "node-b", database_url)


@pytest.fixture
def apps(nodes: tuple[Settings, Settings]) -> Iterator[tuple[TestClient, TestClient]]:
    """Node A only serves; node B serves and runs jobs."""
    a, b = nodes
    add_client(a)
    with TestClient(create_app(a, executor=False)) as on_a, TestClient(create_app(b)) as on_b:
        yield on_a, on_b


def test_a_token_from_one_node_is_accepted_by_the_other(
    nodes: tuple[Settings, Settings], apps: tuple[TestClient, TestClient]
) -> None:
    on_a, on_b = apps
    from_a = token_for(on_a)
    started = on_b.post(f"{V}/jobs/noop/executions", headers=_bearer(from_a))
    assert started.status_code == 202, started.text
    from_b = token_for(on_b)
    assert _kid(from_a) == _kid(from_b)  # one signing key, kept in the database
    read = on_a.get(f"{V}/jobs/noop/executions/{started.json()['id']}", headers=_bearer(from_b))
    assert read.status_code == 200, read.text
    for settings in nodes:  # nothing shared is kept in a node's own data dir any more
        assert not (settings.data_dir / "token.key").exists()
        assert not (settings.data_dir / "clients.json").exists()


def test_a_client_added_by_the_cli_on_one_node_works_on_the_other(
    nodes: tuple[Settings, Settings], apps: tuple[TestClient, TestClient]
) -> None:
    a, b = nodes
    on_a, on_b = apps
    added = sitejobs_cli(a, "clients", "add", "shared-bot", "--secret", "shared-secret", "--all")
    assert added.returncode == 0, added.stderr
    token = token_for(on_b, "shared-bot", "shared-secret")
    started = on_b.post(f"{V}/jobs/noop/executions", headers=_bearer(token))
    assert started.status_code == 202, started.text
    assert started.json()["client_id"] == "shared-bot"
    listed = sitejobs_cli(b, "clients", "list")
    assert listed.returncode == 0, listed.stderr
    assert "shared-bot" in listed.stdout
    removed = sitejobs_cli(b, "clients", "remove", "shared-bot")
    assert removed.returncode == 0, removed.stderr
    deadline = deadline_after(5)
    while time.monotonic() < deadline:  # each node re-reads the clients within a second
        response = on_a.post(f"{V}/jobs/noop/executions", headers=_bearer(token))
        if response.status_code != 202:
            break
        time.sleep(0.1)
    assert_fault(response, 401, "InvalidAccessTokenException")


def test_a_file_uploaded_on_one_node_is_imported_by_a_job_on_the_other(
    tmp_path: Path, nodes: tuple[Settings, Settings], apps: tuple[TestClient, TestClient]
) -> None:
    a, b = nodes
    on_a, on_b = apps
    for client in apps:
        client.headers["Authorization"] = f"Bearer {token_for(client)}"
    archive = write_zip(
        tmp_path / "upload", ARCHIVE, fixture_entries("preferences.xml", "customer-lists.xml")
    )
    assert on_a.put(f"{INSTANCE}/{ARCHIVE}", content=archive.read_bytes()).status_code == 201
    assert (tmp_path / "shared-files" / "impex" / "src" / "instance" / ARCHIVE).is_file()
    assert not list(a.data_dir.rglob(ARCHIVE))
    seen = on_b.get(f"{INSTANCE}/{ARCHIVE}")
    assert seen.status_code == 200
    assert seen.content == archive.read_bytes()
    started = on_b.post(f"{V}/jobs/sfcc-site-archive-import/executions", json={"file_name": ARCHIVE})
    assert started.status_code == 202, started.text
    final = wait_for(on_a, f"{V}/jobs/sfcc-site-archive-import/executions/{started.json()['id']}", timeout=60)
    assert final["status"] == "OK", final.get("exit_status")
    assert not list(b.data_dir.rglob(ARCHIVE))


def test_a_key_rotation_keeps_tokens_until_they_expire(
    nodes: tuple[Settings, Settings], apps: tuple[TestClient, TestClient]
) -> None:
    a, b = nodes
    on_a, on_b = apps
    old = token_for(on_a)
    with store_db(a) as db:  # signed with the same key, but already past its expiry
        expired = TokenIssuer(DatabaseKeys(db), ttl_seconds=-5).issue(CLIENT_ID, SubjectKind.CLIENT)
    assert _kid(expired) == _kid(old)
    rotated = sitejobs_cli(b, "keys", "rotate")
    assert rotated.returncode == 0, rotated.stderr
    new = token_for(on_a)
    assert _kid(new) != _kid(old)
    assert _kid(new) in rotated.stdout
    assert _kid(token_for(on_b)) == _kid(new)  # the newest key signs, on every node
    for client in (on_a, on_b):
        for token in (old, new):
            assert client.post(f"{V}/jobs/noop/executions", headers=_bearer(token)).status_code == 202
        fault = assert_fault(client.post(f"{V}/jobs/noop/executions", headers=_bearer(expired)), 401,
                             "InvalidAccessTokenException")  # fmt: skip
        assert "expired" in fault["message"]
    listed = sitejobs_cli(a, "keys", "list")
    assert listed.returncode == 0, listed.stderr
    assert _kid(old) in listed.stdout
    assert _kid(new) in listed.stdout


def test_an_older_data_dirs_clients_file_is_imported_once(
    tmp_path: Path, nodes: tuple[Settings, Settings]
) -> None:
    a, b = nodes
    a.data_dir.mkdir(parents=True)
    legacy = a.data_dir / "clients.json"
    resources = [{"resource_id": "/jobs/*/executions", "methods": ["post"]}]
    legacy.write_text(
        json.dumps(
            {
                "_v": "23.2",
                "clients": [
                    {"client_id": "old-bot", "secret_hash": hash_secret("old-secret"), "resources": resources}
                ],
            }
        )
    )
    with TestClient(create_app(a, executor=False)) as on_a:
        token = token_for(on_a, "old-bot", "old-secret")
    assert not legacy.exists()
    assert (a.data_dir / "clients.json.imported").exists()
    with TestClient(create_app(b, executor=False)) as on_b:
        assert on_b.post(f"{V}/jobs/noop/executions", headers=_bearer(token)).status_code == 202
        # its grants came along: it may start jobs but not read them
        assert_fault(on_b.get(f"{V}/jobs/noop/executions/1", headers=_bearer(token)), 403,
                     "ClientAccessForbiddenException")  # fmt: skip


def test_two_serve_processes_share_tokens_clients_and_files(
    nodes: tuple[Settings, Settings], servers: list[ServerProcess]
) -> None:
    a, b = nodes
    added = sitejobs_cli(a, "clients", "add", "proc-bot", "--secret", "proc-secret", "--all")
    assert added.returncode == 0, added.stderr
    b.data_dir.mkdir(parents=True)  # for the server's log
    node_a, node_b = ServerProcess(a), ServerProcess(b)
    servers.extend([node_a, node_b])
    node_a.start(wait_ready=False)
    node_b.start(wait_ready=False)
    node_a.wait_ready()
    node_b.wait_ready()
    with (
        httpx.Client(base_url=node_a.url, timeout=30) as on_a,
        httpx.Client(base_url=node_b.url, timeout=30) as on_b,
    ):
        token = token_for(on_a, "proc-bot", "proc-secret")
        on_b.headers["Authorization"] = on_a.headers["Authorization"] = f"Bearer {token}"
        started = on_b.post(f"{V}/jobs/noop/executions")
        assert started.status_code == 202, started.text
        final = wait_for(on_a, f"{V}/jobs/noop/executions/{started.json()['id']}")
        assert final["status"] == "OK"
        assert on_b.put(f"{INSTANCE}/from-b.txt", content=b"written on node b").status_code == 201
        assert on_a.get(f"{INSTANCE}/from-b.txt").content == b"written on node b"
