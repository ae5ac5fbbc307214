"""job logs in the store; Celery's outbox mark

`execution_logs` holds every execution's log lines, so that API servers and workers on other machines read the
same log; an index finds an execution by its log file's name (job and creation second).
`executions.dispatched_at` records when a pending execution's message was last handed to the broker
(Celery mode): the dispatcher re-sends the ones still pending after a while.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 11:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "execution_logs",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("execution_id", sa.BigInteger(), nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.Column("level", sa.String(8), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["execution_id"],
            ["executions.id"],
            name="fk_execution_logs_execution_id_executions",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_execution_logs"),
    )
    op.create_index("ix_execution_logs_execution_id_id", "execution_logs", ["execution_id", "id"])
    with op.batch_alter_table("executions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("dispatched_at", sa.BigInteger(), nullable=True))
    op.create_index("ix_executions_job_id_created_at", "executions", ["job_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_executions_job_id_created_at", table_name="executions")
    with op.batch_alter_table("executions", schema=None) as batch_op:
        batch_op.drop_column("dispatched_at")
    op.drop_index("ix_execution_logs_execution_id_id", table_name="execution_logs")
    op.drop_table("execution_logs")
