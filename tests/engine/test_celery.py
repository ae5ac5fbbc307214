"""Celery mode under faults, for real: worker processes killed with SIGKILL mid-job, a broker that stops
mid-run. Nothing acknowledged is lost, nothing runs twice to completion, nothing stays running past its lease."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from sitejobs.engine import store
from sitejobs.engine.celery_executor import CeleryDispatcher, CeleryRuntime
from sitejobs.engine.models import Execution
from sitejobs.engine.service import JobEngine
from sitejobs.engine.states import TERMINAL, State
from sitejobs.jobs.builtin import default_registry
from sitejobs.settings import Settings
from tests.conftest import current, free_port, wait_for
from tests.engine.celery_cluster import BROKERS, CeleryCluster
from tests.timing import deadline_after

KILL_TRIALS = int(os.environ.get("SITEJOBS_KILL_TRIALS", "20"))
pytestmark = pytest.mark.postgres  # Celery mode refuses SQLite


def all_ended(engine: JobEngine, ids: list[int], timeout: float) -> list[Execution]:
    def probe() -> list[Execution] | None:
        found = [engine.get(i) for i in ids]
        done = [e for e in found if e is not None and e.state in TERMINAL]
        return done if len(done) == len(ids) else None

    return wait_for(probe, timeout, f"{len(ids)} executions to end", interval=0.2)


def terminal_events(engine: JobEngine, execution_id: int) -> list[str]:
    return [str(e["to_state"]) for e in engine.events(execution_id) if State(e["to_state"]) in TERMINAL]


def kill_trials(cluster: CeleryCluster, engine: JobEngine, trials: int) -> None:
    jobs = [engine.submit("sleepy", [("Seconds", "1.5")]) for _ in range(trials)]
    ids = [e.id for e in jobs]
    rng = random.Random(trials)
    kills = 0
    deadline = deadline_after(60 + trials * 3)
    lease_ms = int(engine.settings.lease_seconds * 1000)
    while kills < trials and time.monotonic() < deadline:
        running = [e for e in (engine.get(i) for i in ids) if e is not None and e.state is State.RUNNING]
        owners = {e.lease_owner for e in running if e.lease_owner and (e.percent or 0) > 0}
        pids = [int(owner.split(":")[1]) for owner in owners if owner]
        alive = [pid for pid in pids if pid in cluster.child_pids()]
        if alive:
            try:
                os.kill(rng.choice(alive), signal.SIGKILL)
            except ProcessLookupError:  # it ended between the listing and the kill: pick again
                continue
            kills += 1
            time.sleep(0.2)
        else:
            time.sleep(0.05)
        for e in running:  # nothing stays running on a dead lease: the reaper takes it back in time
            assert e.lease_expires_at is None or e.lease_expires_at > time.time() * 1000 - lease_ms - 5000
    assert kills == trials, f"only {kills} of {trials} kills happened"
    ended = all_ended(engine, ids, 120 + trials * 2)
    for execution in ended:
        assert terminal_events(engine, execution.id) == [execution.state.value]  # finished once
        if execution.state is State.FAILED:  # a job killed on each of its attempts fails by its policy
            assert execution.exit_code == "WORKER_LOST"
            assert execution.attempt == 3
        else:
            assert execution.state is State.SUCCEEDED, (execution.exit_code, execution.exit_message)
    assert sum(e.state is State.SUCCEEDED for e in ended) >= trials // 2


@pytest.mark.parametrize("kind", ["celery-redis"])
def test_kill_9_of_worker_processes_mid_job_loses_nothing(jobs_engine: JobEngine, kind: str) -> None:
    jobs_engine.settings.lease_seconds = 2.0
    cluster = CeleryCluster(jobs_engine, BROKERS[kind], kind=kind, concurrency=4).start()
    try:
        kill_trials(cluster, jobs_engine, KILL_TRIALS)
    finally:
        cluster.stop()


@pytest.mark.soak
def test_kill_9_a_hundred_times(jobs_engine: JobEngine) -> None:
    jobs_engine.settings.lease_seconds = 2.0
    cluster = CeleryCluster(jobs_engine, BROKERS["celery-rabbitmq"], kind="celery-rabbitmq", concurrency=4)
    cluster.start()
    try:
        kill_trials(cluster, jobs_engine, 100)
    finally:
        cluster.stop()


class PrivateRedis:
    """A redis-server of this test's own on a free port, which the test may kill and start again."""

    def __init__(self, folder: Path) -> None:
        self.port = free_port()
        self.folder = folder
        self.proc: subprocess.Popen[bytes] | None = None
        if shutil.which("redis-server") is None:
            pytest.fail("redis-server is not installed: `apt-get install redis-server`", pytrace=False)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            cwd=self.folder,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(lambda: self._answers(), 10, "the private redis-server to start")

    def _answers(self) -> bool:
        import socket

        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    redis = PrivateRedis(tmp_path / "redis")
    redis.start()
    yield redis
    redis.kill()


