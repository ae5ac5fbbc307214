"""commerce site store: the cc_* tables of sitejobs.sites.commerce.schema

Sites, catalogs (categories, products, category assignments), libraries (folders, content assets), price books
(price tables), inventory lists (records), object type definitions, per-container extras, documents (and their
top-level elements) and other files of imported site archives.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 17:30:17.866914
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cc_catalogs",
        sa.Column("catalog_id", sa.String(length=256), nullable=False),
        sa.Column("xml", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("catalog_id", name=op.f("pk_cc_catalogs")),
    )
    op.create_table(
        "cc_documents",
        sa.Column("path", sa.String(length=1024), nullable=False),
        sa.Column("site_id", sa.String(length=256), nullable=True),
        sa.Column("kind", sa.String(length=128), nullable=False),
        sa.Column("xml", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("path", name=op.f("pk_cc_documents")),
    )
    with op.batch_alter_table("cc_documents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cc_documents_site_id"), ["site_id"], unique=False)

    op.create_table(
        "cc_extras",
        sa.Column("owner_kind", sa.String(length=32), nullable=False),
        sa.Column("owner_id", sa.String(length=256), nullable=False),
        sa.Column("tag", sa.String(length=128), nullable=False),
        sa.Column("key", sa.String(length=512), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("xml", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("owner_kind", "owner_id", "tag", "key", name=op.f("pk_cc_extras")),
    )
    op.create_table(
        "cc_files",
        sa.Column("path", sa.String(length=1024), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("path", name=op.f("pk_cc_files")),
    )
    op.create_table(
        "cc_inventory_lists",
        sa.Column("list_id", sa.String(length=256), nullable=False),
        sa.Column("xml", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("list_id", name=op.f("pk_cc_inventory_lists")),
    )
    op.create_table(
        "cc_libraries",
        sa.Column("library_id", sa.String(length=256), nullable=False),
        sa.Column("site_id", sa.String(length=256), nullable=True),
        sa.Column("xml", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("library_id", name=op.f("pk_cc_libraries")),
    )
    op.create_table(
        "cc_object_types",
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("type_id", sa.String(length=256), nullable=False),
        sa.Column("xml", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "type_id", name=op.f("pk_cc_object_types")),
    )
    op.create_table(
        "cc_pricebooks",
        sa.Column("pricebook_id", sa.String(length=256), nullable=False),
        sa.Column("currency", sa.Text(), nullable=True),
        sa.Column("parent_id", sa.String(length=256), nullable=True),
        sa.Column("online", sa.Boolean(), nullable=True),
        sa.Column("names", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("xml", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("pricebook_id", name=op.f("pk_cc_pricebooks")),
    )
    op.create_table(
        "cc_sites",
        sa.Column("site_id", sa.String(length=256), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("currency", sa.Text(), nullable=True),
        sa.Column("xml", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("site_id", name=op.f("pk_cc_sites")),
    )
    op.create_table(
        "cc_categories",
        sa.Column("catalog_id", sa.String(length=256), nullable=False),
        sa.Column("category_id", sa.String(length=256), nullable=False),
        sa.Column("parent_id", sa.String(length=256), nullable=True),
        sa.Column("online", sa.Boolean(), nullable=True),
        sa.Column("names", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("xml", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["catalog_id"],
            ["cc_catalogs.catalog_id"],
            name=op.f("fk_cc_categories_catalog_id_cc_catalogs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("catalog_id", "category_id", name=op.f("pk_cc_categories")),
    )
    with op.batch_alter_table("cc_categories", schema=None) as batch_op:
        batch_op.create_index(
            "ix_cc_categories_catalog_id_parent_id", ["catalog_id", "parent_id"], unique=False
        )

    op.create_table(
        "cc_category_assignments",
        sa.Column("catalog_id", sa.String(length=256), nullable=False),
        sa.Column("category_id", sa.String(length=256), nullable=False),
        sa.Column("product_id", sa.String(length=256), nullable=False),
        sa.Column("primary_flag", sa.Boolean(), nullable=True),
        sa.Column("xml", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["catalog_id"],
            ["cc_catalogs.catalog_id"],
            name=op.f("fk_cc_category_assignments_catalog_id_cc_catalogs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "catalog_id", "category_id", "product_id", name=op.f("pk_cc_category_assignments")
        ),
    )
    with op.batch_alter_table("cc_category_assignments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_cc_category_assignments_catalog_id_product_id", ["catalog_id", "product_id"], unique=False
        )

    op.create_table(
        "cc_content_assets",
        sa.Column("library_id", sa.String(length=256), nullable=False),
        sa.Column("content_id", sa.String(length=256), nullable=False),
        sa.Column("folder_id", sa.String(length=256), nullable=True),
        sa.Column("online", sa.Boolean(), nullable=True),
        sa.Column("searchable", sa.Boolean(), nullable=True),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("xml", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["library_id"],
            ["cc_libraries.library_id"],
            name=op.f("fk_cc_content_assets_library_id_cc_libraries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("library_id", "content_id", name=op.f("pk_cc_content_assets")),
    )
    with op.batch_alter_table("cc_content_assets", schema=None) as batch_op:
        batch_op.create_index(
            "ix_cc_content_assets_library_id_folder_id", ["library_id", "folder_id"], unique=False
        )

    op.create_table(
        "cc_document_elements",
        sa.Column("path", sa.String(length=1024), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("tag", sa.String(length=128), nullable=False),
        sa.Column("data", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("xml", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["path"],
            ["cc_documents.path"],
            name=op.f("fk_cc_document_elements_path_cc_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("path", "seq", name=op.f("pk_cc_document_elements")),
    )
    op.create_table(
        "cc_inventory_records",
        sa.Column("list_id", sa.String(length=256), nullable=False),
        sa.Column("product_id", sa.String(length=256), nullable=False),
        sa.Column("allocation", sa.Text(), nullable=True),
        sa.Column("xml", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["list_id"],
            ["cc_inventory_lists.list_id"],
            name=op.f("fk_cc_inventory_records_list_id_cc_inventory_lists"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("list_id", "product_id", name=op.f("pk_cc_inventory_records")),
    )
    with op.batch_alter_table("cc_inventory_records", schema=None) as batch_op:
        batch_op.create_index("ix_cc_inventory_records_product_id", ["product_id"], unique=False)

    op.create_table(
        "cc_library_folders",
        sa.Column("library_id", sa.String(length=256), nullable=False),
        sa.Column("folder_id", sa.String(length=256), nullable=False),
        sa.Column("parent_id", sa.String(length=256), nullable=True),
        sa.Column("online", sa.Boolean(), nullable=True),
        sa.Column("names", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("xml", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["library_id"],
            ["cc_libraries.library_id"],
            name=op.f("fk_cc_library_folders_library_id_cc_libraries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("library_id", "folder_id", name=op.f("pk_cc_library_folders")),
    )
    with op.batch_alter_table("cc_library_folders", schema=None) as batch_op:
        batch_op.create_index(
            "ix_cc_library_folders_library_id_parent_id", ["library_id", "parent_id"], unique=False
        )

    op.create_table(
        "cc_price_tables",
        sa.Column("pricebook_id", sa.String(length=256), nullable=False),
        sa.Column("product_id", sa.String(length=256), nullable=False),
        sa.Column("online_from", sa.String(length=64), nullable=False),
        sa.Column("online_to", sa.Text(), nullable=True),
        sa.Column("amounts", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("xml", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["pricebook_id"],
            ["cc_pricebooks.pricebook_id"],
            name=op.f("fk_cc_price_tables_pricebook_id_cc_pricebooks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("pricebook_id", "product_id", "online_from", name=op.f("pk_cc_price_tables")),
    )
    with op.batch_alter_table("cc_price_tables", schema=None) as batch_op:
        batch_op.create_index("ix_cc_price_tables_product_id", ["product_id"], unique=False)

    op.create_table(
        "cc_products",
        sa.Column("catalog_id", sa.String(length=256), nullable=False),
        sa.Column("product_id", sa.String(length=256), nullable=False),
        sa.Column("online", sa.Boolean(), nullable=True),
        sa.Column("searchable", sa.Boolean(), nullable=True),
        sa.Column("names", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("xml", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["catalog_id"],
            ["cc_catalogs.catalog_id"],
            name=op.f("fk_cc_products_catalog_id_cc_catalogs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("catalog_id", "product_id", name=op.f("pk_cc_products")),
    )
    with op.batch_alter_table("cc_products", schema=None) as batch_op:
        batch_op.create_index("ix_cc_products_product_id", ["product_id"], unique=False)


def downgrade() -> None:
    # Children first; dropping a table drops its indexes.
    for table in (
        "cc_products",
        "cc_price_tables",
        "cc_library_folders",
        "cc_inventory_records",
        "cc_document_elements",
        "cc_content_assets",
        "cc_category_assignments",
        "cc_categories",
        "cc_sites",
        "cc_pricebooks",
        "cc_object_types",
        "cc_libraries",
        "cc_inventory_lists",
        "cc_files",
        "cc_extras",
        "cc_documents",
        "cc_catalogs",
    ):
        op.drop_table(table)
