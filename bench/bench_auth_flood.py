"""Latency of `/healthz` and of the OCAPI status GET while four clients send wrong passwords as fast as they can.

One `sitejobs serve` process. A probe (one keep-alive connection) alternates GET /healthz and GET of one
execution's status, first with no flood (the baseline), then while four processes each send wrong passwords in a
loop: to the Sites Management API (HTTP Basic), to the user token endpoint and to the client token endpoint, in
turn. Each phase prints p50/p99 and the ratio against the baseline. Target under the flood: p50 < 5 ms and
p99 < 50 ms for both. A second flood runs with the failed-login throttles raised out of reach, so every attempt
pays its scrypt (on the server's thread pool): that shows what the thread pool alone does.

    .venv/bin/python -m bench.bench_auth_flood [--duration 5]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from multiprocessing.synchronize import Event

import httpx

from bench.bare_server import REPO_ROOT
from bench.sitejobs_server import Server, sitejobs_server

FLOODERS = 4
TARGET_P50_MS, TARGET_P99_MS = 5.0, 50.0
USER, PASSWORD = "bench-user", "bench-password"
UNTHROTTLED = {
    "SITEJOBS_AUTH_ACCOUNT_FAILURES": "1000000000",
    "SITEJOBS_AUTH_ADDRESS_FAILURES": "1000000000",
}


@dataclass(frozen=True)
class Latency:
    p50_ms: float
    p99_ms: float
    count: int


def _percentiles(samples: list[float]) -> Latency:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return Latency(statistics.median(ordered) * 1000, p99 * 1000, len(ordered))


def probe(urls: Mapping[str, str], headers: Mapping[str, str], duration_s: float) -> dict[str, Latency]:
    samples: dict[str, list[float]] = {name: [] for name in urls}
    with httpx.Client(headers=dict(headers), timeout=30) as client:
        for url in urls.values():  # warm the connection
            client.get(url).raise_for_status()
        deadline = time.monotonic() + duration_s
        while time.monotonic() < deadline:
            for name, url in urls.items():
                started = time.perf_counter()
                client.get(url).raise_for_status()
                samples[name].append(time.perf_counter() - started)
    return {name: _percentiles(values) for name, values in samples.items()}


def flood(base_url: str, stop: Event, counts: multiprocessing.Queue[dict[int, int]]) -> None:
    """Wrong passwords in a loop over one keep-alive connection, as fast as the answers come back."""
    seen: dict[int, int] = {}
    attempts = [
        lambda c, i: c.get("/sites/management/api/v1/sites", auth=(USER, f"wrong-{i}")),
        lambda c, i: c.post(
            "/oauth2/v1/token", data={"grant_type": "password", "username": USER, "password": f"wrong-{i}"}
        ),
        lambda c, i: c.post(
            "/dwsso/oauth2/access_token",
            data={"grant_type": "client_credentials"},
            auth=("bench-client", f"x{i}"),
        ),
    ]
    i = 0
    with httpx.Client(base_url=base_url, timeout=60) as client:
        while not stop.is_set():
            status = attempts[i % len(attempts)](client, i).status_code
            seen[status] = seen.get(status, 0) + 1
            i += 1
    counts.put(seen)


def under_flood(
    server: Server, urls: Mapping[str, str], duration_s: float
) -> tuple[dict[str, Latency], dict[int, int]]:
    ctx = multiprocessing.get_context("fork")
    stop = ctx.Event()
    counts: multiprocessing.Queue[dict[int, int]] = ctx.Queue()
    workers = [ctx.Process(target=flood, args=(server.url, stop, counts)) for _ in range(FLOODERS)]
    for worker in workers:
        worker.start()
    try:
        time.sleep(1.0)  # let the flood reach its pace
        latencies = probe(urls, server.auth, duration_s)
    finally:
        stop.set()
    totals: dict[int, int] = {}
    for _ in workers:
        for status, n in counts.get(timeout=120).items():
            totals[status] = totals.get(status, 0) + n
    for worker in workers:
        worker.join()
    return latencies, totals


def _status_url(server: Server) -> str:
    started = httpx.post(
        f"{server.url}/s/-/dw/data/v23_2/jobs/noop/executions", headers=server.auth, json={}
    ).json()
    return f"{server.url}/s/-/dw/data/v23_2/jobs/noop/executions/{started['id']}"


def _add_user(server: Server) -> None:
    subprocess.run(
        [sys.executable, "-m", "sitejobs", "users", "add", USER, "--password", PASSWORD],
        env=dict(os.environ, SITEJOBS_DATA_DIR=str(server.data_dir)),
        check=True,
        capture_output=True,
        cwd=REPO_ROOT,
    )


def _line(label: str, lat: Latency, base: Latency | None) -> str:
    ratio = (
        f", x{lat.p50_ms / base.p50_ms:.2f} p50 / x{lat.p99_ms / base.p99_ms:.2f} p99 vs no flood"
        if base
        else ""
    )
    return f"  {label:<12} p50 {lat.p50_ms:6.2f} ms  p99 {lat.p99_ms:6.2f} ms  ({lat.count} requests){ratio}"


def run_case(title: str, duration_s: float, env: Mapping[str, str]) -> bool:
    ok = True
    with sitejobs_server(**env) as server:
        _add_user(server)
        urls = {"/healthz": f"{server.url}/healthz", "status GET": _status_url(server)}
        baseline = probe(urls, server.auth, duration_s)
        flooded, statuses = under_flood(server, urls, duration_s)
    print(f"{title}:")
    for name in urls:
        print(_line(f"{name} idle", baseline[name], None))
    for name in urls:
        print(_line(f"{name} flood", flooded[name], baseline[name]))
        ok = ok and flooded[name].p50_ms < TARGET_P50_MS and flooded[name].p99_ms < TARGET_P99_MS
    answered = ", ".join(f"{n} x {status}" for status, n in sorted(statuses.items()))
    print(f"  flood answers ({FLOODERS} clients): {answered}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=5.0)
    args = parser.parse_args()
    ok = run_case("wrong-password flood, default throttles", args.duration, {})
    print(
        f"  target under flood: p50 < {TARGET_P50_MS:.0f} ms, p99 < {TARGET_P99_MS:.0f} ms: {'met' if ok else 'MISSED'}"
    )
    run_case(
        "wrong-password flood, throttles out of reach (every attempt pays scrypt)", args.duration, UNTHROTTLED
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
