"""Each executor — in-process pools on SQLite and PostgreSQL, Celery workers on Redis and on RabbitMQ — runs jobs
with the same semantics: runs, progress, steps and logs; abort, pause and resume; CPU-bound jobs in other
processes; prompt start on submit; unexpected errors."""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import pytest

from sitejobs.engine.local import LocalExecutor
from sitejobs.engine.models import Execution
from sitejobs.engine.service import JobEngine
from sitejobs.engine.states import OCAPI, State
from sitejobs.jobs.builtin import default_registry
from tests.conftest import current, until, wait_for
from tests.engine.celery_cluster import BROKERS, CeleryCluster
from tests.engine.conftest import SAMPLE
from tests.timing import TIME_SCALE


@pytest.fixture
def start_executor(jobs_engine: JobEngine, executor_kind: str) -> Iterator[Callable[..., None]]:
    """Starts the test's executor on its engine (after applying settings overrides); stopped at teardown. For
    Celery: this process dispatches, as an API node does, and a `sitejobs worker` process runs the jobs."""
    started: list[LocalExecutor | CeleryCluster] = []

    def start(**overrides: Any) -> None:
        for name, value in overrides.items():
            setattr(jobs_engine.settings, name, value)
        if executor_kind == "local":
            executor = LocalExecutor(
                jobs_engine, kind="test", registry_loader=functools.partial(default_registry, SAMPLE)
            )
            executor.start()
            started.append(executor)
        else:
            started.append(CeleryCluster(jobs_engine, BROKERS[executor_kind], kind=executor_kind).start())

    yield start
    for executor in started:
        if isinstance(executor, LocalExecutor):
            executor.stop(grace_seconds=1)
        else:
            executor.stop()


def finished(engine: JobEngine, execution_id: int, timeout: float) -> Execution:
    return until(
        engine,
        execution_id,
        lambda e: e.is_terminal,
        timeout,
        f"execution {execution_id} to end",
    )


def mid_run(engine: JobEngine, execution_id: int) -> Execution:
    """Wait until the execution runs and has reported progress at least once."""
    return until(
        engine,
        execution_id,
        lambda e: e.state is State.RUNNING and (e.percent or 0) > 0,
        10,
        f"execution {execution_id} to be running",
    )


def log_containing(engine: JobEngine, execution: Execution, *needles: str, timeout: float = 2.0) -> str:
    """The execution's log once it holds every needle."""

    def probe() -> str | None:
        text = engine.log_text(execution.id)
        return text if all(n in text for n in needles) else None

    try:
        return wait_for(probe, timeout, f"{needles} in the log of {execution.id}")
    except AssertionError:
        raise AssertionError(f"{needles} not all in:\n{engine.log_text(execution.id)}") from None


def run_interval(engine: JobEngine, execution: Execution) -> tuple[datetime, datetime]:
    """When a run began and ended, from the stamps of its `started` and `finished` log lines."""
    stamps: dict[str, datetime] = {}
    for line in engine.log_text(execution.id).splitlines():
        for mark in ("started", "finished"):
            if line.endswith(f" {mark}"):
                stamps[mark] = datetime.strptime(line[1 : line.index(" GMT]")], "%Y-%m-%d %H:%M:%S.%f")
    return stamps["started"], stamps["finished"]


def states_of(engine: JobEngine, execution_id: int) -> list[str]:
    return [str(e["to_state"]) for e in engine.events(execution_id)]


