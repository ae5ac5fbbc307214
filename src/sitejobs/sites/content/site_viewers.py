"""Who may view a published site: anyone, unless the site is secure (`security.access` without `everyone`,
as `cec set-site-security SITE -s yes` makes it).

A secure site's pages are for signed-in users it admits: administrators always, and its owner; any user when
the access list holds `cloud` ("Cloud users": every user of this server is one); the users and groups of its
access list (`user:NAME`, `group:NAME`, `admitted_users`) when it holds `named` ("Specific users"). This server
has no visitor or service users, so `visitors` and `service` admit no one more.

`served_site` is the one lookup a request for a published file costs: the site by name with its access list,
in one query (a site without a settings row is public).
"""

from __future__ import annotations

from dataclasses import dataclass

import orjson
from sqlalchemy import Engine, func, select

from sitejobs.auth.users import User
from sitejobs.sites.content import schema
from sitejobs.sites.content.groups import admitted_users
from sitejobs.sites.content.site_settings import PUBLIC, SiteSettingsStore

SERVED_STATUS = "online"
EVERYONE = PUBLIC[0]
CLOUD_USERS = "cloud"
SPECIFIC_USERS = "named"


@dataclass(frozen=True, slots=True)
class ServedSite:
    id: str
    name: str
    owner: str
    online: bool
    access: tuple[str, ...]

    @property
    def secure(self) -> bool:
        return EVERYONE not in self.access


def served_site(db: Engine, name: str) -> ServedSite | None:
    """The site named `name` (without case; not in the trash) with its access list, in one query."""
    s, t = schema.sites, schema.site_settings
    query = (
        select(s.c.id, s.c.name, s.c.owner, s.c.runtime_status, t.c.access)
        .select_from(s.outerjoin(t, t.c.site_id == s.c.id))
        .where(func.lower(s.c.name) == name.lower(), s.c.deleted_at.is_(None))
    )
    with db.connect() as conn:
        row = conn.execute(query).first()
    if row is None:
        return None
    access = tuple(orjson.loads(row.access)) if row.access else PUBLIC
    return ServedSite(row.id, row.name, row.owner, row.runtime_status == SERVED_STATUS, access)


def may_view(db: Engine, site: ServedSite, user: User) -> bool:
    """Whether the signed-in `user` may view the pages of `site`."""
    if not site.secure or user.is_admin or user.name == site.owner or CLOUD_USERS in site.access:
        return True
    if SPECIFIC_USERS not in site.access:
        return False
    return user.name in admitted_users(db, SiteSettingsStore(db).members(site.id))
