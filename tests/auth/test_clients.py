"""Clients in the shared database: what one node adds or removes, every node sees; an older data dir's
clients.json comes along once."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from sitejobs.auth.clients import (
    ALL_RESOURCES,
    JOB_RESOURCES,
    RELOAD_CHECK_SECONDS,
    ClientStore,
    open_clients,
)
from sitejobs.auth.secrets import hash_secret
from sitejobs.engine.db import create_store_engine
from sitejobs.errors import BadRequest
from sitejobs.settings import Settings
from tests.conftest import store_db, wait_for


@pytest.fixture
def db(settings: Settings) -> Iterator[Engine]:
    with store_db(settings) as db:
        yield db


@pytest.fixture
def other_node(settings: Settings, db: Engine) -> Iterator[ClientStore]:
    """A second node's client store: its own connection pool and snapshot."""
    own = create_store_engine(settings.resolved_database_url)
    yield ClientStore(own)
    own.dispose()


def _legacy_file(path: Path, *clients: tuple[str, str, list[dict[str, Any]]]) -> Path:
    entries = [{"client_id": c, "secret_hash": hash_secret(s), "resources": r} for c, s, r in clients]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"_v": "23.2", "clients": entries}))
    return path


def test_a_client_added_on_one_node_logs_in_on_another_at_once(db: Engine, other_node: ClientStore) -> None:
    node = ClientStore(db)
    assert other_node.all() == []  # its snapshot is now fresh, and empty
    node.add("bot", "bot-secret", JOB_RESOURCES)
    client = other_node.authenticate("bot", "bot-secret")
    assert client is not None
    assert client.allows("/jobs/x/executions", "post")
    assert not client.allows("/sites", "get")
    assert other_node.authenticate("bot", "wrong-secret") is None


def test_changed_grants_and_removals_reach_the_other_nodes(db: Engine, other_node: ClientStore) -> None:
    node = ClientStore(db)
    node.add("bot", "bot-secret", JOB_RESOURCES)
    assert other_node.authenticate("bot", "bot-secret") is not None
    node.add("bot", "bot-secret", ALL_RESOURCES)

    def widened() -> bool:
        client = other_node.get("bot")
        return client is not None and client.allows("/sites", "get")

    wait_for(widened, RELOAD_CHECK_SECONDS + 2, "the wider grants on the other node")
    assert node.remove("bot")
    assert not node.remove("bot")
    wait_for(lambda: other_node.get("bot") is None, RELOAD_CHECK_SECONDS + 2, "the removal on the other node")


def test_bad_clients_are_refused_and_nothing_is_stored(db: Engine) -> None:
    store = ClientStore(db)
    bad: list[tuple[str, str, Any]] = [
        ("", "secret-1", ALL_RESOURCES),
        ("a/b", "secret-1", ALL_RESOURCES),
        ("x" * 201, "secret-1", ALL_RESOURCES),
        ("ok", "short", ALL_RESOURCES),
        ("ok", "secret-1", [{"methods": ["get"]}]),
        ("ok", "secret-1", [{"resource_id": "/**", "methods": "get"}]),
    ]
    for client_id, secret, resources in bad:
        with pytest.raises(BadRequest):
            store.add(client_id, secret, resources)
    assert store.all() == []


def test_an_older_clients_file_is_imported_once_and_never_over_a_stored_client(
    tmp_path: Path, db: Engine
) -> None:
    ClientStore(db).add("kept", "new-secret", ALL_RESOURCES)
    legacy = _legacy_file(
        tmp_path / "data" / "clients.json",
        ("kept", "old-secret", JOB_RESOURCES),
        ("old-bot", "old-bot-secret", JOB_RESOURCES),
    )
    store = open_clients(db, legacy)
    assert store.authenticate("old-bot", "old-bot-secret") is not None
    assert store.authenticate("kept", "new-secret") is not None  # the database's client wins
    assert store.authenticate("kept", "old-secret") is None
    assert not legacy.exists()
    assert (legacy.parent / "clients.json.imported").is_file()
    store.remove("old-bot")
    assert open_clients(db, legacy).get("old-bot") is None  # once: a later start does not bring it back


def test_processes_of_one_data_dir_importing_at_once(settings: Settings, tmp_path: Path, db: Engine) -> None:
    legacy = _legacy_file(tmp_path / "data" / "clients.json", ("old-bot", "old-bot-secret", JOB_RESOURCES))
    barrier = threading.Barrier(3)
    errors: list[BaseException] = []

    def start() -> None:
        own = create_store_engine(settings.resolved_database_url)
        try:
            barrier.wait()
            open_clients(own, legacy)
        except BaseException as exc:
            errors.append(exc)
        finally:
            own.dispose()

    threads = [threading.Thread(target=start) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert [c.client_id for c in ClientStore(db).all()] == ["old-bot"]


def test_an_unreadable_clients_file_is_a_clear_error_and_stays(tmp_path: Path, db: Engine) -> None:
    legacy = tmp_path / "data" / "clients.json"
    legacy.parent.mkdir(parents=True, exist_ok=True)
    for text, needle in (("{not json", "not valid JSON"), ('{"clients": 3}', "no 'clients' list")):
        legacy.write_text(text)
        with pytest.raises(BadRequest, match=needle):
            open_clients(db, legacy)
        assert legacy.read_text() == text
    assert ClientStore(db).all() == []
