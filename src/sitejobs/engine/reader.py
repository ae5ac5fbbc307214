"""Point reads on the hot path (a status GET) without the pool, BEGIN or ROLLBACK around them.

Each thread keeps one driver connection in autocommit mode, so a read is one statement. SQLite in WAL mode and
PostgreSQL both give each autocommit statement a consistent snapshot.
"""

from __future__ import annotations

import contextlib
import threading
from typing import Any

from sqlalchemy import Engine

from sitejobs.engine.models import Execution
from sitejobs.engine.schema import executions

_COLUMNS = ", ".join(c.name for c in executions.c)


class PointReader:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._local = threading.local()
        self._connections: list[Any] = []
        self._lock = threading.Lock()
        self._sqlite = engine.dialect.name == "sqlite"
        mark = "?" if engine.dialect.paramstyle == "qmark" else "%s"
        self._by_id = f"SELECT {_COLUMNS} FROM executions WHERE id = {mark}"

    def _connection(self) -> Any:
        existing: Any = getattr(self._local, "conn", None)
        if existing is not None:
            return existing
        pooled = self._engine.raw_connection()
        conn: Any = pooled.driver_connection
        pooled.detach()  # held by this thread for good: not a pool slot
        if self._engine.dialect.name == "sqlite":
            conn.isolation_level = None
        else:
            conn.autocommit = True
        self._local.conn = conn
        with self._lock:
            self._connections.append(conn)
        return conn

    def execution(self, execution_id: int) -> Execution | None:
        try:
            cursor = self._connection().execute(self._by_id, (execution_id,))
            row = cursor.fetchone()
        except Exception:
            self._local.conn = None  # a broken connection: the next read opens a new one
            raise
        return Execution.from_row(row) if row else None

    def data_version(self) -> int | None:
        """SQLite's count of commits made through other connections, as this thread's connection sees it;
        None on databases without one."""
        if not self._sqlite:
            return None
        try:
            row = self._connection().execute("PRAGMA data_version").fetchone()
        except Exception:
            self._local.conn = None
            raise
        return int(row[0])

    def close(self) -> None:
        with self._lock:
            for conn in self._connections:
                with contextlib.suppress(Exception):
                    conn.close()
            self._connections.clear()
