"""API clients and what each may do, kept in the shared database (`auth_clients`), one row per client of the
OCAPI settings form:

    {"_v": "23.2", "clients": [{"client_id": "…",
      "resources": [{"resource_id": "/jobs/*/executions", "methods": ["post"],
                     "read_attributes": "(**)", "write_attributes": "(**)"}, …]}]}

The secret is stored as a scrypt hash, never in plain. A `resource_id` segment `*` matches one path segment,
`**` any number of them.
"""

from __future__ import annotations

import contextlib
import logging
import re
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Engine, Row, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from sitejobs.auth.rereads import Reread
from sitejobs.auth.schema import CLIENT_ID
from sitejobs.auth.schema import clients as clients_table
from sitejobs.auth.secrets import hash_secret, verify_secret_or_decoy
from sitejobs.engine.db import write_transaction
from sitejobs.engine.models import now_ms
from sitejobs.errors import BadRequest

log = logging.getLogger(__name__)

#: How often a node reads the clients again (a `clients add` or `remove` elsewhere takes effect within this).
RELOAD_CHECK_SECONDS = 1.0
#: How many (resource, method) answers a client keeps before it starts again.
ALLOWS_REMEMBERED = 1024

#: What `clients add --all` grants: every Data API resource and the WebDAV areas.
ALL_RESOURCES: list[dict[str, Any]] = [
    {
        "resource_id": "/**",
        "methods": ["get", "post", "put", "patch", "delete"],
        "read_attributes": "(**)",
        "write_attributes": "(**)",
    },
]

#: What a client needs to run jobs and follow them, as sfcc-ci does.
JOB_RESOURCES: list[dict[str, Any]] = [
    {
        "resource_id": "/jobs/*/executions",
        "methods": ["post"],
        "read_attributes": "(**)",
        "write_attributes": "(**)",
    },
    {
        "resource_id": "/jobs/*/executions/*",
        "methods": ["get", "delete"],
        "read_attributes": "(**)",
        "write_attributes": "(**)",
    },
    {
        "resource_id": "/job_execution_search",
        "methods": ["post"],
        "read_attributes": "(**)",
        "write_attributes": "(**)",
    },
]


@dataclass(frozen=True)
class Grant:
    pattern: re.Pattern[str]
    methods: frozenset[str]

    def matches(self, path: str, method: str) -> bool:
        return method in self.methods and self.pattern.fullmatch(path) is not None


def _compile(resource_id: str) -> re.Pattern[str]:
    """`/jobs/*/executions` as a regular expression over a normalized path: `*` is one segment, `**` any."""
    parts = []
    for segment in _segments(resource_id):
        if segment == "**":
            parts.append("(?:/[^/]+)*")
        elif segment == "*":
            parts.append("/[^/]+")
        else:
            parts.append("/" + re.escape(segment))
    return re.compile("".join(parts) or "/?")


def _segments(path: str) -> list[str]:
    return [s for s in path.split("/") if s]


@dataclass(frozen=True)
class Client:
    client_id: str
    secret_hash: str
    grants: tuple[Grant, ...]
    document: dict[str, Any]
    #: Answers of `allows` so far: clients repeat the same few reads (a status poll); bounded by clearing.
    _allowed: dict[tuple[str, str], bool] = field(default_factory=dict, init=False, repr=False, compare=False)

    def allows(self, resource: str, method: str) -> bool:
        key = (resource, method)
        known = self._allowed.get(key)
        if known is None:
            path = "/" + "/".join(_segments(resource))
            known = any(g.matches(path, method.lower()) for g in self.grants)
            if len(self._allowed) >= ALLOWS_REMEMBERED:
                self._allowed.clear()
            self._allowed[key] = known
        return known