def test_a_broker_that_stops_mid_run_loses_nothing(
    jobs_engine: JobEngine, private_redis: PrivateRedis
) -> None:
    jobs_engine.settings.redispatch_seconds = 2.0
    cluster = CeleryCluster(jobs_engine, private_redis.url, concurrency=2).start()
    try:
        before = [jobs_engine.submit("sleepy", [("Seconds", "0.5")]).id for _ in range(10)]
        wait_for(
            lambda: any((e := jobs_engine.get(i)) and e.state is State.RUNNING for i in before),
            30,
            "a job to start",
        )
        private_redis.kill()  # the queued messages are gone with it (no persistence)
        during = [
            jobs_engine.submit("sleepy", [("Seconds", "0.2")]).id for _ in range(10)
        ]  # still acknowledged
        time.sleep(2)
        assert all((e := jobs_engine.get(i)) and e.state is State.PENDING for i in during)
        private_redis.start()  # the same port: workers and dispatcher reconnect by themselves
        ended = all_ended(jobs_engine, before + during, 120)
        assert all(e.state is State.SUCCEEDED for e in ended), [
            (e.id, e.state, e.exit_message) for e in ended
        ]
        for execution in ended:
            assert terminal_events(jobs_engine, execution.id) == ["succeeded"]
    finally:
        cluster.stop()


def test_celery_with_sqlite_is_refused_with_a_clear_error(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", executor="celery")
    problem = settings.executor_problem()
    assert problem is not None
    assert "SQLite is not shared between machines" in problem
    result = subprocess.run(
        ["sitejobs", "serve", "--executor", "celery", "--data-dir", str(tmp_path / "data")],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}"},
    )
    assert result.returncode != 0
    assert "SQLite is not shared between machines" in result.stderr
    assert "Traceback" not in result.stderr


