"""file revisions and groups: oce_site_file_revisions, oce_groups, oce_group_members

The earlier versions of a site's documents written through the Documents API (`files/{id}/versions`,
`files/{id}/data?version=N`), and groups of users (`cec create-group`, `set-site-security -g`).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 14:20:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

GUID = sa.String(length=64)
NAME = sa.String(length=256)


def upgrade() -> None:
    op.create_table(
        "oce_site_file_revisions",
        sa.Column("site_id", GUID, nullable=False),
        sa.Column("path", NAME, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("updated_by", NAME, nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["oce_sites.id"],
            name=op.f("fk_oce_site_file_revisions_site_id_oce_sites"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("site_id", "path", "version", name=op.f("pk_oce_site_file_revisions")),
    )
    op.create_table(
        "oce_groups",
        sa.Column("id", GUID, nullable=False),
        sa.Column("name", NAME, nullable=False),
        sa.Column("name_key", NAME, nullable=False),
        sa.Column("group_type", sa.String(length=32), nullable=False),
        sa.Column("owner", NAME, nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oce_groups")),
        sa.UniqueConstraint("name_key", name=op.f("uq_oce_groups_name_key")),
    )
    op.create_table(
        "oce_group_members",
        sa.Column("group_id", GUID, nullable=False),
        sa.Column("member", NAME, nullable=False),
        sa.Column("is_group", sa.Boolean(), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["oce_groups.id"],
            name=op.f("fk_oce_group_members_group_id_oce_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("group_id", "member", "is_group", name=op.f("pk_oce_group_members")),
    )
    with op.batch_alter_table("oce_group_members", schema=None) as batch_op:
        batch_op.create_index("ix_oce_group_members_member", ["member"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("oce_group_members", schema=None) as batch_op:
        batch_op.drop_index("ix_oce_group_members_member")
    op.drop_table("oce_group_members")
    op.drop_table("oce_groups")
    op.drop_table("oce_site_file_revisions")
