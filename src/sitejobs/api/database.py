"""A database that stops answering is a clean 503, not a server that hangs.

Database work of a request runs on a bounded set of threads under a deadline (`database_request_timeout`):
past it, or when the database refuses or drops the connection, the answer is 503 with `Retry-After` in the
surface's error shape. The first failure closes the gate for `RETRY_AFTER_SECONDS`: requests meanwhile get their
503 at once instead of each waiting out the deadline (and each holding a thread on a dead socket); after that
the next request tries again, so the server recovers by itself when the database does.

A local SQLite file does not stall like a network database: on SQLite the hot status reads stay on the event
loop (`read_now`), as fast as before.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

import anyio
import anyio.to_thread
from sqlalchemy import Engine
from sqlalchemy import exc as sa_exc

from sitejobs.errors import ServiceUnavailable

log = logging.getLogger(__name__)
T = TypeVar("T")

RETRY_AFTER_SECONDS = 2
#: Threads that may wait on the database at once for requests (a stalled database holds each until it answers).
MAX_THREADS = 16


def unavailable(exc: BaseException) -> bool:
    """Whether `exc` says the database cannot be reached or does not answer (not a bug in a query)."""
    if isinstance(exc, sa_exc.OperationalError | sa_exc.InterfaceError | sa_exc.TimeoutError):
        return True
    module = type(exc).__module__
    return module.startswith("psycopg") and type(exc).__name__ in ("OperationalError", "InterfaceError")


class DatabaseGate:
    def __init__(self, db: Engine, timeout_s: float) -> None:
        self.db = db
        self.timeout_s = timeout_s
        self._limiter = anyio.CapacityLimiter(MAX_THREADS)
        self._closed_until = 0.0
        self.inline_reads = db.dialect.name == "sqlite"

    def check(self) -> None:
        """ServiceUnavailable at once while a recent failure holds the gate closed."""
        wait = self._closed_until - time.monotonic()
        if wait > 0:
            raise ServiceUnavailable(max(1, round(wait)), "The database is not answering; try again later.")

    def failed(self, exc: BaseException | None) -> ServiceUnavailable:
        self._closed_until = time.monotonic() + RETRY_AFTER_SECONDS
        log.warning("database unavailable: %s", exc or f"no answer within {self.timeout_s} s")
        return ServiceUnavailable(RETRY_AFTER_SECONDS, "The database is not answering; try again later.")

    def recovered(self) -> None:
        self._closed_until = 0.0

    async def run(self, fn: Callable[..., T], *args: Any, timeout_s: float | None = None) -> T:
        """`fn(*args)` on a database thread, under the deadline; ServiceUnavailable when the database fails."""
        self.check()
        try:
            with anyio.fail_after(timeout_s or self.timeout_s):
                return await anyio.to_thread.run_sync(
                    fn, *args, limiter=self._limiter, abandon_on_cancel=True
                )
        except TimeoutError:
            raise self.failed(None) from None
        except Exception as exc:
            if unavailable(exc):
                raise self.failed(exc) from None
            raise

    async def read_now(self, fn: Callable[..., T], *args: Any) -> T:
        """A hot read, `fn(*args)`: inline on SQLite (a local file), on a database thread under the deadline
        otherwise."""
        if not self.inline_reads:
            return await self.run(fn, *args)
        try:
            return fn(*args)
        except Exception as exc:
            if unavailable(exc):
                raise self.failed(exc) from None
            raise
