"""Repositories, channels and localization policies: what an enterprise site is made in and translated by.

An enterprise site lives in a repository, has a channel of its own (named after it, made when the site is) and
the channel's localization policy says which languages the site is translated into. Rows are plain dicts with
the JSON columns decoded; each method is one short transaction.
"""

from __future__ import annotations

import secrets
from typing import Any

import orjson
from sqlalchemy import Engine, Table, func, select, update

from sitejobs.auth.users import new_guid
from sitejobs.engine.db import write_transaction
from sitejobs.engine.models import now_ms
from sitejobs.sites.content import schema

KINDS: dict[str, Table] = {
    "repositories": schema.repositories,
    "channels": schema.channels,
    "localizationPolicies": schema.localization_policies,
}
_PREFIX = {"repositories": "R", "channels": "CH", "localizationPolicies": "LP"}
_JSON_COLUMNS = frozenset({"channels", "language_options", "required_values", "optional_values"})


def _decode(row: Any) -> dict[str, Any]:
    out = dict(row._mapping)
    for name in _JSON_COLUMNS & out.keys():
        out[name] = orjson.loads(out[name])
    return out


def _encode(values: dict[str, Any]) -> dict[str, Any]:
    return {k: orjson.dumps(v).decode() if k in _JSON_COLUMNS else v for k, v in values.items()}


class EnterpriseStore:
    def __init__(self, db: Engine) -> None:
        self.db = db

    def all(self, kind: str) -> list[dict[str, Any]]:
        table = KINDS[kind]
        with self.db.connect() as conn:
            return [_decode(r) for r in conn.execute(select(table).order_by(table.c.name))]

    def get(self, kind: str, ref: str) -> dict[str, Any] | None:
        """One row by id, or by `name:NAME` (names compare without case)."""
        table = KINDS[kind]
        where = func.lower(table.c.name) == ref[5:].lower() if ref.startswith("name:") else table.c.id == ref
        with self.db.connect() as conn:
            row = conn.execute(select(table).where(where)).first()
        return None if row is None else _decode(row)

    def add(self, kind: str, name: str, owner: str, **values: Any) -> dict[str, Any] | None:
        """Create a row; None (and nothing written) when one of that name exists."""
        table = KINDS[kind]
        now = now_ms()
        row_id = new_guid(_PREFIX[kind])
        if kind == "channels":
            values.setdefault("token", secrets.token_hex(16))
        with write_transaction(self.db) as conn:
            if conn.execute(select(table.c.id).where(func.lower(table.c.name) == name.lower())).first():
                return None
            conn.execute(
                table.insert().values(
                    id=row_id, name=name, owner=owner, created_at=now, updated_at=now, **_encode(values)
                )
            )
        return self.get(kind, row_id)

    def site_channel(self, site_id: str) -> dict[str, Any] | None:
        c = schema.channels
        with self.db.connect() as conn:
            row = conn.execute(select(c).where(c.c.site_id == site_id)).first()
        return None if row is None else _decode(row)

    def add_site_channel(
        self, site_id: str, name: str, owner: str, repository_id: str, policy_id: str | None
    ) -> dict[str, Any]:
        """The site's own channel (named after the site, as OCE names it), added to the site's repository."""
        channel = self.add(
            "channels",
            name,
            owner,
            site_id=site_id,
            localization_policy_id=policy_id,
            channel_type="public",
        )
        if channel is None:  # a channel of that name exists already: OCE adds a suffix
            channel = self.add(
                "channels",
                f"{name}_{secrets.token_hex(3)}",
                owner,
                site_id=site_id,
                localization_policy_id=policy_id,
            )
        assert channel is not None
        r = schema.repositories
        with write_transaction(self.db) as conn:
            raw = conn.execute(select(r.c.channels).where(r.c.id == repository_id)).scalar()
            if raw is not None:
                listed = [*orjson.loads(raw), {"id": channel["id"], "name": channel["name"]}]
                conn.execute(
                    update(r)
                    .where(r.c.id == repository_id)
                    .values(channels=orjson.dumps(listed).decode(), updated_at=now_ms())
                )
        return channel

    def drop_site_channel(self, site_id: str) -> None:
        """A site deleted for good takes its channel with it (and out of every repository's list)."""
        channel = self.site_channel(site_id)
        if channel is None:
            return
        r, c = schema.repositories, schema.channels
        with write_transaction(self.db) as conn:
            for repo_id, raw in conn.execute(select(r.c.id, r.c.channels)).all():
                listed = orjson.loads(raw)
                kept = [item for item in listed if item.get("id") != channel["id"]]
                if len(kept) != len(listed):
                    conn.execute(
                        update(r).where(r.c.id == repo_id).values(channels=orjson.dumps(kept).decode())
                    )
            conn.execute(c.delete().where(c.c.id == channel["id"]))

    @staticmethod
    def policy_languages(policy: dict[str, Any]) -> list[str]:
        return [*policy["required_values"], *policy["optional_values"]]
