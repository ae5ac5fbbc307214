"""enterprise sites: repositories, channels, localization policies, translation jobs, site settings and access

The Content Management API's repositories, channels and localization policies (as far as enterprise sites and
their translation need them); the translation jobs the translate job records; per-site settings (IDC site
metadata, runtime access, static delivery options, expiry, who last changed the site) and the members of a
secure site's access list.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 11:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

GUID = sa.String(length=64)
NAME = sa.String(length=256)


def _named(table: str, *columns: sa.Column[object]) -> None:
    op.create_table(
        table,
        sa.Column("id", GUID, nullable=False),
        sa.Column("name", NAME, nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("owner", NAME, nullable=False),
        *columns,
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
        sa.UniqueConstraint("name", name=op.f(f"uq_{table}_name")),
    )


def upgrade() -> None:
    _named(
        "oce_repositories",
        sa.Column("repository_type", sa.String(length=32), nullable=False),
        sa.Column("default_language", sa.String(length=32), nullable=False),
        sa.Column("channels", sa.Text(), nullable=False),
        sa.Column("language_options", sa.Text(), nullable=False),
    )
    _named(
        "oce_localization_policies",
        sa.Column("default_value", sa.String(length=32), nullable=False),
        sa.Column("required_values", sa.Text(), nullable=False),
        sa.Column("optional_values", sa.Text(), nullable=False),
    )
    _named(
        "oce_channels",
        sa.Column("channel_type", sa.String(length=16), nullable=False),
        sa.Column("publish_policy", sa.String(length=32), nullable=False),
        sa.Column("localization_policy_id", GUID, nullable=True),
        sa.Column("token", GUID, nullable=False),
        sa.Column("site_id", GUID, nullable=True),
    )
    with op.batch_alter_table("oce_channels", schema=None) as batch_op:
        batch_op.create_index("ix_oce_channels_site_id", ["site_id"], unique=False)
    op.create_table(
        "oce_translation_jobs",
        sa.Column("id", GUID, nullable=False),
        sa.Column("name", NAME, nullable=False),
        sa.Column("job_type", sa.String(length=16), nullable=False),
        sa.Column("owner", NAME, nullable=False),
        sa.Column("site_id", GUID, nullable=True),
        sa.Column("repository_id", GUID, nullable=True),
        sa.Column("execution_id", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("file_id", GUID, nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oce_translation_jobs")),
        sa.UniqueConstraint("name", name=op.f("uq_oce_translation_jobs_name")),
    )
    with op.batch_alter_table("oce_translation_jobs", schema=None) as batch_op:
        batch_op.create_index("ix_oce_translation_jobs_site_id", ["site_id"], unique=False)
    op.create_table(
        "oce_site_settings",
        sa.Column("site_id", GUID, nullable=False),
        sa.Column("idc_metadata", sa.Text(), nullable=False),
        sa.Column("access", sa.Text(), nullable=False),
        sa.Column("static_delivery", sa.Text(), nullable=True),
        sa.Column("expires_at", sa.BigInteger(), nullable=True),
        sa.Column("embeddable", sa.Boolean(), nullable=False),
        sa.Column("updated_by", NAME, nullable=True),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["oce_sites.id"],
            name=op.f("fk_oce_site_settings_site_id_oce_sites"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("site_id", name=op.f("pk_oce_site_settings")),
    )
    op.create_table(
        "oce_site_access",
        sa.Column("site_id", GUID, nullable=False),
        sa.Column("member", sa.String(length=264), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["oce_sites.id"],
            name=op.f("fk_oce_site_access_site_id_oce_sites"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("site_id", "member", name=op.f("pk_oce_site_access")),
    )


def downgrade() -> None:
    op.drop_table("oce_site_access")
    op.drop_table("oce_site_settings")
    with op.batch_alter_table("oce_translation_jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_oce_translation_jobs_site_id")
    op.drop_table("oce_translation_jobs")
    with op.batch_alter_table("oce_channels", schema=None) as batch_op:
        batch_op.drop_index("ix_oce_channels_site_id")
    op.drop_table("oce_channels")
    op.drop_table("oce_localization_policies")
    op.drop_table("oce_repositories")
