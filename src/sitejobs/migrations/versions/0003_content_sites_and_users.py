"""content sites and users: the oce_* tables of sitejobs.sites.content.schema

Users; templates, themes and components (named folders of files); sites with their members, pages, language
variants and content items; files such as translation zips.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 19:40:57.055847
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "oce_components",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("owner", sa.String(length=256), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.Column("published_at", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oce_components")),
        sa.UniqueConstraint("name", name=op.f("uq_oce_components_name")),
    )
    op.create_table(
        "oce_files",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("owner", sa.String(length=256), nullable=False),
        sa.Column("folder_id", sa.String(length=64), nullable=False),
        sa.Column("site_id", sa.String(length=64), nullable=True),
        sa.Column("path", sa.String(length=1024), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oce_files")),
    )
    op.create_table(
        "oce_sites",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("owner", sa.String(length=256), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("template_name", sa.String(length=256), nullable=True),
        sa.Column("theme_name", sa.String(length=256), nullable=False),
        sa.Column("default_language", sa.String(length=32), nullable=False),
        sa.Column("localization_policy", sa.String(length=64), nullable=True),
        sa.Column("site_prefix", sa.String(length=256), nullable=False),
        sa.Column("repository_id", sa.String(length=64), nullable=True),
        sa.Column("siteinfo", sa.Text(), nullable=False),
        sa.Column("runtime_status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.Column("published_at", sa.BigInteger(), nullable=True),
        sa.Column("published_fingerprints", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oce_sites")),
        sa.UniqueConstraint("name", name=op.f("uq_oce_sites_name")),
    )
    op.create_table(
        "oce_templates",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("owner", sa.String(length=256), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.Column("published_at", sa.BigInteger(), nullable=True),
        sa.Column("theme_name", sa.String(length=256), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oce_templates")),
        sa.UniqueConstraint("name", name=op.f("uq_oce_templates_name")),
    )
    op.create_table(
        "oce_themes",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("owner", sa.String(length=256), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.Column("published_at", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oce_themes")),
        sa.UniqueConstraint("name", name=op.f("uq_oce_themes_name")),
    )
    op.create_table(
        "oce_users",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("display_name", sa.String(length=256), nullable=False),
        sa.Column("password_hash", sa.String(length=256), nullable=False),
        sa.Column("is_admin", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oce_users")),
        sa.UniqueConstraint("name", name=op.f("uq_oce_users_name")),
    )
    op.create_table(
        "oce_content_items",
        sa.Column("site_id", sa.String(length=64), nullable=False),
        sa.Column("item_id", sa.String(length=64), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["oce_sites.id"],
            name=op.f("fk_oce_content_items_site_id_oce_sites"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("site_id", "item_id", name=op.f("pk_oce_content_items")),
    )
    op.create_table(
        "oce_pages",
        sa.Column("site_id", sa.String(length=64), nullable=False),
        sa.Column("page_id", sa.BigInteger(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("entry", sa.Text(), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"], ["oce_sites.id"], name=op.f("fk_oce_pages_site_id_oce_sites"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("site_id", "page_id", name=op.f("pk_oce_pages")),
    )
    op.create_table(
        "oce_site_languages",
        sa.Column("site_id", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=32), nullable=False),
        sa.Column("variant", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["oce_sites.id"],
            name=op.f("fk_oce_site_languages_site_id_oce_sites"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("site_id", "language", name=op.f("pk_oce_site_languages")),
    )
    op.create_table(
        "oce_site_members",
        sa.Column("site_id", sa.String(length=64), nullable=False),
        sa.Column("user_name", sa.String(length=256), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["oce_sites.id"],
            name=op.f("fk_oce_site_members_site_id_oce_sites"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("site_id", "user_name", name=op.f("pk_oce_site_members")),
    )
    with op.batch_alter_table("oce_site_members", schema=None) as batch_op:
        batch_op.create_index("ix_oce_site_members_user_name", ["user_name"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("oce_site_members", schema=None) as batch_op:
        batch_op.drop_index("ix_oce_site_members_user_name")

    op.drop_table("oce_site_members")
    op.drop_table("oce_site_languages")
    op.drop_table("oce_pages")
    op.drop_table("oce_content_items")
    op.drop_table("oce_users")
    op.drop_table("oce_themes")
    op.drop_table("oce_templates")
    op.drop_table("oce_sites")
    op.drop_table("oce_files")
    op.drop_table("oce_components")
