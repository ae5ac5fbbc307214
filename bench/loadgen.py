"""A lean HTTP/1.1 load generator on raw asyncio streams, for comparing servers on a small machine.

Why not httpx: on 2 cores the client shares the CPU with the server under test, and a full-featured
Python client spends several times more CPU per request than the server's own HTTP layer, so it would
measure itself.  This one does the minimum per request:

* `connections` keep-alive connections, each its own coroutine, opened once (re-opened only when the
  server closes one or it breaks);
* requests are pre-built bytes (see `build_request`); with `pipeline=d` each connection writes d requests
  in one `write` and then reads d responses (batch pipelining, not a sliding window);
* responses are parsed from a private buffer filled by `reader.read(64 KiB)`: status code from the status
  line, ``Content-Length`` bodies and ``Transfer-Encoding: chunked`` bodies (chunk sizes followed, trailers
  skipped); ``Connection: close`` makes the connection re-open.  A body delimited only by connection close
  is a protocol error (counted as an error, the connection re-opened).  Responses to HEAD are not
  supported (the Content-Length would be taken as a body).

What is measured
----------------
The run lasts ``warmup_s + duration_s``.  Only responses *completed* inside the measuring window (after
the warm-up) are counted: ``requests_per_s = count / duration_s`` (the window's real length).  The latency
of a request is from the moment its batch was written to the moment its response was complete (with
pipelining that includes waiting behind the responses before it in the batch).  ``errors`` counts non-2xx
responses plus requests lost on a broken connection or a failed connect, in the window.  ``client_cpu_pct``
is this process's CPU time over the run divided by its wall time (100 = one full core), to see how much of
the machine the client itself took; ``client_us_per_req`` is that CPU time per response (warm-up included).

It is bounded: it stops by itself after the window (in-flight batches get ``timeout_s`` to finish, then
are cancelled), and after ``max_requests`` requests sent, whichever is first.  It only targets loopback
addresses.

Use it with uvloop for the leanest client (``run`` does, when uvloop is installed).
CLI: ``.venv/bin/python -m bench.loadgen http://127.0.0.1:8000/ -c 32 -d 5 -w 1 [-p 4] [-X POST -b '{}']``
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ipaddress
import math
import time
from collections import deque
from collections.abc import Coroutine, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, TypeVar
from urllib.parse import urlsplit

T = TypeVar("T")

_READ_SIZE = 65536
_MAX_LATENCY_SAMPLES = 5_000_000


class ProtocolError(Exception):
    """A response this minimal parser does not handle (or a malformed one)."""


@dataclass(frozen=True)
class Result:
    """What one `hammer` run measured (see the module docstring for the definitions)."""

    requests_per_s: float
    count: int
    errors: int
    status: dict[int, int]
    p50_ms: float
    p99_ms: float
    duration_s: float
    connections: int
    pipeline: int
    client_cpu_pct: float
    client_us_per_req: float
    notes: list[str] = field(default_factory=list)


def build_request(
    method: str,
    path: str,
    *,
    headers: Mapping[str, str] | None = None,
    body: bytes | None = None,
    host: str = "127.0.0.1",
) -> bytes:
    """The bytes of one HTTP/1.1 request; adds ``Host`` and ``Content-Length`` unless given."""
    hdrs = dict(headers or {})
    names = {k.lower() for k in hdrs}
    if "host" not in names:
        hdrs = {"Host": host, **hdrs}
    if body is None and method.upper() in ("POST", "PUT", "PATCH"):
        body = b""
    if body is not None and "content-length" not in names:
        hdrs["Content-Length"] = str(len(body))
    head = (
        f"{method.upper()} {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in hdrs.items()) + "\r\n"
    )
    return head.encode("latin-1") + (body or b"")


def _parse_one(buf: bytearray, pos: int) -> tuple[int, int, bool] | None:
    """Parse the response starting at `pos`: (status, end offset, connection-close) or None if incomplete."""
    hdr_end = buf.find(b"\r\n\r\n", pos)
    if hdr_end < 0:
        return None
    if buf[pos : pos + 5] != b"HTTP/":
        raise ProtocolError(f"bad status line: {bytes(buf[pos : pos + 40])!r}")
    status = int(buf[pos + 9 : pos + 12])
    head = bytes(buf[pos:hdr_end]).lower()
    close = b"\r\nconnection: close" in head
    body_start = hdr_end + 4
    i = head.find(b"\r\ncontent-length:")
    if i >= 0:
        j = head.find(b"\r\n", i + 17)
        end = body_start + int(head[i + 17 : j if j >= 0 else len(head)])
        return (status, end, close) if len(buf) >= end else None
    if b"\r\ntransfer-encoding:" in head:
        if b"chunked" not in head:
            raise ProtocolError("transfer-encoding other than chunked")
        p = body_start
        while True:
            k = buf.find(b"\r\n", p)
            if k < 0:
                return None
            size = int(bytes(buf[p:k]).split(b";", 1)[0], 16)
            if size == 0:
                # no trailers: "0\r\n\r\n"; with trailers: up to the next empty line
                if len(buf) < k + 4:
                    return None
                if buf[k : k + 4] == b"\r\n\r\n":
                    return status, k + 4, close
                t = buf.find(b"\r\n\r\n", k)
                return (status, t + 4, close) if t >= 0 else None
            p = k + 2 + size + 2
            if len(buf) < p:
                return None
    if status in (204, 304) or 100 <= status < 200:
        return status, body_start, close
    raise ProtocolError(f"response {status} without Content-Length or chunked body")


class _Run:
    """Shared state of one `hammer` run: the clock, the counters, the stop conditions."""

    def __init__(self, warmup_s: float, duration_s: float, max_requests: int) -> None:
        self.started = time.perf_counter()
        self.measure_from = self.started + warmup_s
        self.measure_until = self.measure_from + duration_s
        self.max_requests = max_requests
        self.sent = 0
        self.count = 0
        self.responses = 0  # warm-up included: for the client's CPU cost per request
        self.errors = 0
        self.status: dict[int, int] = {}
        self.latencies: list[float] = []
        self.first_error: str | None = None

    def stopping(self, now: float) -> bool:
        return now >= self.measure_until or self.sent >= self.max_requests

    def fail(self, n: int, why: BaseException) -> None:
        now = time.perf_counter()
        if self.measure_from <= now < self.measure_until:
            self.errors += n
        if self.first_error is None:
            self.first_error = f"{type(why).__name__}: {why}"


async def _connection(run: _Run, host: str, port: int, batches: Sequence[bytes], per_batch: int) -> None:
    """One keep-alive connection: write a batch, read its responses, until the run stops."""
    nb = len(batches)
    b = 0
    perf = time.perf_counter
    while not run.stopping(perf()):
        try:
            reader, writer = await asyncio.open_connection(host, port)
        except OSError as exc:
            run.fail(1, exc)
            await asyncio.sleep(0.05)
            continue
        buf = bytearray()
        sent_at: deque[float] = deque()
        close = False
        try:
            while not close:
                now = perf()
                if run.stopping(now):
                    break
                writer.write(batches[b])
                b = (b + 1) % nb
                run.sent += per_batch
                sent_at.extend([now] * per_batch)
                pos = 0
                while sent_at:
                    parsed = _parse_one(buf, pos)
                    if parsed is None:
                        if pos:
                            del buf[:pos]
                            pos = 0
                        chunk = await reader.read(_READ_SIZE)
                        if not chunk:
                            raise ConnectionResetError("server closed the connection")
                        buf += chunk
                        continue
                    status, pos, close = parsed
                    done = perf()
                    t0 = sent_at.popleft()
                    run.responses += 1
                    if run.measure_from <= done < run.measure_until:
                        run.count += 1
                        run.status[status] = run.status.get(status, 0) + 1
                        if not 200 <= status < 300:
                            run.errors += 1
                        if len(run.latencies) < _MAX_LATENCY_SAMPLES:
                            run.latencies.append(done - t0)
                    if close and sent_at:
                        raise ConnectionResetError("server closed a pipelined connection")
                del buf[:pos]
        except (OSError, ProtocolError, ValueError, asyncio.IncompleteReadError) as exc:
            run.fail(max(1, len(sent_at)), exc)
        finally:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()


def _percentile(sorted_values: Sequence[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    idx = min(len(sorted_values) - 1, max(0, round(q / 100 * (len(sorted_values) - 1))))
    return sorted_values[idx]


def _check_loopback(host: str) -> None:
    if host == "localhost":
        return
    try:
        if ipaddress.ip_address(host).is_loopback:
            return
    except ValueError:
        pass
    raise ValueError(f"loadgen only targets loopback addresses, not {host!r}")


async def hammer(
    host: str,
    port: int,
    requests: list[bytes] | bytes,
    *,
    connections: int = 32,
    duration_s: float = 5.0,
    warmup_s: float = 1.0,
    pipeline: int = 1,
    max_requests: int = 10_000_000,
    timeout_s: float = 10.0,
) -> Result:
    """Load `host:port` with `requests` (cycled) over `connections` keep-alive connections.

    Runs `warmup_s` unmeasured then `duration_s` measured; stops by itself (see the module docstring).
    """
    _check_loopback(host)
    reqs = [requests] if isinstance(requests, bytes) else list(requests)
    if not reqs or connections < 1 or pipeline < 1 or duration_s <= 0 or warmup_s < 0:
        raise ValueError("need requests, connections >= 1, pipeline >= 1, duration_s > 0, warmup_s >= 0")
    m = len(reqs)
    # Batch j holds requests j*pipeline .. j*pipeline+pipeline-1 (mod m); m batches cover every rotation.
    batches = [b"".join(reqs[(j * pipeline + k) % m] for k in range(pipeline)) for j in range(m)]
    cpu0 = time.process_time()
    run = _Run(warmup_s, duration_s, max_requests)
    tasks = [
        asyncio.create_task(_connection(run, host, port, batches[i % m :] + batches[: i % m], pipeline))
        for i in range(connections)
    ]
    notes: list[str] = []
    hard_deadline = warmup_s + duration_s + timeout_s
    done, pending = await asyncio.wait(tasks, timeout=hard_deadline)
    for t in pending:
        t.cancel()
    if pending:
        notes.append(
            f"{len(pending)} connections still waiting after {timeout_s}s past the window: cancelled"
        )
        await asyncio.wait(pending, timeout=5.0)
    for t in done:
        if not t.cancelled() and t.exception() is not None:
            raise t.exception()  # type: ignore[misc]
    wall = time.perf_counter() - run.started
    cpu = time.process_time() - cpu0
    window = min(time.perf_counter(), run.measure_until) - run.measure_from
    if run.sent >= max_requests:
        notes.append(f"stopped at max_requests={max_requests}")
    if run.first_error:
        notes.append(f"first error: {run.first_error}")
    lat = sorted(run.latencies)
    return Result(
        requests_per_s=run.count / window if window > 0 else 0.0,
        count=run.count,
        errors=run.errors,
        status=dict(sorted(run.status.items())),
        p50_ms=_percentile(lat, 50) * 1000.0,
        p99_ms=_percentile(lat, 99) * 1000.0,
        duration_s=window,
        connections=connections,
        pipeline=pipeline,
        client_cpu_pct=100.0 * cpu / wall if wall > 0 else 0.0,
        client_us_per_req=1e6 * cpu / run.responses if run.responses else math.nan,
        notes=notes,
    )


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run `coro` on a fresh event loop, uvloop's when it is installed (a leaner client)."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coro)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(coro)


def run(url: str, **kwargs: Any) -> Result:
    """Synchronous `hammer` on an ``http://host:port/path`` URL; keyword arguments as `hammer`'s plus
    ``method``, ``headers`` and ``body`` for the request."""
    parts = urlsplit(url)
    if parts.scheme != "http" or not parts.hostname:
        raise ValueError(f"need an http:// URL, got {url!r}")
    port = parts.port or 80
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    method = kwargs.pop("method", "GET")
    headers = kwargs.pop("headers", None)
    body = kwargs.pop("body", None)
    req = build_request(method, path, headers=headers, body=body, host=f"{parts.hostname}:{port}")
    return run_sync(hammer(parts.hostname, port, req, **kwargs))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="lean HTTP/1.1 load generator (loopback only)")
    parser.add_argument("url")
    parser.add_argument("-c", "--connections", type=int, default=32)
    parser.add_argument("-d", "--duration", type=float, default=5.0, help="measured seconds")
    parser.add_argument("-w", "--warmup", type=float, default=1.0, help="unmeasured seconds first")
    parser.add_argument("-p", "--pipeline", type=int, default=1)
    parser.add_argument("-X", "--method", default="GET")
    parser.add_argument("-H", "--header", action="append", default=[], help="'Name: value', repeatable")
    parser.add_argument("-b", "--body", help="request body (text)")
    args = parser.parse_args(argv)
    headers = dict(h.split(":", 1) for h in args.header)
    result = run(
        args.url,
        connections=args.connections,
        duration_s=args.duration,
        warmup_s=args.warmup,
        pipeline=args.pipeline,
        method=args.method,
        headers={k.strip(): v.strip() for k, v in headers.items()},
        body=args.body.encode() if args.body is not None else None,
    )
    print(asdict(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
