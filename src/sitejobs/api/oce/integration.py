"""The Documents and System calls the Content Toolkit makes besides the Sites Management API: the IDC services
(`/documents/integration`: its login checks `SCS_GET_TENANT_CONFIG` / `GET_USER_INFO`, the tenant settings
`GET_TENANT_CONFIG`, and the services of `idc_jobs` and `idc_metadata`), the release version, and the file
upload and download behind translation jobs."""

from __future__ import annotations

import tempfile
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from sitejobs.api.oce import doc_files, idc_files, idc_jobs, idc_metadata, idc_sites
from sitejobs.api.oce.auth import current_user
from sitejobs.api.oce.idc import (
    IdcAnswer,
    IdcCall,
    Service,
    answer,
    error_answer,
    issue_token,
    read_call,
    result_set,
)
from sitejobs.api.oce.routes import _json
from sitejobs.api.services import services
from sitejobs.errors import BadRequest, ResourceNotFound, SitejobsError, TooManyRequests, Unauthorized
from sitejobs.sites.content.store import ContentStore

RELEASE_VERSION = "24.4.1"
#: The tenant settings `GET_TENANT_CONFIG` reports. `cec refresh-prerender-cache` runs only when pre-rendering
#: is on; here it is always on, because a site refresh (`POST /sites/{id}/refresh`) re-renders its pages.
TENANT_INFO = {"IsSitesPrerenderEnabled": "true"}


async def _tenant_config(call: IdcCall) -> IdcAnswer:
    """The toolkit's login check; `dUser` and `idcToken` are what `getIdcToken` waits for."""
    local = {
        "IsSitesGovernanceEnabled": "0",
        "SiteTemplateNames": "",
        "dUser": call.user.name,
        "idcToken": issue_token(call.state, call.user),
    }
    return IdcAnswer(local)


async def _user_info(call: IdcCall) -> IdcAnswer:
    user = call.user
    return IdcAnswer({"dUser": user.name, "dFullName": user.display_name, "UserRoles": ",".join(user.roles)})


async def _tenant_settings(call: IdcCall) -> IdcAnswer:
    return IdcAnswer({}, {"TenantInfo": result_set([TENANT_INFO])})


SERVICES: dict[str, Service] = {
    "SCS_GET_TENANT_CONFIG": _tenant_config,
    "GET_USER_INFO": _user_info,
    "GET_TENANT_CONFIG": _tenant_settings,
    **idc_jobs.SERVICES,
    **idc_metadata.SERVICES,
    **idc_files.SERVICES,
    "SCS_PUBLISH_SITE": idc_sites.publish_site,
}


async def idc_service(request: Request) -> Response:
    """`/documents/integration?IdcService=…`, GET or POST. Who calls is checked first (a 401 in the Sites
    Management shape, as for every other call); a service's own errors answer in the IDC shape."""
    user = await current_user(request)
    service = request.query_params.get("IdcService", "")
    try:
        call = await read_call(request, user)
        service = call.service
        handler = SERVICES.get(service)
        if handler is None:
            raise BadRequest(f"IdcService '{service}' is not supported here.", service=service)
        return answer(service, await handler(call))
    except SitejobsError as exc:
        if isinstance(exc, TooManyRequests | Unauthorized):
            raise
        return error_answer(service, exc)


async def release_version(request: Request) -> Response:
    """What the toolkit's `check-version` reads (`release.version`, gulpfile.js) after each command."""
    await current_user(request)
    return _json({"release": {"version": RELEASE_VERSION}})


async def file_data(request: Request) -> Response:
    """A stored file (a translation zip) for its owner; anyone else gets the same 404 as for no file."""
    user = await current_user(request)
    store: ContentStore = services(request).content
    version = request.query_params.get("version")
    if await services(request).database.run(doc_files.is_site_item, store, request.path_params["id"]):
        if version:
            data = await run_in_threadpool(
                doc_files.read_file_version, store, user, request.path_params["id"], version
            )
        else:
            data = await run_in_threadpool(doc_files.read_site_file, store, user, request.path_params["id"])
        return Response(data, media_type="application/json")
    row = await services(request).database.run(store.file, request.path_params["id"])
    if row is None or (row["owner"] != user.name and not user.is_admin) or version not in (None, "", "1"):
        raise ResourceNotFound(request.path_params["id"])
    return FileResponse(row["path"], filename=row["name"], media_type="application/zip")


async def upload_file(request: Request) -> Response:
    """`POST /documents/api/1.2/files/data` (multipart: `jsonInputParameters`, `primaryFile`), as the
    toolkit uploads a translation zip before importing it. Answers the new file's id and version."""
    user = await current_user(request)
    store: ContentStore = services(request).content
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
        spool = store.inside(store.content_dir / "files")
        spool.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=spool, prefix=".upload.", delete=False) as target:
            while chunk := await upload.read(1 << 20):
                target.write(chunk)
    row = await services(request).database.run(store.add_file, name, user.name, "self", Path(target.name))
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
    Route("/documents/integration", idc_service, methods=["GET", "POST"]),
    Route("/system/api/v1/release/version", release_version, methods=["GET"]),
    Route("/documents/api/1.2/files/{id}/data", file_data, methods=["GET"]),
    Route("/documents/api/1.2/files/{id}/data/", file_data, methods=["GET"]),
]
