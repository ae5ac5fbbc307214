"""GET of one execution over HTTP vs a bare Starlette route returning a JSON document of the same size.

Both run under uvicorn with the same settings (one process, uvloop, httptools); the load alternates between
them `rounds` times in one run and the ratio of the medians is printed. Target: >= 0.7.

    .venv/bin/python -m bench.bench_status [--rounds 3] [--duration 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from bench.bare_server import serve
from bench.http_load import requests_per_second, tool
from bench.sitejobs_server import sitejobs_server


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
        with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
            f.write(body)
        os.environ["BARE_JSON_BODY"] = f.name
        try:
            with serve("bench.bare_json:app") as (port, _pid):
                bare_url = (
                    f"http://127.0.0.1:{port}/s/-/dw/data/v23_2/jobs/hello-world/executions/{started['id']}"
                )
                ours: list[float] = []
                bare: list[float] = []
                for _ in range(rounds):
                    rps, errors = requests_per_second(bare_url, headers=server.auth, duration_s=duration_s)
                    bare.append(rps)
                    rps, errors = requests_per_second(status_url, headers=server.auth, duration_s=duration_s)
                    assert errors == 0, f"{errors} failed status reads"
                    ours.append(rps)
        finally:
            Path(f.name).unlink()
    result = {
        "body_bytes": len(body),
        "sitejobs_rps": statistics.median(ours),
        "bare_rps": statistics.median(bare),
    }
    result["ratio"] = result["sitejobs_rps"] / result["bare_rps"]
    return result


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
