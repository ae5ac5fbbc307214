"""Statements that are transactions by themselves, each on a connection of the calling thread's own.

A Celery worker's claim is one statement (the guarded UPDATE and its event, see `store.claim_named`) that the
task waits for before it runs the job. Through the writer it cost a hand-over to the writer thread and back and
three round trips (BEGIN, the statement, COMMIT), behind whatever batch the writer was committing. Here it is one
round trip on the task's own thread. PostgreSQL only: SQLite's writes stay with the writer, which serialises them.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

T = TypeVar("T")


class OwnConnections:
    """One autocommit connection a thread, taken out of the store's pool for good.

    Only for statements that find their rows by primary key (a claim or a finish of a named execution, and the
    foreign-key checks of the rows they insert): these sessions keep PostgreSQL's generic plans
    (`plan_cache_mode = auto`) and never scan a table whole (`enable_seqscan = off`), so a plan made while the
    table was small (a scan is then cheapest) cannot stay a scan as it grows. The store's other sessions plan
    each statement for its parameters (see `db._pg_timeouts`); for the two statements of a Celery worker's run
    that planning cost 0.4 ms of PostgreSQL's CPU a job, about as much as running them.

    `relaxed`: their commits do not wait for the disk (the session's synchronous_commit is off; see
    `db.write_transaction_on` for which writes may). These sessions never go back to the pool, so no other
    work inherits their settings."""

    def __init__(self, db: Engine, *, relaxed: bool) -> None:
        self._db = db
        self._relaxed = relaxed
        self._local = threading.local()
        self._lock = threading.Lock()
        self._all: list[Connection] = []

    def run(self, statement: Callable[[Connection], T]) -> T:
        """`statement(conn)`, committed on its own; once more on a new connection if the old one was lost."""
        try:
            return statement(self._connection())
        except DBAPIError as exc:
            # A server that ended the session (a restart, an administrator) raises OperationalError without
            # SQLAlchemy always reading it as a disconnection.
            if not (exc.connection_invalidated or isinstance(exc, OperationalError | InterfaceError)):
                raise
            self._drop()
            return statement(self._connection())

    def close(self) -> None:
        with self._lock:
            for conn in self._all:
                conn.close()
            self._all.clear()

    def _connection(self) -> Connection:
        conn: Connection | None = getattr(self._local, "conn", None)
        if conn is None or conn.closed or conn.invalidated:
            conn = self._db.connect().execution_options(isolation_level="AUTOCOMMIT")
            conn.detach()
            conn.exec_driver_sql("SET plan_cache_mode = auto; SET enable_seqscan = off")
            if self._relaxed:
                conn.exec_driver_sql("SET synchronous_commit = off")
            with self._lock:
                self._all.append(conn)
            self._local.conn = conn
        return conn

    def _drop(self) -> None:
        conn: Connection | None = getattr(self._local, "conn", None)
        self._local.conn = None
        if conn is not None:
            with self._lock:
                if conn in self._all:
                    self._all.remove(conn)
            with contextlib.suppress(Exception):  # it is broken already
                conn.close()
