"""Waking workers on PostgreSQL: a thread LISTENs on the pending channel (`store.PENDING_CHANNEL`) and calls
back on each notification, so a worker on another machine starts a job as soon as its row commits instead of at
its next poll. PostgreSQL folds notifications of one transaction into one, so a batch of submissions wakes a
listener once. On SQLite there is nothing to listen to; the executor polls.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import psycopg
from sqlalchemy import Engine

from sitejobs.engine.store import PENDING_CHANNEL

log = logging.getLogger(__name__)

RECONNECT_SECONDS = 1.0


class PendingListener:
    def __init__(self, engine: Engine, on_pending: Callable[[], None]) -> None:
        url = engine.url.set(drivername="postgresql")
        self._dsn = url.render_as_string(hide_password=False)
        self._on_pending = on_pending
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sitejobs-listen", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2.0)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                with psycopg.connect(self._dsn, autocommit=True, connect_timeout=5) as conn:
                    conn.execute(f"LISTEN {PENDING_CHANNEL}")
                    self._on_pending()  # whatever was submitted while not listening
                    while not self._stop.is_set():
                        for _ in conn.notifies(timeout=0.5, stop_after=1):
                            self._on_pending()
            except psycopg.Error as exc:
                log.warning("listening for pending executions failed (%s); retrying", exc)
                self._stop.wait(RECONNECT_SECONDS)
