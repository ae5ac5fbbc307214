"""Huey baseline: no-op task throughput and enqueue-to-start latency on the local Redis.

A Huey consumer (`huey_consumer`, 2 workers, process workers by default: as many task-executing processes as
the Celery baseline) on its own Redis database; the bench process enqueues N no-op tasks back to back with
Huey's own client (one LPUSH each) while the consumer runs. Each task returns True, so Huey stores a result
(one HSET into its results hash, the counterpart of Celery's result backend); the burst is done when that hash
holds N results: tasks_per_s = N / (that moment - just before the first enqueue). Latency: a paced sample of a
task that returns the wall time it started, minus the wall time just before its enqueue.

    .venv/bin/python -m bench.huey_baseline [N] [--workers 2] [--worker-type process|thread|greenlet]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from huey import RedisHuey  # type: ignore[import-untyped]

from bench.celery_baseline import REPO_ROOT, redis_client

REDIS_URL = os.environ.get("BENCH_HUEY_REDIS_URL", "redis://127.0.0.1:6379/7")

huey = RedisHuey("bench", url=REDIS_URL, results=True)


def noop() -> bool:
    """The no-op task (True, so that Huey stores a result the bench can count)."""
    return True


def stamp() -> float:
    """The wall time at which the task body started."""
    return time.time()


noop_task = huey.task()(noop)
stamp_task = huey.task()(stamp)


def _percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


class Consumer:
    """One `huey_consumer` process (and its workers), in a process group of its own."""

    def __init__(self, workers: int, worker_type: str) -> None:
        self.log_dir = Path(tempfile.mkdtemp(prefix="bench-huey-"))
        self.command = [
            sys.executable, "-m", "huey.bin.huey_consumer", "bench.huey_baseline.huey",
            "--workers", str(workers), "--worker-type", worker_type, "--quiet",
        ]  # fmt: skip
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Consumer:
        env = dict(os.environ, BENCH_HUEY_REDIS_URL=REDIS_URL)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), env.get("PYTHONPATH", "")) if p)
        with (self.log_dir / "consumer.log").open("wb") as log:
            self.proc = subprocess.Popen(
                self.command,
                cwd=REPO_ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    def check(self) -> None:
        if self.proc is not None and self.proc.poll() is not None:
            tail = (self.log_dir / "consumer.log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"the Huey consumer exited with {self.proc.returncode}:\n{tail}")

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.send_signal(signal.SIGINT)  # Huey's graceful shutdown
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(10)
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(5)
        shutil.rmtree(self.log_dir, ignore_errors=True)


def _wait_results(count: int, consumer: Consumer, timeout_s: float) -> float:
    """Poll until Huey's result hash holds `count` results; the perf_counter() at which it was seen."""
    deadline = time.monotonic() + timeout_s
    while huey.storage.result_store_size() < count:
        consumer.check()
        if time.monotonic() > deadline:
            raise TimeoutError(f"only {huey.storage.result_store_size()}/{count} Huey tasks done")
        time.sleep(0.005)
    return time.perf_counter()


def run_huey_baseline(
    n: int = 20000,
    *,
    workers: int = 2,
    worker_type: str = "process",
    latency_n: int = 500,
    rate: float = 200.0,
) -> dict[str, float]:
    """Huey no-op tasks/s over `n` tasks and p50/p99 enqueue-to-start latency (ms)."""
    redis_client().ping()  # fails early, saying how to start Redis
    huey.storage.flush_all()
    try:
        with Consumer(workers, worker_type) as consumer:
            for _ in range(200):  # warm up: workers started, connections open
                noop_task()
            _wait_results(200, consumer, 60)
            huey.storage.flush_results()

            start = time.perf_counter()
            for _ in range(n):
                noop_task()
            sent = time.perf_counter()
            done = _wait_results(n, consumer, 300)

            results = []
            t0 = time.perf_counter()
            for i in range(latency_n):
                delay = t0 + i / rate - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                results.append((time.time(), stamp_task()))
            _wait_results(n + latency_n, consumer, 60)
            latencies = [(float(r.get(blocking=True, timeout=10)) - at) * 1000 for at, r in results]
    finally:
        huey.storage.flush_all()
    return {
        "tasks_per_s": n / (done - start),
        "send_per_s": n / (sent - start),
        "p50_ms": statistics.median(latencies),
        "p99_ms": _percentile(latencies, 99),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("n", nargs="?", type=int, default=20000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-type", choices=["process", "thread", "greenlet"], default="process")
    args = parser.parse_args()
    print(run_huey_baseline(args.n, workers=args.workers, worker_type=args.worker_type))


if __name__ == "__main__":
    main()
