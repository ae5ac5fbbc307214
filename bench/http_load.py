"""One way to put HTTP load on a server for every benchmark: wrk when installed (C, cheap on the CPU the
server needs), else bench.loadgen."""

from __future__ import annotations

from collections.abc import Mapping

from bench import loadgen, wrk


def requests_per_second(
    url: str,
    *,
    method: str = "GET",
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    connections: int = 32,
    duration_s: float = 5.0,
) -> tuple[float, int]:
    """(requests/s, errors) over `duration_s` after a one-second warm-up."""
    if wrk.wrk_path():
        w = wrk.run_wrk(
            url, method=method, body=body, headers=headers, connections=connections, duration_s=duration_s
        )
        return w.requests_per_s, w.errors
    split = url.split("/", 3)
    host, port = split[2].split(":")
    request = loadgen.build_request(method, "/" + split[3], headers=dict(headers or {}), body=body)
    r = loadgen.run_sync(
        loadgen.hammer(host, int(port), request, connections=connections, duration_s=duration_s, warmup_s=1.0)
    )
    return r.requests_per_s, r.errors


def tool() -> str:
    return "wrk" if wrk.wrk_path() else "bench.loadgen"
