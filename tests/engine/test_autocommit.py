"""A Celery worker's claims and finishes on PostgreSQL: on connections of the worker's own, which survive the
server dropping them, keep their plans as the table grows, and whose relaxed commits never leak into the pool's
connections."""

from __future__ import annotations

import pytest
from sqlalchemy import Connection, text

from sitejobs.engine.autocommit import OwnConnections
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


def test_a_key_lookup_planned_on_an_empty_table_stays_an_index_lookup_as_it_grows(engine: JobEngine) -> None:
    # A worker's sessions keep their plans (no planning a statement); one made while the table was empty must not
    # stay a scan of the whole table once it holds thousands of rows.
    own = OwnConnections(engine.db, relaxed=False)
    try:

        def plan_now(conn: Connection) -> None:
            conn.exec_driver_sql("PREPARE lookup(bigint) AS SELECT state FROM executions WHERE id = $1")
            for _ in range(6):  # PostgreSQL settles on a generic plan after five runs
                conn.exec_driver_sql("EXECUTE lookup(1)").all()

        own.run(plan_now)
        for _ in range(3):
            futures = [engine.submit_future("noop") for _ in range(500)]
            for future in futures:
                future.result()
        plan = own.run(lambda c: "\n".join(r[0] for r in c.exec_driver_sql("EXPLAIN EXECUTE lookup(1)")))
        assert "Index" in plan, plan
        assert "Seq Scan" not in plan, plan
    finally:
        own.close()


@pytest.mark.parametrize("relaxed", [False, True])
def test_a_workers_own_sessions_wait_for_the_disk_unless_relaxed(engine: JobEngine, relaxed: bool) -> None:
    own = OwnConnections(engine.db, relaxed=relaxed)
    try:
        setting = own.run(lambda c: c.exec_driver_sql("SHOW synchronous_commit").scalar_one())
        assert setting == ("off" if relaxed else "on")
    finally:
        own.close()