def _client_from(client_id: str, secret_hash: str, resources: list[dict[str, Any]]) -> Client:
    grants = tuple(
        Grant(_compile(str(r["resource_id"])), frozenset(m.lower() for m in r.get("methods", [])))
        for r in resources
    )
    return Client(client_id, secret_hash, grants, {"client_id": client_id, "resources": resources})


def _client_from_row(row: Row[Any]) -> Client:
    return _client_from(row.client_id, row.secret_hash, list(row.resources))


class ClientStore:
    """The clients in the shared database. Each node keeps a snapshot it re-reads every RELOAD_CHECK_SECONDS, so
    a `clients add` or `remove` on any node takes effect everywhere without a restart. A server re-reads on a
    thread of its own (`start_refreshing`): a request never waits on the database for it, so one that stops
    answering cannot hold up request handling; a command reads when it looks."""

    def __init__(self, db: Engine) -> None:
        self._db = db
        self._lock = threading.Lock()
        self._clients: dict[str, Client] = {}
        self._fresh_until = 0.0
        self._reread: Reread | None = None

    def start_refreshing(self) -> None:
        self._load()
        self._reread = Reread(self._read, RELOAD_CHECK_SECONDS, name="sitejobs-clients", what="the clients")
        self._reread.start()

    def stop_refreshing(self) -> None:
        if self._reread is not None:
            self._reread.stop()

    def _load(self) -> dict[str, Client]:
        if self._reread is not None or time.monotonic() < self._fresh_until:
            return self._clients
        return self._read()

    def _read(self) -> dict[str, Client]:
        with self._lock:
            with self._db.connect() as conn:
                rows = conn.execute(select(clients_table)).all()
            fresh: dict[str, Client] = {}
            for row in rows:  # a client that did not change keeps its compiled grants
                client = self._clients.get(row.client_id)
                if client is None or (client.secret_hash, client.document["resources"]) != (
                    row.secret_hash,
                    row.resources,
                ):
                    client = _client_from_row(row)
                fresh[row.client_id] = client
            self._clients = fresh
            self._fresh_until = time.monotonic() + RELOAD_CHECK_SECONDS
            return fresh

    def refresh(self) -> None:
        """Read the clients again now (one added a moment ago on another node, say)."""
        self._read()

    def get(self, client_id: str) -> Client | None:
        return self._load().get(client_id)

    def authenticate(self, client_id: str, secret: str) -> Client | None:
        client = self.get(client_id)
        if client is None:  # perhaps added a moment ago on another node: look now
            self.refresh()
            client = self.get(client_id)
        stored = client.secret_hash if client is not None else None
        if not verify_secret_or_decoy(secret, stored):
            return None
        return client

    def all(self) -> list[Client]:
        return sorted(self._load().values(), key=lambda c: c.client_id)

    def add(self, client_id: str, secret: str, resources: Iterable[dict[str, Any]]) -> Client:
        """Add or replace a client (its secret hashed)."""
        if not client_id or "/" in client_id or len(client_id) > CLIENT_ID:
            raise BadRequest(f"'{client_id}' is not a valid client id.")
        if len(secret) < 6:
            raise BadRequest("A client secret must have at least 6 characters.")
        checked = [_checked_resource(r) for r in resources]
        secret_hash = hash_secret(secret)
        now = now_ms()
        with write_transaction(self._db) as conn:
            dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
            insert = dialect.insert(clients_table).values(
                client_id=client_id,
                secret_hash=secret_hash,
                resources=checked,
                created_at=now,
                updated_at=now,
            )
            conn.execute(
                insert.on_conflict_do_update(
                    index_elements=["client_id"],
                    set_={"secret_hash": secret_hash, "resources": checked, "updated_at": now},
                )
            )
        self.refresh()
        return _client_from(client_id, secret_hash, checked)

    def remove(self, client_id: str) -> bool:
        """Delete a client; its tokens stop working at once on this node, within a second on the others."""
        with write_transaction(self._db) as conn:
            removed = conn.execute(
                delete(clients_table).where(clients_table.c.client_id == client_id)
            ).rowcount
        self.refresh()
        return bool(removed)

    def import_file(self, path: Path) -> list[str]:
        """Import the clients of a data directory's `clients.json` (how clients were kept before they moved
        into the database) that the database does not have yet, then rename the file `clients.json.imported`
        so this happens once. Returns the ids imported."""
        entries = read_clients_file(path)
        if entries is None:
            return []
        imported = []
        now = now_ms()
        with write_transaction(self._db) as conn:
            dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
            for entry in entries:
                resources = [_checked_resource(r) for r in entry.get("resources", [])]
                statement = dialect.insert(clients_table).values(
                    client_id=entry["client_id"],
                    secret_hash=str(entry.get("secret_hash", "")),
                    resources=resources,
                    created_at=now,
                    updated_at=now,
                )
                if conn.execute(statement.on_conflict_do_nothing()).rowcount:
                    imported.append(entry["client_id"])
        with contextlib.suppress(FileNotFoundError):  # another process of this data dir renamed it first
            path.rename(path.with_name(path.name + ".imported"))
        self.refresh()
        return imported


