"""Which sites a job's site scope names."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Engine, select

from sitejobs.errors import StorefrontSiteNotFound
from sitejobs.sites.commerce import schema


def resolve_sites(db: Engine, named: Sequence[str] | None) -> list[str]:
    """The named sites in the order given (each once), or every site of the store when `named` is None;
    StorefrontSiteNotFound naming every site of `named` that the store does not have."""
    with db.connect() as conn:
        known = list(conn.execute(select(schema.sites.c.site_id).order_by(schema.sites.c.site_id)).scalars())
    if named is None:
        return known
    wanted, present = list(dict.fromkeys(named)), set(known)
    missing = [site for site in wanted if site not in present]
    if missing:
        listed = ", ".join(f"'{site}'" for site in missing)
        noun = "site" if len(missing) == 1 else "sites"
        raise StorefrontSiteNotFound(f"No {noun} {listed} in the site store.", siteId=missing[0])
    return wanted
