"""Celery baseline: no-op task throughput and submit-to-start latency on the local Redis.

What is measured
----------------
* **Throughput** (`tasks_per_s`): N no-op tasks (default 20000) are published as fast as one Python
  thread can (one kombu producer, one connection) into an idle queue while the workers are already
  running and consuming; the clock runs from just before the first publish to the moment the last task
  is observed complete.  `tasks_per_s = N / that wall time`.  Sending and consuming overlap, so on a
  2-core machine the sender, the workers and Redis all compete for the same CPUs, as they would in
  production on such a box.
* **Latency** (`p50_ms`, `p99_ms`): after the throughput run, with the queue idle, a paced sample (default
  500 tasks at ~200/s) of a task that returns `time.time()` when it starts.  Latency = start time minus the
  wall time taken just before the publish call (same host, same clock).  Start times are read back from
  the Redis result backend with MGET once all have completed.

Configuration (the baseline)
----------------------------
* broker and result backend: Redis at ``redis://127.0.0.1:6379/5`` (``BENCH_REDIS_URL`` overrides it);
* ``task_acks_late=True``, ``worker_prefetch_multiplier=1``, JSON serializer;
* topology ``"2x1"`` (default): **two** ``celery worker`` instances, each ``--pool prefork --concurrency 1``,
  i.e. two processes executing tasks, each with its own consumer and broker connection and a prefetch of
  one.  ``"1x2"``: one instance with ``--concurrency 2`` (one consumer process feeding two pool children,
  prefetch 2).  Both have exactly two task-executing processes;
* workers run with ``--without-gossip --without-mingle --without-heartbeat`` (the usual Celery advice for
  throughput; they only affect cluster chatter, not the task path).

How completion is counted without distorting the measure
--------------------------------------------------------
Every task stores its result in the Redis backend (part of the baseline's cost, as configured).  The
sender does *not* use the result-backend client: Celery's Redis backend SUBSCRIBEs to a pub/sub channel
per task on `apply_async`, which would add one round trip per publish and thousands of live
subscriptions to the measure.  Instead the sender is a second Celery app without a backend (the
message format is the same; the workers' app stores results).  Completion is detected by polling two
O(1) Redis commands every 5 ms: the queue length (``LLEN celery``) and the number of delivered but
unacknowledged messages (``HLEN unacked``, kombu's acks-late bookkeeping).  With ``acks_late`` the ack
is sent only after the pool child has stored the result, so both being zero means every task finished.
That is then confirmed by counting the N result keys with chunked ``EXISTS`` (once, off the clock,
and polling again if any were missing).

Run: ``.venv/bin/python -m bench.celery_baseline [N] [--topology 2x1|1x2] [--latency-n 500 --rate 200]``
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
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import orjson
import psutil  # type: ignore[import-untyped]
import redis
from celery import Celery

REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5")
QUEUE = "celery"
UNACKED_KEY = "unacked"  # kombu's Redis transport default (Channel.unacked_key)
NOOP = "bench.noop"
STAMP = "bench.stamp"
REPO_ROOT = Path(__file__).resolve().parent.parent
REDIS_START_HINT = (
    "Redis is not reachable at {url}. Start it with:\n"
    '  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no '
    "--dir /var/lib/redis --logfile /var/log/redis/ci.log"
)

Topology = Literal["2x1", "1x2"]

app = Celery("bench_celery_baseline", broker=REDIS_URL, backend=REDIS_URL)
app.conf.update(
    task_acks_late=True,
    worker_prefetch_multiplier=1,
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    result_expires=3600,
    broker_connection_retry_on_startup=True,
    worker_hijack_root_logger=False,
)


def noop() -> None:
    """The no-op task of the throughput run."""
    return None


def stamp() -> float:
    """Return the wall time at which the task body started (for submit-to-start latency)."""
    return time.time()


# Registered without decorator syntax so the functions keep their types (celery ships no type hints).
noop_task = app.task(name=NOOP)(noop)
stamp_task = app.task(name=STAMP)(stamp)


@dataclass
class CeleryBaseline:
    """Everything one run measured; `run_celery_baseline` returns the headline subset."""

    n: int
    tasks_per_s: float
    wall_s: float
    send_s: float
    send_per_s: float
    latency_n: int
    latency_rate: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    topology: str
    #: CPU time the worker processes (consumers and pool children) spent a task during the burst: unlike the
    #: rates, it hardly depends on what else the machine is running.
    worker_cpu_ms: float = float("nan")
    notes: list[str] = field(default_factory=list)


# ---- Redis -----------------------------------------------------------------------------------------------


def redis_client() -> redis.Redis:
    """A client on the benchmark database; fails with how to start Redis when it is not up."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2.0, socket_timeout=10.0)
    try:
        client.ping()
    except (redis.ConnectionError, redis.TimeoutError) as exc:
        raise RuntimeError(REDIS_START_HINT.format(url=REDIS_URL)) from exc
    return client


