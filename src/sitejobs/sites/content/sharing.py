"""Who a site, template, theme or component is shared with, and in what role (`cec share-site`,
`share-theme`; the Sites Management API's `sites/{id}/members`).

A site's members are what makes it visible to them (`ContentStore.sites`, `role_of`); a template's, theme's or
component's members are recorded the same way, in their own table.
"""

from __future__ import annotations

from sqlalchemy import Table, delete, select

from sitejobs.engine.db import write_transaction
from sitejobs.sites.content import schema
from sitejobs.sites.content.store import ROLES, ContentStore

__all__ = ["ROLES", "Sharing"]


class Sharing:
    def __init__(self, store: ContentStore) -> None:
        self.store = store

    @staticmethod
    def _table(site: bool) -> tuple[Table, str]:
        if site:
            return schema.site_members, "site_id"
        return schema.resource_members, "resource_id"

    def members(self, item_id: str, *, site: bool) -> list[tuple[str, str]]:
        """(user name, role) of each member, by name."""
        table, key = self._table(site)
        query = select(table.c.user_name, table.c.role).where(table.c[key] == item_id)
        with self.store.db.connect() as conn:
            return [(r.user_name, r.role) for r in conn.execute(query.order_by(table.c.user_name))]

    def share(self, item_id: str, user_name: str, role: str, *, site: bool) -> None:
        """Grant `role` (replacing any role the user had)."""
        if site:
            self.store.share(item_id, user_name, role)
            return
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}")
        table, key = self._table(site)
        with write_transaction(self.store.db) as conn:
            conn.execute(delete(table).where(table.c[key] == item_id, table.c.user_name == user_name))
            conn.execute(table.insert().values({key: item_id, "user_name": user_name, "role": role}))

    def unshare(self, item_id: str, user_name: str, *, site: bool) -> bool:
        """Take the user's role away: false when they had none."""
        table, key = self._table(site)
        with write_transaction(self.store.db) as conn:
            removed = conn.execute(
                delete(table).where(table.c[key] == item_id, table.c.user_name == user_name)
            ).rowcount
        return removed == 1
