"""What the executions views show: a visible page of executions, one execution's summary and timeline, and
which actions its state allows. No HTTP here; `execution_views` serves these."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import partial
from typing import Any

from sitejobs.auth.users import User
from sitejobs.dashboard.apis import OCE, error_documents, jobs_of_surface, links, surface_of
from sitejobs.dashboard.filters import PAGE_SIZE, Filters
from sitejobs.dashboard.web import Dashboard, MemoContent
from sitejobs.engine import listing
from sitejobs.engine.models import Execution
from sitejobs.engine.states import LEASED, TERMINAL, State, sources_of
from sitejobs.errors import JobExecutionNotFound
from sitejobs.sites.content.access import may_see_execution

#: Rows read at a time while filling a non-administrator's page (most rows pass; shared sites are checked).
CANDIDATE_BATCH = 200


@dataclass(frozen=True, slots=True)
class Row:
    execution: Execution
    surface: str

    @property
    def id(self) -> int:
        return self.execution.id

    @property
    def state(self) -> str:
        return self.execution.state.value

    @property
    def percent(self) -> int:
        if self.execution.state is State.SUCCEEDED:
            return 100
        return max(0, min(100, self.execution.percent or 0))

    @property
    def owner(self) -> str:
        return self.execution.client_id or self.execution.owner or ""


def row(d: Dashboard, execution: Execution) -> Row:
    return Row(execution, surface_of(d.engine, execution.job_id))


def visible_page(d: Dashboard, user: User, filters: Filters) -> tuple[list[Row], int | None]:
    """The page of executions `user` may see under `filters`, newest first, and the cursor of the next page."""
    engine = d.engine
    surface_jobs = tuple(jobs_of_surface(engine, filters.surface)) if filters.surface else None
    query = filters.query(surface_jobs)
    if user.is_admin:
        found = engine.read(partial(listing.page, q=query, limit=PAGE_SIZE + 1))
    else:
        found = _visible_to(d, user, query, PAGE_SIZE + 1)
    rows = [row(d, e) for e in found[:PAGE_SIZE]]
    return rows, (rows[-1].id if len(found) > PAGE_SIZE else None)


def _visible_to(d: Dashboard, user: User, query: listing.ListQuery, limit: int) -> list[Execution]:
    """A non-administrator's newest `limit` executions under `query`: their own (one indexed read), merged
    with the site jobs of others that the visibility rule lets them see (read in batches, each checked)."""
    engine = d.engine
    own: list[Execution] = engine.read(
        partial(listing.page, q=replace(query, client_id=user.name), limit=limit)
    )
    site_jobs = set(jobs_of_surface(engine, OCE))
    wanted = (query.job,) if query.job is not None else (query.job_ids or tuple(site_jobs))
    jobs = tuple(j for j in wanted if j in site_jobs)
    # below the oldest of a full page of their own, nothing of others' can make the page
    floor = own[-1].id if len(own) >= limit else 0
    content = MemoContent(d.content)
    shared: list[Execution] = []
    q = replace(query, job=None, job_ids=jobs)
    while jobs and len(shared) < limit:
        batch: list[Execution] = engine.read(partial(listing.page, q=q, limit=CANDIDATE_BATCH))
        shared.extend(
            e
            for e in batch
            if e.id > floor and e.client_id != user.name and may_see_execution(content, user, e)
        )
        if len(batch) < CANDIDATE_BATCH or batch[-1].id <= floor:
            break
        q = replace(q, before_id=batch[-1].id)
    return sorted(own + shared, key=lambda e: e.id, reverse=True)[:limit]


def visible_execution(d: Dashboard, user: User, raw_id: str) -> Execution:
    """The execution, or a 404 for one that is missing or that `user` may not see (the same answer)."""
    execution = (
        d.engine.get(int(raw_id)) if raw_id.isascii() and raw_id.isdigit() and len(raw_id) < 19 else None
    )
    if execution is None or not may_see_execution(d.content, user, execution):
        raise JobExecutionNotFound(f"There is no execution '{raw_id}' that you may see.")
    return execution


@dataclass(frozen=True, slots=True)
class Moment:
    at: int
    what: str
    detail: str


def timeline(events: list[dict[str, Any]]) -> list[Moment]:
    moments = []
    for event in events:
        before, after, worker, note = event["from_state"], event["to_state"], event["worker"], event["note"]
        if before is None:
            what = "submitted"
        elif before == State.PENDING.value and after == State.RUNNING.value:
            what = f"claimed by worker {worker}" if worker else "started"
        elif after == State.PENDING.value:
            what = "given back to the queue for a retry"
        elif State(after) in TERMINAL:
            what = f"finished: {after}"
        else:
            what = after
        moments.append(Moment(event["at"], what, note or ""))
    return moments


ACTIONS = ("abort", "pause", "resume", "restart", "delete")


def allowed_actions(execution: Execution) -> list[str]:
    state = execution.state
    allowed = []
    if state is State.PENDING or (state in LEASED and state is not State.ABORTING):
        allowed.append("abort")
    if state in sources_of(State.PAUSING) and state in LEASED:
        allowed.append("pause")
    if state in sources_of(State.RESUMING):
        allowed.append("resume")
    if state in (State.FAILED, State.ABORTED):
        allowed.append("restart")
    if state in TERMINAL:
        allowed.append("delete")
    return allowed


def summary(d: Dashboard, execution: Execution, events: list[dict[str, Any]]) -> dict[str, Any]:
    """The parts of the execution page that change while it runs (rendered by `_summary.html`)."""
    return {
        "r": row(d, execution),
        "e": execution,
        "timeline": timeline(events),
        "actions": allowed_actions(execution),
        "errors": error_documents(d.engine, execution),
        "links": links(d.engine, execution),
    }
