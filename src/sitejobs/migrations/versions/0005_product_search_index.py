"""product search index: cc_search_products, cc_search_index_state, revisions of products and categories

The index's rows (one per site, product and locale) with the full-text structure of each backend: on SQLite an
FTS5 table over the text columns, external content kept in step by triggers; on PostgreSQL a generated
tsvector column with a GIN index. Products and categories get the `revision` of the import that last
changed them (from the new cc_revision_counter), which the delta update reads.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# The text columns in FTS5 column order with their PostgreSQL weight class (search_index/tables.py has the
# same list with the SQLite ranking weights).
TEXT_COLUMNS = (
    ("name", "A"),
    ("brand", "B"),
    ("manufacturer", "B"),
    ("categories", "C"),
    ("short_description", "C"),
    ("long_description", "D"),
    ("attributes", "D"),
)
FTS = "cc_search_products_fts"


def upgrade() -> None:
    for table in ("cc_products", "cc_categories"):
        op.add_column(table, sa.Column("revision", sa.BigInteger(), server_default="0", nullable=False))
        op.create_index(f"ix_{table}_revision", table, ["revision"], unique=False)
    op.create_table(
        "cc_revision_counter",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("revision", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cc_revision_counter")),
    )

    op.create_table(
        "cc_search_products",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("site_id", sa.String(length=256), nullable=False),
        sa.Column("product_id", sa.String(length=256), nullable=False),
        sa.Column("locale", sa.String(length=32), nullable=False),
        sa.Column("catalog_id", sa.String(length=256), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("brand", sa.Text(), nullable=True),
        sa.Column("manufacturer", sa.Text(), nullable=True),
        sa.Column("categories", sa.Text(), nullable=True),
        sa.Column("short_description", sa.Text(), nullable=True),
        sa.Column("long_description", sa.Text(), nullable=True),
        sa.Column("attributes", sa.Text(), nullable=True),
        sa.Column("category_ids", sa.Text(), nullable=False),
        sa.Column("online", sa.Boolean(), nullable=False),
        sa.Column("searchable", sa.Boolean(), nullable=False),
        sa.Column("indexed_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cc_search_products")),
        sa.UniqueConstraint(
            "site_id", "product_id", "locale", name=op.f("uq_cc_search_products_site_id_product_id_locale")
        ),
    )
    op.create_table(
        "cc_search_index_state",
        sa.Column("site_id", sa.String(length=256), nullable=False),
        sa.Column("catalog_id", sa.String(length=256), nullable=True),
        sa.Column("setup", sa.JSON(), nullable=False),
        sa.Column("built_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.Column("products", sa.Integer(), nullable=False),
        sa.Column("findable", sa.Integer(), nullable=False),
        sa.Column("watermark", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("site_id", name=op.f("pk_cc_search_index_state")),
    )

    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _sqlite_fts()
    elif dialect == "postgresql":
        _postgresql_document()


def _sqlite_fts() -> None:
    columns = ", ".join(c for c, _ in TEXT_COLUMNS)
    new = ", ".join(f"new.{c}" for c, _ in TEXT_COLUMNS)
    old = ", ".join(f"old.{c}" for c, _ in TEXT_COLUMNS)
    op.execute(
        f"CREATE VIRTUAL TABLE {FTS} USING fts5({columns}, content='cc_search_products', "
        "content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')"
    )
    op.execute(
        f"CREATE TRIGGER {FTS}_ai AFTER INSERT ON cc_search_products BEGIN "
        f"INSERT INTO {FTS}(rowid, {columns}) VALUES (new.id, {new}); END"
    )
    op.execute(
        f"CREATE TRIGGER {FTS}_ad AFTER DELETE ON cc_search_products BEGIN "
        f"INSERT INTO {FTS}({FTS}, rowid, {columns}) VALUES ('delete', old.id, {old}); END"
    )
    op.execute(
        f"CREATE TRIGGER {FTS}_au AFTER UPDATE ON cc_search_products BEGIN "
        f"INSERT INTO {FTS}({FTS}, rowid, {columns}) VALUES ('delete', old.id, {old}); "
        f"INSERT INTO {FTS}(rowid, {columns}) VALUES (new.id, {new}); END"
    )


def _postgresql_document() -> None:
    classes: dict[str, list[str]] = {}
    for column, weight in TEXT_COLUMNS:
        classes.setdefault(weight, []).append(f"coalesce({column}, '')")
    texts = {weight: " || ' ' || ".join(parts) for weight, parts in classes.items()}
    document = " || ".join(
        f"setweight(to_tsvector('english', {text}), '{weight}')" for weight, text in texts.items()
    )
    op.execute(
        f"ALTER TABLE cc_search_products ADD COLUMN document tsvector GENERATED ALWAYS AS ({document}) STORED"
    )
    op.execute("CREATE INDEX ix_cc_search_products_document ON cc_search_products USING gin (document)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for suffix in ("ai", "ad", "au"):
            op.execute(f"DROP TRIGGER IF EXISTS {FTS}_{suffix}")
        op.execute(f"DROP TABLE IF EXISTS {FTS}")
    op.drop_table("cc_search_index_state")
    op.drop_table("cc_search_products")  # PostgreSQL's document column and its index go with it
    op.drop_table("cc_revision_counter")
    for table in ("cc_categories", "cc_products"):
        op.drop_index(f"ix_{table}_revision", table_name=table)
        op.drop_column(table, "revision")
