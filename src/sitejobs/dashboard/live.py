"""The live feed: ONE store read a second, shared by every open page, whatever the number of pages or jobs.

A poller task reads the executions changed in the last seconds and hands the same list to every subscriber;
each page's stream keeps what it already sent and forwards only differences. The task runs while someone
listens and stops when the last page closes. Reads overlap by `OVERLAP_MS`, so a write committed a little after
the time it was stamped with is still seen.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from functools import partial

from starlette.concurrency import run_in_threadpool

from sitejobs.engine import listing
from sitejobs.engine.models import Execution, now_ms
from sitejobs.engine.service import JobEngine

log = logging.getLogger(__name__)

INTERVAL_SECONDS = 1.0
OVERLAP_MS = 3000
#: Batches a slow page may fall behind by before the oldest is dropped (its next batch repeats the rows).
BACKLOG = 10

Batch = list[Execution]


class LiveFeed:
    def __init__(self, engine: Callable[[], JobEngine], interval: float = INTERVAL_SECONDS) -> None:
        self._engine = engine
        self.interval = interval
        self._subscribers: set[asyncio.Queue[Batch]] = set()
        self._task: asyncio.Task[None] | None = None
        #: Store reads made so far (the figure the one-read-a-second promise is about).
        self.reads = 0

    def subscribe(self) -> asyncio.Queue[Batch]:
        queue: asyncio.Queue[Batch] = asyncio.Queue(BACKLOG)
        self._subscribers.add(queue)
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run(), name="sitejobs-dashboard-live")
        return queue

    def unsubscribe(self, queue: asyncio.Queue[Batch]) -> None:
        self._subscribers.discard(queue)

    @property
    def listening(self) -> int:
        return len(self._subscribers)

    async def _run(self) -> None:
        last: int | None = None
        while self._subscribers:
            started = now_ms()
            since = (last if last is not None else started) - OVERLAP_MS
            try:
                engine = self._engine()
                batch = await run_in_threadpool(engine.read, partial(listing.changed_since, since_ms=since))
                self.reads += 1
                last = started
            except Exception:  # the store is away for a moment: pages keep what they show and we try again
                log.warning("dashboard live feed: store read failed", exc_info=True)
                batch = []
            for queue in list(self._subscribers):
                if queue.full():
                    queue.get_nowait()
                queue.put_nowait(batch)
            await asyncio.sleep(self.interval)
