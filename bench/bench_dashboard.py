"""Dashboard pages with 100,000 executions in the store: median time to render each page (target < 100 ms),
against a bare Starlette route answering a page of the same size, both called in-process the same way.

The executions are inserted with the engine's own `store.insert_executions`, then 90% are finished over the
last `--spread-hours` (a week by default: about 550 in the chart's last hour; `--spread-hours 1` puts all 90,000
in it, the chart's worst case); a fifth belong to the non-administrator, who has a site shared with them (their
workers page counts only what they may see, matching site references).

    .venv/bin/python -m bench.bench_dashboard [--rows 100000] [--runs 30] [--database URL]
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient

from sitejobs.engine import store
from sitejobs.engine.models import now_ms
from sitejobs.engine.service import JobEngine
from sitejobs.server import Server, create_app
from sitejobs.settings import Settings
from sitejobs.sites.content.model import SiteContent
from sitejobs.sites.content.store import ContentStore

BATCH = 5_000
USERS = {"bench-admin": ("bench-admin-pw", True), "bench-user": ("bench-user-pw", False)}
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def fill(engine: JobEngine, rows: int, spread_hours: float = 168.0) -> int:
    """`rows` executions of hello-world and noop; returns the id of one in the middle."""
    for start in range(0, rows, BATCH):
        new = [
            store.NewExecution(
                job_id="hello-world" if i % 3 else "noop",
                parameters=[{"name": "Seconds", "value": "3"}] if i % 3 else [],
                request=None,
                client_id="bench-user" if i % 5 == 0 else "bench-client",
                owner=None,
                singleton=False,
            )
            for i in range(start, min(rows, start + BATCH))
        ]
        engine.writer.run(partial(store.insert_executions, new=new))
    at = now_ms()
    spread = int(spread_hours * 3_600_000)
    with engine.db.begin() as conn:  # finish 90% of them over the spread, a tenth of those failed
        conn.exec_driver_sql(
            "UPDATE executions SET state = CASE WHEN id % 10 = 1 THEN 'failed' ELSE 'succeeded' END, "
            f"percent = 100, start_time = created_at, end_time = ? - (id * 7919 % {spread}), "
            f"modified_at = ? - (id * 7919 % {spread}) WHERE id % 10 <> 0",
            (at, at),
        )
        store.refresh_statistics(conn)
    return rows // 2


def _share_a_site(content: ContentStore) -> None:
    """A site shared with the non-administrator: their counts then match site references too."""
    row = {"name": "Bench", "owner": "bench-admin", "theme_name": "Theme", "site_prefix": "bench"}
    site = content.create_site(row, SiteContent("Bench", {}, [], {}))
    content.share(site.id, "bench-user", "viewer")


def _sign_in(client: TestClient, name: str) -> None:
    client.cookies.clear()
    form = client.get("/ui/login")
    token = CSRF.search(form.text)
    assert token
    response = client.post(
        "/ui/login",
        data={"username": name, "password": USERS[name][0], "csrf": token.group(1)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


def _median_ms(call: Callable[[], object], runs: int) -> tuple[float, float]:
    """Median (wall, CPU) milliseconds of `call`. CPU time is the process's (the app runs in a thread of it):
    on a machine shared with other work it is the steadier figure."""
    call()  # warm
    wall, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        call()
        cpu.append((time.process_time() - started_cpu) * 1000)
        wall.append((time.perf_counter() - started) * 1000)
    return statistics.median(wall), statistics.median(cpu)


def _bare(body: bytes) -> Starlette:
    async def page(request: Request) -> Response:
        return HTMLResponse(body)

    return Starlette(routes=[Route("/page", page)])


def run(
    rows: int, runs: int, database_url: str | None, spread_hours: float = 168.0
) -> list[tuple[str, tuple[float, float], tuple[float, float]]]:
    data = Path(tempfile.mkdtemp(prefix="sitejobs-bench-dashboard-"))
    settings = Settings(data_dir=data / "data", database_url=database_url)
    app = create_app(settings, executor=False)
    results = []
    try:
        with TestClient(app) as client:
            assert isinstance(app, Server)
            services = app.started()
            engine: JobEngine = services.engine
            for name, (password, admin) in USERS.items():
                services.users.add(name, password, admin=admin)
            _share_a_site(services.content)
            started = time.perf_counter()
            middle = fill(engine, rows, spread_hours)
            print(f"{rows} executions inserted in {time.perf_counter() - started:.1f} s")
            pages = [
                ("bench-admin", "executions, newest", "/ui/executions"),
                ("bench-admin", "executions, state=failed", "/ui/executions?state=failed"),
                (
                    "bench-admin",
                    "executions, job + page cursor",
                    f"/ui/executions?job=hello-world&before={middle}",
                ),
                ("bench-admin", "executions, API surface = OCE", "/ui/executions?surface=oce"),
                ("bench-user", "executions, non-administrator", "/ui/executions"),
                ("bench-admin", "one execution", f"/ui/executions/{middle}"),
                ("bench-admin", "workers + chart", "/ui/workers"),
                ("bench-user", "workers + chart, non-admin.", "/ui/workers"),
                ("bench-admin", "sites", "/ui/sites"),
            ]
            for user, label, path in pages:
                _sign_in(client, user)
                response = client.get(path)
                assert response.status_code == 200, (path, response.text[:500])
                ours = _median_ms(partial(client.get, path), runs)
                with TestClient(_bare(response.content)) as bare_client:
                    bare = _median_ms(partial(bare_client.get, "/page"), runs)
                results.append((label, ours, bare))
    finally:
        shutil.rmtree(data, ignore_errors=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument(
        "--database", default=None, help="SQLAlchemy URL (SQLite in a temporary folder if not given)"
    )
    parser.add_argument("--spread-hours", type=float, default=168.0, help="finished executions end over this")
    args = parser.parse_args()
    results = run(args.rows, args.runs, args.database, args.spread_hours)
    print(
        f"dashboard pages over {args.rows} executions finished over {args.spread_hours:g} h "
        f"(median of {args.runs}, in-process):"
    )
    print(f"  {'page':32s} {'wall ms':>8s} {'cpu ms':>7s}   {'bare wall':>9s} {'bare cpu':>8s}   cpu ratio")
    for label, (wall, cpu), (bare_wall, bare_cpu) in results:
        verdict = "ok (< 100 ms)" if cpu < 100 else "OVER 100 ms"
        print(
            f"  {label:32s} {wall:8.1f} {cpu:7.1f}   {bare_wall:9.1f} {bare_cpu:8.1f}   "
            f"{cpu / bare_cpu:6.1f}x   {verdict}"
        )


if __name__ == "__main__":
    main()
