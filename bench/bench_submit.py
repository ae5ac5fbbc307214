"""Durable submissions over HTTP: POST …/jobs/noop/executions answered 202 per second, each answered only after
its row is committed (SQLite: WAL with synchronous=FULL; PostgreSQL: default durability).

The server runs with SITEJOBS_EXECUTOR=none (an API node), so the figure is the submission path alone; a
second figure with the in-process executor running the submitted jobs is printed too. Target: >= 1,000/s on
SQLite.

    .venv/bin/python -m bench.bench_submit [--duration 5] [--postgres postgresql://postgres@127.0.0.1/test]
"""

from __future__ import annotations

import argparse

from bench.http_load import requests_per_second, tool
from bench.pg import ADMIN_URL, pg_schema
from bench.sitejobs_server import sitejobs_server

BODY = b'{"parameters":[]}'


def _rate(database_url: str | None, executor: str, duration_s: float) -> tuple[float, int, int]:
    with sitejobs_server(database_url, SITEJOBS_EXECUTOR=executor) as server:
        url = f"{server.url}/s/-/dw/data/v23_2/jobs/noop/executions"
        headers = {**server.auth, "Content-Type": "application/json"}
        rps, errors = requests_per_second(
            url, method="POST", body=BODY, headers=headers, duration_s=duration_s
        )
        import httpx

        found = httpx.post(
            f"{server.url}/s/-/dw/data/v23_2/job_execution_search",
            json={"query": {"match_all_query": {}}, "count": 1},
            headers=server.auth,
        ).json()["total"]
        return rps, errors, found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--postgres", default=ADMIN_URL)
    args = parser.parse_args()
    with pg_schema(args.postgres) as pg_url:
        for name, url in (("sqlite", None), ("postgresql", pg_url)):
            for executor in ("none", "local"):
                rps, errors, stored = _rate(url, executor, args.duration)
                print(
                    f"submissions ({tool()}, {name}, executor={executor}): {rps:.0f} 202/s, errors {errors}, "
                    f"{stored} executions stored (target >= 1000/s on sqlite)"
                )


if __name__ == "__main__":
    main()
