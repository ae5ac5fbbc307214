"""A store's re-read of the shared database, every few seconds on a thread of its own: a request never waits
for it, and a database that stops answering holds up neither request handling nor a shutdown."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)

#: How long stopping waits for a re-read in flight; one stuck on a database that stopped answering is left to end
#: with the process (the thread is a daemon).
STOP_WAIT_SECONDS = 2.0


class Reread:
    """Calls `read` every `interval_seconds` until stopped; a failed read is logged and tried again next time."""

    def __init__(self, read: Callable[[], object], interval_seconds: float, *, name: str, what: str) -> None:
        self._read = read
        self._interval = interval_seconds
        self._what = what
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(STOP_WAIT_SECONDS)

    def _loop(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self._read()
            except Exception as exc:  # the database is away: keep what this node has, look again later
                log.warning("could not read %s again: %s", self._what, exc)
