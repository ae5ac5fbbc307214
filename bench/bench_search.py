"""job_execution_search over 1,000,000 executions: p95 of typical queries (target < 50 ms).

The table is filled with a realistic spread (50 job ids, mostly succeeded, some failed/aborted/running/pending,
times over a year, 5 clients), statistics are refreshed as the server does, and each query runs `runs` times
through the same code the HTTP route uses (parse_search + search).

    .venv/bin/python -m bench.bench_search [--rows 1000000] [--runs 50] [--keep /tmp/search.db]
"""

from __future__ import annotations

import argparse
import random
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from sitejobs.api.ocapi.query import parse_search
from sitejobs.engine import store
from sitejobs.engine.db import create_store_engine, migrate, write_transaction
from sitejobs.engine.schema import executions
from sitejobs.engine.search import search_executions
from sitejobs.timefmt import iso_ms

DAY_MS = 86_400_000


def fill(engine: Any, rows: int, now: int) -> None:
    rng = random.Random(7)
    jobs = [f"job-{i:02d}" for i in range(50)]
    weights = [1 / (i + 1) for i in range(50)]
    states = ["succeeded"] * 82 + ["failed"] * 10 + ["aborted"] * 3 + ["running"] * 4 + ["pending"]
    batch: list[dict[str, Any]] = []
    with write_transaction(engine) as conn:
        for _i in range(rows):
            created = now - rng.randrange(365 * DAY_MS)
            state = rng.choice(states)
            started = None if state == "pending" else created + rng.randrange(5000)
            ended = (
                started + rng.randrange(600_000)
                if state in ("succeeded", "failed", "aborted") and started
                else None
            )
            batch.append(
                {
                    "job_id": rng.choices(jobs, weights)[0],
                    "state": state,
                    "client_id": f"client-{rng.randrange(5)}",
                    "owner": None,
                    "parameters": [],
                    "request": None,
                    "singleton_key": None,
                    "is_restart": False,
                    "attempt": 1,
                    "created_at": created,
                    "modified_at": ended or started or created,
                    "start_time": started,
                    "end_time": ended,
                    "percent": 100 if ended else 0,
                    "message": None,
                    "steps": None,
                    "exit_code": {"succeeded": "OK", "failed": "ERROR", "aborted": "ABORTED"}.get(state),
                    "exit_message": None,
                    "result": None,
                    "lease_owner": None,
                    "lease_expires_at": None,
                }
            )
            if len(batch) == 10_000:
                conn.execute(executions.insert(), batch)
                batch.clear()
        if batch:
            conn.execute(executions.insert(), batch)
    with write_transaction(engine) as conn:
        store.refresh_statistics(conn)


def queries(now: int) -> dict[str, dict[str, Any]]:
    day_ago, month_ago = iso_ms(now - DAY_MS), iso_ms(now - 30 * DAY_MS)

    def term(field: str, op: str, *values: object) -> dict[str, Any]:
        return {"term_query": {"fields": [field], "operator": op, "values": list(values)}}

    return {
        "match_all (newest 25)": {"query": {"match_all_query": {}}},
        "job_id is X": {"query": term("job_id", "is", "job-07")},
        "job_id is X, by start_time desc": {
            "query": term("job_id", "is", "job-07"),
            "sorts": [{"field": "start_time", "sort_order": "desc"}],
        },
        "status is ERROR": {"query": term("status", "is", "ERROR")},
        "status is RUNNING": {"query": term("status", "is", "RUNNING")},
        "client_id is X": {"query": term("client_id", "is", "client-3")},
        "start_time in the last day": {
            "query": {
                "filtered_query": {
                    "query": {"match_all_query": {}},
                    "filter": {"range_filter": {"field": "start_time", "from": day_ago}},
                }
            },
        },
        "ERROR in the last 30 days, by start_time": {
            "query": {
                "filtered_query": {
                    "query": term("status", "is", "ERROR"),
                    "filter": {"range_filter": {"field": "start_time", "from": month_ago}},
                }
            },
            "sorts": [{"field": "start_time", "sort_order": "desc"}],
        },
        "job_id X and status OK, page 3": {
            "query": {"bool_query": {"must": [term("job_id", "is", "job-01"), term("status", "is", "OK")]}},
            "start": 50,
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--keep", type=Path, help="reuse or keep the database at this path")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="sitejobs-search-bench-"))
    path = args.keep or workdir / "search.db"
    engine = create_store_engine(f"sqlite:///{path}")
    now = 1_790_000_000_000
    try:
        migrate(engine)
        with engine.connect() as conn:
            have = conn.execute(select(func.count()).select_from(executions)).scalar_one()
        if have < args.rows:
            started = time.perf_counter()
            fill(engine, args.rows - have, now)
            print(f"filled {args.rows} rows in {time.perf_counter() - started:.0f} s")
        worst = 0.0
        for name, document in queries(now).items():
            request = parse_search(document)
            timings = []
            with engine.connect() as conn:
                for _ in range(args.runs):
                    t0 = time.perf_counter()
                    total, _hits = search_executions(conn, request.search())
                    timings.append((time.perf_counter() - t0) * 1000)
            timings.sort()
            p95 = timings[int(0.95 * (len(timings) - 1))]
            worst = max(worst, p95)
            print(
                f"{name:42s} total {total:>9,}  p95 {p95:6.1f} ms  p50 {timings[len(timings) // 2]:6.1f} ms"
            )
        print(f"worst p95 {worst:.1f} ms (target < 50 ms)")
    finally:
        engine.dispose()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