def _result_key(task_id: str) -> str:
    return str(app.backend.get_key_for_task(task_id).decode())


def _count_existing(client: redis.Redis, keys: Sequence[str], chunk: int = 1000) -> int:
    total = 0
    for i in range(0, len(keys), chunk):
        total += int(client.exists(*keys[i : i + chunk]))
    return total


def _wait_all_done(
    client: redis.Redis,
    result_keys: Sequence[str],
    timeout_s: float,
    check: Callable[[], None] = lambda: None,
) -> float:
    """Block until every task of `result_keys` is complete; return the time.perf_counter() it was seen.

    `check` is called about every half second (it raises if the workers died).
    """
    deadline = time.monotonic() + timeout_s
    polls = 0
    while True:
        polls += 1
        if polls % 100 == 0:
            check()
        pipe = client.pipeline(transaction=False)
        pipe.llen(QUEUE)
        pipe.hlen(UNACKED_KEY)
        queued, unacked = pipe.execute()
        if queued == 0 and unacked == 0:
            seen = time.perf_counter()
            if _count_existing(client, result_keys) == len(result_keys):
                return seen
        if time.monotonic() > deadline:
            done = _count_existing(client, result_keys)
            raise TimeoutError(
                f"only {done}/{len(result_keys)} tasks completed in {timeout_s:.0f}s "
                f"(queued={queued}, unacked={unacked})"
            )
        time.sleep(0.005)


# ---- workers ---------------------------------------------------------------------------------------------


def process_tree_cpu_seconds(pids: Iterable[int]) -> float:
    """User + system CPU time of processes `pids` and their live descendants."""
    total = 0.0
    for pid in pids:
        with contextlib.suppress(psutil.NoSuchProcess):
            root = psutil.Process(pid)
            for p in [root, *root.children(recursive=True)]:
                with contextlib.suppress(psutil.NoSuchProcess):
                    t = p.cpu_times()
                    total += t.user + t.system
    return total


