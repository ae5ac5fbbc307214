"""A Celery worker's claims on PostgreSQL: on a connection of the worker's own, which survives the server
dropping it, and whose relaxed commits never leak into the pool's connections."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from sitejobs.engine.service import JobEngine
from sitejobs.engine.states import State

pytestmark = pytest.mark.postgres

_CLAIMERS = text(
    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() "
    "AND query LIKE 'WITH claimed AS%'"
)


def test_a_claim_after_the_server_dropped_the_connection_is_made_on_a_new_one(engine: JobEngine) -> None:
    first, second = engine.submit("noop"), engine.submit("noop")
    assert engine.claim_one("w1", first.id) is not None
    with engine.db.connect() as conn:
        pids = conn.execute(_CLAIMERS).scalars().all()
        assert pids, "the claim connection was not found"
        for pid in pids:  # as a restarted server or a dropped network link would
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    claimed = engine.claim_one("w1", second.id)
    assert claimed is not None
    assert claimed.state is State.RUNNING


def test_claims_do_not_relax_the_commits_of_other_work(engine: JobEngine) -> None:
    for _ in range(3):
        assert engine.claim_one("w1", engine.submit("noop").id) is not None
    with engine.db.connect() as conn:  # every pooled connection waits for the disk, as submissions must
        assert conn.execute(text("SHOW synchronous_commit")).scalar_one() == "on"
