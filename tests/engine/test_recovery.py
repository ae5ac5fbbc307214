"""Durability, on SQLite and PostgreSQL, with real processes: a worker killed with SIGKILL mid-job, the server
killed with SIGKILL while clients submit, and the server stopped with SIGTERM while a job runs.

Each test starts `python -m sitejobs …` subprocesses through `ServerProcess` (registered with the `servers`
fixture, which kills whatever is left at teardown) and watches the store through an in-test engine."""

from __future__ import annotations

import signal
import socket
import threading
import time
from collections.abc import Callable, Iterator
from functools import partial

import httpx
import pytest

from sitejobs.engine.local import LocalExecutor
from sitejobs.engine.models import Execution, now_ms
from sitejobs.engine.service import WORKER_LOST, JobEngine
from sitejobs.engine.states import TERMINAL, State
from sitejobs.settings import Settings
from tests.conftest import ServerProcess, add_client, current, token_for, until, wait_for
from tests.timing import TIME_SCALE

#: How long the executions that must still be running when their process is killed are set to run. A job that
#: is recovered by retrying runs again from the start, so the retry case uses a shorter one (it is killed well
#: before the end all the same: the test checks it is still RUNNING, part-way, when its worker dies).
LONG_SECONDS = "30"
RETRIED_SECONDS = "4"
#: Slack on top of the lease for the reaper to notice an expired lease (it runs every reap_seconds).
RECOVERY_MARGIN = 2.5
#: `LocalExecutor.stop`'s default grace for running jobs, which the server's lifespan uses.
EXECUTOR_GRACE = 5.0
OCAPI_EXECUTIONS = "/s/-/dw/data/v23_2/jobs/{job}/executions"


def worker_prefix(proc_pid: int) -> str:
    """Worker ids are `host:pid:nonce`; this is the part that names a process."""
    return f"{socket.gethostname()}:{proc_pid}:"


def alive(server: ServerProcess) -> bool:
    """True while `server` runs; an assertion error with its log once it has exited (we did not stop it)."""
    assert server.proc is not None
    if server.proc.poll() is not None:
        raise AssertionError(f"process exited early ({server.proc.returncode}): {server.log_text()}")
    return True


def running_under(engine: JobEngine, execution_id: int, server: ServerProcess) -> Execution | None:
    """The execution once it runs under `server`'s worker and has reported progress (it is really mid-job)."""
    assert server.proc is not None
    alive(server)
    execution = current(engine, execution_id)
    if (
        execution.state is State.RUNNING
        and (execution.lease_owner or "").startswith(worker_prefix(server.proc.pid))
        and (execution.percent or 0) > 0
    ):
        return execution
    return None


def terminal_events(engine: JobEngine, execution_id: int) -> list[dict[str, object]]:
    return [e for e in engine.events(execution_id) if State(str(e["to_state"])) in TERMINAL]


@pytest.fixture
def recovering_executor(jobs_engine: JobEngine) -> Iterator[Callable[[], LocalExecutor]]:
    """Starts, on demand, an in-test executor playing the second worker; stopped at teardown."""
    started: list[LocalExecutor] = []

    def start() -> LocalExecutor:
        executor = LocalExecutor(jobs_engine, kind="test")
        executor.start()
        started.append(executor)
        return executor

    yield start
    for executor in started:
        executor.stop(grace_seconds=0.5)


# ---- 1. kill -9 of a worker mid-job ---------------------------------------------------------------------------


def _kill_worker_mid_job(
    jobs_engine: JobEngine, settings: Settings, servers: list[ServerProcess], job_id: str, seconds: str
) -> tuple[Execution, float]:
    """Run `job_id` in a `sitejobs worker` subprocess, SIGKILL it part-way; returns (the run, kill time)."""
    worker = ServerProcess(settings, "worker")
    servers.append(worker)
    submitted = jobs_engine.submit(job_id, [("Seconds", seconds)])
    worker.start(wait_ready=False)
    first = wait_for(
        lambda: running_under(jobs_engine, submitted.id, worker), 30, f"{job_id} running in the worker"
    )
    assert worker.proc is not None
    worker.proc.kill()
    worker.proc.wait(10)
    killed_at = time.monotonic()
    at_kill = current(jobs_engine, submitted.id)
    assert at_kill.state is State.RUNNING, "the job must still be running when its worker dies"
    assert at_kill.lease_owner == first.lease_owner
    assert (at_kill.percent or 0) < 100
    return first, killed_at


