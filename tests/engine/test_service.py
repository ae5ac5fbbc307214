"""The engine's contract, on SQLite and PostgreSQL: submit, validate, claim under lease, finish once,
control, and the reaper's recovery."""

from __future__ import annotations

import re
import time

import pytest
from sqlalchemy import update

from sitejobs.engine import store
from sitejobs.engine.models import Outcome, now_ms
from sitejobs.engine.schema import executions
from sitejobs.engine.service import WORKER_LOST, JobEngine
from sitejobs.engine.states import State
from sitejobs.errors import (
    InvalidParameter,
    InvalidStateTransition,
    JobAlreadyRunning,
    JobExecutionNotFinished,
    JobExecutionNotFound,
    JobNotFound,
    MissingParameter,
    UnknownProperty,
)


def test_submit_is_durable_and_echoes_parameters(engine: JobEngine) -> None:
    execution = engine.submit("hello-world", [("Seconds", "2")], client_id="c1")
    assert execution.state is State.PENDING
    stored = engine.get(execution.id)
    assert stored is not None
    assert stored.parameters == [{"name": "Seconds", "value": "2"}]
    assert stored.client_id == "c1"
    assert [e["to_state"] for e in engine.events(execution.id)] == ["pending"]


@pytest.mark.parametrize(
    ("params", "fault"),
    [
        ([("Nope", "1")], UnknownProperty),
        ([("Seconds", "three")], InvalidParameter),
        ([("Seconds", "-1")], InvalidParameter),
        ([("Fail", "maybe")], InvalidParameter),
        ([("Seconds", "1"), ("Seconds", "2")], InvalidParameter),
    ],
)
def test_bad_parameters_are_refused_before_anything_is_stored(
    engine: JobEngine, params: list[tuple[str, str]], fault: type[Exception]
) -> None:
    with pytest.raises(fault):
        engine.submit("hello-world", params)
    assert engine.count_by_state() == {}


def test_system_job_reads_its_document(engine: JobEngine) -> None:
    execution = engine.submit("sfcc-site-archive-import", request={"file_name": "site.zip"})
    assert execution.parameters == [
        {"name": "ImportMode", "value": "merge"},
        {"name": "ImportFile", "value": "site.zip"},
    ]
    with pytest.raises(MissingParameter):
        engine.submit("sfcc-site-archive-import", request={"mode": "merge"})
    with pytest.raises(UnknownProperty):
        engine.submit("sfcc-site-archive-import", request={"file_name": "a.zip", "colour": "red"})
    with pytest.raises(InvalidParameter):
        engine.submit("sfcc-site-archive-import", request={"file_name": "a.zip", "mode": "sideways"})
    with pytest.raises(InvalidParameter):
        engine.submit("sfcc-site-archive-import", request={"file_name": 7})


def test_unknown_job(engine: JobEngine) -> None:
    with pytest.raises(JobNotFound):
        engine.submit("no-such-job")


def test_a_singleton_job_runs_once_at_a_time(engine: JobEngine) -> None:
    first = engine.submit("sfcc-site-archive-import", request={"file_name": "a.zip"})
    with pytest.raises(JobAlreadyRunning):
        engine.submit("sfcc-site-archive-import", request={"file_name": "b.zip"})
    [claimed] = engine.claim("w1", 10)
    assert claimed.id == first.id
    with pytest.raises(JobAlreadyRunning):
        engine.submit("sfcc-site-archive-import", request={"file_name": "b.zip"})
    assert engine.finish_future(claimed, "w1", Outcome(State.FAILED, "X", "x")).result()
    assert engine.submit("sfcc-site-archive-import", request={"file_name": "b.zip"}).state is State.PENDING


def test_concurrent_submissions_share_commits_but_fail_alone(engine: JobEngine) -> None:
    futures = [engine.submit_future("hello-world", [("Seconds", "0")]) for _ in range(200)]
    singles = [
        engine.submit_future("sfcc-site-archive-import", request={"file_name": f"{i}.zip"}) for i in range(5)
    ]
    ids = [f.result().id for f in futures]
    assert len(set(ids)) == 200
    outcomes = [f.exception() for f in singles]
    assert sum(o is None for o in outcomes) == 1
    assert all(isinstance(o, JobAlreadyRunning) for o in outcomes if o is not None)
    assert engine.count_by_state()[State.PENDING] == 201


def test_claim_takes_oldest_first_and_only_once(engine: JobEngine) -> None:
    ids = [engine.submit("hello-world").id for _ in range(5)]
    first = engine.claim("w1", 3)
    second = engine.claim("w2", 10)
    assert [e.id for e in first] == ids[:3]
    assert [e.id for e in second] == ids[3:]
    assert all(e.state is State.RUNNING and e.lease_owner == "w1" for e in first)
    assert engine.claim("w3", 10) == []


def test_only_the_lease_holder_finishes_and_only_once(engine: JobEngine) -> None:
    engine.submit("hello-world")
    [execution] = engine.claim("w1", 1)
    ok = Outcome(State.SUCCEEDED, "OK", "done")
    assert engine.finish_future(execution, "intruder", ok).result() is False
    assert engine.finish_future(execution, "w1", ok).result() is True
    assert engine.finish_future(execution, "w1", Outcome(State.FAILED, "E", "again")).result() is False
    final = engine.get(execution.id)
    assert final is not None
    assert (final.state, final.exit_code, final.percent) == (State.SUCCEEDED, "OK", 100)
    assert [e["to_state"] for e in engine.events(execution.id)] == ["pending", "running", "succeeded"]


