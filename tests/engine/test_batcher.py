"""The group-commit writer, on SQLite and PostgreSQL: which commits may skip waiting for the disk."""

from __future__ import annotations

import threading
from collections.abc import Sequence

from sqlalchemy import Connection

from sitejobs.engine import joblog, store
from sitejobs.engine.batcher import WriteBatcher
from sitejobs.engine.service import RELAXED_WRITES, JobEngine
from sitejobs.settings import Settings


def _synced(conn: Connection) -> bool:
    """Whether this transaction's commit waits for the disk."""
    if conn.dialect.name == "postgresql":
        return bool(conn.exec_driver_sql("SHOW synchronous_commit").scalar_one() != "off")
    return int(conn.exec_driver_sql("PRAGMA synchronous").scalar_one()) >= 2  # FULL or EXTRA


def redoable(conn: Connection, payloads: Sequence[None]) -> list[bool]:
    return [_synced(conn)] * len(payloads)


def acknowledged(conn: Connection, payloads: Sequence[None]) -> list[bool]:
    return [_synced(conn)] * len(payloads)


def test_only_a_batch_of_redoable_writes_skips_the_disk_wait(engine: JobEngine) -> None:
    writer = WriteBatcher(engine.db, name="test-writer", relaxed=frozenset({redoable}))
    try:
        assert writer.submit_bulk(redoable, None).result() is False
        assert writer.submit_bulk(acknowledged, None).result() is True
        # Hold the writer so that the next two share one batch: the acknowledged write makes it durable.
        release = threading.Event()
        held = writer.submit(lambda _conn: release.wait(10))
        mixed = [writer.submit_bulk(redoable, None), writer.submit_bulk(acknowledged, None)]
        release.set()
        held.result()
        assert [f.result() for f in mixed] == [True, True]
        assert writer.submit_bulk(redoable, None).result() is False  # and the next relaxed batch is again
    finally:
        writer.close()


def test_every_write_is_durable_unless_a_setting_relaxes_the_workers_and_never_submissions(
    engine: JobEngine, settings: Settings
) -> None:
    assert engine.writer.relaxed == frozenset()
    assert store.insert_executions not in RELAXED_WRITES
    assert {store.finish_and_claim, store.claim_named, joblog.insert_lines} <= RELAXED_WRITES
    settings.durable_worker_writes = False
    relaxed = JobEngine(settings, engine.registry)
    try:
        assert relaxed.writer.relaxed == RELAXED_WRITES
    finally:
        relaxed.close()