def test_killed_worker_retry_policy_runs_again_as_a_restart(
    jobs_engine: JobEngine,
    settings: Settings,
    servers: list[ServerProcess],
    recovering_executor: Callable[[], LocalExecutor],
) -> None:
    first, killed_at = _kill_worker_mid_job(jobs_engine, settings, servers, "sleepy", RETRIED_SECONDS)
    dead = first.lease_owner
    assert first.attempt == 1
    assert not first.is_restart
    second = recovering_executor()

    def recovered() -> Execution | None:
        e = current(jobs_engine, first.id)
        return e if e.attempt >= 2 or e.state is not State.RUNNING else None

    wait_for(
        recovered, settings.lease_seconds + RECOVERY_MARGIN, "the lease to expire and the run to be requeued"
    )
    assert time.monotonic() - killed_at <= settings.lease_seconds + RECOVERY_MARGIN * TIME_SCALE

    rerun = until(
        jobs_engine,
        first.id,
        lambda e: e.state is State.RUNNING and e.attempt == 2,
        10,
        "the second attempt to run",
    )
    assert rerun.is_restart
    assert rerun.lease_owner == second.worker_id

    final = until(
        jobs_engine,
        first.id,
        lambda e: e.is_terminal,
        float(RETRIED_SECONDS) + 10,
        "the second attempt to finish",
    )
    assert final.state is State.SUCCEEDED, (final.exit_code, final.exit_message)
    assert final.exit_code == "OK"
    assert final.attempt == 2
    assert final.is_restart

    events = jobs_engine.events(first.id)
    assert [(e["from_state"], e["to_state"]) for e in events] == [
        (None, "pending"),
        ("pending", "running"),
        ("running", "pending"),
        ("pending", "running"),
        ("running", "succeeded"),
    ]
    assert [e["worker"] for e in events if e["to_state"] == "running"] == [dead, second.worker_id]
    assert events[2]["note"] == "lease expired: retry"
    assert len(terminal_events(jobs_engine, first.id)) == 1

    log_text = jobs_engine.log_text(final.id)
    assert f"worker {dead} lost" in log_text
    assert "(restart, attempt 2)" in log_text


def test_killed_worker_fail_policy_ends_worker_lost(
    jobs_engine: JobEngine,
    settings: Settings,
    servers: list[ServerProcess],
    recovering_executor: Callable[[], LocalExecutor],
) -> None:
    first, killed_at = _kill_worker_mid_job(jobs_engine, settings, servers, "sleepy-once", LONG_SECONDS)
    dead = first.lease_owner
    assert dead is not None
    recovering_executor()

    final = until(
        jobs_engine,
        first.id,
        lambda e: e.state is not State.RUNNING,
        settings.lease_seconds + RECOVERY_MARGIN,
        "the lease to expire and the run to be failed",
    )
    assert time.monotonic() - killed_at <= settings.lease_seconds + RECOVERY_MARGIN * TIME_SCALE
    assert final.state is State.FAILED
    assert final.exit_code == WORKER_LOST
    assert final.exit_message is not None
    assert "lease" in final.exit_message
    assert dead in final.exit_message
    assert "not to retry" in final.exit_message
    assert final.attempt == 1
    assert final.end_time is not None
    assert final.lease_owner is None

    # It stays failed: nobody picks it up again, and it ended exactly once.
    time.sleep(settings.reap_seconds * 2)
    assert current(jobs_engine, first.id).state is State.FAILED
    events = jobs_engine.events(first.id)
    assert [e["to_state"] for e in events] == ["pending", "running", "failed"]
    assert len(terminal_events(jobs_engine, first.id)) == 1
    assert "stopped renewing its lease" in jobs_engine.log_text(final.id)


# ---- 2. kill -9 of the server while clients submit ------------------------------------------------------------


