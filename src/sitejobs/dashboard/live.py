"""The live feed: ONE store read a second, shared by every open page, whatever the number of pages or jobs.

A poller task reads the executions changed in the last seconds and hands the same list to every subscriber;
each page's stream keeps what it already sent and forwards only differences. The task runs while someone
listens and stops when the last page closes. Reads overlap by `OVERLAP_MS`, so a write committed a little after
the time it was stamped with is still seen.

The same read (one connection, a second statement by primary key) checks that the sessions of the open pages
are still signed in: a page whose session was signed out, on any node, is told so within a second and its
stream ends. An open page thus costs no read of its own to stay checked.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from functools import partial

from sqlalchemy import Connection
from starlette.concurrency import run_in_threadpool

from sitejobs.dashboard import session_store
from sitejobs.engine import listing
from sitejobs.engine.models import Execution, now_ms
from sitejobs.engine.service import JobEngine

log = logging.getLogger(__name__)

INTERVAL_SECONDS = 1.0
OVERLAP_MS = 3000
#: Batches a slow page may fall behind by before the oldest is dropped (its next batch repeats the rows).
BACKLOG = 10

Batch = list[Execution]


class Subscription:
    """One open page: the batches for it, and whether its session has been signed out."""

    def __init__(self, session_key: str) -> None:
        self.session_key = session_key
        self.queue: asyncio.Queue[Batch] = asyncio.Queue(BACKLOG)
        #: Set by the feed once the session is no longer signed in; the page's stream then ends.
        self.signed_out = False

    async def next(self, timeout: float) -> Batch:
        """The next batch (TimeoutError after `timeout` seconds without one)."""
        return await asyncio.wait_for(self.queue.get(), timeout)


def _read(conn: Connection, since_ms: int, session_keys: set[str]) -> tuple[Batch, set[str]]:
    return (
        listing.changed_since(conn, since_ms=since_ms),
        session_store.still_signed_in(conn, session_keys, now_ms=now_ms()),
    )


class LiveFeed:
    def __init__(self, engine: Callable[[], JobEngine], interval: float = INTERVAL_SECONDS) -> None:
        self._engine = engine
        self.interval = interval
        self._subscribers: set[Subscription] = set()
        self._task: asyncio.Task[None] | None = None
        #: Store reads made so far (the figure the one-read-a-second promise is about).
        self.reads = 0

    def subscribe(self, session_key: str) -> Subscription:
        """Batches for a page open in the signed-in session `session_key`."""
        subscription = Subscription(session_key)
        self._subscribers.add(subscription)
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run(), name="sitejobs-dashboard-live")
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        self._subscribers.discard(subscription)

    @property
    def listening(self) -> int:
        return len(self._subscribers)

    async def _run(self) -> None:
        last: int | None = None
        while self._subscribers:
            started = now_ms()
            since = (last if last is not None else started) - OVERLAP_MS
            keys = {s.session_key for s in self._subscribers}
            try:
                read = partial(_read, since_ms=since, session_keys=keys)
                batch, live = await run_in_threadpool(self._engine().read, read)
                ended = keys - live  # (a page that opened during the read is checked by the next one)
                self.reads += 1
                last = started
            except Exception:  # the store is away for a moment: pages keep what they show and we try again
                log.warning("dashboard live feed: store read failed", exc_info=True)
                batch, ended = [], set()
            for subscription in list(self._subscribers):
                if subscription.session_key in ended:
                    subscription.signed_out = True
                queue = subscription.queue
                if queue.full():
                    queue.get_nowait()
                queue.put_nowait(batch)
            await asyncio.sleep(self.interval)
