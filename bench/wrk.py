"""Run `wrk` (the C HTTP benchmarking tool, Debian package ``wrk``) and parse what it reports.

What is measured: wrk's own figures for one run of ``duration_s`` whole seconds (wrk takes integer
durations) over ``connections`` keep-alive connections on ``threads`` OS threads: requests/s (responses
completed / elapsed), the response count, p50/p99 latency from ``--latency`` (wrk measures each
request from its write to its response; not reported with pipelining, where wrk's table is wrong),
non-2xx/3xx responses and socket errors.  ``client_cpu_pct`` is wrk's user+system CPU time over its
wall time (100 = one core).  An optional warm-up run of ``warmup_s`` is made first and discarded.

POST/PUT bodies, extra headers and pipelining are set through a generated Lua script.
wrk is not a Python dependency: install it with ``apt-get install -y wrk``; `wrk_path()` says if it is there.
"""

from __future__ import annotations

import math
import os
import re
import resource
import shutil
import subprocess
import tempfile
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from urllib.parse import urlsplit

_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


@dataclass(frozen=True)
class WrkResult:
    """What one wrk run reported (latencies in milliseconds)."""

    requests_per_s: float
    count: int
    errors: int
    non_2xx_3xx: int
    socket_errors: int
    p50_ms: float
    p99_ms: float
    duration_s: float
    connections: int
    threads: int
    client_cpu_pct: float
    raw: str


def wrk_path() -> str | None:
    """The wrk executable, or None when it is not installed."""
    return shutil.which("wrk")


def _lua_string(data: bytes) -> str:
    """A Lua string literal of arbitrary bytes (decimal escapes for everything not plainly printable)."""
    out = []
    for byte in data:
        ch = chr(byte)
        out.append(ch if (ch.isalnum() or ch in " _-.,:/{}[]()=+*&^%$#@!~`';<>?|") else f"\\{byte:03d}")
    return '"' + "".join(out) + '"'


def lua_script(
    method: str = "GET",
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    pipeline: int = 1,
) -> str:
    """The wrk Lua script setting the method, body, headers and pipelining depth."""
    lines = [f"wrk.method = {_lua_string(method.upper().encode())}"]
    if body is not None:
        lines.append(f"wrk.body = {_lua_string(body)}")
    for name, value in (headers or {}).items():
        lines.append(f"wrk.headers[{_lua_string(name.encode())}] = {_lua_string(value.encode())}")
    if pipeline > 1:
        lines += [
            "init = function(args)",
            "  local r = {}",
            f"  for i = 1, {pipeline} do r[i] = wrk.format() end",
            "  req = table.concat(r)",
            "end",
            "request = function() return req end",
        ]
    return "\n".join(lines) + "\n"


def _ms(value: str, unit: str) -> float:
    return float(value) * _UNITS[unit]


def parse_output(text: str) -> dict[str, float | int]:
    """The figures of wrk's text report (run with ``--latency``)."""
    out: dict[str, float | int] = {}
    m = re.search(r"Requests/sec:\s+([\d.]+)", text)
    if not m:
        raise RuntimeError(f"no Requests/sec in wrk output:\n{text}")
    out["requests_per_s"] = float(m.group(1))
    m = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m|h)", text)
    if m:
        out["count"] = int(m.group(1))
        out["duration_s"] = _ms(m.group(2), m.group(3)) / 1000.0
    for pct, key in (("50", "p50_ms"), ("99", "p99_ms")):
        m = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s|m|h)\s*$", text, re.M)
        out[key] = _ms(m.group(1), m.group(2)) if m else math.nan
    m = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    out["non_2xx_3xx"] = int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    out["socket_errors"] = sum(int(g) for g in m.groups()) if m else 0
    return out


def _run_once(args: list[str], timeout_s: float) -> tuple[str, float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(args, capture_output=True, text=True, timeout=timeout_s, check=False)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise RuntimeError(f"wrk exited with {proc.returncode}: {proc.stderr or proc.stdout}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return proc.stdout, wall, cpu


def run_wrk(
    url: str,
    *,
    connections: int = 32,
    threads: int = 1,
    duration_s: float = 5.0,
    warmup_s: float = 1.0,
    method: str = "GET",
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    pipeline: int = 1,
    timeout_s: float = 2.0,
) -> WrkResult:
    """Run wrk against `url` (loopback only) and return its parsed figures; bounded in time."""
    exe = wrk_path()
    if exe is None:
        raise RuntimeError("wrk is not installed (apt-get install -y wrk)")
    host = urlsplit(url).hostname or ""
    if host not in ("127.0.0.1", "localhost", "::1") and not host.startswith("127."):
        raise ValueError(f"only loopback targets, not {host!r}")
    seconds = max(1, math.ceil(duration_s))
    script = lua_script(method, body, headers, pipeline)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
        script_path = f.name
    base = [exe, f"-t{threads}", f"-c{connections}", f"--timeout={timeout_s:g}s", "-s", script_path]
    try:
        if warmup_s > 0:
            warm = max(1, math.ceil(warmup_s))
            _run_once([*base, f"-d{warm}s", url], timeout_s=warm + timeout_s + 15)
        text, wall, cpu = _run_once([*base, f"-d{seconds}s", "--latency", url], seconds + timeout_s + 15)
    finally:
        os.unlink(script_path)
    figures = parse_output(text)
    if pipeline > 1:
        # wrk records one latency sample per pipelined batch and its percentile table then comes out wrong
        # (99% printed as 0.00us): do not report it.
        figures["p50_ms"] = figures["p99_ms"] = math.nan
    return WrkResult(
        requests_per_s=float(figures["requests_per_s"]),
        count=int(figures.get("count", 0)),
        errors=int(figures["non_2xx_3xx"]) + int(figures["socket_errors"]),
        non_2xx_3xx=int(figures["non_2xx_3xx"]),
        socket_errors=int(figures["socket_errors"]),
        p50_ms=float(figures["p50_ms"]),
        p99_ms=float(figures["p99_ms"]),
        duration_s=float(figures.get("duration_s", seconds)),
        connections=connections,
        threads=threads,
        client_cpu_pct=100.0 * cpu / wall if wall > 0 else 0.0,
        raw=text,
    )


if __name__ == "__main__":
    import sys

    r = run_wrk(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000/")
    print({k: v for k, v in asdict(r).items() if k != "raw"})