def test_killed_server_loses_no_acknowledged_submission(
    engine: JobEngine, settings: Settings, servers: list[ServerProcess]
) -> None:
    add_client(settings)
    server = ServerProcess(settings)
    servers.append(server)
    server.start()
    with httpx.Client(base_url=server.url, timeout=10) as client:
        token = token_for(client)
    headers = {"Authorization": f"Bearer {token}"}
    path = OCAPI_EXECUTIONS.format(job="noop")

    acked: list[str] = []
    refused: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def submitter() -> None:
        with httpx.Client(base_url=server.url, headers=headers, timeout=5) as client:
            while not stop.is_set():
                try:
                    response = client.post(path, json={"parameters": []})
                except httpx.HTTPError:  # the server is gone: keep trying, as a client would
                    time.sleep(0.01)
                    continue
                with lock:
                    if response.status_code == 202:
                        acked.append(response.json()["id"])
                    else:
                        refused.append(f"{response.status_code} {response.text}")

    threads = [threading.Thread(target=submitter, name=f"submitter-{i}") for i in range(6)]
    for thread in threads:
        thread.start()
    try:
        assert server.proc is not None
        wait_for(lambda: alive(server) and len(acked) >= 150, 30, "submissions to be acknowledged")
        server.proc.kill()  # SIGKILL, mid-stream
        server.proc.wait(10)
        time.sleep(0.2)  # clients keep hammering the dead port for a moment
    finally:
        stop.set()
        for thread in threads:
            thread.join(15)
    assert not any(t.is_alive() for t in threads)
    assert not refused, refused[:5]
    with lock:
        ids = list(acked)
    assert len(set(ids)) == len(ids), "an id was acknowledged twice"

    restarted = ServerProcess(settings, port=server.port)
    servers.append(restarted)
    restarted.start()
    with httpx.Client(base_url=restarted.url, headers=headers, timeout=10) as client:
        missing = [i for i in ids if client.get(f"{path}/{i}").status_code != 200]
    assert not missing, f"{len(missing)} of {len(ids)} acknowledged executions are lost: {missing[:10]}"

    # And none is stuck: those the dead server had claimed are recovered and run again.
    def all_finished() -> bool:
        return all(current(engine, int(i)).is_terminal for i in ids)

    wait_for(all_finished, settings.lease_seconds + RECOVERY_MARGIN + 10, "every execution to finish", 0.2)
    for i in ids:
        execution = current(engine, int(i))
        assert execution.state is State.SUCCEEDED, (i, execution.state, execution.exit_message)
        assert len(terminal_events(engine, int(i))) == 1


# ---- 3. SIGTERM of the server while a long job runs -----------------------------------------------------------


def test_graceful_shutdown_releases_running_jobs_for_recovery(
    jobs_engine: JobEngine, settings: Settings, servers: list[ServerProcess]
) -> None:
    server = ServerProcess(settings)
    servers.append(server)
    server.start()
    retried = jobs_engine.submit("sleepy", [("Seconds", LONG_SECONDS)])
    failed = jobs_engine.submit("sleepy-once", [("Seconds", LONG_SECONDS)])
    for execution_id in (retried.id, failed.id):
        wait_for(
            partial(running_under, jobs_engine, execution_id, server), 15, f"execution {execution_id} to run"
        )

    started = time.monotonic()
    returncode = server.terminate()
    took = time.monotonic() - started
    # uvicorn re-raises the SIGTERM it handled once it has shut down, so the process ends by that signal.
    assert returncode in (0, -signal.SIGTERM), server.log_text()
    assert "Application shutdown complete" in server.log_text()
    assert took <= EXECUTOR_GRACE + 3, f"the server took {took:.1f} s to stop"

    # The stopped server gave up its leases rather than leaving them to run out.
    for execution in (retried, failed):
        left = current(jobs_engine, execution.id)
        assert left.state is State.RUNNING
        assert left.lease_expires_at is not None
        assert left.lease_expires_at <= now_ms()

    restarted = ServerProcess(settings, port=server.port)
    servers.append(restarted)
    restarted.start()
    assert restarted.proc is not None
    new_worker = worker_prefix(restarted.proc.pid)

    rerun = until(
        jobs_engine,
        retried.id,
        lambda e: e.attempt == 2 and e.state is State.RUNNING,
        settings.lease_seconds + RECOVERY_MARGIN,
        "the retried execution to run again",
    )
    assert rerun.is_restart
    assert (rerun.lease_owner or "").startswith(new_worker)

    ended = until(
        jobs_engine,
        failed.id,
        lambda e: e.is_terminal,
        settings.lease_seconds + RECOVERY_MARGIN,
        "the fail-policy execution to end",
    )
    assert ended.state is State.FAILED
    assert ended.exit_code == WORKER_LOST
    assert "lease" in (ended.exit_message or "")

    # The first server recorded no ending for either (it had released them); each ends once at most.
    assert [e["to_state"] for e in jobs_engine.events(retried.id)] == [
        "pending",
        "running",
        "pending",
        "running",
    ]
    assert [e["to_state"] for e in jobs_engine.events(failed.id)] == ["pending", "running", "failed"]

    jobs_engine.abort(retried.id)
    aborted = until(jobs_engine, retried.id, lambda e: e.is_terminal, 5, "the rerun to stop on abort")
    assert aborted.state is State.ABORTED
    assert len(terminal_events(jobs_engine, retried.id)) == 1
