"""The execution store's tables (SQLAlchemy Core). Alembic's history in `migrations/` builds exactly these.

Times are integer milliseconds since the epoch (UTC): compact, indexable and the same on every backend.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    text,
)

from sitejobs.engine.states import ACTIVE

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
    }
)

_ACTIVE_SQL = "state IN (" + ", ".join(f"'{s.value}'" for s in sorted(ACTIVE)) + ")"

executions = Table(
    "executions",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("job_id", String(256), nullable=False),
    Column("state", String(16), nullable=False),
    Column("client_id", String(256), nullable=True),
    Column("owner", String(256), nullable=True),
    Column("parameters", JSON, nullable=False),
    Column("request", JSON, nullable=True),
    # Set to job_id when the job forbids concurrent runs: a partial unique index then admits one active row.
    Column("singleton_key", String(256), nullable=True),
    Column("is_restart", Boolean, nullable=False, default=False),
    Column("attempt", Integer, nullable=False, default=1),
    Column("created_at", BigInteger, nullable=False),
    Column("modified_at", BigInteger, nullable=False),
    Column("start_time", BigInteger, nullable=True),
    Column("end_time", BigInteger, nullable=True),
    Column("percent", Integer, nullable=True),
    Column("message", Text, nullable=True),
    Column("steps", JSON, nullable=True),
    Column("exit_code", String(64), nullable=True),
    Column("exit_message", Text, nullable=True),
    Column("result", JSON, nullable=True),
    Column("lease_owner", String(128), nullable=True),
    Column("lease_expires_at", BigInteger, nullable=True),
    # Celery mode's outbox: when a message for this pending execution was last handed to the broker.
    Column("dispatched_at", BigInteger, nullable=True),
    Index("ix_executions_job_id_id", "job_id", "id"),
    Index("ix_executions_job_id_start_time", "job_id", "start_time"),
    # A log file's name says its job and creation second (`log_file_name`).
    Index("ix_executions_job_id_created_at", "job_id", "created_at"),
    Index("ix_executions_state_id", "state", "id"),
    # Compound searches (a job in a status; a status in a time range) count and page from the index alone.
    Index("ix_executions_job_id_state_id", "job_id", "state", "id"),
    Index("ix_executions_state_start_time", "state", "start_time"),
    Index("ix_executions_client_id_id", "client_id", "id"),
    Index("ix_executions_start_time", "start_time"),
    Index("ix_executions_end_time", "end_time"),
    Index("ix_executions_modified_at", "modified_at"),
    Index("ix_executions_exit_code", "exit_code"),
    Index("ix_executions_lease_expires_at", "lease_expires_at"),
    Index(
        "uq_executions_singleton_active",
        "singleton_key",
        unique=True,
        sqlite_where=text(_ACTIVE_SQL),
        postgresql_where=text(_ACTIVE_SQL),
    ),
)

execution_events = Table(
    "execution_events",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column(
        "execution_id",
        BigInteger,
        ForeignKey("executions.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("at", BigInteger, nullable=False),
    Column("from_state", String(16), nullable=True),
    Column("to_state", String(16), nullable=False),
    Column("worker", String(128), nullable=True),
    Column("note", Text, nullable=True),
)

execution_logs = Table(
    "execution_logs",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("execution_id", BigInteger, ForeignKey("executions.id", ondelete="CASCADE"), nullable=False),
    Column("at", BigInteger, nullable=False),
    Column("level", String(8), nullable=False),
    Column("message", Text, nullable=False),
    Index("ix_execution_logs_execution_id_id", "execution_id", "id"),
)

workers = Table(
    "workers",
    metadata,
    Column("id", String(128), primary_key=True),
    Column("hostname", String(256), nullable=False),
    Column("pid", Integer, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("started_at", BigInteger, nullable=False),
    Column("heartbeat_at", BigInteger, nullable=False, index=True),
)
