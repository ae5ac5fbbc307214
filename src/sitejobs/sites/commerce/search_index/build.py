"""Building a site's product index: whole (full update) or only what changed since the last build (delta).

Each update reads the store in one snapshot (a read transaction; REPEATABLE READ on PostgreSQL), turns the
products it needs into index rows in batches (a progress report per batch), spools them to a temporary
file, then writes them in one transaction: readers see the old index until it commits. As with the import,
the write transaction reports nothing: on SQLite it holds the one write lock the engine's progress writes wait
for.

What a delta update redoes, given the store's highest revision W the index reflects:
- products whose row changed since W (their revision is higher), if the site reaches them or had them;
- products whose visible categories are not the ones their rows were built with (an assignment added or
  removed, a category deleted or gone offline, the product deleted or newly reachable);
- products assigned to a category that changed since W (renamed, say).
A changed site setup (catalog, locales, searchable attributes) or a missing index means a full update.
Updates of one site guard each other: each bumps the state's `version` only if it is still the one it read,
and starts again (up to ATTEMPTS times) when another update got there first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, and_, case, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from sitejobs.engine.db import read_snapshot, write_transaction
from sitejobs.engine.models import now_ms
from sitejobs.sites.commerce import schema
from sitejobs.sites.commerce.revisions import highest_revision
from sitejobs.sites.commerce.search_index import tables
from sitejobs.sites.commerce.search_index.catalog_view import (
    SiteCatalog,
    changed_categories,
    load_site_catalog,
)
from sitejobs.sites.commerce.search_index.documents import index_rows, read_product
from sitejobs.sites.commerce.search_index.site_setup import SiteSearchSetup, read_setup
from sitejobs.sites.commerce.staging import Staging

BATCH = 500  # products per read, per progress report
# Index rows per INSERT: one statement of many rows, not an executemany. SQLite's FTS5 writes out what it
# holds in memory at the end of every statement that fills it (through the triggers): one statement a row
# made a segment a row, thirty times slower. About 30,000 parameters, under both backends' limits.
WRITE_BATCH = 30_000 // len(tables.products.c)
ATTEMPTS = 3

Progress = Callable[[float, str], None]  # (fraction of this site done, message)


class IndexChanged(Exception):
    """Another update of the same site's index committed while this one was building."""


@dataclass
class IndexSummary:
    site_id: str
    kind: str  # full | delta
    catalog_id: str | None
    locales: tuple[str, ...]
    reindexed: int = 0  # products whose rows were (re)built
    removed: int = 0  # products that left the index
    products: int = 0  # products in the index after the update
    findable: int = 0  # of which online and searchable
    rows: int = 0  # index rows written
    since: int | None = None  # delta: the revision it started from
    watermark: int = 0
    reasons: list[str] = field(default_factory=list)  # why a delta became a full update

    def line(self) -> str:
        head = f"{self.site_id}: {self.kind} update"
        if self.kind == "delta":
            head += f" since revision {self.since}: {self.reindexed} products changed, {self.removed} removed"
        else:
            catalog = f"catalog '{self.catalog_id}'" if self.catalog_id else "no site catalog"
            head += f" from {catalog}: {self.reindexed} products"
        return (
            f"{head}; {self.products} products in the index ({self.findable} online and searchable), "
            f"{self.rows} rows written for locales {', '.join(self.locales)}"
        )

    def document(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "catalog_id": self.catalog_id,
            "locales": list(self.locales),
            "reindexed": self.reindexed,
            "removed": self.removed,
            "products": self.products,
            "findable": self.findable,
            "watermark": self.watermark,
        }


