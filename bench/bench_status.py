"""GET of one execution over HTTP vs a bare Starlette route returning a JSON document of the same size.

Both run under uvicorn with the same settings (one process, uvloop, httptools); the load alternates between
them `rounds` times in one run and the ratio of the medians is printed. Target: >= 0.8.

    .venv/bin/python -m bench.bench_status [--rounds 3] [--duration 5]
"""

from __future__ import annotations

import time

import httpx

from bench.sitejobs_server import sitejobs_server
from bench.versus_bare import main_for, versus_bare


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
    main_for(__doc__, "status GET", run)


if __name__ == "__main__":
    main()
