"""PostgreSQL: write the import while the archive is still being read, in one transaction on its own thread.

PostgreSQL lets other connections write while this transaction is open (the engine's progress and heartbeats
go on), so there is no reason to spool: ops go through a small bounded queue to a thread that applies them,
and the database works on one batch while Python parses the next. The transaction commits only when the
reader says so; any error on either side rolls it back, so the import stays all or nothing.
"""

from __future__ import annotations

import queue
import threading
from collections import Counter
from typing import Any

from sqlalchemy import Connection, Engine

from sitejobs.engine.db import write_transaction
from sitejobs.sites.commerce.apply import Applier
from sitejobs.sites.commerce.staging import Op, Verb

BATCH = 1000
QUEUED_BATCHES = 4
_COMMIT = "commit"
_ROLLBACK = "rollback"


_LZ4 = "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"


def _fast_toast(conn: Connection) -> None:
    """Compress the long XML values this transaction writes with lz4 (PostgreSQL 14+ built with it) rather
    than pglz: several times less server CPU for the same job."""
    if conn.exec_driver_sql(_LZ4).scalar():
        conn.exec_driver_sql("SET LOCAL default_toast_compression = 'lz4'")


class _Rollback(Exception):
    """Raised inside the writer thread's transaction to undo it."""


class StreamingApplier:
    def __init__(self, db: Engine) -> None:
        self.count = 0
        self.rows: Counter[str] = Counter()
        self._db = db
        self._batch: list[Op] = []
        self._queue: queue.Queue[list[Op] | str] = queue.Queue(QUEUED_BATCHES)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="sitejobs-import-writer", daemon=True)
        self._thread.start()

    def add(self, verb: Verb, table: str, values: Any) -> None:
        self._batch.append((verb, table, values))
        self.count += 1
        if len(self._batch) >= BATCH:
            self._send(self._batch)
            self._batch = []

    def commit(self) -> Counter[str]:
        """Apply what is left and commit; raises what went wrong in the writer, if anything did."""
        if self._batch:
            self._send(self._batch)
            self._batch = []
        self._send(_COMMIT)
        self._thread.join()
        self._raise()
        return self.rows

    def close(self) -> None:
        """Roll back unless committed (the reader failed or was aborted)."""
        if self._thread.is_alive():
            self._queue.put(_ROLLBACK)
            self._thread.join()

    def __enter__(self) -> StreamingApplier:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _send(self, item: list[Op] | str) -> None:
        while True:
            self._raise()
            try:
                self._queue.put(item, timeout=0.5)
                return
            except queue.Full:
                continue

    def _raise(self) -> None:
        if self._error is not None:
            raise self._error

    def _run(self) -> None:
        try:
            with write_transaction(self._db) as conn:
                _fast_toast(conn)
                applier = Applier(conn)
                while True:
                    item = self._queue.get()
                    if item == _COMMIT:
                        break
                    if item == _ROLLBACK:
                        raise _Rollback
                    assert isinstance(item, list)
                    applier.run(item)
                self.rows = applier.rows
        except _Rollback:
            pass
        except BaseException as exc:  # handed to the reader's thread
            self._error = exc
            self._drain()

    def _drain(self) -> None:
        """Keep taking batches after a failure so the reader never blocks on a full queue."""
        while True:
            item = self._queue.get()
            if isinstance(item, str):
                return