def read_clients_file(path: Path) -> list[dict[str, Any]] | None:
    """The client entries of an older data directory's clients file; None when there is none; BadRequest
    when it cannot be read as one."""
    try:
        doc = orjson.loads(path.read_bytes())
    except FileNotFoundError:
        return None
    except orjson.JSONDecodeError as exc:
        raise BadRequest(f"Clients file '{path}' is not valid JSON: {exc}.") from None
    entries = doc.get("clients") if isinstance(doc, dict) else None
    if not isinstance(entries, list):
        raise BadRequest(f"Clients file '{path}' has no 'clients' list.")
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("client_id"), str):
            raise BadRequest(f"Clients file '{path}': each client needs a string 'client_id'.")
        resources = entry.get("resources", [])
        if not isinstance(resources, list):
            raise BadRequest(f"Clients file '{path}': client '{entry['client_id']}' has no 'resources' list.")
        for resource in resources:
            _checked_resource(resource)
    return entries


def open_clients(db: Engine, legacy_file: Path) -> ClientStore:
    """The client store, with the clients of an older data directory's file imported into it first."""
    store = ClientStore(db)
    for client_id in store.import_file(legacy_file):
        log.info("imported client %s from %s", client_id, legacy_file)
    return store


def _checked_resource(resource: object) -> dict[str, Any]:
    if not isinstance(resource, dict) or not isinstance(resource.get("resource_id"), str):
        raise BadRequest("Each resource needs a string 'resource_id'.")
    methods = resource.get("methods", [])
    if not isinstance(methods, list) or not all(isinstance(m, str) for m in methods):
        raise BadRequest(f"Resource '{resource['resource_id']}': 'methods' must be a list of strings.")
    return dict(resource)


def resources_from_settings_file(path: Path, client_id: str) -> list[dict[str, Any]]:
    """The resources granted to `client_id` (or to the only client) in an OCAPI settings document."""
    try:
        doc = orjson.loads(path.read_bytes())
    except FileNotFoundError:
        raise BadRequest(f"Permissions file '{path}' does not exist.") from None
    except orjson.JSONDecodeError as exc:
        raise BadRequest(f"Permissions file '{path}' is not valid JSON: {exc}.") from None
    clients = doc.get("clients") if isinstance(doc, dict) else None
    if not isinstance(clients, list) or not clients:
        raise BadRequest(f"Permissions file '{path}' has no 'clients' list (OCAPI settings form).")
    chosen = next((c for c in clients if c.get("client_id") == client_id), None)
    if chosen is None and len(clients) == 1:
        chosen = clients[0]
    if chosen is None:
        raise BadRequest(f"Permissions file '{path}' has no entry for client '{client_id}'.")
    resources = chosen.get("resources", [])
    return [_checked_resource(r) for r in resources]
