"""A site's settings besides its documents: IDC site metadata (`SCS_SET_SITE_METADATA`), runtime access
(`security.access`, and the users and groups a secure site admits), static delivery options, expiry, and who
changed the site last. A site without a row has the defaults (public, nothing set)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import Connection, Engine, select

from sitejobs.engine.db import write_transaction
from sitejobs.engine.models import now_ms
from sitejobs.sites.content import schema

#: `security.access` values: anyone, or (signing in) cloud users, visitors, service users, named users.
ACCESS_VALUES = ("everyone", "cloud", "visitors", "service", "named")
PUBLIC = ("everyone",)


@dataclass(frozen=True)
class SiteSettings:
    idc_metadata: dict[str, str] = field(default_factory=dict)
    access: list[str] = field(default_factory=lambda: list(PUBLIC))
    static_delivery: dict[str, Any] | None = None
    expires_at: int | None = None
    embeddable: bool = False
    updated_by: str | None = None


def _settings(row: Any) -> SiteSettings:
    return SiteSettings(
        idc_metadata=orjson.loads(row.idc_metadata),
        access=orjson.loads(row.access),
        static_delivery=orjson.loads(row.static_delivery) if row.static_delivery else None,
        expires_at=row.expires_at,
        embeddable=bool(row.embeddable),
        updated_by=row.updated_by,
    )


class SiteSettingsStore:
    def __init__(self, db: Engine) -> None:
        self.db = db

    def get(self, site_id: str) -> SiteSettings:
        return self.for_sites([site_id]).get(site_id, SiteSettings())

    def for_sites(self, site_ids: Iterable[str]) -> dict[str, SiteSettings]:
        """The settings of the sites that have any (one query for a whole list)."""
        t = schema.site_settings
        ids = list(site_ids)
        if not ids:
            return {}
        with self.db.connect() as conn:
            rows = conn.execute(select(t).where(t.c.site_id.in_(ids))).all()
        return {row.site_id: _settings(row) for row in rows}

    def change(
        self,
        site_id: str,
        by: str,
        *,
        idc_metadata: dict[str, str] | None = None,
        access: list[str] | None = None,
        static_delivery: dict[str, Any] | None = None,
        expires_at: int | None = None,
        embeddable: bool | None = None,
    ) -> None:
        """Change the given settings (metadata values are merged into those set before), record who did it
        and touch the site's `updated_at`, in one transaction."""
        t = schema.site_settings
        with write_transaction(self.db) as conn:
            current = self._current(conn, site_id)
            values: dict[str, Any] = {"updated_by": by}
            if idc_metadata is not None:
                values["idc_metadata"] = orjson.dumps({**current.idc_metadata, **idc_metadata}).decode()
            if access is not None:
                values["access"] = orjson.dumps(access).decode()
            if static_delivery is not None:
                values["static_delivery"] = orjson.dumps(static_delivery).decode()
            if expires_at is not None:
                values["expires_at"] = expires_at
            if embeddable is not None:
                values["embeddable"] = embeddable
            conn.execute(t.update().where(t.c.site_id == site_id).values(**values))
            s = schema.sites
            conn.execute(s.update().where(s.c.id == site_id).values(updated_at=now_ms()))

    def touch(self, site_id: str, by: str) -> None:
        """Record who changed the site (its documents, not its settings) and when."""
        self.change(site_id, by)

    def members(self, site_id: str) -> list[str]:
        a = schema.site_access
        with self.db.connect() as conn:
            return list(
                conn.execute(select(a.c.member).where(a.c.site_id == site_id).order_by(a.c.member)).scalars()
            )

    def grant(self, site_id: str, member: str) -> None:
        a = schema.site_access
        with write_transaction(self.db) as conn:
            if conn.execute(select(a.c.member).where(a.c.site_id == site_id, a.c.member == member)).first():
                return
            conn.execute(a.insert().values(site_id=site_id, member=member))

    def revoke(self, site_id: str, member: str) -> bool:
        a = schema.site_access
        with write_transaction(self.db) as conn:
            gone: int = conn.execute(a.delete().where(a.c.site_id == site_id, a.c.member == member)).rowcount
        return gone == 1

    @staticmethod
    def _current(conn: Connection, site_id: str) -> SiteSettings:
        t = schema.site_settings
        row = conn.execute(select(t).where(t.c.site_id == site_id)).first()
        if row is not None:
            return _settings(row)
        conn.execute(
            t.insert().values(
                site_id=site_id, idc_metadata="{}", access=orjson.dumps(PUBLIC).decode(), embeddable=False
            )
        )
        return SiteSettings()
