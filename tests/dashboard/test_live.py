"""The live feed's cost (one store read per interval, shared by every page), its check that each page's
session is still signed in, and the log reader."""

from __future__ import annotations

import asyncio
from functools import partial

from sitejobs.auth.users import UserStore
from sitejobs.dashboard import session_store
from sitejobs.dashboard.live import LiveFeed
from sitejobs.dashboard.logs import read_log
from sitejobs.dashboard.session import Session
from sitejobs.engine.models import now_ms
from sitejobs.engine.service import JobEngine

WAIT = 10.0  # seconds a page waits for a batch at most (a batch comes every interval)


def signed_in_session(engine: JobEngine, name: str = "alice") -> str:
    """The key of a new signed-in session of `name` (added as a user if need be)."""
    users = UserStore(engine.db)
    if users.get(name) is None:
        users.add(name, f"{name}-password")
    session = Session.new(name)
    engine.writer.run(partial(session_store.open_session, session=session, now_ms=now_ms()))
    assert session.key is not None
    return session.key


def test_one_read_feeds_every_open_page(engine: JobEngine) -> None:
    key = signed_in_session(engine)
    execution = engine.submit("hello-world")

    async def scenario() -> tuple[int, int, list[list[int]], bool]:
        feed = LiveFeed(lambda: engine, interval=0.05)
        pages = [feed.subscribe(key) for _ in range(25)]
        batches = [await page.next(WAIT) for page in pages]
        for _ in range(3):
            for page in pages:
                await page.next(WAIT)
        reads = feed.reads
        for page in pages:
            feed.unsubscribe(page)
        return reads, feed.listening, [[e.id for e in b] for b in batches], any(p.signed_out for p in pages)

    reads, listening, first, signed_out = asyncio.run(scenario())
    assert first == [[execution.id]] * 25  # every page got the same new execution
    assert reads <= 5  # four rounds for 25 pages (one more may be under way): not 100
    assert listening == 0
    assert not signed_out


def test_the_read_that_feeds_the_pages_tells_a_signed_out_sessions_pages_to_stop(engine: JobEngine) -> None:
    staying, leaving = signed_in_session(engine, "alice"), signed_in_session(engine, "bob")

    async def rounds_after(feed: LiveFeed, reads: int) -> None:
        """Until the feed has finished reading `reads` more times."""
        target = feed.reads + reads
        for _ in range(int(WAIT / 0.01)):
            if feed.reads >= target:
                return
            await asyncio.sleep(0.01)
        raise AssertionError("the feed stopped reading")

    async def scenario() -> tuple[list[bool], list[bool], int]:
        feed = LiveFeed(lambda: engine, interval=0.05)
        pages = [feed.subscribe(staying), feed.subscribe(leaving), feed.subscribe(leaving)]
        await rounds_after(feed, 1)
        before = [p.signed_out for p in pages]
        await asyncio.to_thread(engine.writer.run, partial(session_store.close_session, key=leaving))
        # the read under way may have begun before the sign-out; the one after it began after
        await rounds_after(feed, 2)
        after = [p.signed_out for p in pages]
        for page in pages:
            feed.unsubscribe(page)
        return before, after, feed.listening

    before, after, listening = asyncio.run(scenario())
    assert before == [False, False, False]
    assert after == [False, True, True]
    assert listening == 0


def test_the_feed_stops_reading_when_the_last_page_closes(engine: JobEngine) -> None:
    async def scenario() -> tuple[int, int]:
        feed = LiveFeed(lambda: engine, interval=0.02)
        page = feed.subscribe(signed_in_session(engine))
        await page.next(WAIT)
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
