"""Sign-in and sign-out with a Content Management user's name and password."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from sitejobs.dashboard.session import Session
from sitejobs.dashboard.web import checked_form, dashboard, prefix, render, session_of

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
    response = RedirectResponse(target, status_code=303)
    # a new CSRF token with the new session
    dashboard(request).signer.write(response, Session.new(user.name), secure=request.url.scheme == "https")
    return response


async def logout(request: Request) -> Response:
    session = session_of(request)
    if session is None:
        return RedirectResponse(prefix(request) + "/login", status_code=303)
    await checked_form(request, session)
    response = RedirectResponse(prefix(request) + "/login", status_code=303)
    dashboard(request).signer.clear(response)
    return response