def test_hello_world_runs_to_ok_reporting_progress_steps_and_log(
    jobs_engine: JobEngine, start_executor: Callable[..., None]
) -> None:
    start_executor()
    submitted = jobs_engine.submit("hello-world", [("Seconds", "2")])
    seen: list[tuple[int | None, str | None]] = []

    def probe() -> Execution | None:
        e = current(jobs_engine, submitted.id)
        if e.state is State.RUNNING and (not seen or seen[-1] != (e.percent, e.message)):
            seen.append((e.percent, e.message))
        return e if e.is_terminal else None

    final = wait_for(probe, 10, "hello-world to end")
    assert final.state is State.SUCCEEDED, (final.exit_code, final.exit_message)
    assert final.exit_code == "OK"
    assert final.percent == 100
    assert final.result == {"greeting": "Hello after 2 s"}
    # Progress moved while it ran: several distinct reports, percent never going back.
    assert len(seen) >= 2, seen
    assert any(message == "1 of 2 s" for _, message in seen), seen
    percents = [p for p, _ in seen if p is not None]
    assert percents == sorted(percents)
    assert any(0 < p < 100 for p in percents), seen

    assert final.steps is not None
    assert len(final.steps) == 1
    step = final.steps[0]
    assert step["step_id"] == "sleep"
    assert step["step_type_id"] == "hello-world.sleep"
    assert step["state"] == State.SUCCEEDED.value
    assert step["exit_code"] == "OK"
    assert step["start_time"] <= step["end_time"]
    assert states_of(jobs_engine, submitted.id) == ["pending", "running", "succeeded"]

    text = log_containing(
        jobs_engine,
        final,
        f"Job hello-world execution {final.id} started",
        "Hello, world: working for 2 s",
        "1 of 2 s done",
        "2 of 2 s done",
        f"Job hello-world execution {final.id} finished",
    )
    lines = text.splitlines()
    assert all(line.startswith("[") and " GMT] " in line for line in lines), lines
    assert lines.index(next(ln for ln in lines if "1 of 2 s done" in ln)) < lines.index(
        next(ln for ln in lines if "2 of 2 s done" in ln)
    )


def test_abort_of_a_running_job_ends_it_promptly(
    jobs_engine: JobEngine, start_executor: Callable[..., None]
) -> None:
    start_executor()
    submitted = jobs_engine.submit("sleepy", [("Seconds", "30")])
    mid_run(jobs_engine, submitted.id)
    asked = time.monotonic()
    assert jobs_engine.abort(submitted.id).state is State.ABORTING
    final = finished(jobs_engine, submitted.id, 2)
    assert time.monotonic() - asked < 1.5 * TIME_SCALE
    assert final.state is State.ABORTED
    assert final.exit_code == "ABORTED"
    assert final.lease_owner is None
    assert states_of(jobs_engine, submitted.id) == ["pending", "running", "aborting", "aborted"]
    log_containing(jobs_engine, final, "Aborted on request")


def test_pause_stops_progress_until_resume(
    jobs_engine: JobEngine, start_executor: Callable[..., None]
) -> None:
    start_executor()
    submitted = jobs_engine.submit("sleepy", [("Seconds", "2")])
    mid_run(jobs_engine, submitted.id)
    assert jobs_engine.pause(submitted.id).state is State.PAUSING
    paused = until(jobs_engine, submitted.id, lambda e: e.state is State.PAUSED, 2, "the job to pause")
    assert paused.percent is not None
    assert paused.percent < 100
    time.sleep(0.8)  # eight of sleepy's steps: it would have moved on by now were it running
    still = current(jobs_engine, submitted.id)
    assert still.state is State.PAUSED
    assert (still.percent, still.message) == (paused.percent, paused.message)

    assert jobs_engine.resume(submitted.id).state is State.RESUMING
    wait_for(
        lambda: (current(jobs_engine, submitted.id).percent or 0) > (paused.percent or 0),
        2,
        "progress to move on",
    )
    final = finished(jobs_engine, submitted.id, 5)
    assert final.state is State.SUCCEEDED, (final.exit_code, final.exit_message)
    assert states_of(jobs_engine, submitted.id) == [
        "pending",
        "running",
        "pausing",
        "paused",
        "resuming",
        "running",
        "succeeded",
    ]


