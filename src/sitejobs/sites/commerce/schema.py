"""The Commerce Cloud site store's tables (SQLAlchemy Core), in the engine's MetaData so Alembic sees them.

Every imported element is kept whole in an `xml` column (lxml's serialization of the element, namespace
declaration included), so an export can write equivalent impex XML; the other columns are what lookups need:
ids, online flags, names by locale (`{"x-default": …, "fr-FR": …}`), and for content assets their localized
attributes as a JSON document. Containers (catalogs, libraries, price books, inventory lists) keep their own
element without children in `xml`; their children cascade with them. Top-level elements of a container that
have no table of their own (a catalog's header, product options, recommendations, …) are `cc_extras`, keyed by
their tag and attributes. Any other XML file of an archive is a document (`cc_documents` plus its top-level
elements in order); any other file is kept byte for byte in `cc_files`. Table names start with `cc_`.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
)

from sitejobs.engine.schema import metadata

ID = 256  # longest id B2C Commerce allows for catalogs, products, content, price books, …
PATH = 1024
TAG = 128
DATE = 64


def _id(name: str, *, primary_key: bool = False, nullable: bool = False, index: bool = False) -> Column[str]:
    return Column(name, String(ID), primary_key=primary_key, nullable=nullable, index=index)


def _owner(name: str, table: str, column: str) -> Column[str]:
    return Column(name, String(ID), ForeignKey(f"{table}.{column}", ondelete="CASCADE"), primary_key=True)


sites = Table(
    "cc_sites",
    metadata,
    _id("site_id", primary_key=True),
    Column("name", Text, nullable=True),
    Column("currency", Text, nullable=True),
    Column("xml", Text, nullable=False),
)

catalogs = Table(
    "cc_catalogs",
    metadata,
    _id("catalog_id", primary_key=True),
    Column("xml", Text, nullable=False),
)

categories = Table(
    "cc_categories",
    metadata,
    _owner("catalog_id", "cc_catalogs", "catalog_id"),
    _id("category_id", primary_key=True),
    _id("parent_id", nullable=True),
    Column("online", Boolean, nullable=True),
    Column("names", JSON(none_as_null=True), nullable=True),
    Column("xml", Text, nullable=False),
    Column("revision", BigInteger, nullable=False, server_default="0"),  # see REVISIONED
    Index("ix_cc_categories_catalog_id_parent_id", "catalog_id", "parent_id"),
    Index("ix_cc_categories_revision", "revision"),
)

products = Table(
    "cc_products",
    metadata,
    _owner("catalog_id", "cc_catalogs", "catalog_id"),
    _id("product_id", primary_key=True),
    Column("online", Boolean, nullable=True),
    Column("searchable", Boolean, nullable=True),
    Column("names", JSON(none_as_null=True), nullable=True),
    Column("xml", Text, nullable=False),
    Column("revision", BigInteger, nullable=False, server_default="0"),  # see REVISIONED
    Index("ix_cc_products_product_id", "product_id"),
    Index("ix_cc_products_revision", "revision"),
)

category_assignments = Table(
    "cc_category_assignments",
    metadata,
    _owner("catalog_id", "cc_catalogs", "catalog_id"),
    _id("category_id", primary_key=True),
    _id("product_id", primary_key=True),
    Column("primary_flag", Boolean, nullable=True),
    Column("xml", Text, nullable=False),
    Index("ix_cc_category_assignments_catalog_id_product_id", "catalog_id", "product_id"),
)

libraries = Table(
    "cc_libraries",
    metadata,
    _id("library_id", primary_key=True),
    _id("site_id", nullable=True),  # set for a site's private library (sites/{site}/library/)
    Column("xml", Text, nullable=False),
)

library_folders = Table(
    "cc_library_folders",
    metadata,
    _owner("library_id", "cc_libraries", "library_id"),
    _id("folder_id", primary_key=True),
    _id("parent_id", nullable=True),
    Column("online", Boolean, nullable=True),
    Column("names", JSON(none_as_null=True), nullable=True),
    Column("xml", Text, nullable=False),
    Index("ix_cc_library_folders_library_id_parent_id", "library_id", "parent_id"),
)

content_assets = Table(
    "cc_content_assets",
    metadata,
    _owner("library_id", "cc_libraries", "library_id"),
    _id("content_id", primary_key=True),
    _id("folder_id", nullable=True),  # the classification folder
    Column("online", Boolean, nullable=True),
    Column("searchable", Boolean, nullable=True),
    Column("attributes", JSON, nullable=False),
    Column("xml", Text, nullable=False),
    Index("ix_cc_content_assets_library_id_folder_id", "library_id", "folder_id"),
)

pricebooks = Table(
    "cc_pricebooks",
    metadata,
    _id("pricebook_id", primary_key=True),
    Column("currency", Text, nullable=True),
    _id("parent_id", nullable=True),
    Column("online", Boolean, nullable=True),
    Column("names", JSON(none_as_null=True), nullable=True),
    Column("xml", Text, nullable=False),  # the <header> element
)

price_tables = Table(
    "cc_price_tables",
    metadata,
    _owner("pricebook_id", "cc_pricebooks", "pricebook_id"),
    _id("product_id", primary_key=True),
    # A product may have several price tables with different date ranges; '' when there is no online-from.
    Column("online_from", String(DATE), primary_key=True),
    Column("online_to", Text, nullable=True),
    Column(
        "amounts", JSON(none_as_null=True), nullable=True
    ),  # {"1": "75.00"}: quantity → amount, as written
    Column("xml", Text, nullable=False),
    Index("ix_cc_price_tables_product_id", "product_id"),
)

inventory_lists = Table(
    "cc_inventory_lists",
    metadata,
    _id("list_id", primary_key=True),
    Column("xml", Text, nullable=False),  # the <header> element
)

inventory_records = Table(
    "cc_inventory_records",
    metadata,
    _owner("list_id", "cc_inventory_lists", "list_id"),
    _id("product_id", primary_key=True),
    Column("allocation", Text, nullable=True),
    Column("xml", Text, nullable=False),
    Index("ix_cc_inventory_records_product_id", "product_id"),
)

object_types = Table(
    "cc_object_types",
    metadata,
    Column("kind", String(64), primary_key=True),  # type-extension | custom-type
    _id("type_id", primary_key=True),
    Column("xml", Text, nullable=False),
)

extras = Table(
    "cc_extras",
    metadata,
    Column(
        "owner_kind", String(32), primary_key=True
    ),  # catalog | library | pricebook | inventory-list | meta
    _id("owner_id", primary_key=True),
    Column("tag", String(TAG), primary_key=True),
    Column("key", String(512), primary_key=True),  # the element's attributes, or a digest of long ones
    Column("seq", Integer, nullable=False),
    Column("xml", Text, nullable=False),
)

documents = Table(
    "cc_documents",
    metadata,
    Column("path", String(PATH), primary_key=True),  # inside the archive's top folder
    _id("site_id", nullable=True, index=True),
    Column("kind", String(TAG), nullable=False),  # the root element's local name
    Column("xml", Text, nullable=False),  # the root element without children
)

document_elements = Table(
    "cc_document_elements",
    metadata,
    Column("path", String(PATH), ForeignKey("cc_documents.path", ondelete="CASCADE"), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("tag", String(TAG), nullable=False),
    Column(
        "data", JSON(none_as_null=True), nullable=True
    ),  # a JSON rendering where one is known (preferences)
    Column("xml", Text, nullable=False),
)

files = Table(
    "cc_files",
    metadata,
    Column("path", String(PATH), primary_key=True),
    Column("size", BigInteger, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("content", LargeBinary, nullable=False),
)

#: Key columns of each table, for upserts and deletes.
KEYS: dict[str, tuple[str, ...]] = {
    table.name: tuple(c.name for c in table.primary_key.columns)
    for table in (
        sites,
        catalogs,
        categories,
        products,
        category_assignments,
        libraries,
        library_folders,
        content_assets,
        pricebooks,
        price_tables,
        inventory_lists,
        inventory_records,
        object_types,
        extras,
        documents,
        document_elements,
        files,
    )
}
TABLES: dict[str, Table] = {name: metadata.tables[name] for name in KEYS}

#: Tables whose rows carry the revision of the import that last changed their XML (see revisions.py).
REVISIONED: frozenset[str] = frozenset({products.name, categories.name})

revision_counter = Table(
    "cc_revision_counter",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),  # one row, id 1
    Column("revision", BigInteger, nullable=False),  # the last revision an import took
)
