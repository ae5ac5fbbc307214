"""The status read cache never serves an answer the store has moved past: a write of this process is seen
by the next read, another process's within the recheck interval; PostgreSQL reads are never cached."""

from __future__ import annotations

import time

import orjson
import pytest

from sitejobs.api import read_cache
from sitejobs.api.read_cache import RECHECK_NS, ReadCache
from sitejobs.engine.service import JobEngine
from sitejobs.jobs.builtin import default_registry
from sitejobs.settings import Settings


def _state_via_cache(cache: ReadCache, engine: JobEngine, execution_id: int) -> str:
    def render() -> bytes:
        found = engine.get(execution_id)
        assert found is not None
        return orjson.dumps({"state": found.state.value})

    return str(orjson.loads(cache.get(("status", execution_id), render))["state"])


def test_a_write_of_this_process_is_seen_by_the_next_read(
    engine: JobEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # With the periodic recheck pushed out of the way, only the writer's commit count can tell.
    monkeypatch.setattr(read_cache, "RECHECK_NS", 3600 * 10**9)
    cache = ReadCache.of(engine)
    execution = engine.submit("hello-world", [("Seconds", "1")])
    assert _state_via_cache(cache, engine, execution.id) == "pending"
    engine.abort(execution.id)
    assert _state_via_cache(cache, engine, execution.id) == "aborted"


def test_another_process_write_is_seen_within_the_recheck_interval(settings: Settings, backend: str) -> None:
    reading = JobEngine.open(settings, default_registry(settings.jobs_module))
    writing = JobEngine.open(
        settings, default_registry(settings.jobs_module)
    )  # its own writer and connections, like a `sitejobs worker`
    cache = ReadCache.of(reading)
    try:
        execution = reading.submit("hello-world", [("Seconds", "1")])
        assert _state_via_cache(cache, reading, execution.id) == "pending"
        writing.abort(execution.id)
        time.sleep(RECHECK_NS / 1e9 * 2)
        assert _state_via_cache(cache, reading, execution.id) == "aborted"
        assert cache.enabled is (backend == "sqlite")
    finally:
        writing.close()
        reading.close()


def test_repeated_reads_of_an_unchanged_store_are_served_from_the_cache(
    engine: JobEngine, backend: str
) -> None:
    cache = ReadCache.of(engine)
    execution = engine.submit("hello-world", [("Seconds", "1")])
    renders = 0

    def render() -> bytes:
        nonlocal renders
        renders += 1
        return b"{}"

    for _ in range(50):
        cache.get(("doc", execution.id), render)
    assert renders == (1 if backend == "sqlite" else 50)


def test_an_unchanged_store_keeps_serving_from_the_cache_across_rechecks(
    engine: JobEngine, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(read_cache, "RECHECK_NS", 0)  # every read asks the database whether it changed
    cache = ReadCache.of(engine)
    renders = 0

    def render() -> bytes:
        nonlocal renders
        renders += 1
        return b"{}"

    for _ in range(20):
        cache.get("doc", render)
    assert renders == (1 if backend == "sqlite" else 20)
