"""A bare Starlette route served by uvicorn in a subprocess, and a client comparison against it.

`serve()` starts ``python -m uvicorn bench.bare_server:app`` (one worker; ``--loop uvloop --http httptools``
when both are installed) on a free loopback port and stops it afterwards.  `server_cpu_pct` style
figures are read from /proc so a run shows whether the server had its core to itself.

``python -m bench.bare_server`` compares the load generators against it: `bench.loadgen` (Python,
asyncio streams, uvloop) and `bench.wrk` (C) when wrk is installed, each with the same connections and
duration, and prints requests/s, latency and how much CPU the client and the server used.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

REPO_ROOT = Path(__file__).resolve().parent.parent


async def hello(request: Request) -> Response:
    """The bare route: no middleware, a 2-byte text body."""
    return PlainTextResponse("ok")


app = Starlette(routes=[Route("/", hello)])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_port(port: int, proc: subprocess.Popen[bytes], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return
        time.sleep(0.05)
    raise TimeoutError(f"server not listening on {port} after {timeout_s}s")


def cpu_seconds(pid: int) -> float:
    """User+system CPU seconds of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def fast_stack() -> list[str]:
    """uvicorn options for uvloop + httptools when both are installed."""
    if importlib.util.find_spec("uvloop") and importlib.util.find_spec("httptools"):
        return ["--loop", "uvloop", "--http", "httptools"]
    return []


@contextlib.contextmanager
def serve(target: str = "bench.bare_server:app", port: int | None = None) -> Iterator[tuple[int, int]]:
    """Run uvicorn on `target` (single worker) on 127.0.0.1; yields (port, pid); always stops it."""
    port = port or free_port()
    cmd = [
        sys.executable,
        "-m",
        "uvicorn",
        target,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "1",
        "--log-level",
        "warning",
        "--no-access-log",
        *fast_stack(),
    ]
    proc = subprocess.Popen(cmd, cwd=REPO_ROOT, stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_port(port, proc, 20.0)
        yield port, proc.pid
    finally:
        stop(proc, 10.0)


def stop(proc: subprocess.Popen[bytes], grace_s: float) -> None:
    """SIGTERM, then SIGKILL of its process group after `grace_s` (it was started in a new session)."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(grace_s)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5.0)


def compare(
    connections: int = 32, duration_s: float = 5.0, warmup_s: float = 1.0, pipeline: int = 1, rounds: int = 2
) -> None:
    """Alternate loadgen and wrk (if installed) `rounds` times against one bare server; print the figures.

    Client CPU is the tool's CPU time over its measured run; server CPU is uvicorn's over the whole tool
    call (warm-up included); per-request client cost is client CPU time / responses.
    """
    from bench import loadgen, wrk

    with serve() as (port, pid):
        url = f"http://127.0.0.1:{port}/"
        tools = ["loadgen", "wrk"] if wrk.wrk_path() else ["loadgen"]
        if len(tools) == 1:
            print("wrk is not installed (apt-get install -y wrk): loadgen only", flush=True)
        for tool in tools * rounds:
            cpu0, t0 = cpu_seconds(pid), time.perf_counter()
            if tool == "wrk":
                w = wrk.run_wrk(
                    url, connections=connections, duration_s=duration_s, warmup_s=warmup_s, pipeline=pipeline
                )
                rps, p50, p99, errors, client = (
                    w.requests_per_s,
                    w.p50_ms,
                    w.p99_ms,
                    w.errors,
                    w.client_cpu_pct,
                )
                per_req = client / 100.0 * w.duration_s / max(1, w.count) * 1e6
            else:
                r = loadgen.run(
                    url, connections=connections, duration_s=duration_s, warmup_s=warmup_s, pipeline=pipeline
                )
                rps, p50, p99, errors, client = (
                    r.requests_per_s,
                    r.p50_ms,
                    r.p99_ms,
                    r.errors,
                    r.client_cpu_pct,
                )
                per_req = r.client_us_per_req
            server = 100.0 * (cpu_seconds(pid) - cpu0) / (time.perf_counter() - t0)
            print(
                f"{tool:8s} c={connections} p={pipeline}: {rps:8.0f} req/s  p50 {p50:.2f} ms  "
                f"p99 {p99:.2f} ms  errors {errors}  client CPU {client:.0f}% ({per_req:.1f} us/req)  "
                f"server CPU {server:.0f}%",
                flush=True,
            )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="compare load generators against a bare Starlette route")
    parser.add_argument("-c", "--connections", type=int, default=32)
    parser.add_argument("-d", "--duration", type=float, default=5.0)
    parser.add_argument("-w", "--warmup", type=float, default=1.0)
    parser.add_argument("-p", "--pipeline", type=int, default=1)
    parser.add_argument("-r", "--rounds", type=int, default=2, help="times each tool runs, alternating")
    a = parser.parse_args()
    compare(a.connections, a.duration, a.warmup, a.pipeline, a.rounds)
