"""GET of one execution over HTTP vs a bare Starlette route returning a JSON document of the same size.

Both run under uvicorn with the same settings (one process, uvloop, httptools); the load alternates between
them `rounds` times in one run and the ratio of the medians is printed. Target: >= 0.7.

    .venv/bin/python -m bench.bench_status [--rounds 3] [--duration 5]
"""

from __future__ import annotations

import argparse
import time

import httpx

from bench.http_load import tool
from bench.sitejobs_server import sitejobs_server
from bench.versus_bare import versus_bare


def run(rounds: int = 3, duration_s: float = 5.0) -> dict[str, float]:
    with sitejobs_server() as server:
        started = httpx.post(
            f"{server.url}/s/-/dw/data/v23_2/jobs/hello-world/executions",
            json={"parameters": [{"name": "Seconds", "value": "0"}]},
            headers=server.auth,
        ).json()
        status_url = f"{server.url}/s/-/dw/data/v23_2/jobs/hello-world/executions/{started['id']}"
        deadline = time.monotonic() + 30
        while True:
            body = httpx.get(status_url, headers=server.auth).content
            if b'"status":"OK"' in body or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        return versus_bare(status_url, body, server.auth, rounds, duration_s)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=float, default=5.0)
    args = parser.parse_args()
    r = run(args.rounds, args.duration)
    print(
        f"status GET ({tool()}, {r['body_bytes']:.0f}-byte body): sitejobs {r['sitejobs_rps']:.0f} req/s, "
        f"bare Starlette {r['bare_rps']:.0f} req/s, ratio {r['ratio']:.2f} (target >= 0.70)"
    )


if __name__ == "__main__":
    main()
