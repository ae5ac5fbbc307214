"""site files and shares: oce_site_file_versions, oce_resource_members, a trash for templates, themes, components

The versions of a site's documents as the Documents API serves them (`siteinfo.json`, `structure.json`,
`pages/{id}.json`), the members of templates, themes and components (`cec share-theme`), and their
`deleted_at`, set while they are in the trash (`DELETE /templates/{id}`; `hardDelete` deletes for good).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 11:25:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None
TRASHABLE = ("oce_templates", "oce_themes", "oce_components")


def upgrade() -> None:
    op.create_table(
        "oce_site_file_versions",
        sa.Column("site_id", sa.String(length=64), nullable=False),
        sa.Column("path", sa.String(length=256), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_by", sa.String(length=256), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["oce_sites.id"],
            name=op.f("fk_oce_site_file_versions_site_id_oce_sites"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("site_id", "path", name=op.f("pk_oce_site_file_versions")),
    )
    op.create_table(
        "oce_resource_members",
        sa.Column("resource_id", sa.String(length=64), nullable=False),
        sa.Column("user_name", sa.String(length=256), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("resource_id", "user_name", name=op.f("pk_oce_resource_members")),
    )
    with op.batch_alter_table("oce_resource_members", schema=None) as batch_op:
        batch_op.create_index("ix_oce_resource_members_user_name", ["user_name"], unique=False)
    for table in TRASHABLE:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("deleted_at", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    for table in TRASHABLE:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("deleted_at")
    with op.batch_alter_table("oce_resource_members", schema=None) as batch_op:
        batch_op.drop_index("ix_oce_resource_members_user_name")
    op.drop_table("oce_resource_members")
    op.drop_table("oce_site_file_versions")
