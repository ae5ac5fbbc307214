"""shared clients and keys: auth_clients, auth_signing_keys of sitejobs.auth.schema

What several API nodes on one database must agree on: the Data API's clients (before this, DATA_DIR/clients.json,
imported at a node's first start) and the keys that sign bearer tokens (before this, DATA_DIR/token.key).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 11:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "auth_clients",
        sa.Column("client_id", sa.String(length=200), nullable=False),
        sa.Column("secret_hash", sa.String(length=256), nullable=False),
        sa.Column("resources", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("client_id", name=op.f("pk_auth_clients")),
    )
    op.create_table(
        "auth_signing_keys",
        sa.Column("kid", sa.String(length=64), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("secret", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("kid", name=op.f("pk_auth_signing_keys")),
        sa.UniqueConstraint("generation", name=op.f("uq_auth_signing_keys_generation")),
    )


def downgrade() -> None:
    op.drop_table("auth_signing_keys")
    op.drop_table("auth_clients")