def test_flower_shows_the_workers_and_their_tasks(jobs_engine: JobEngine) -> None:
    import httpx

    cluster = CeleryCluster(jobs_engine, BROKERS["celery-redis"], kind="celery-redis", concurrency=1).start()
    port = free_port()
    flower = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "sitejobs.celery_app",
            "flower",
            f"--port={port}",
            "--address=127.0.0.1",
        ],
        env={**cluster.env(), "FLOWER_UNAUTHENTICATED_API": "true"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"

        def workers() -> dict[str, object] | None:
            try:
                found = httpx.get(f"{base}/api/workers", params={"refresh": "1"}, timeout=5).json()
            except (httpx.HTTPError, ValueError):
                return None
            return found if any(name.startswith("sitejobs-") for name in found) else None

        wait_for(workers, 60, "Flower to list the sitejobs worker", interval=0.5)
        # Workers send task events once Flower has turned them on, which it does a few seconds after it starts
        # (docs/deploy.md): an execution submitted from then on shows as its task.
        submitted: set[str] = set()

        def task_seen() -> bool:
            submitted.add(f"[{jobs_engine.submit('noop').id}]")
            try:
                tasks = httpx.get(f"{base}/api/tasks", timeout=5).json()
            except (httpx.HTTPError, ValueError):
                return False
            return any(
                t.get("name") == "sitejobs.run_execution" and t.get("args") in submitted
                for t in tasks.values()
            )

        wait_for(task_seen, 60, "Flower to show an execution's task", interval=0.5)
    finally:
        flower.terminate()
        flower.wait(10)
        cluster.stop()


def test_a_worker_leaves_the_executions_of_jobs_it_does_not_define(jobs_engine: JobEngine) -> None:
    # A rolling upgrade: the API nodes know a job that an older worker does not. Its message must not fail the
    # execution there; it stays pending for a worker that has the job (the outbox publishes it again).
    older = JobEngine(jobs_engine.settings, default_registry(None))
    assert "explode" not in older.registry
    runtime = CeleryRuntime(older)
    try:
        foreign = jobs_engine.submit("explode")
        assert runtime.run(foreign.id) == "skipped"
        assert current(jobs_engine, foreign.id).state is State.PENDING
        mine = jobs_engine.submit("noop")
        assert runtime.run(mine.id) == State.SUCCEEDED.value
    finally:
        runtime.close()
    newer = CeleryRuntime(JobEngine(jobs_engine.settings, default_registry(jobs_engine.settings.jobs_module)))
    try:
        assert newer.run(foreign.id) == State.FAILED.value  # `explode` fails by design, but it ran, here
    finally:
        newer.close()


def test_a_workers_run_shows_its_log_while_it_runs_and_ends_with_every_line_in_order(
    jobs_engine: JobEngine,
) -> None:
    runtime = CeleryRuntime(
        JobEngine(jobs_engine.settings, default_registry(jobs_engine.settings.jobs_module))
    )
    execution = jobs_engine.submit("chatty", [("Lines", "3"), ("Pause", "0.6")])
    outcome: list[str] = []
    run = threading.Thread(target=lambda: outcome.append(runtime.run(execution.id)))
    run.start()
    try:
        # A line logged a moment ago is readable from any node while the run goes on.
        seen = wait_for(
            lambda: [line.message for line in jobs_engine.log_lines(execution.id)] or None,
            5,
            "the running job's first lines",
        )
        assert "line 1 of 3" in seen
        assert current(jobs_engine, execution.id).state is State.RUNNING
        run.join(10)
    finally:
        runtime.close()  # waits for the finish to be written
    assert outcome == [State.SUCCEEDED.value]
    assert current(jobs_engine, execution.id).state is State.SUCCEEDED
    assert terminal_events(jobs_engine, execution.id) == [State.SUCCEEDED.value]
    assert [line.message for line in jobs_engine.log_lines(execution.id)] == [
        f"Job chatty execution {execution.id} started",
        "line 1 of 3",
        "line 2 of 3",
        "line 3 of 3",
        f"Job chatty execution {execution.id} finished",
    ]


def test_a_workers_runs_end_with_its_next_claim_or_by_themselves_once_it_is_idle(
    jobs_engine: JobEngine,
) -> None:
    runtime = CeleryRuntime(
        JobEngine(jobs_engine.settings, default_registry(jobs_engine.settings.jobs_module))
    )
    try:
        # A long run (its lines went to the store while it ran), then back-to-back messages: each run's end
        # goes with the next claim; a duplicate of the run just ended claims nothing.
        chatty = jobs_engine.submit("chatty", [("Lines", "2"), ("Pause", "0.3")])
        quick = [jobs_engine.submit("noop") for _ in range(3)]
        assert runtime.run(chatty.id) == State.SUCCEEDED.value
        assert runtime.run(chatty.id) == "skipped"
        assert [runtime.run(e.id) for e in quick] == [State.SUCCEEDED.value] * 3
        # The last one ends with no message after it, within moments (HOLD_SECONDS), from any node.
        wait_for(
            lambda: current(jobs_engine, quick[-1].id).state is State.SUCCEEDED or None,
            5,
            "the idle worker's last run to end",
        )
    finally:
        runtime.close()
    for execution in [chatty, *quick]:
        assert terminal_events(jobs_engine, execution.id) == [State.SUCCEEDED.value]
        assert current(jobs_engine, execution.id).lease_owner is None
    assert [line.message for line in jobs_engine.log_lines(chatty.id)][1:] == [
        "line 1 of 2",
        "line 2 of 2",
        f"Job chatty execution {chatty.id} finished",
    ]


def test_an_api_node_publishes_its_own_submissions_and_a_refused_batch_again_from_the_table(
    jobs_engine: JobEngine,
) -> None:
    published: list[int] = []
    broker_down = threading.Event()

    def publish(ids: Sequence[int]) -> None:
        if broker_down.is_set():
            raise ConnectionError("the broker is down")
        published.extend(ids)

    outbox = CeleryDispatcher(jobs_engine, publish, lambda: 0)  # its rounds driven here, not by its thread
    first = [jobs_engine.submit("noop").id for _ in range(3)]
    # Inserted as handed over: the table has nothing for another node's outbox to pick (and publish twice).
    assert jobs_engine.writer.run(lambda c: store.mark_for_dispatch(c, older_than=0, limit=10)) == []
    outbox.publish_handed()
    assert published == first

    broker_down.set()
    second = [jobs_engine.submit("noop").id for _ in range(3)]
    with pytest.raises(ConnectionError):
        outbox.publish_handed()
    broker_down.clear()
    outbox.publish_handed()
    assert published == first  # refused ids are not kept in memory: the table has them again
    assert outbox.dispatch(older_than=0) == 3
    assert published == first + second
