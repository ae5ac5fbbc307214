"""The few Documents and System calls the Content Toolkit makes before it uses the Sites Management API:
its login checks (`IdcService=SCS_GET_TENANT_CONFIG` / `GET_USER_INFO`), the tenant settings it checks before
some commands (`GET_TENANT_CONFIG`), the release version, and the file download behind a translation job's
`download` link."""

from __future__ import annotations

import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from sitejobs.api.oce import doc_files, idc_sites
from sitejobs.api.oce.auth import current_user
from sitejobs.api.oce.routes import _json
from sitejobs.auth.users import User
from sitejobs.errors import BadRequest, MalformedDocument, ResourceNotFound
from sitejobs.sites.content.store import ContentStore

RELEASE_VERSION = "24.4.1"
#: The tenant settings `GET_TENANT_CONFIG` reports. `cec refresh-prerender-cache` runs only when pre-rendering
#: is on; here it is always on, because a site refresh (`POST /sites/{id}/refresh`) re-renders its pages.
TENANT_INFO = {"IsSitesPrerenderEnabled": "true"}
IdcHandler = Callable[[Request, User, dict[str, Any]], Awaitable[dict[str, str]]]


#: Services posted as `{"idcToken", "LocalData": {…}}`: each answers the fields it adds to `LocalData`.
POST_SERVICES: dict[str, IdcHandler] = {
    "SCS_PUBLISH_SITE": idc_sites.publish_site,
    "SCS_SET_SITE_METADATA": idc_sites.set_site_metadata,
}


def idc_token(user: User) -> str:
    """The token `SCS_GET_TENANT_CONFIG` hands out and posted services carry (the toolkit waits for one).
    Callers are authenticated by their Authorization header on every request, so it names the user only."""
    return f"idc-{user.id}"


async def idc_post(request: Request) -> Response:
    user = current_user(request)
    raw = await request.body()
    try:
        body = orjson.loads(raw) if raw.strip() else {}
    except orjson.JSONDecodeError:
        raise MalformedDocument("The request body is not well-formed JSON.") from None
    local_in = body.get("LocalData") if isinstance(body, dict) else None
    if not isinstance(local_in, dict):
        raise MalformedDocument("The request body needs a 'LocalData' object.")
    service = str(local_in.get("IdcService") or request.query_params.get("IdcService", ""))
    handler = POST_SERVICES.get(service)
    if handler is None:
        raise BadRequest(f"IdcService '{service}' is not supported here.", service=service)
    local = {"StatusCode": "0", "StatusMessage": "OK", "IdcService": service}
    local.update(await handler(request, user, local_in))
    return _json({"LocalData": local, "ResultSets": {}})


async def idc_service(request: Request) -> Response:
    user = current_user(request)
    service = request.query_params.get("IdcService", "")
    local: dict[str, str] = {"StatusCode": "0", "StatusMessage": "OK", "IdcService": service}
    if service == "SCS_GET_TENANT_CONFIG":
        local["IsSitesGovernanceEnabled"] = "0"
        local["SiteTemplateNames"] = ""
        local.update(dUser=user.name, idcToken=idc_token(user))
    elif service == "GET_USER_INFO":
        local.update(dUser=user.name, dFullName=user.display_name, UserRoles=",".join(user.roles))
    elif service == "GET_TENANT_CONFIG":
        return _json({"LocalData": local, "ResultSets": {"TenantInfo": _result_set(TENANT_INFO)}})
    else:
        raise BadRequest(f"IdcService '{service}' is not supported here.", service=service)
    return _json({"LocalData": local, "ResultSets": {}})


def _result_set(row: dict[str, str]) -> dict[str, Any]:
    """One row as an IDC result set: the column names in `fields`, the values in `rows`."""
    return {"fields": [{"name": name} for name in row], "rows": [list(row.values())]}


async def release_version(request: Request) -> Response:
    """What the toolkit's `check-version` reads (`release.version`, gulpfile.js) after each command."""
    current_user(request)
    return _json({"release": {"version": RELEASE_VERSION}})


async def file_data(request: Request) -> Response:
    """A stored file (a translation zip) for its owner; anyone else gets the same 404 as for no file."""
    user = current_user(request)
    store: ContentStore = request.app.state.content
    if await run_in_threadpool(doc_files.is_site_item, store, request.path_params["id"]):
        data = await run_in_threadpool(doc_files.read_site_file, store, user, request.path_params["id"])
        return Response(data, media_type="application/json")
    row = await run_in_threadpool(store.file, request.path_params["id"])
    if row is None or (row["owner"] != user.name and not user.is_admin):
        raise ResourceNotFound(request.path_params["id"])
    return FileResponse(row["path"], filename=row["name"], media_type="application/zip")


async def upload_file(request: Request) -> Response:
    """`POST /documents/api/1.2/files/data` (multipart: `jsonInputParameters`, `primaryFile`), as the
    toolkit uploads a translation zip before importing it. Answers the new file's id and version."""
    user = current_user(request)
    store: ContentStore = request.app.state.content
    async with request.form(max_files=1, max_fields=4) as form:
        upload = form.get("primaryFile")
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise BadRequest("The upload needs a file in the 'primaryFile' part.", property="primaryFile")
        name = Path(upload.filename).name
        if not name or name in (".", ".."):
            raise BadRequest("The uploaded file needs a plain name.", property="primaryFile")
        parent = doc_files.upload_parent(form.get("jsonInputParameters"))
        if parent != doc_files.HOME:
            data = await upload.read(doc_files.MAX_SITE_FILE + 1)
            if len(data) > doc_files.MAX_SITE_FILE:
                raise BadRequest("A site file may hold at most 16 MiB.", property="primaryFile")
            body = await run_in_threadpool(doc_files.write_site_file, store, user, parent, name, data)
            return _json(body, 201)
        spool = store.content_dir / "files"
        spool.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=spool, prefix=".upload.", delete=False) as target:
            while chunk := await upload.read(1 << 20):
                target.write(chunk)
    row = await run_in_threadpool(store.add_file, name, user.name, "self", Path(target.name))
    return _json(
        {
            "errorCode": "0",
            "id": row["id"],
            "name": row["name"],
            "version": "1",
            "size": str(row["size"]),
            "type": "file",
            "parentID": "self",
        },
        201,
    )


routes = [
    Route("/documents/api/1.2/files/data", upload_file, methods=["POST"]),
    Route("/documents/api/1.2/files/data/", upload_file, methods=["POST"]),
    Route("/documents/integration", idc_service, methods=["GET"]),
    Route("/documents/integration", idc_post, methods=["POST"]),
    Route("/system/api/v1/release/version", release_version, methods=["GET"]),
    Route("/documents/api/1.2/files/{id}/data", file_data, methods=["GET"]),
    Route("/documents/api/1.2/files/{id}/data/", file_data, methods=["GET"]),
]