def test_cpu_bound_jobs_run_in_other_processes_in_parallel(
    jobs_engine: JobEngine, start_executor: Callable[..., None]
) -> None:
    start_executor()
    first = jobs_engine.submit("crunch", [("Rounds", "400000")])
    second = jobs_engine.submit("crunch", [("Rounds", "400000")])
    ends = [finished(jobs_engine, e.id, 60) for e in (first, second)]
    for end in ends:
        assert end.state is State.SUCCEEDED, (end.exit_code, end.exit_message)
        assert end.result is not None
        assert end.result["pid"] != os.getpid()
        log_containing(jobs_engine, end, "crunched 400000 rounds")
    a, b = ends
    assert a.result is not None
    assert b.result is not None
    assert a.result["digest"] == b.result["digest"]
    # Side by side: two pool processes, or (were one process to take both) runs overlapping in time. The runs'
    # own log lines time them; the executions' start times are only when they were claimed.
    (a_from, a_to), (b_from, b_to) = (run_interval(jobs_engine, e) for e in ends)
    overlapped = a_from < b_to and b_from < a_to
    assert a.result["pid"] != b.result["pid"] or overlapped, (a.result, b.result)


def test_submit_wakes_the_executor_without_waiting_for_the_poll(
    jobs_engine: JobEngine, start_executor: Callable[..., None]
) -> None:
    # A long poll, and a reaper (which also wakes the dispatcher) that runs once at start and then not again.
    start_executor(poll_seconds=5.0, reap_seconds=60.0)
    # Its workers take jobs (a Celery worker's consumer may still be connecting to the broker once its processes
    # are up; on a busy machine, for longer than the deadline below).
    assert finished(jobs_engine, jobs_engine.submit("noop").id, 30).state is State.SUCCEEDED
    time.sleep(1.5)  # past the first reap and the warm-up's wake: the dispatcher is now in a 5 s wait
    for _ in range(2):
        submitted = jobs_engine.submit("noop")
        asked = time.monotonic()
        until(jobs_engine, submitted.id, lambda e: e.state is not State.PENDING, 1, "the job to be claimed")
        assert time.monotonic() - asked < 1 * TIME_SCALE
        final = finished(jobs_engine, submitted.id, 2)
        assert final.state is State.SUCCEEDED
        assert final.start_time is not None
        assert final.start_time - final.created_at < 1000


def test_unexpected_exception_ends_error_with_the_traceback_in_the_log_only(
    jobs_engine: JobEngine, start_executor: Callable[..., None]
) -> None:
    start_executor()
    submitted = jobs_engine.submit("explode")
    final = finished(jobs_engine, submitted.id, 5)
    assert final.state is State.FAILED
    assert OCAPI[final.state].status == "ERROR"
    assert final.exit_code == "ERROR"
    assert final.exit_message == "ValueError: boom: the disk is on fire"
    assert "Traceback" not in final.exit_message
    assert "\n" not in final.exit_message
    text = log_containing(
        jobs_engine,
        final,
        "about to fail",
        "Traceback (most recent call last)",
        'raise ValueError("boom: the disk is on fire")',
        "ValueError: boom: the disk is on fire",
    )
    assert "ERROR Failed with an unexpected error" in text
    assert states_of(jobs_engine, submitted.id) == ["pending", "running", "failed"]


def test_a_local_worker_claims_only_the_jobs_its_registry_defines(jobs_engine: JobEngine) -> None:
    """One database, two registries: a worker without the sample jobs module must leave `explode` pending for
    a worker that has it, both when it claims for an idle slot and when it finishes a run and claims the next."""
    builtin_only = JobEngine(jobs_engine.settings, default_registry(None))
    assert "explode" not in builtin_only.registry
    worker = LocalExecutor(builtin_only, slots=1, kind="test")
    try:
        first = builtin_only.submit("noop")
        foreign = jobs_engine.submit(
            "explode"
        )  # older than the next noop: picked first were claims not filtered
        worker.start()
        # The idle slot claims `first`; finishing it claims again in the same commit, and must skip `foreign`.
        assert finished(builtin_only, first.id, 10).state is State.SUCCEEDED
        assert current(jobs_engine, foreign.id).state is State.PENDING
        # The slot is idle again: a submission wakes the dispatcher, whose claim must skip `foreign` too.
        second = builtin_only.submit("noop")
        assert finished(builtin_only, second.id, 10).state is State.SUCCEEDED
        assert current(jobs_engine, foreign.id).state is State.PENDING
    finally:
        worker.stop(grace_seconds=1)
        builtin_only.close()