def update_site_index(
    db: Engine,
    site_id: str,
    *,
    full: bool,
    progress: Progress,
    log: Callable[[str], None],
    scratch_dir: Path | None = None,
) -> IndexSummary:
    """Update one site's index; raises StorefrontSiteNotFound when the site is not in the store."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return _update(db, site_id, full, progress, log, scratch_dir)
        except IndexChanged:
            if attempt == ATTEMPTS:
                raise
            log(f"{site_id}: another update of this index committed meanwhile; starting again")
    raise AssertionError("unreachable")


@dataclass
class _State:
    setup: dict[str, Any]
    watermark: int
    version: int


def _update(
    db: Engine,
    site_id: str,
    full: bool,
    progress: Progress,
    log: Callable[[str], None],
    scratch_dir: Path | None,
) -> IndexSummary:
    with Staging(scratch_dir) as spool:
        with read_snapshot(db) as conn:
            setup = read_setup(conn, site_id)
            previous = _read_state(conn, site_id)
            summary = IndexSummary(site_id, "full", setup.catalog_id, setup.locales)
            if not full:
                if previous is None:
                    summary.reasons.append("the index was never built")
                elif previous.setup != setup.document():
                    summary.reasons.append("the site's search setup changed")
                else:
                    summary.kind, summary.since = "delta", previous.watermark
            summary.watermark = highest_revision(conn)
            catalog = load_site_catalog(conn, setup.catalog_id)
            if summary.kind == "full":
                targets = sorted(catalog.assigned)
            else:
                assert previous is not None
                targets = _changed(conn, site_id, catalog, previous.watermark)
            progress(0.0, f"{site_id}: indexing {len(targets)} products")
            built = _build(conn, setup, catalog, targets, spool, progress)
        summary.reindexed = len(built)
        summary.removed = len(set(targets) - built) if summary.kind == "delta" else 0
        progress(1.0, f"{site_id}: writing {spool.count} index rows")
        with write_transaction(db) as conn:  # no progress from in here (see the module's docstring)
            _claim(conn, site_id, previous, setup, summary)
            rows = tables.products
            if summary.kind == "full":
                conn.execute(delete(rows).where(rows.c.site_id == site_id))
            else:
                for batch in _chunks(targets, BATCH):
                    conn.execute(delete(rows).where(rows.c.site_id == site_id, rows.c.product_id.in_(batch)))
            summary.rows = _write(conn, spool)
            _finish(conn, summary)
    return summary


def _read_state(conn: Connection, site_id: str) -> _State | None:
    state = tables.state
    row = conn.execute(
        select(state.c.setup, state.c.watermark, state.c.version).where(state.c.site_id == site_id)
    ).first()
    return None if row is None else _State(row.setup, row.watermark, row.version)


def _changed(conn: Connection, site_id: str, catalog: SiteCatalog, since: int) -> list[str]:
    rows = tables.products
    indexed = dict(
        conn.execute(
            select(rows.c.product_id, func.min(rows.c.category_ids))
            .where(rows.c.site_id == site_id)
            .group_by(rows.c.product_id)
        ).all()
    )
    known = catalog.assigned.keys() | indexed.keys()
    products = schema.products
    changed = set(conn.execute(select(products.c.product_id).where(products.c.revision > since)).scalars())
    targets = changed & known
    targets |= {p for p in known if " ".join(catalog.assigned.get(p, ())) != indexed.get(p)}
    renamed = changed_categories(conn, catalog.catalog_id, since)
    if renamed:
        targets |= {p for p, categories in catalog.assigned.items() if renamed.intersection(categories)}
    return sorted(targets)


def _build(
    conn: Connection,
    setup: SiteSearchSetup,
    catalog: SiteCatalog,
    targets: list[str],
    spool: Staging,
    progress: Progress,
) -> set[str]:
    """Spool the index rows of the targets the site reaches; returns the products built."""
    products = schema.products
    attributes = frozenset(setup.attributes)
    built: set[str] = set()
    done = 0
    now = now_ms()
    for batch in _chunks([t for t in targets if t in catalog.assigned], BATCH):
        query = (
            select(products.c.product_id, products.c.catalog_id, products.c.xml)
            .where(products.c.product_id.in_(batch))
            .order_by(products.c.product_id, products.c.catalog_id)
        )
        for product_id, catalog_id, xml in conn.execute(query):
            if product_id in built:  # the same id in two catalogs: the first catalog (by id) wins
                continue
            built.add(product_id)
            texts = read_product(xml, setup.site_id, attributes)
            texts.product_id = product_id
            category_ids = catalog.assigned[product_id]
            for row in index_rows(texts, catalog_id, setup, category_ids, catalog.names, now):
                spool.add("upsert", tables.products.name, row)
        done += len(batch)
        progress(done / max(len(targets), 1), f"{setup.site_id}: {done} of {len(targets)} products read")
    return built


def _claim(
    conn: Connection, site_id: str, previous: _State | None, setup: SiteSearchSetup, summary: IndexSummary
) -> None:
    """Take the site's index for this update, or raise IndexChanged if another one got there first."""
    state = tables.state
    now = now_ms()
    values: dict[str, Any] = {
        "catalog_id": setup.catalog_id,
        "setup": setup.document(),
        "updated_at": now,
        "watermark": summary.watermark,  # what this update read, even if an earlier one had read more
    }
    if summary.kind == "full":
        values["built_at"] = now
    if previous is None:
        dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
        statement = (
            dialect.insert(state)
            .values(
                {"site_id": site_id, "built_at": now, "products": 0, "findable": 0, "version": 1, **values}
            )
            .on_conflict_do_nothing(index_elements=["site_id"])
        )
    else:
        statement = (
            update(state)
            .where(state.c.site_id == site_id, state.c.version == previous.version)
            .values(version=previous.version + 1, **values)
        )
    if conn.execute(statement.returning(state.c.site_id)).first() is None:
        raise IndexChanged(site_id)


def _write(conn: Connection, spool: Staging) -> int:
    """Insert the spooled rows, WRITE_BATCH a statement. The SQL is written here rather than by SQLAlchemy,
    whose compiling of a statement of 30,000 parameters costs more than the database's work on it."""
    columns = [c.name for c in tables.products.c if c.name != "id"]
    placeholder = "?" if conn.dialect.name == "sqlite" else "%s"
    one = "(" + ", ".join([placeholder] * len(columns)) + ")"
    head = f"INSERT INTO {tables.products.name} ({', '.join(columns)}) VALUES "
    written = 0
    batch: list[Any] = []
    for _verb, _table, row in spool:
        batch.extend(row[c] for c in columns)
        if len(batch) >= WRITE_BATCH * len(columns):
            written += _insert(conn, head, one, batch, len(columns))
            batch = []
    if batch:
        written += _insert(conn, head, one, batch, len(columns))
    return written


def _insert(conn: Connection, head: str, one: str, values: list[Any], width: int) -> int:
    count = len(values) // width
    conn.exec_driver_sql(head + ", ".join([one] * count), tuple(values))
    return count


def _finish(conn: Connection, summary: IndexSummary) -> None:
    """Count what the index holds now (one row per product in its first locale) and record it."""
    rows, state = tables.products, tables.state
    findable = func.sum(case((and_(rows.c.online, rows.c.searchable), 1), else_=0))
    products, online = conn.execute(
        select(func.count(), func.coalesce(findable, 0)).where(
            rows.c.site_id == summary.site_id, rows.c.locale == summary.locales[0]
        )
    ).one()
    summary.products, summary.findable = int(products), int(online)
    conn.execute(
        update(state)
        .where(state.c.site_id == summary.site_id)
        .values(products=summary.products, findable=summary.findable)
    )


def _chunks(items: list[str], size: int) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
