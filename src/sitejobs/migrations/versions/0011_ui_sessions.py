"""ui sessions: auth_ui_sessions, the dashboard's signed-in sessions

One row per signed-in dashboard session, keyed by a digest of the key its signed cookie carries. Sign-out
deletes the row, so the cookie is refused on every node sharing the database from then on.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 14:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "auth_ui_sessions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("user_name", sa.String(length=256), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auth_ui_sessions")),
    )
    with op.batch_alter_table("auth_ui_sessions", schema=None) as batch_op:
        batch_op.create_index("ix_auth_ui_sessions_user_name", ["user_name"], unique=False)
        batch_op.create_index("ix_auth_ui_sessions_expires_at", ["expires_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("auth_ui_sessions", schema=None) as batch_op:
        batch_op.drop_index("ix_auth_ui_sessions_expires_at")
        batch_op.drop_index("ix_auth_ui_sessions_user_name")
    op.drop_table("auth_ui_sessions")
