"""The sites page's figures: Content Management sites with their pages and languages, and the Commerce site
store's objects counted per catalog, library, price book and inventory list."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Connection, Table, func, select

from sitejobs.sites.commerce import schema as cc
from sitejobs.sites.content import schema as oce
from sitejobs.sites.content.store import SiteRow


@dataclass(frozen=True, slots=True)
class ContentSite:
    site: SiteRow
    pages: int
    languages: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Container:
    """A catalog, library, price book or inventory list, and how many objects of each kind it holds."""

    id: str
    counts: dict[str, int]


@dataclass(slots=True)
class CommerceStore:
    sites: list[tuple[str, str | None, str | None]] = field(default_factory=list)  # id, name, currency
    catalogs: list[Container] = field(default_factory=list)
    libraries: list[Container] = field(default_factory=list)
    pricebooks: list[Container] = field(default_factory=list)
    inventory_lists: list[Container] = field(default_factory=list)


def content_sites(conn: Connection, sites: list[SiteRow]) -> list[ContentSite]:
    ids = [s.id for s in sites]
    pages: dict[str, int] = dict(
        conn.execute(
            select(oce.pages.c.site_id, func.count())
            .where(oce.pages.c.site_id.in_(ids))
            .group_by(oce.pages.c.site_id)
        ).all()
    )
    languages: dict[str, list[str]] = {}
    for site_id, language in conn.execute(
        select(oce.site_languages.c.site_id, oce.site_languages.c.language).where(
            oce.site_languages.c.site_id.in_(ids)
        )
    ):
        languages.setdefault(site_id, []).append(language)
    return [
        ContentSite(s, pages.get(s.id, 0), tuple(sorted({s.default_language, *languages.get(s.id, [])})))
        for s in sites
    ]


def _containers(conn: Connection, table: Table, key: str, parts: dict[str, Table]) -> list[Container]:
    counts: dict[str, dict[str, int]] = {
        row[0]: dict.fromkeys(parts, 0) for row in conn.execute(select(table.c[key]).order_by(table.c[key]))
    }
    for label, part in parts.items():
        for owner, n in conn.execute(select(part.c[key], func.count()).group_by(part.c[key])):
            if owner in counts:
                counts[owner][label] = n
    return [Container(k, v) for k, v in counts.items()]


def commerce_store(conn: Connection) -> CommerceStore:
    return CommerceStore(
        sites=[
            (r.site_id, r.name, r.currency)
            for r in conn.execute(select(cc.sites.c.site_id, cc.sites.c.name, cc.sites.c.currency))
        ],
        catalogs=_containers(
            conn, cc.catalogs, "catalog_id", {"products": cc.products, "categories": cc.categories}
        ),
        libraries=_containers(
            conn,
            cc.libraries,
            "library_id",
            {"content assets": cc.content_assets, "folders": cc.library_folders},
        ),
        pricebooks=_containers(conn, cc.pricebooks, "pricebook_id", {"price tables": cc.price_tables}),
        inventory_lists=_containers(conn, cc.inventory_lists, "list_id", {"records": cc.inventory_records}),
    )
