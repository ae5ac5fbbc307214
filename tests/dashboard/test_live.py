"""The live feed's cost (one store read per interval, shared by every page) and the log reader."""

from __future__ import annotations

import asyncio

from sitejobs.dashboard.live import LiveFeed
from sitejobs.dashboard.logs import read_log
from sitejobs.engine.service import JobEngine


def test_one_read_feeds_every_open_page(engine: JobEngine) -> None:
    execution = engine.submit("hello-world")

    async def scenario() -> tuple[int, int, list[list[int]]]:
        feed = LiveFeed(lambda: engine, interval=0.05)
        pages = [feed.subscribe() for _ in range(25)]
        batches = [await page.get() for page in pages]
        for _ in range(3):
            for page in pages:
                await page.get()
        reads = feed.reads
        for page in pages:
            feed.unsubscribe(page)
        return reads, feed.listening, [[e.id for e in b] for b in batches]

    reads, listening, first = asyncio.run(scenario())
    assert first == [[execution.id]] * 25  # every page got the same new execution
    assert reads <= 5  # four rounds for 25 pages (one more may be under way): not 100
    assert listening == 0


def test_the_feed_stops_reading_when_the_last_page_closes(engine: JobEngine) -> None:
    async def scenario() -> tuple[int, int]:
        feed = LiveFeed(lambda: engine, interval=0.02)
        page = feed.subscribe()
        await page.get()
        feed.unsubscribe(page)
        await asyncio.sleep(0.1)
        settled = feed.reads
        await asyncio.sleep(0.1)
        return settled, feed.reads

    settled, later = asyncio.run(scenario())
    assert later == settled


def test_the_log_is_read_from_where_the_last_read_stopped(engine: JobEngine) -> None:
    execution = engine.submit("noop")
    assert read_log(engine, execution, 0) == ("", 0)  # no log yet
    engine.log_line(execution, "first line")
    text, offset = read_log(engine, execution, 0)
    assert text.endswith("INFO first line\n")
    assert text.count("\n") == 1
    engine.log_line(execution, "second line")
    engine.log_line(execution, "third line", "WARN")
    more, later = read_log(engine, execution, offset)
    assert more.splitlines()[0].endswith("INFO second line")
    assert more.splitlines()[1].endswith("WARN third line")
    assert later > offset
    assert read_log(engine, execution, later) == ("", later)
