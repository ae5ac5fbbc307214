"""The Store seam's contract, one suite run on SQLite and on PostgreSQL: every execution statement the engine
makes — submit, claim, claim by id, lease renewal, guarded finish, recovery, the Celery outbox, search, logs —
behaves the same on both. What an executor relies on is here; the executors' own suites build on it."""

from __future__ import annotations

import threading

import pytest

from sitejobs.engine import store
from sitejobs.engine.models import Outcome, now_ms
from sitejobs.engine.search import Compare, ExecutionSearch, Not, Order
from sitejobs.engine.service import JobEngine
from sitejobs.engine.states import State
from sitejobs.errors import JobAlreadyRunning
from sitejobs.jobs.builtin import default_registry
from sitejobs.settings import Settings
from tests.conftest import current


def test_claim_takes_the_oldest_pending_first_and_never_twice(engine: JobEngine, settings: Settings) -> None:
    ids = [engine.submit("noop").id for _ in range(40)]
    first = engine.claim("w1", 5)
    assert [e.id for e in first] == ids[:5]
    assert all(e.state is State.RUNNING and e.lease_owner == "w1" for e in first)

    others = [JobEngine.open(settings, default_registry()) for _ in range(3)]  # other nodes
    taken: list[int] = []
    lock = threading.Lock()

    def drain(node: JobEngine, worker: str) -> None:
        while claimed := node.claim(worker, 3):
            with lock:
                taken.extend(e.id for e in claimed)

    threads = [threading.Thread(target=drain, args=(n, f"w{i}")) for i, n in enumerate(others, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for node in others:
        node.close()
    assert sorted(taken) == ids[5:]  # each exactly once


def test_claim_by_id_is_a_no_op_unless_pending(engine: JobEngine) -> None:
    execution = engine.submit("noop")
    claimed = engine.claim_one("w1", execution.id)
    assert claimed is not None
    assert claimed.lease_owner == "w1"
    assert engine.claim_one("w2", execution.id) is None  # a duplicate message
    assert engine.claim_one("w2", execution.id + 1000) is None  # no such execution


def test_a_claim_by_id_for_some_jobs_leaves_the_others_pending(engine: JobEngine) -> None:
    execution = engine.submit("noop")
    assert engine.claim_one("w1", execution.id, ["hello-world"]) is None
    assert current(engine, execution.id).state is State.PENDING
    claimed = engine.claim_one("w1", execution.id, ["hello-world", "noop"])
    assert claimed is not None
    assert claimed.state is State.RUNNING


def test_only_the_lease_holder_renews_reports_and_finishes(engine: JobEngine) -> None:
    execution = engine.claim_one("w1", engine.submit("noop").id)
    assert execution is not None
    assert engine.heartbeat("w2", [execution.id], kind="test", pid=1, hostname="h") == set()
    assert engine.heartbeat("w1", [execution.id], kind="test", pid=1, hostname="h") == {execution.id}
    ok = Outcome(State.SUCCEEDED, "OK", "OK")
    assert engine.finish_future(execution, "w2", ok).result() is False  # a stale worker records nothing
    assert engine.get(execution.id).state is State.RUNNING  # type: ignore[union-attr]
    assert engine.finish_future(execution, "w1", ok).result() is True
    final = engine.get(execution.id)
    assert final is not None
    assert final.state is State.SUCCEEDED
    assert final.lease_owner is None
    assert engine.finish_future(execution, "w1", ok).result() is False  # never finished twice


@pytest.mark.postgres
def test_a_finish_with_its_lines_is_all_or_nothing_for_the_end_and_keeps_the_lines(engine: JobEngine) -> None:
    # What a Celery worker writes when a run ends: its end, its event and its last log lines in one statement.
    execution = engine.claim_one("w1", engine.submit("noop").id)
    assert execution is not None
    ok = store.Finish(execution.id, "w2", State.SUCCEEDED, "OK", "done", {"n": 1})
    at = now_ms()
    stale = [(execution.id, at, "INFO", "from a stale worker")]
    assert engine.writer.run(lambda c: store.finish_with_lines(c, ok, stale)) is False
    assert current(engine, execution.id).state is State.RUNNING  # the lease holder's run goes on

    mine = store.Finish(execution.id, "w1", State.SUCCEEDED, "OK", "done", {"n": 1})
    lines = [(execution.id, at + 1, "INFO", "second"), (execution.id, at + 2, "WARN", "third")]
    assert engine.writer.run(lambda c: store.finish_with_lines(c, mine, lines)) is True
    final = current(engine, execution.id)
    assert (final.state, final.exit_code, final.result, final.percent) == (
        State.SUCCEEDED,
        "OK",
        {"n": 1},
        100,
    )
    assert (final.lease_owner, final.lease_expires_at) == (None, None)
    assert [(e["from_state"], e["to_state"], e["worker"]) for e in engine.events(execution.id)][-1] == (
        "running",
        "succeeded",
        "w1",
    )
    assert [(line.level, line.message) for line in engine.log_lines(execution.id)] == [
        ("INFO", "from a stale worker"),
        ("INFO", "second"),
        ("WARN", "third"),
    ]
    assert engine.writer.run(lambda c: store.finish_with_lines(c, mine, [])) is False  # never twice


@pytest.mark.postgres
def test_a_runs_end_and_the_next_claim_in_one_statement_do_both_and_never_claim_the_run_ending(
    engine: JobEngine,
) -> None:
    # What a Celery worker writes when its next message arrives while its last run's end is still held.
    first = engine.claim_one("w1", engine.submit("noop").id)
    second = engine.submit("noop")
    assert first is not None
    end = store.Finish(first.id, "w1", State.SUCCEEDED, "OK", "done", None)
    lines = [(first.id, now_ms(), "INFO", "last line")]
    recorded, claimed = engine.writer.run(
        lambda c: store.finish_with_lines_and_claim(c, end, lines, engine.named_claim("w1", second.id))
    )
    assert recorded is True
    assert claimed is not None
    assert (claimed.id, claimed.state, claimed.lease_owner) == (second.id, State.RUNNING, "w1")
    assert current(engine, first.id).state is State.SUCCEEDED
    assert [line.message for line in engine.log_lines(first.id)] == ["last line"]
    assert [(e["from_state"], e["to_state"]) for e in engine.events(second.id)][-1] == ("pending", "running")

    # A duplicate message for the run being ended claims nothing, and the end is still recorded.
    third = engine.claim_one("w1", engine.submit("noop").id)
    assert third is not None
    end = store.Finish(third.id, "w1", State.SUCCEEDED, "OK", "done", None)
    recorded, claimed = engine.writer.run(
        lambda c: store.finish_with_lines_and_claim(c, end, [], engine.named_claim("w1", third.id))
    )
    assert (recorded, claimed) == (True, None)
    assert current(engine, third.id).state is State.SUCCEEDED
    assert [e["to_state"] for e in engine.events(third.id)] == ["pending", "running", "succeeded"]

    # A stale worker's end records nothing; its claim of a pending execution still stands.
    fourth = engine.submit("noop")
    end = store.Finish(second.id, "w2", State.SUCCEEDED, "OK", "done", None)
    recorded, claimed = engine.writer.run(
        lambda c: store.finish_with_lines_and_claim(c, end, [], engine.named_claim("w2", fourth.id))
    )
    assert recorded is False
    assert claimed is not None
    assert claimed.id == fourth.id
    assert current(engine, second.id).state is State.RUNNING


def test_an_expired_lease_is_requeued_as_a_restart_and_published_again(engine: JobEngine) -> None:
    execution = engine.submit("noop")
    assert engine.writer.run(lambda c: store.mark_for_dispatch(c, older_than=0, limit=10)) == [execution.id]
    assert engine.claim_one("w1", execution.id) is not None
    engine.writer.run(lambda c: store.expire_leases(c, worker="w1", ids=[execution.id]))
    assert engine.reap() == [(execution.id, "retried")]
    again = engine.get(execution.id)
    assert again is not None
    assert (again.state, again.is_restart, again.attempt, again.lease_owner) == (State.PENDING, True, 2, None)
    # the outbox publishes it again at once: the retry's message is not the lost one
    assert engine.writer.run(lambda c: store.mark_for_dispatch(c, older_than=0, limit=10)) == [execution.id]


def test_the_outbox_hands_each_row_to_one_publisher(engine: JobEngine, settings: Settings) -> None:
    ids = [engine.submit("noop").id for _ in range(30)]
    nodes = [JobEngine.open(settings, default_registry()) for _ in range(3)]
    picked: list[int] = []
    lock = threading.Lock()

    def publish(node: JobEngine) -> None:
        while batch := node.writer.run(lambda c: store.mark_for_dispatch(c, older_than=0, limit=4)):
            with lock:
                picked.extend(batch)

    threads = [threading.Thread(target=publish, args=(n,)) for n in nodes]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for node in nodes:
        node.close()
    assert sorted(picked) == ids
    assert engine.writer.run(lambda c: store.mark_for_dispatch(c, older_than=0, limit=100)) == []
    # published long ago and still pending: picked again; refused by the broker: unmarked, picked at once
    stale = engine.writer.run(lambda c: store.mark_for_dispatch(c, older_than=now_ms() + 1, limit=100))
    assert stale == ids
    engine.writer.run(lambda c: store.unmark_dispatch(c, ids[:3]))
    assert engine.writer.run(lambda c: store.mark_for_dispatch(c, older_than=0, limit=100)) == ids[:3]


def test_a_job_that_forbids_concurrency_has_one_active_execution(engine: JobEngine) -> None:
    first = engine.submit("sfcc-site-archive-import", request={"file_name": "a.zip"})
    with pytest.raises(JobAlreadyRunning):
        engine.submit("sfcc-site-archive-import", request={"file_name": "b.zip"})
    engine.abort(first.id)
    assert engine.submit("sfcc-site-archive-import", request={"file_name": "b.zip"}).state is State.PENDING


def test_search_is_two_valued_and_ordered_the_same_everywhere(engine: JobEngine) -> None:
    a = engine.submit("noop", client_id="x")
    b = engine.submit("noop")  # no client
    c = engine.submit("hello-world", client_id="y")
    everything = ExecutionSearch(Compare("id", "ge", (0,)), (), 0, 10)
    assert [e.id for e in engine.search(everything)[1]] == [c.id, b.id, a.id]  # newest first
    not_x = ExecutionSearch(Not(Compare("client_id", "eq", ("x",))), (Order("client_id"),), 0, 10)
    total, hits = engine.search(not_x)
    assert total == 2
    assert [e.id for e in hits] == [b.id, c.id]  # an absent client sorts first ascending
    assert engine.search(ExecutionSearch(Compare("job_id", "contains", ("HELLO",)), (), 0, 10))[0] == 1


def test_deleting_a_finished_execution_removes_its_events_and_log(engine: JobEngine) -> None:
    execution = engine.submit("noop")
    engine.log_line(execution, "a line")
    assert not engine.writer.run(lambda c: store.delete_finished(c, execution.id))  # still pending
    engine.abort(execution.id)
    engine.delete("noop", execution.id)
    assert engine.get(execution.id) is None
    assert engine.events(execution.id) == []
    assert engine.log_lines(execution.id) == []
