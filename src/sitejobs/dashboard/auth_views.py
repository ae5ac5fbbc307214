"""Sign-in and sign-out with a Content Management user's name and password; each session is recorded in the
store, so that signing out ends it on every node."""

from __future__ import annotations

from functools import partial

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from sitejobs.dashboard import session_store
from sitejobs.dashboard.session import Session
from sitejobs.dashboard.web import checked_form, dashboard, prefix, render, session_of
from sitejobs.engine.models import now_ms

HOME = "/executions"


def _next(request: Request, raw: str | None) -> str:
    """Where to go after signing in: a path inside the dashboard only (never another site)."""
    base = prefix(request)
    if raw and raw.startswith(base + "/") and not raw.startswith("//") and "\\" not in raw:
        return raw
    return base + HOME


async def login_form(request: Request) -> Response:
    session = session_of(request) or Session.new()
    response = render(
        request,
        "login.html",
        {"next": _next(request, request.query_params.get("next")), "error": None},
        session=session,
    )
    dashboard(request).signer.write(response, session, secure=request.url.scheme == "https")
    return response


async def login(request: Request) -> Response:
    session = session_of(request)
    if session is None:  # no cookie yet (or an expired one): show the form, which makes one
        return await login_form(request)
    form = await checked_form(request, session)
    name = str(form.get("username") or "")
    password = str(form.get("password") or "")
    target = _next(request, str(form.get("next") or ""))
    users = dashboard(request).users
    user = await run_in_threadpool(users.authenticate, name, password) if name and password else None
    if user is None:
        return render(
            request,
            "login.html",
            {"next": target, "error": "The user name or password is not correct.", "username": name},
            session=session,
            status=401,
        )
    # a new session (new key, new CSRF token), recorded in the store every node reads; the one it replaces ends
    fresh = Session.new(user.name)
    opened = partial(session_store.open_session, session=fresh, now_ms=now_ms(), replaces=session.key)
    await run_in_threadpool(dashboard(request).engine.writer.run, opened)
    response = RedirectResponse(target, status_code=303)
    dashboard(request).signer.write(response, fresh, secure=request.url.scheme == "https")
    return response


async def logout(request: Request) -> Response:
    session = session_of(request)
    if session is None:
        return RedirectResponse(prefix(request) + "/login", status_code=303)
    await checked_form(request, session)
    if session.key is not None:  # signed out on every node: a copy of the cookie is refused from now on
        closed = partial(session_store.close_session, key=session.key)
        await run_in_threadpool(dashboard(request).engine.writer.run, closed)
    response = RedirectResponse(prefix(request) + "/login", status_code=303)
    dashboard(request).signer.clear(response)
    return response
