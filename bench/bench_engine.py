"""End-to-end no-op jobs through the embedded engine (SQLite, WAL, every commit synchronous=FULL; with
--relaxed-worker-writes claims, finishes and log lines are NORMAL: see SITEJOBS_DURABLE_WORKER_WRITES), side by side in
the same run with its peers on the local Redis: Celery no-op tasks (2 worker processes, acks_late, prefetch 1,
bench.celery_baseline) and Huey no-op tasks (one consumer with 2 process workers, bench.huey_baseline).

Throughput: N no-op executions submitted as fast as the engine accepts them, timed until the last one has
finished. Latency: executions submitted at a steady rate, submit-to-running = start_time - created_at as the
store records them (milliseconds). Targets: >= 1.0x Celery's and Huey's tasks/s and >= 1,500 jobs/s;
p50 < 10 ms, p99 < 100 ms.

    .venv/bin/python -m bench.bench_engine [-n 20000] [--slots 16] [--no-celery] [--no-huey] [--relaxed-worker-writes]
        [--postgresql]

--postgresql runs the engine on the local PostgreSQL (a schema of the run's own, dropped afterwards) instead.
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from bench.pg import ADMIN_URL, pg_schema
from sitejobs.engine.local import LocalExecutor
from sitejobs.engine.service import JobEngine
from sitejobs.engine.states import State
from sitejobs.jobs.builtin import default_registry
from sitejobs.settings import Settings


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def _wait_done(engine: JobEngine, total: int, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while engine.count_by_state().get(State.SUCCEEDED, 0) < total:
        if time.monotonic() > deadline:
            raise TimeoutError(f"not all {total} executions finished in {timeout_s} s")
        time.sleep(0.05)


def run_engine(
    n: int = 20000,
    slots: int = 16,
    latency_n: int = 500,
    rate: float = 200.0,
    durable_worker_writes: bool = True,
    database_url: str | None = None,
) -> dict[str, float]:
    data_dir = Path(tempfile.mkdtemp(prefix="sitejobs-engine-bench-"))
    settings = Settings(
        data_dir=data_dir,
        workers=slots,
        poll_seconds=0.25,
        durable_worker_writes=durable_worker_writes,
        database_url=database_url,
    )
    engine = JobEngine.open(settings, default_registry(settings.jobs_module))
    executor = LocalExecutor(engine)
    executor.start()
    try:
        engine.submit("noop")  # warm up the path
        _wait_done(engine, 1, 30)
        started = time.perf_counter()
        futures = [engine.submit_future("noop") for _ in range(n)]
        for f in futures:
            f.result()
        submitted = time.perf_counter()
        _wait_done(engine, n + 1, 300)
        finished = time.perf_counter()

        ids = []
        for _ in range(latency_n):
            ids.append(engine.submit("noop").id)
            time.sleep(1 / rate)
        _wait_done(engine, n + 1 + latency_n, 60)
        latencies = []
        for execution_id in ids:
            e = engine.get(execution_id)
            assert e is not None
            assert e.start_time is not None
            latencies.append(float(e.start_time - e.created_at))
    finally:
        executor.stop()
        engine.close()
        shutil.rmtree(data_dir, ignore_errors=True)
    return {
        "jobs_per_s": n / (finished - started),
        "submits_per_s": n / (submitted - started),
        "p50_ms": statistics.median(latencies),
        "p99_ms": _percentile(latencies, 99),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=20000)
    parser.add_argument("--slots", type=int, default=16)
    parser.add_argument("--no-celery", action="store_true")
    parser.add_argument("--no-huey", action="store_true")
    parser.add_argument(
        "--relaxed-worker-writes",
        action="store_true",
        help="claims, finishes and log lines do not wait for the disk (NORMAL; SITEJOBS_DURABLE_WORKER_WRITES=0)",
    )
    parser.add_argument("--postgresql", action="store_true", help="the store on the local PostgreSQL")
    args = parser.parse_args()
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(pg_schema(ADMIN_URL, driver=True)) if args.postgresql else None
        ours = run_engine(
            args.n, args.slots, durable_worker_writes=not args.relaxed_worker_writes, database_url=url
        )
    print(
        f"sitejobs embedded engine ({'PostgreSQL' if url else 'SQLite'}, submissions durable, worker writes "
        f"{'relaxed' if args.relaxed_worker_writes else 'durable'}, {args.slots} slots): {ours['jobs_per_s']:.0f} jobs/s end to end "
        f"(submissions {ours['submits_per_s']:.0f}/s); submit-to-running p50 {ours['p50_ms']:.1f} ms, "
        f"p99 {ours['p99_ms']:.1f} ms (target >= 1500 jobs/s)",
        flush=True,
    )
    if not args.no_celery:
        from bench.celery_baseline import run_celery_baseline

        celery = run_celery_baseline(args.n)
        print(
            f"celery on redis (2 processes, acks_late, prefetch 1): {celery['tasks_per_s']:.0f} tasks/s; "
            f"submit-to-start p50 {celery['p50_ms']:.1f} ms, p99 {celery['p99_ms']:.1f} ms",
            flush=True,
        )
        print(f"ratio sitejobs/celery: {ours['jobs_per_s'] / celery['tasks_per_s']:.2f} (target >= 1.0)")
    if not args.no_huey:
        from bench.huey_baseline import run_huey_baseline

        huey = run_huey_baseline(args.n)
        print(
            f"huey on redis (1 consumer, 2 process workers): {huey['tasks_per_s']:.0f} tasks/s; "
            f"enqueue-to-start p50 {huey['p50_ms']:.1f} ms, p99 {huey['p99_ms']:.1f} ms",
            flush=True,
        )
        print(f"ratio sitejobs/huey: {ours['jobs_per_s'] / huey['tasks_per_s']:.2f} (target >= 1.0)")


if __name__ == "__main__":
    main()
