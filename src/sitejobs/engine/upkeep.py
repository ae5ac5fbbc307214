"""A worker's background duties on one thread: renew the leases of the runs it holds (and so show it alive in
the workers table), recover executions whose worker died (the reaper), and keep planner statistics fresh.

Every node runs one: local executors and Celery worker processes with their leases, API nodes in Celery mode
only the reaper. Several reapers at once are safe: each recovery is a guarded statement.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from sitejobs.engine import store
from sitejobs.engine.service import JobEngine

log = logging.getLogger(__name__)

STATISTICS_SECONDS = 600.0


@dataclass(frozen=True, slots=True)
class Holder:
    """Who holds leases: the worker id that claims, its kind (`embedded`, `worker`, `celery`) and its slots."""

    worker_id: str
    kind: str
    running: Callable[[], list[int]]


def new_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Upkeep:
    def __init__(
        self, engine: JobEngine, holder: Holder | None, *, after_reap: Callable[[], None] | None = None
    ) -> None:
        self._engine = engine
        self._holder = holder
        self._after_reap = after_reap
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="sitejobs-upkeep", daemon=True)

    def start(self) -> None:
        self.heartbeat()
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        if self._holder is not None:
            try:
                self._engine.worker_stopped(self._holder.worker_id)
            except Exception:
                log.debug("could not unregister worker", exc_info=True)

    def heartbeat(self) -> None:
        holder = self._holder
        if holder is None:
            return
        ids = holder.running()
        held = self._engine.heartbeat(
            holder.worker_id, ids, kind=holder.kind, pid=os.getpid(), hostname=socket.gethostname()
        )
        lost = (set(ids) - held) & set(holder.running())
        if lost:  # usually runs that ended while the heartbeat was in flight; a truly lost one stops itself
            log.debug("leases not renewed for executions %s", sorted(lost))

    def _loop(self) -> None:
        settings = self._engine.settings
        tick = min(settings.lease_seconds / 3, settings.reap_seconds)
        last_reap = 0.0
        last_stats = time.monotonic()
        while not self._stop.wait(tick):
            try:
                self.heartbeat()
                if time.monotonic() - last_stats >= STATISTICS_SECONDS:
                    last_stats = time.monotonic()
                    self._engine.writer.run(store.refresh_statistics)
                if time.monotonic() - last_reap >= settings.reap_seconds:
                    last_reap = time.monotonic()
                    for execution_id, decision in self._engine.reap():
                        log.warning(
                            "recovered execution", extra={"execution": execution_id, "decision": decision}
                        )
                    if self._after_reap is not None:
                        self._after_reap()
            except Exception:
                log.exception("lease upkeep failed; will retry")
