"""site trash: oce_sites.deleted_at, set while a site is in the trash

A site deleted with `DELETE /sites/{id}` keeps its rows and files until it is deleted for good
(`POST /sites/{id}/hardDelete`); while it is in the trash only `includeDeleted=true` shows it.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 20:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("oce_sites", schema=None) as batch_op:
        batch_op.add_column(sa.Column("deleted_at", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("oce_sites", schema=None) as batch_op:
        batch_op.drop_column("deleted_at")
