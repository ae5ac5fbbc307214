"""The product search index's tables, and the full-text structures the migration adds per backend.

`cc_search_products` holds one row per (site, product, locale) with the texts a search matches; migration 0004
adds what makes them searchable, which SQLAlchemy cannot describe for both backends at once:

- SQLite: `cc_search_products_fts`, an FTS5 table over the text columns (external content: it reads the
  texts from `cc_search_products`, kept in step by triggers), tokenizer `porter unicode61 remove_diacritics 2`;
- PostgreSQL: a generated column `document` (tsvector, configuration 'english', weights A to D by field) with a
  GIN index.

Both stem English words (Porter / 'english'), so "cameras" finds "Camera" on either backend. The job writes
only `cc_search_products`; the backend keeps the full-text structure in step inside the same transaction.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from sitejobs.engine.schema import metadata
from sitejobs.sites.commerce.schema import ID

LOCALE = 32

products = Table(
    "cc_search_products",
    metadata,
    # The FTS5 rowid on SQLite, so an INTEGER PRIMARY KEY there.
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("site_id", String(ID), nullable=False),
    Column("product_id", String(ID), nullable=False),
    Column("locale", String(LOCALE), nullable=False),
    Column("catalog_id", String(ID), nullable=False),  # the catalog that owns the product
    Column("name", Text, nullable=True),
    Column("brand", Text, nullable=True),
    Column("manufacturer", Text, nullable=True),
    Column("categories", Text, nullable=True),  # display names of its visible categories, in this locale
    Column("short_description", Text, nullable=True),
    Column("long_description", Text, nullable=True),
    Column("attributes", Text, nullable=True),  # id, SKU, EAN/UPC, the site's searchable custom attributes
    # Its visible categories' ids, space-separated and sorted: what a delta update compares to find products
    # whose categories changed without the product itself changing.
    Column("category_ids", Text, nullable=False),
    Column("online", Boolean, nullable=False),  # for this site (a site-specific flag wins)
    Column("searchable", Boolean, nullable=False),
    Column("indexed_at", BigInteger, nullable=False),
    UniqueConstraint("site_id", "product_id", "locale"),
)

state = Table(
    "cc_search_index_state",
    metadata,
    Column("site_id", String(ID), primary_key=True),
    Column("catalog_id", String(ID), nullable=True),  # the site catalog the index was built from
    Column("setup", JSON, nullable=False),  # the site's search setup it was built with (SiteSearchSetup)
    Column("built_at", BigInteger, nullable=False),  # the last full update
    Column("updated_at", BigInteger, nullable=False),  # the last update of either kind
    Column("products", Integer, nullable=False),  # products indexed
    Column("findable", Integer, nullable=False),  # of which online and searchable
    Column("watermark", BigInteger, nullable=False),  # the store's highest revision the index reflects
    Column("version", Integer, nullable=False),  # +1 on each update: the guard against concurrent updates
)

#: The text columns a search matches, in the FTS5 table's column order, with their weight in the ranking
#: (SQLite: bm25 column weights; PostgreSQL: the setweight class of migration 0004's `document`).
TEXT_COLUMNS: tuple[tuple[str, float, str], ...] = (
    ("name", 10.0, "A"),
    ("brand", 4.0, "B"),
    ("manufacturer", 4.0, "B"),
    ("categories", 2.0, "C"),
    ("short_description", 2.0, "C"),
    ("long_description", 1.0, "D"),
    ("attributes", 1.0, "D"),
)
FTS_TABLE = "cc_search_products_fts"
PG_DOCUMENT = "document"
PG_DOCUMENT_INDEX = "ix_cc_search_products_document"


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """For Alembic's comparisons: leave out the full-text structures above, which only the migration knows."""
    if type_ == "table" and name is not None and name.startswith(FTS_TABLE):  # and FTS5's shadow tables
        return False
    if type_ == "column" and name == PG_DOCUMENT and obj.table.name == products.name:
        return False
    return not (type_ == "index" and name == PG_DOCUMENT_INDEX)