class Workers:
    """The Celery worker subprocesses of one run; a context manager that always stops them."""

    def __init__(self, topology: Topology = "2x1", log_dir: Path | None = None) -> None:
        self.topology: Topology = topology
        self._own_log_dir = log_dir is None
        self.log_dir = log_dir or Path(tempfile.mkdtemp(prefix="bench-celery-"))
        self.procs: list[tuple[str, subprocess.Popen[bytes], Path]] = []

    def command(self, name: str, concurrency: int) -> list[str]:
        return [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "bench.celery_baseline",
            "worker",
            "--pool",
            "prefork",
            "--concurrency",
            str(concurrency),
            "--prefetch-multiplier",
            "1",
            "-n",
            name,
            "-Q",
            QUEUE,
            "--loglevel",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ]

    def start(self, ready_timeout_s: float = 30.0) -> None:
        """Start the workers and wait until each answers a broadcast ping."""
        specs = [("bench1@%h", 1), ("bench2@%h", 1)] if self.topology == "2x1" else [("bench1@%h", 2)]
        env = dict(os.environ, BENCH_REDIS_URL=REDIS_URL)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), env.get("PYTHONPATH", "")) if p)
        for name, concurrency in specs:
            log_path = self.log_dir / f"{name.split('@')[0]}.log"
            with log_path.open("wb") as log:
                proc = subprocess.Popen(
                    self.command(name, concurrency),
                    cwd=REPO_ROOT,
                    env=env,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,  # its own process group: we can end it and its pool children
                )
            self.procs.append((name, proc, log_path))
        self._wait_ready(ready_timeout_s)

    def check(self) -> None:
        """Raise if a worker process has exited (with the tail of its log)."""
        for name, proc, log_path in self.procs:
            if proc.poll() is not None:
                tail = log_path.read_text(errors="replace")[-2000:]
                raise RuntimeError(f"worker {name} exited with {proc.returncode}:\n{tail}")

    def cpu_seconds(self) -> float:
        """User + system CPU time of the worker processes and their pool children so far."""
        return process_tree_cpu_seconds(proc.pid for _, proc, _ in self.procs)

    def _wait_ready(self, timeout_s: float) -> None:
        import socket

        expected = {name.replace("%h", socket.gethostname()) for name, _, _ in self.procs}
        deadline = time.monotonic() + timeout_s
        seen: set[str] = set()
        while time.monotonic() < deadline:
            self.check()
            for reply in app.control.ping(timeout=0.5) or []:
                seen.update(reply)
            if expected <= seen:
                return
        raise TimeoutError(f"workers not ready after {timeout_s:.0f}s: expected {expected}, got {seen}")

    def stop(self, timeout_s: float = 10.0) -> None:
        """Warm shutdown (SIGTERM) of each worker, then SIGKILL of its process group past `timeout_s`."""
        for _, proc, _ in self.procs:
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout_s
        for _, proc, _ in self.procs:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(max(0.0, deadline - time.monotonic()))
        for _, proc, _ in self.procs:
            # The group is ours (start_new_session); this also ends pool children left behind.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(5.0)
        self.procs.clear()
        if self._own_log_dir:
            shutil.rmtree(self.log_dir, ignore_errors=True)

    def __enter__(self) -> Workers:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


# ---- sending ---------------------------------------------------------------------------------------------


@contextlib.contextmanager
def _sender() -> Iterator[tuple[Celery, Any]]:
    """A backend-less Celery app and one producer.

    A publish then costs what kombu's Redis transport always does (SMEMBERS of the exchange's bindings,
    then LPUSH) and nothing for the result backend (no per-task SUBSCRIBE).
    """
    sender = Celery("bench_celery_sender", broker=REDIS_URL)
    sender.conf.update(task_serializer="json", broker_connection_retry_on_startup=True)
    try:
        with sender.producer_or_acquire() as producer:
            yield sender, producer
    finally:
        sender.close()


def _send_burst(n: int) -> tuple[list[str], float, float]:
    """Publish `n` no-op tasks back to back; return (result keys, start perf_counter, send seconds)."""
    ids: list[str] = []
    with _sender() as (sender, producer):
        start = time.perf_counter()
        for _ in range(n):
            ids.append(sender.send_task(NOOP, producer=producer).id)
        send_s = time.perf_counter() - start
    return [_result_key(i) for i in ids], start, send_s


def _send_paced(n: int, rate: float) -> list[tuple[str, float]]:
    """Publish `n` stamp tasks at about `rate` per second; return (result key, sent wall time) pairs."""
    sent: list[tuple[str, float]] = []
    with _sender() as (sender, producer):
        t0 = time.perf_counter()
        for i in range(n):
            delay = t0 + i / rate - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            at = time.time()
            sent.append((sender.send_task(STAMP, producer=producer).id, at))
    return [(_result_key(i), at) for i, at in sent]


def _percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    idx = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[idx]


def burst(client: redis.Redis, n: int, workers: Workers, timeout_s: float = 120.0) -> float:
    """Publish `n` no-op tasks to running `workers`; tasks/s until the last one is seen complete."""
    keys, start, _ = _send_burst(n)
    return n / (_wait_all_done(client, keys, timeout_s, workers.check) - start)


