"""Connecting to the store: SQLite (WAL, durable by default) or PostgreSQL, migrated under a lock."""

from __future__ import annotations

import contextlib
import fcntl
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
_PG_MIGRATION_LOCK = 0x5117E_0B5
PG_CONNECT_TIMEOUT_S = 5
PG_STATEMENT_TIMEOUT_S = 300
PG_POOL_TIMEOUT_S = 10


def normalize_url(url: str) -> str:
    """Accept `postgresql://` as users write it and use the psycopg 3 driver for it."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def create_store_engine(url: str, *, synchronous: str = "FULL", pool_size: int = 10) -> Engine:
    url = normalize_url(url)
    if url.startswith("sqlite"):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            json_serializer=_json_dumps,
            json_deserializer=orjson.loads,
            connect_args={"check_same_thread": False, "timeout": 30},
            pool_size=pool_size,
            max_overflow=20,
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            # Let SQLAlchemy issue BEGIN itself so transactions are explicit and immediate.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute(f"PRAGMA synchronous={synchronous}")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            # A relaxed write's commit is not synced (WAL, synchronous=NORMAL): the next synced commit syncs
            # the log up to and including it, and a crash can only lose the relaxed commits after the last
            # synced one. The setting is the connection's: every other transaction puts it back (set only
            # when it changes).
            write = bool(conn.info.get("write"))
            level = "NORMAL" if write and conn.info.get("relaxed") else synchronous
            if conn.connection.info.get("synchronous", synchronous) != level:
                conn.exec_driver_sql(f"PRAGMA synchronous={level}")
                conn.connection.info["synchronous"] = level
            conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

        return engine
    return create_engine(
        url,
        json_serializer=_json_dumps,
        json_deserializer=orjson.loads,
        pool_size=pool_size,
        max_overflow=20,
        pool_pre_ping=True,
        pool_timeout=PG_POOL_TIMEOUT_S,
        connect_args=_pg_timeouts(url),
    )


def _pg_timeouts(url: str) -> dict[str, Any]:
    """A server that does not answer fails the connect after PG_CONNECT_TIMEOUT_S; a statement that runs past
    PG_STATEMENT_TIMEOUT_S is cancelled by the server (options given in the URL are kept).

    Statements are planned for their parameters each time (`plan_cache_mode`): psycopg prepares a statement
    after a few runs, and PostgreSQL would then keep one generic plan per connection, made while the table
    was small. On a fresh or fast-growing executions table that plan is a sequential scan, which every claim
    and finish kept running until autovacuum's next ANALYZE (measured: 22,000 rows read a job, PostgreSQL
    using half of the CPU of a Celery run; custom plans cut its CPU by half)."""
    options = make_url(url).query.get("options", "")
    given = " ".join(options) if isinstance(options, tuple) else options
    if "statement_timeout" not in given:
        given = f"{given} -c statement_timeout={PG_STATEMENT_TIMEOUT_S * 1000}".strip()
    if "plan_cache_mode" not in given:
        given = f"{given} -c plan_cache_mode=force_custom_plan"
    return {"connect_timeout": PG_CONNECT_TIMEOUT_S, "options": given}


def _json_dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


@contextlib.contextmanager
def read_snapshot(engine: Engine) -> Iterator[Connection]:
    """One read transaction that sees one state of the store throughout: SQLite's deferred BEGIN (a WAL reader
    sees one snapshot and blocks no writer), PostgreSQL's REPEATABLE READ (which server-side cursors share)."""
    with engine.connect() as conn:
        if not is_sqlite(engine):
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            yield conn


@contextlib.contextmanager
def write_transaction(engine: Engine, *, relaxed: bool = False) -> Iterator[Connection]:
    """See `write_transaction_on`, on a connection of the pool."""
    with engine.connect() as conn, write_transaction_on(conn, relaxed=relaxed):
        yield conn


@contextlib.contextmanager
def write_transaction_on(conn: Connection, *, relaxed: bool = False) -> Iterator[Connection]:
    """A transaction that takes SQLite's write lock up front, so it never fails half-way on a busy database.

    `relaxed`: its commit need not wait for the disk (PostgreSQL: synchronous_commit off; SQLite in WAL mode:
    synchronous NORMAL). A crash of the database server or machine may then lose it, but never a commit made
    before it, nor a durable commit made after it (both logs are sequential). Only for writes that are redone
    when lost (a worker's claims, finishes and log lines: a lost claim leaves the execution pending, a lost
    finish leaves it running under a lease that expires), never for submissions."""
    conn.info["write"] = True
    conn.info["relaxed"] = relaxed
    try:
        sent = None
        with conn.begin():
            if conn.dialect.name == "postgresql":
                sent = _pg_synchronous_commit(conn, relaxed)
            yield conn
        if sent is not None:  # committed: the session keeps it
            conn.connection.info[_PG_SYNC] = sent
    finally:
        conn.info["write"] = False
        conn.info["relaxed"] = False


def _pg_synchronous_commit(conn: Connection, relaxed: bool) -> str | None:
    """Set the session's synchronous_commit for this transaction when it differs from the last one's (a
    writer keeping its connection sends it only when a relaxed batch follows a durable one, or the reverse):
    returns what it set, which the session keeps once the transaction commits. Set inside the transaction, it
    is undone if that rolls back, and then sent again next time. A connection that may be left relaxed must
    not go back to the pool (see `is_relaxed_session`)."""
    info = conn.connection.info
    want = "off" if relaxed else "on"
    if info.get(_PG_SYNC, "on") == want:
        return None
    info[_PG_SYNC] = "unknown"
    conn.exec_driver_sql("SET synchronous_commit = off" if relaxed else "SET synchronous_commit TO DEFAULT")
    return want


def is_relaxed_session(conn: Connection) -> bool:
    """Whether the connection's session may still commit without waiting for the disk (PostgreSQL)."""
    return conn.dialect.name == "postgresql" and conn.connection.info.get(_PG_SYNC, "on") != "on"


_PG_SYNC = "sitejobs_synchronous_commit"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", normalize_url(url).replace("%", "%%"))
    return cfg


@contextlib.contextmanager
def _migration_lock(engine: Engine) -> Iterator[None]:
    if is_sqlite(engine):
        database = engine.url.database
        if not database or database == ":memory:":
            yield
            return
        lock_path = Path(database).with_suffix(".migrate.lock")
        with lock_path.open("w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
        return
    with engine.connect() as conn:
        conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _PG_MIGRATION_LOCK})
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _PG_MIGRATION_LOCK})
            conn.commit()


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision; concurrent callers wait for the first one."""
    with _migration_lock(engine), engine.begin() as conn:
        cfg = alembic_config(engine.url.render_as_string(hide_password=False))
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
