"""The executions table, one execution's page, their live streams (server-sent events) and the actions."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response, StreamingResponse

from sitejobs.auth.users import User
from sitejobs.dashboard.apis import SURFACES, surface_of
from sitejobs.dashboard.executions import row, summary, visible_execution, visible_page
from sitejobs.dashboard.filters import Filters
from sitejobs.dashboard.logs import read_log
from sitejobs.dashboard.session import Session
from sitejobs.dashboard.web import Dashboard, checked_form, dashboard, prefix, render, signed_in
from sitejobs.engine.models import Execution
from sitejobs.engine.states import State
from sitejobs.errors import NotFound
from sitejobs.sites.content.access import may_see_execution

KEEPALIVE_SECONDS = 15.0
#: How many executions a stream remembers having sent (past this it starts afresh, resending some rows).
REMEMBERED = 20_000
STREAM_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


def _event(name: str, data: Any, event_id: str | None = None) -> str:
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {name}\ndata: {orjson.dumps(data).decode()}\n\n"


def _signed_out(base: str) -> str:
    """The last event of a stream whose session was signed out (on any node): the page goes to sign-in."""
    return _event("signed-out", {"login": f"{base}/login"})


def _key(e: Execution) -> tuple[Any, ...]:
    return (e.state, e.percent, e.message, e.modified_at)


async def executions_page(request: Request) -> Response:
    session, user = await signed_in(request)
    d = dashboard(request)
    filters = Filters.parse(request.query_params)
    rows, older = await run_in_threadpool(visible_page, d, user, filters)
    return render(
        request,
        "executions.html",
        {
            "rows": rows,
            "older": older,
            "filters": filters,
            "jobs": [j.id for j in d.engine.registry],
            "states": [s.value for s in State],
            "surfaces": SURFACES,
        },
        session=session,
        user=user,
    )


def _row_html(d: Dashboard, base: str, execution: Execution) -> str:
    return d.templates.get_template("_row.html").render(r=row(d, execution), prefix=base)


async def executions_stream(request: Request) -> Response:
    session, user = await signed_in(request)
    d = dashboard(request)
    filters = Filters.parse(request.query_params)
    base = prefix(request)

    async def events() -> AsyncIterator[str]:
        sent: dict[int, tuple[Any, ...]] = {}
        visible: dict[int, bool] = {}
        async with contextlib.aclosing(_feed(d, session, base)) as feed:
            async for batch in feed:
                if isinstance(batch, str):
                    yield batch
                    continue
                if len(sent) > REMEMBERED:
                    sent.clear()
                    visible.clear()
                out = []
                for e in reversed(batch):  # oldest change first
                    if sent.get(e.id) == _key(e) or not await _may_see(d, user, e, visible):
                        continue
                    sent[e.id] = _key(e)
                    # A row that no longer matches the filters (a running one that ended, on a page of
                    # running ones) still updates where it is shown; only matching rows are added.
                    match = filters.matches(e, surface_of(d.engine, e.job_id))
                    out.append(
                        {"id": e.id, "state": e.state.value, "match": match, "html": _row_html(d, base, e)}
                    )
                if out:
                    yield _event("rows", out)

    return StreamingResponse(events(), media_type="text/event-stream", headers=STREAM_HEADERS)


async def _feed(d: Dashboard, session: Session, base: str) -> AsyncGenerator[str | list[Execution], None]:
    """What a page's stream hears from the shared feed: each batch of changed executions, and between them the
    lines the stream sends as they are (reconnect delay, keep-alives, and the end when the session signs out)."""
    subscription = d.live.subscribe(session.key or "")  # signed_in made sure it has a key
    try:
        yield "retry: 2000\n\n"
        while True:
            try:
                batch = await subscription.next(KEEPALIVE_SECONDS)
            except TimeoutError:
                yield ": keep-alive\n\n"
                continue
            if subscription.signed_out:
                yield _signed_out(base)
                return
            yield batch
    finally:
        d.live.unsubscribe(subscription)


async def _may_see(d: Dashboard, user: User, e: Execution, known: dict[int, bool]) -> bool:
    if user.is_admin:
        return True
    if e.id not in known:
        known[e.id] = await run_in_threadpool(may_see_execution, d.content, user, e)
    return known[e.id]


async def execution_page(request: Request) -> Response:
    session, user = await signed_in(request)
    d = dashboard(request)
    raw_id = request.path_params["id"]
    execution = await run_in_threadpool(visible_execution, d, user, raw_id)
    events = await run_in_threadpool(d.engine.events, execution.id)
    log_text, offset = await run_in_threadpool(read_log, d.engine, execution, 0)
    definition = d.engine.registry.find(execution.job_id)
    return render(
        request,
        "execution.html",
        {
            **summary(d, execution, events),
            "definition": definition,
            "log_text": log_text,
            "log_offset": offset,
            "request_json": orjson.dumps(execution.request, option=orjson.OPT_INDENT_2).decode()
            if execution.request is not None
            else None,
            "result_json": orjson.dumps(execution.result, option=orjson.OPT_INDENT_2).decode()
            if execution.result
            else None,
        },
        session=session,
        user=user,
    )


def _offset(request: Request) -> int:
    raw = request.headers.get("last-event-id") or request.query_params.get("offset", "0")
    return int(raw) if raw.isdigit() and len(raw) < 19 else 0


async def execution_stream(request: Request) -> Response:
    """The execution's summary whenever it changes (from the shared feed) and its log as it grows. Besides the
    shared feed, a page costs one log read a second while the run goes on, and a read of its events when its
    state changes (progress alone adds no event)."""
    session, user = await signed_in(request)
    d = dashboard(request)
    execution = await run_in_threadpool(visible_execution, d, user, request.path_params["id"])
    offset = _offset(request)
    base = prefix(request)
    template = d.templates.get_template("_summary.html")

    async def events() -> AsyncIterator[str]:
        nonlocal execution, offset
        shown = _key(execution)
        history: list[dict[str, Any]] | None = None
        tail_done = False
        async with contextlib.aclosing(_feed(d, session, base)) as feed:
            async for batch in feed:
                if isinstance(batch, str):
                    yield batch
                    continue
                mine = next((e for e in batch if e.id == execution.id), None)
                if mine is not None and _key(mine) != shown:
                    if history is None or mine.state is not execution.state:  # events come with transitions
                        history = await run_in_threadpool(d.engine.events, mine.id)
                    html = template.render(prefix=base, csrf=session.csrf, **summary(d, mine, history))
                    yield _event(
                        "summary", {"state": mine.state.value, "percent": row(d, mine).percent, "html": html}
                    )
                    execution, shown = mine, _key(mine)
                    tail_done = False
                if not tail_done:
                    text, offset = await run_in_threadpool(read_log, d.engine, execution, offset)
                    if text:
                        yield _event("log", text, str(offset))
                    # a finished run's log is complete once read after it finished
                    tail_done = execution.is_terminal and not text

    return StreamingResponse(events(), media_type="text/event-stream", headers=STREAM_HEADERS)


async def execution_action(request: Request) -> Response:
    session, user = await signed_in(request)
    await checked_form(request, session)
    d = dashboard(request)
    action = request.path_params["action"]
    execution = await run_in_threadpool(visible_execution, d, user, request.path_params["id"])
    base = prefix(request)
    engine = d.engine
    target = f"{base}/executions/{execution.id}"
    if action == "abort":
        await run_in_threadpool(engine.abort, execution.id)
    elif action == "pause":
        await run_in_threadpool(engine.pause, execution.id)
    elif action == "resume":
        await run_in_threadpool(engine.resume, execution.id)
    elif action == "restart":
        again = await run_in_threadpool(engine.restart, execution.id)
        target = f"{base}/executions/{again.id}"
    elif action == "delete":
        await run_in_threadpool(engine.delete, execution.job_id, execution.id)
        target = f"{base}/executions"
    else:
        raise NotFound(f"There is no action '{action}'.")
    return RedirectResponse(target, status_code=303)
