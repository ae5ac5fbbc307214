"""API clients and what each may do, kept in one JSON file in the OCAPI settings form:

    {"_v": "23.2", "clients": [{"client_id": "…", "secret_hash": "scrypt$…",
      "resources": [{"resource_id": "/jobs/*/executions", "methods": ["post"],
                     "read_attributes": "(**)", "write_attributes": "(**)"}, …]}]}

`secret_hash` is the one addition to Salesforce's form; the plain secret is never stored.
A `resource_id` segment `*` matches one path segment, `**` any number of them.
"""

from __future__ import annotations

import os
import re
import tempfile
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from sitejobs.auth.secrets import hash_secret, verify_secret_or_decoy
from sitejobs.errors import BadRequest

SETTINGS_VERSION = "23.2"
#: How often the file is checked for changes (a `clients add` takes effect within this).
RELOAD_CHECK_SECONDS = 1.0

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

    def allows(self, resource: str, method: str) -> bool:
        path = "/" + "/".join(_segments(resource))
        method = method.lower()
        return any(g.matches(path, method) for g in self.grants)


def _client_from(doc: dict[str, Any]) -> Client:
    grants = []
    for resource in doc.get("resources", []):
        grants.append(
            Grant(
                _compile(str(resource["resource_id"])),
                frozenset(m.lower() for m in resource.get("methods", [])),
            )
        )
    return Client(str(doc["client_id"]), str(doc.get("secret_hash", "")), tuple(grants), doc)


class ClientStore:
    """Reads the clients file, re-reading it when it changes on disk, so `clients add` needs no restart."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._clients: dict[str, Client] = {}
        self._fresh_until = 0.0

    def _load(self) -> dict[str, Client]:
        now = time.monotonic()
        if now < self._fresh_until:
            return self._clients
        self._fresh_until = now + RELOAD_CHECK_SECONDS
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return {}
        stamp = (stat.st_mtime_ns, stat.st_size)
        with self._lock:
            if stamp != self._stamp:
                doc = orjson.loads(self.path.read_bytes())
                self._clients = {c.client_id: c for c in (_client_from(d) for d in doc.get("clients", []))}
                self._stamp = stamp
            return self._clients

    def get(self, client_id: str) -> Client | None:
        return self._load().get(client_id)

    def authenticate(self, client_id: str, secret: str) -> Client | None:
        client = self.get(client_id)
        if client is None:  # perhaps added a moment ago by another process: look at the file now
            self._fresh_until = 0.0
            client = self.get(client_id)
        stored = client.secret_hash if client is not None else None
        if not verify_secret_or_decoy(secret, stored):
            return None
        return client

    def all(self) -> list[Client]:
        return list(self._load().values())

    def add(self, client_id: str, secret: str, resources: Iterable[dict[str, Any]]) -> Client:
        """Add or replace a client (its secret hashed); the file is replaced atomically."""
        if not client_id or "/" in client_id or len(client_id) > 200:
            raise BadRequest(f"'{client_id}' is not a valid client id.")
        if len(secret) < 6:
            raise BadRequest("A client secret must have at least 6 characters.")
        resources = [_checked_resource(r) for r in resources]
        try:
            doc = orjson.loads(self.path.read_bytes())
        except FileNotFoundError:
            doc = {"_v": SETTINGS_VERSION, "clients": []}
        entry = {"client_id": client_id, "secret_hash": hash_secret(secret), "resources": resources}
        doc["clients"] = [c for c in doc.get("clients", []) if c.get("client_id") != client_id] + [entry]
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".clients.")
        with os.fdopen(fd, "wb") as handle:
            handle.write(orjson.dumps(doc, option=orjson.OPT_INDENT_2))
        os.chmod(tmp, 0o600)
        os.replace(tmp, self.path)
        self._fresh_until = 0.0
        return _client_from(entry)


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
