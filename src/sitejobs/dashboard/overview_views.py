"""The sites page (Content Management sites, the Commerce site store) and the workers page."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from sitejobs.auth.users import User
from sitejobs.dashboard import site_counts
from sitejobs.dashboard.chart import chart
from sitejobs.dashboard.web import Dashboard, dashboard, prefix, render, signed_in
from sitejobs.engine import listing
from sitejobs.engine.local import LocalExecutor
from sitejobs.engine.models import now_ms
from sitejobs.sites.content.access import visible_executions

PUBLISHED_URL = "/site/{name}/"


async def home(request: Request) -> Response:
    return RedirectResponse(prefix(request) + "/executions", status_code=303)


async def sites_page(request: Request) -> Response:
    session, user = await signed_in(request)
    d = dashboard(request)

    def read() -> tuple[list[site_counts.ContentSite], site_counts.CommerceStore | None]:
        sites = d.content.sites(visible_to=user)
        with d.engine.db.connect() as conn:
            content = site_counts.content_sites(conn, sites)
            commerce = site_counts.commerce_store(conn) if user.is_admin else None
        return content, commerce

    content, commerce = await run_in_threadpool(read)
    return render(
        request,
        "sites.html",
        {"content_sites": content, "commerce": commerce, "published_url": PUBLISHED_URL},
        session=session,
        user=user,
    )


def _workers(d: Dashboard, user: User) -> dict[str, object]:
    """The live workers, and the counts of executions `user` may see: how many each worker runs, and the
    chart. (As Airflow's DAG and task statistics count only the DAGs a user may read, a non-administrator's
    figures count their own executions and those of the sites shared with them, never others'.)"""
    engine = d.engine
    at = now_ms()
    live = engine.live_workers()
    visible = visible_executions(d.content, user)
    with engine.db.connect() as conn:
        busy = listing.busy_by_worker(conn, visible)
        minutes = listing.finished_per_minute(conn, now_ms=at, visible=visible)
    slots = {w["id"]: 1 for w in live if w["kind"] == "celery"}  # a Celery worker process runs one job
    local = d.host().executor
    if isinstance(local, LocalExecutor):
        slots[local.worker_id] = local.slots
    return {
        "workers": sorted(live, key=lambda w: w["id"]),
        "busy": busy,
        "slots": slots,
        "chart": chart(minutes),
        "now": at,
    }


async def workers_page(request: Request) -> Response:
    session, user = await signed_in(request)
    context = await run_in_threadpool(_workers, dashboard(request), user)
    return render(request, "workers.html", context, session=session, user=user)
