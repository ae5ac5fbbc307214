"""Celery mode end to end: no-op jobs submitted through the engine (the API node path, with its outbox
dispatcher running in this process), run by Celery worker processes on Redis, the store on PostgreSQL (a
schema of the run's own, dropped afterwards); side by side in the same run with bare Celery no-op tasks on the
same Redis and the same topology (bench.celery_baseline: one-process prefork workers, acks_late, prefetch 1).

Throughput: N no-op jobs submitted back to back with `submit_future`; jobs/s = N / (the last job's end_time as
the store records it - the wall time just before the first submission). Latency: a paced sample afterwards,
submit-to-running = start_time - created_at from the store (milliseconds), paced at --rate or half the
throughput just measured, whichever is lower. The scaling curve repeats both for
1, 2 and 4 worker processes; the ratio against bare Celery uses the 2-process figure. Target: >= 0.8x.

Workers are started as `celery -A sitejobs.celery_app worker` (what `sitejobs worker --executor celery` runs)
with the baseline's own flags (log level WARNING, no gossip, mingle or heartbeat), one process each.

    .venv/bin/python -m bench.bench_celery [-n 5000] [--procs 1 2 4] [--latency-n 300 --rate 100]
        [--no-baseline] [--profile DIR [--profile-idle]]
    .venv/bin/python -m bench.bench_celery --pairs 8 -n 1500
    .venv/bin/python -m bench.bench_celery --split-cores --pairs 8 -n 1500

--pairs K keeps both topologies (2 worker processes each) running and alternates bursts of N jobs, sitejobs then
bare Celery, K times: the median of the K ratios, and each burst's CPU time a job over every process involved. On a shared host whose speed drifts by a factor of two within
minutes (seen here: bare Celery from 291 to 949 tasks/s in one session), ratios of two runs a minute apart
say more about the host than about either side.

--split-cores runs the same with a PostgreSQL and a Redis of the run's own (bench.pinned_services) on the last core
and every Python process (API node or sender, both sides' workers) on the others: the layout of a deployment of
several machines, where the store and the broker do not take the workers' CPU. On one 2-core machine the
default layout puts PostgreSQL's share of every job on the same two cores as the workers.

--profile records the worker processes with py-spy (installed by hand in the venv: `pip install py-spy`) as
collapsed stacks, one file a worker: CPU samples, or with --profile-idle waiting too (where the wall time goes).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import psutil  # type: ignore[import-untyped]
import redis
from kombu.connection import Connection
from sqlalchemy import text

from bench.celery_baseline import REPO_ROOT, process_tree_cpu_seconds, redis_client
from bench.pg import ADMIN_URL, pg_schema
from sitejobs.celery_app import create_celery, dispatcher
from sitejobs.engine.service import JobEngine
from sitejobs.engine.states import State
from sitejobs.jobs.builtin import default_registry
from sitejobs.settings import Settings

BROKER_URL = os.environ.get("BENCH_SITEJOBS_BROKER_URL", "redis://127.0.0.1:6379/6")
JOB = "noop"


@dataclass(frozen=True, slots=True)
class Point:
    procs: int
    jobs_per_s: float
    submits_per_s: float
    p50_ms: float
    p99_ms: float
    #: CPU time a job of the worker processes (consumers and pool children) during the burst.
    worker_cpu_ms: float


@dataclass(frozen=True, slots=True)
class Profile:
    directory: Path
    idle: bool


def _percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


class SitejobsWorkers:
    """`procs` Celery worker instances of one process each, in process groups of their own."""

    def __init__(self, settings: Settings, procs: int, log_dir: Path, profile: Profile | None) -> None:
        self.settings = settings
        self.count = procs
        self.log_dir = log_dir
        self.profile = profile
        self.procs: list[subprocess.Popen[bytes]] = []

    def _env(self) -> dict[str, str]:
        env = {
            **os.environ,
            "SITEJOBS_DATA_DIR": str(self.settings.data_dir),
            "SITEJOBS_DATABASE_URL": self.settings.resolved_database_url,
            "SITEJOBS_EXECUTOR": "celery",
            "SITEJOBS_BROKER_URL": self.settings.broker_url,
            "SITEJOBS_CELERY_QUEUE": self.settings.celery_queue,
        }
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), env.get("PYTHONPATH", "")) if p)
        return env

    def _command(self, index: int) -> list[str]:
        worker = [
            "-m", "celery", "-A", "sitejobs.celery_app", "worker",
            "--pool", "prefork", "--concurrency", "1", "--prefetch-multiplier", "1",
            "-n", f"sitejobs-bench{index}-{os.getpid()}@%h", "-Q", self.settings.celery_queue,
            "--loglevel", "WARNING", "--without-gossip", "--without-mingle", "--without-heartbeat",
        ]  # fmt: skip
        if self.profile is None:
            return [sys.executable, *worker]
        out = self.profile.directory / f"worker{index}-{self.count}procs.txt"
        py_spy = str(Path(sys.executable).parent / "py-spy")
        command = [py_spy, "record", "--subprocesses", "--format", "raw", "-o", str(out)]
        return [*command, *(["--idle"] if self.profile.idle else []), "--", sys.executable, *worker]

    def start(self, engine: JobEngine, timeout_s: float = 60.0) -> None:
        for index in range(self.count):
            with (self.log_dir / f"worker{index}.log").open("ab") as log:
                self.procs.append(
                    subprocess.Popen(
                        self._command(index),
                        cwd=REPO_ROOT,
                        env=self._env(),
                        stdin=subprocess.DEVNULL,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                        start_new_session=True,
                    )
                )
        deadline = time.monotonic() + timeout_s
        while sum(w["kind"] == "celery" for w in engine.live_workers()) < self.count:
            self.check()
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.count} Celery worker processes not ready in {timeout_s:.0f} s")
            time.sleep(0.1)

    def cpu_seconds(self) -> float:
        return process_tree_cpu_seconds(proc.pid for proc in self.procs)

    def check(self) -> None:
        for index, proc in enumerate(self.procs):
            if proc.poll() is not None:
                tail = (self.log_dir / f"worker{index}.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"Celery worker {index} exited with {proc.returncode}:\n{tail}")

    def stop(self, timeout_s: float = 15.0) -> None:
        for proc in self.procs:
            # Warm shutdown of the Celery main process (under py-spy, its child: py-spy then writes its file).
            pids = (
                [proc.pid] if self.profile is None else [c.pid for c in psutil.Process(proc.pid).children()]
            )
            for pid in pids:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout_s
        for proc in self.procs:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(max(0.1, deadline - time.monotonic()))
        for proc in self.procs:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(5.0)
        self.procs.clear()


def _wait_succeeded(engine: JobEngine, total: int, timeout_s: float, workers: SitejobsWorkers) -> None:
    deadline = time.monotonic() + timeout_s
    while engine.count_by_state().get(State.SUCCEEDED, 0) < total:
        workers.check()
        if time.monotonic() > deadline:
            raise TimeoutError(f"not all {total} executions succeeded in {timeout_s:.0f} s")
        time.sleep(0.2)


def _max_end_ms(engine: JobEngine, lo: int, hi: int) -> int:
    sql = text("SELECT max(end_time) FROM executions WHERE id BETWEEN :lo AND :hi")
    return int(engine.read(lambda c: c.execute(sql, {"lo": lo, "hi": hi}).scalar_one()))


def _latencies_ms(engine: JobEngine, ids: Sequence[int]) -> list[float]:
    sql = text("SELECT start_time - created_at FROM executions WHERE id BETWEEN :lo AND :hi")
    rows = engine.read(lambda c: c.execute(sql, {"lo": min(ids), "hi": max(ids)}).all())
    return [float(r[0]) for r in rows]


def _burst(engine: JobEngine, workers: SitejobsWorkers, n: int, done_before: int) -> tuple[float, float]:
    """Submit `n` no-op jobs back to back: (jobs/s until the last one ended, by the store's end_time;
    submissions/s until the last one was committed)."""
    started = time.time()
    futures = [engine.submit_future(JOB) for _ in range(n)]
    ids = [f.result().id for f in futures]
    submitted = time.time()
    _wait_succeeded(engine, done_before + n, 600, workers)
    return n / (_max_end_ms(engine, min(ids), max(ids)) / 1000 - started), n / (submitted - started)


def _cpu_seconds(trees: dict[str, list[int]]) -> dict[str, float]:
    """CPU seconds so far of this process (the API node, or bare Celery's sender), of PostgreSQL's and Redis's
    processes, and of each named tree of worker processes."""
    own = psutil.Process().cpu_times()
    seconds = {"this process": own.user + own.system, "postgresql": 0.0, "redis": 0.0}
    for proc in psutil.process_iter(["name", "cpu_times"]):
        name, times = proc.info["name"] or "", proc.info["cpu_times"]
        kind = "postgresql" if name.startswith("postgres") else "redis" if name.startswith("redis") else None
        if kind is not None and times is not None:
            seconds[kind] += times.user + times.system
    for kind, pids in trees.items():
        seconds[kind] = process_tree_cpu_seconds(pids)
    return seconds


def _cpu_ms_a_job(before: dict[str, float], after: dict[str, float], n: int) -> dict[str, float]:
    return {kind: (after[kind] - before[kind]) * 1000 / n for kind in before}


def _say_cpu(ms: dict[str, float]) -> str:
    parts = ", ".join(f"{kind} {value:.2f}" for kind, value in ms.items())
    return f"CPU a job {sum(ms.values()):.2f} ms: {parts}"


def run_pairs(n: int, pairs: int) -> list[tuple[float, float, float, float]]:
    """Both topologies running side by side (idle Celery workers cost nothing), bursts of `n` alternating
    sitejobs, bare Celery, sitejobs, …: (jobs/s, tasks/s, CPU ms a job, CPU ms a task) a pair, CPU counted over
    every process of the machine's run (API node or sender, PostgreSQL, Redis, the workers). On a machine whose
    speed drifts (a shared host), the ratio of each pair is measured under nearly the same conditions, and CPU
    time drifts much less than wall time."""
    from bench import celery_baseline

    data_dir = Path(tempfile.mkdtemp(prefix="sitejobs-celery-bench-"))
    client = redis_client()
    client.flushdb()
    results: list[tuple[float, float, float, float]] = []
    try:
        with (
            pg_schema(ADMIN_URL, driver=True) as database_url,
            _api_node(database_url, data_dir) as engine,
            celery_baseline.Workers("2x1") as bare,
        ):
            workers = SitejobsWorkers(engine.settings, 2, data_dir, None)
            try:
                workers.start(engine)
                done = 0
                for _ in range(2):  # warm-up of both: pool children forked, connections open, plans made
                    _burst(engine, workers, 200, done)
                    done += 200
                    celery_baseline.burst(client, 200, bare)
                trees = {
                    "sitejobs workers": [proc.pid for proc in workers.procs],
                    "bare workers": [proc.pid for _, proc, _ in bare.procs],
                }
                for _ in range(pairs):
                    before = _cpu_seconds(trees)
                    ours, _ = _burst(engine, workers, n, done)
                    middle = _cpu_seconds(trees)
                    theirs = celery_baseline.burst(client, n, bare)
                    ours_ms = _cpu_ms_a_job(before, middle, n)
                    theirs_ms = _cpu_ms_a_job(middle, _cpu_seconds(trees), n)
                    done += n
                    results.append((ours, theirs, sum(ours_ms.values()), sum(theirs_ms.values())))
                    print(
                        f"  pair: sitejobs {ours:.0f} jobs/s ({_say_cpu(ours_ms)})\n"
                        f"        bare {theirs:.0f} tasks/s ({_say_cpu(theirs_ms)})",
                        flush=True,
                    )
            finally:
                workers.stop()
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    return results


def _measure(
    engine: JobEngine, workers: SitejobsWorkers, n: int, latency_n: int, rate: float, done_before: int
) -> Point:
    warm = [engine.submit_future(JOB) for _ in range(100)]
    for f in warm:
        f.result()
    done_before += len(warm)
    _wait_succeeded(engine, done_before, 120, workers)

    cpu_before = workers.cpu_seconds()
    jobs_per_s, submits_per_s = _burst(engine, workers, n, done_before)
    worker_cpu_ms = (workers.cpu_seconds() - cpu_before) * 1000 / n

    rate = min(rate, jobs_per_s / 2)  # below the throughput, or the sample measures queueing
    sample: list[int] = []
    t0 = time.perf_counter()
    for i in range(latency_n):
        delay = t0 + i / rate - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        sample.append(engine.submit(JOB).id)
    _wait_succeeded(engine, done_before + n + latency_n, 120, workers)
    latencies = _latencies_ms(engine, sample)
    return Point(
        procs=workers.count,
        jobs_per_s=jobs_per_s,
        submits_per_s=submits_per_s,
        p50_ms=_percentile(latencies, 50),
        p99_ms=_percentile(latencies, 99),
        worker_cpu_ms=worker_cpu_ms,
    )


def _delete_queue(broker_url: str, queue: str) -> None:
    """Delete the run's queue, and the exchange bindings kombu's Redis transport leaves behind."""
    with contextlib.suppress(Exception), Connection(broker_url, connect_timeout=3) as conn:  # type: ignore[no-untyped-call]
        conn.default_channel.queue_delete(queue)
    client = redis.Redis.from_url(broker_url)
    try:
        client.delete(f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
    finally:
        client.close()


@contextlib.contextmanager
def _api_node(database_url: str, data_dir: Path) -> Iterator[JobEngine]:
    """An engine on the bench schema with the Celery outbox dispatcher running (what `serve` runs)."""
    settings = Settings(
        data_dir=data_dir,
        database_url=database_url,
        executor="celery",
        broker_url=BROKER_URL,
        celery_queue=f"sitejobs-bench-{secrets.token_hex(4)}",
    )
    engine = JobEngine.open(settings, default_registry(settings.jobs_module))
    outbox = dispatcher(engine, create_celery(settings))
    outbox.start()
    try:
        yield engine
    finally:
        outbox.stop()
        _delete_queue(settings.broker_url, settings.celery_queue)
        engine.close()


def run_curve(
    n: int, procs: Sequence[int], latency_n: int, rate: float, profile: Profile | None = None
) -> list[Point]:
    data_dir = Path(tempfile.mkdtemp(prefix="sitejobs-celery-bench-"))
    points: list[Point] = []
    try:
        with pg_schema(ADMIN_URL, driver=True) as database_url, _api_node(database_url, data_dir) as engine:
            done = 0
            for count in procs:
                workers = SitejobsWorkers(engine.settings, count, data_dir, profile)
                try:
                    workers.start(engine)
                    point = _measure(engine, workers, n, latency_n, rate, done)
                finally:
                    workers.stop()
                done += 100 + n + latency_n
                points.append(point)
                print(
                    f"  sitejobs celery, {count} worker process(es): {point.jobs_per_s:.0f} jobs/s "
                    f"(submissions {point.submits_per_s:.0f}/s); submit-to-running p50 {point.p50_ms:.1f} ms, "
                    f"p99 {point.p99_ms:.1f} ms; worker CPU {point.worker_cpu_ms:.2f} ms a job",
                    flush=True,
                )
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    return points


def run_split(argv: Sequence[str]) -> None:
    """This benchmark again, its Python processes (API node or sender, workers) on every core but the last, and
    a PostgreSQL and a Redis of its own on the last: as when the store and the broker have machines of their
    own, which is what Celery mode is for. Both sides get the same cores, so the ratio stays like for like."""
    from bench import pinned_services

    cores = sorted(os.sched_getaffinity(0))
    if len(cores) < 2:
        raise SystemExit("--split-cores needs at least two cores")
    python_cores, service_cores = cores[:-1], cores[-1:]
    with pinned_services.postgres(service_cores) as pg_url, pinned_services.redis(service_cores) as redis_url:
        env = {
            **os.environ,
            "BENCH_PG_URL": pg_url,
            "BENCH_SITEJOBS_BROKER_URL": f"{redis_url}/6",
            "BENCH_REDIS_URL": f"{redis_url}/5",
        }
        print(
            f"PostgreSQL and Redis on core {service_cores[0]}, the Python processes on {python_cores}",
            flush=True,
        )
        command = [
            "taskset",
            "-c",
            ",".join(map(str, python_cores)),
            sys.executable,
            "-m",
            "bench.bench_celery",
        ]
        rest = [a for a in argv if a != "--split-cores"]
        subprocess.run([*command, *rest], cwd=REPO_ROOT, env=env, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=5000)
    parser.add_argument("--procs", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--latency-n", type=int, default=300)
    parser.add_argument("--rate", type=float, default=100.0, help="latency sample submissions a second")
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--profile", type=Path, help="record the workers with py-spy into DIR")
    parser.add_argument("--profile-idle", action="store_true", help="with --profile: sample waiting too")
    parser.add_argument(
        "--pairs", type=int, default=0, help="instead: K alternating bursts of -n, 2 processes each side"
    )
    parser.add_argument(
        "--split-cores",
        action="store_true",
        help="PostgreSQL and Redis of the run's own on the last core, every Python process on the others",
    )
    args = parser.parse_args()
    if args.split_cores:
        run_split(sys.argv[1:])
        return
    redis_client()  # fails early, saying how to start Redis
    if args.pairs:
        results = run_pairs(args.n, args.pairs)
        ratios = sorted(ours / bare for ours, bare, _, _ in results)
        cpu = sorted(bare_ms / ours_ms for _, _, ours_ms, bare_ms in results)
        print(
            f"ratio sitejobs/celery at 2 processes, {len(ratios)} pairs: median {statistics.median(ratios):.2f} "
            f"(min {ratios[0]:.2f}, max {ratios[-1]:.2f}; target >= 0.8); CPU a task of bare Celery / CPU a job "
            f"of sitejobs: median {statistics.median(cpu):.2f} (min {cpu[0]:.2f}, max {cpu[-1]:.2f})"
        )
        return
    profile = None
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
        profile = Profile(args.profile, args.profile_idle)
    points = run_curve(args.n, args.procs, args.latency_n, args.rate, profile)
    if args.no_baseline:
        return
    from bench.celery_baseline import measure

    bare = measure(args.n, topology="2x1", latency_n=args.latency_n, latency_rate=args.rate)
    print(
        f"bare celery on redis (2 processes, acks_late, prefetch 1): {bare.tasks_per_s:.0f} tasks/s; "
        f"submit-to-start p50 {bare.p50_ms:.1f} ms, p99 {bare.p99_ms:.1f} ms; worker CPU {bare.worker_cpu_ms:.2f} ms "
        "a task"
    )
    two = next((p for p in points if p.procs == 2), None)
    if two is not None:
        print(
            f"ratio sitejobs/celery at 2 processes: {two.jobs_per_s / bare.tasks_per_s:.2f} (target >= 0.8)"
        )


if __name__ == "__main__":
    main()
