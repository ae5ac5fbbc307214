"""Starting jobs: the list of jobs, a form per job generated from its parameter schema, and the upload of a
site archive to the Impex area followed by its import."""

from __future__ import annotations

import shutil
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from sitejobs.auth.users import User
from sitejobs.dashboard import forms
from sitejobs.dashboard.apis import OCE
from sitejobs.dashboard.session import Session
from sitejobs.dashboard.web import checked_form, dashboard, prefix, render, signed_in
from sitejobs.engine.registry import JobDefinition
from sitejobs.errors import BadRequest, Forbidden, SitejobsError
from sitejobs.sites.commerce.archive import instance_path

IMPORT_JOB = "sfcc-site-archive-import"
IMPORT_MODES = ("merge", "replace", "delete")


def may_start(user: User, definition: JobDefinition) -> bool:
    """System jobs and site jobs check rights of their own surface (client permissions, site roles), which a
    dashboard user does not carry: only administrators start those here; everyone may start custom jobs."""
    return user.is_admin or (definition.system_request is None and OCE not in definition.surfaces)


async def jobs_page(request: Request) -> Response:
    session, user = await signed_in(request)
    d = dashboard(request)
    jobs = [(j, may_start(user, j)) for j in d.engine.registry]
    return render(
        request,
        "jobs.html",
        {"jobs": jobs, "modes": IMPORT_MODES, "may_import": user.is_admin},
        session=session,
        user=user,
    )


def _definition(request: Request, user: User) -> JobDefinition:
    definition = dashboard(request).engine.registry.get(request.path_params["job_id"])
    if not may_start(user, definition):
        raise Forbidden(f"Only administrators start '{definition.id}' from the dashboard.")
    return definition


def _form_page(
    request: Request,
    session: Session,
    user: User,
    definition: JobDefinition,
    *,
    values: dict[str, Any] | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    context: dict[str, Any] = {
        "job": definition,
        "fields": forms.fields(definition),
        "values": values or {},
        "error": error,
        "request_field": forms.REQUEST_FIELD,
    }
    if definition.system_request is not None:
        context["request_text"] = (values or {}).get(forms.REQUEST_FIELD) or forms.request_template(
            definition
        )
        context["request_schema"] = forms.request_schema(definition)
    return render(request, "job_form.html", context, session=session, user=user, status=status)


async def job_form(request: Request) -> Response:
    session, user = await signed_in(request)
    return _form_page(request, session, user, _definition(request, user))


async def start_job(request: Request) -> Response:
    session, user = await signed_in(request)
    form = await checked_form(request, session)
    definition = _definition(request, user)
    engine = dashboard(request).engine
    try:
        parameters, document = forms.submission(definition, form)
        execution = await engine.asubmit(
            definition.id, parameters, request=document, client_id=user.name, owner=user.name
        )
    except SitejobsError as exc:
        values = {k: v for k, v in form.items() if isinstance(v, str)}
        return _form_page(
            request, session, user, definition, values=values, error=exc.message, status=exc.status
        )
    return RedirectResponse(f"{prefix(request)}/executions/{execution.id}", status_code=303)


def _store_upload(upload: UploadFile, impex: Any) -> str:
    name = (upload.filename or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    path = instance_path(impex, name)
    if not name.lower().endswith(".zip"):
        raise BadRequest(f"'{name}' is not a site archive (a .zip file).")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{name}.part")
    with partial.open("wb") as out:
        shutil.copyfileobj(upload.file, out, 1024 * 1024)
    partial.replace(path)
    return name


async def import_archive(request: Request) -> Response:
    """Upload a site archive to Impex/src/instance, then start its import with the chosen mode."""
    session, user = await signed_in(request)
    form = await checked_form(request, session)
    try:
        if not user.is_admin:
            raise Forbidden("Only administrators import site archives.")
        upload = form.get("archive")
        mode = str(form.get("mode") or "merge")
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise BadRequest("Choose a site archive (.zip) to upload.")
        if mode not in IMPORT_MODES:
            raise BadRequest(f"There is no import mode '{mode}' (one of {', '.join(IMPORT_MODES)}).")
        d = dashboard(request)
        name = await run_in_threadpool(_store_upload, upload, d.settings.impex_dir)
    finally:
        await form.close()
    execution = await d.engine.asubmit(
        IMPORT_JOB, request={"file_name": name, "mode": mode}, client_id=user.name, owner=user.name
    )
    return RedirectResponse(f"{prefix(request)}/executions/{execution.id}", status_code=303)
