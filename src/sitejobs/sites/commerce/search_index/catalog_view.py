"""Which products a site's shoppers can reach: the rule the index follows.

A product is in a site's index when it exists in the store (in any catalog: products live in master
catalogs) and is assigned, in the site's storefront catalog, to at least one *visible* category: one that is
online, as are all its ancestors up to the root. Being in the index is not enough to be found: a search finds
only the products online (and searchable) for the site, so the product's own flags are checked at query time
and a product going offline needs no more than a delta update of its row.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import Connection, exists, select

from sitejobs.sites.commerce import schema


@dataclass
class SiteCatalog:
    catalog_id: str | None
    names: dict[str, dict[str, str]] = field(default_factory=dict)  # visible category → {locale: name}
    assigned: dict[str, tuple[str, ...]] = field(default_factory=dict)  # product → its visible categories


def load_site_catalog(conn: Connection, catalog_id: str | None) -> SiteCatalog:
    view = SiteCatalog(catalog_id)
    if catalog_id is None:
        return view
    cats = schema.categories
    rows = conn.execute(
        select(cats.c.category_id, cats.c.parent_id, cats.c.online, cats.c.names).where(
            cats.c.catalog_id == catalog_id
        )
    ).all()
    parents = {r.category_id: r.parent_id for r in rows}
    online = {r.category_id: bool(r.online) for r in rows}
    visible = {c for c in parents if _visible(c, parents, online)}
    view.names = {r.category_id: dict(r.names or {}) for r in rows if r.category_id in visible}

    assignments, products = schema.category_assignments, schema.products
    query = select(assignments.c.product_id, assignments.c.category_id).where(
        assignments.c.catalog_id == catalog_id,
        exists().where(products.c.product_id == assignments.c.product_id),
    )
    found: defaultdict[str, set[str]] = defaultdict(set)
    for product_id, category_id in conn.execute(query):
        if category_id in visible:
            found[product_id].add(category_id)
    view.assigned = {p: tuple(sorted(c)) for p, c in found.items()}
    return view


def _visible(category: str, parents: dict[str, str | None], online: dict[str, bool]) -> bool:
    seen: set[str] = set()
    current: str | None = category
    while current is not None:
        if current not in parents or not online[current] or current in seen:  # missing, offline, or a cycle
            return False
        seen.add(current)
        current = parents[current]
    return True


def changed_categories(conn: Connection, catalog_id: str | None, since: int) -> set[str]:
    if catalog_id is None:
        return set()
    cats = schema.categories
    query = select(cats.c.category_id).where(cats.c.catalog_id == catalog_id, cats.c.revision > since)
    return set(conn.execute(query).scalars())