def _measure_latency(
    client: redis.Redis, n: int, rate: float, timeout_s: float, check: Callable[[], None]
) -> list[float]:
    sent = _send_paced(n, rate)
    keys = [k for k, _ in sent]
    _wait_all_done(client, keys, timeout_s, check)
    raw = client.mget(keys)
    out: list[float] = []
    for (key, at), blob in zip(sent, raw, strict=True):
        if not isinstance(blob, bytes):
            raise RuntimeError(f"no result under {key}")
        meta = orjson.loads(blob)
        if meta.get("status") != "SUCCESS":
            raise RuntimeError(f"stamp task failed: {meta}")
        out.append((float(meta["result"]) - at) * 1000.0)
    return out


# ---- the benchmark ---------------------------------------------------------------------------------------


def measure(
    n: int = 20000,
    *,
    topology: Topology = "2x1",
    latency_n: int = 500,
    latency_rate: float = 200.0,
    timeout_s: float = 120.0,
) -> CeleryBaseline:
    """Start the workers, run the throughput burst and the paced latency sample, stop the workers."""
    if n < 1 or latency_n < 1 or latency_rate <= 0:
        raise ValueError("n and latency_n must be >= 1 and latency_rate > 0")
    client = redis_client()
    client.flushdb()  # db 5 is the benchmark's own: a clean queue, no stale unacked entries or results
    with Workers(topology) as workers:
        # Warm-up: pool children forked, connections open, task modules imported.
        keys, _, _ = _send_burst(200)
        _wait_all_done(client, keys, timeout_s, workers.check)
        client.delete(QUEUE)  # flush the queue (it is empty here; this guards against leftovers)

        cpu_before = workers.cpu_seconds()
        keys, start, send_s = _send_burst(n)
        done_at = _wait_all_done(client, keys, timeout_s, workers.check)
        wall_s = done_at - start
        worker_cpu_ms = (workers.cpu_seconds() - cpu_before) * 1000 / n

        latencies = _measure_latency(client, latency_n, latency_rate, timeout_s, workers.check)
    notes: list[str] = []
    if latency_rate > 0.8 * n / wall_s:
        notes.append(
            f"latency sample sent at {latency_rate:g}/s, near or above the measured throughput "
            f"({n / wall_s:.0f}/s): its latencies include queueing; lower --rate"
        )
    return CeleryBaseline(
        n=n,
        tasks_per_s=n / wall_s,
        wall_s=wall_s,
        send_s=send_s,
        send_per_s=n / send_s,
        latency_n=latency_n,
        latency_rate=latency_rate,
        p50_ms=statistics.median(latencies),
        p99_ms=_percentile(latencies, 99),
        max_ms=max(latencies),
        topology=topology,
        worker_cpu_ms=worker_cpu_ms,
        notes=notes,
    )


def run_celery_baseline(n: int = 20000) -> dict[str, float | int]:
    """Celery no-op throughput (tasks/s) over `n` tasks, and p50/p99 submit-to-start latency in ms.

    Two prefork workers of concurrency 1, acks_late, prefetch multiplier 1, Redis broker and backend (db 5).
    """
    r = measure(n)
    return {"tasks_per_s": r.tasks_per_s, "p50_ms": r.p50_ms, "p99_ms": r.p99_ms, "n": r.n}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("n", nargs="?", type=int, default=20000, help="no-op tasks in the burst")
    parser.add_argument("--topology", choices=["2x1", "1x2"], default="2x1")
    parser.add_argument("--latency-n", type=int, default=500)
    parser.add_argument("--rate", type=float, default=200.0, help="latency sample send rate, tasks/s")
    parser.add_argument("--full", action="store_true", help="print every measured field")
    args = parser.parse_args(argv)

    def on_sigterm(signum: int, frame: object) -> None:
        raise KeyboardInterrupt  # unwinds through Workers.__exit__, which stops the workers

    signal.signal(signal.SIGTERM, on_sigterm)
    try:
        r = measure(args.n, topology=args.topology, latency_n=args.latency_n, latency_rate=args.rate)
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.full:
        print(orjson.dumps(asdict(r), option=orjson.OPT_INDENT_2).decode())
    else:
        print({"tasks_per_s": r.tasks_per_s, "p50_ms": r.p50_ms, "p99_ms": r.p99_ms, "n": r.n})
        for note in r.notes:
            print(f"note: {note}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