def _expire(engine: JobEngine, execution_id: int) -> None:
    engine.writer.run(
        lambda c: c.execute(
            update(executions).where(executions.c.id == execution_id).values(lease_expires_at=now_ms() - 1)
        )
    )


def test_reaper_retries_per_policy_as_a_restart(engine: JobEngine) -> None:
    execution = engine.submit("hello-world")
    engine.claim("dead-worker", 1)
    _expire(engine, execution.id)
    assert engine.reap() == [(execution.id, "retried")]
    again = engine.get(execution.id)
    assert again is not None
    assert (again.state, again.is_restart, again.attempt, again.lease_owner) == (State.PENDING, True, 2, None)
    # the dead worker cannot finish what it no longer owns
    assert (
        engine.finish_future(execution, "dead-worker", Outcome(State.SUCCEEDED, "OK", "")).result() is False
    )


def test_reaper_fails_after_the_last_attempt(engine: JobEngine) -> None:
    execution = engine.submit("hello-world")
    for _ in range(3):
        engine.claim("dead-worker", 1)
        _expire(engine, execution.id)
        engine.reap()
    final = engine.get(execution.id)
    assert final is not None
    assert final.state is State.FAILED
    assert final.exit_code == WORKER_LOST
    assert "stopped renewing its lease" in (final.exit_message or "")
    assert engine.log_text(final.id).count("ERROR") == 1


def test_reaper_fails_a_job_whose_policy_is_not_to_retry(engine: JobEngine) -> None:
    execution = engine.submit("sfcc-site-archive-import", request={"file_name": "a.zip"})
    engine.claim("dead-worker", 1)
    _expire(engine, execution.id)
    assert engine.reap() == [(execution.id, "failed")]
    final = engine.get(execution.id)
    assert final is not None
    assert final.state is State.FAILED
    assert final.exit_code == WORKER_LOST


def test_live_leases_are_left_alone(engine: JobEngine) -> None:
    engine.submit("hello-world")
    engine.claim("w1", 1)
    assert engine.reap() == []


def test_abort_pending_ends_it_at_once(engine: JobEngine) -> None:
    execution = engine.submit("hello-world")
    aborted = engine.abort(execution.id)
    assert aborted.state is State.ABORTED
    assert engine.claim("w1", 5) == []
    with pytest.raises(InvalidStateTransition):
        engine.pause(execution.id)


def test_abort_running_asks_the_job(engine: JobEngine) -> None:
    engine.submit("hello-world")
    [execution] = engine.claim("w1", 1)
    assert engine.abort(execution.id).state is State.ABORTING
    assert engine.report(execution.id, "w1", percent=10) is State.ABORTING


def test_delete_only_when_finished(engine: JobEngine) -> None:
    execution = engine.submit("hello-world")
    with pytest.raises(JobExecutionNotFinished):
        engine.delete("hello-world", execution.id)
    with pytest.raises(JobExecutionNotFound):
        engine.delete("sfcc-site-archive-import", execution.id)
    engine.abort(execution.id)
    engine.delete("hello-world", execution.id)
    assert engine.get(execution.id) is None


def test_restart_makes_a_new_execution_marked_restart(engine: JobEngine) -> None:
    execution = engine.submit("hello-world", [("Seconds", "1")])
    engine.abort(execution.id)
    again = engine.restart(execution.id)
    assert again.id != execution.id
    assert again.is_restart
    assert again.parameters == execution.parameters
    with pytest.raises(InvalidStateTransition):
        engine.restart(again.id)


def test_heartbeat_renews_only_held_leases(engine: JobEngine) -> None:
    engine.submit("hello-world")
    engine.submit("hello-world")
    a, b = engine.claim("w1", 2)
    held = engine.heartbeat("w1", [a.id, b.id, 999], kind="test", pid=1, hostname="h")
    assert held == {a.id, b.id}
    assert engine.heartbeat("w2", [a.id], kind="test", pid=2, hostname="h") == set()
    assert {w["id"] for w in engine.live_workers()} == {"w1", "w2"}


def test_list_filters(engine: JobEngine) -> None:
    engine.submit("hello-world")
    engine.submit("sfcc-site-archive-import", request={"file_name": "a.zip"})
    rows = engine.read(lambda c: store.list_executions(c, job_id="hello-world"))
    assert [r.job_id for r in rows] == ["hello-world"]
    rows = engine.read(lambda c: store.list_executions(c, states=[State.RUNNING]))
    assert rows == []


def test_times_are_recorded(engine: JobEngine) -> None:
    before = now_ms()
    execution = engine.submit("hello-world")
    [claimed] = engine.claim("w1", 1)
    time.sleep(0.01)
    engine.finish_future(claimed, "w1", Outcome(State.SUCCEEDED, "OK", "")).result()
    final = engine.get(execution.id)
    assert final is not None
    assert final.start_time is not None
    assert final.end_time is not None
    assert before <= final.created_at <= final.start_time < final.end_time
    assert final.duration_ms == final.end_time - final.start_time


def test_log_file_names_follow_the_commerce_pattern_and_differ_within_a_second(engine: JobEngine) -> None:
    from sitejobs.engine.service import log_file_name

    names = [log_file_name(engine.submit("noop")) for _ in range(20)]
    for name in names:
        assert re.fullmatch(r"Job-noop-\d{17}\.log", name), name
    assert len(set(names)) == len(names)
