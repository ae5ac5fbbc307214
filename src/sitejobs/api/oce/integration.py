"""The few Documents and System calls the Content Toolkit makes before it uses the Sites Management API:
its login checks (`IdcService=SCS_GET_TENANT_CONFIG` / `GET_USER_INFO`), the release version, and the file
download behind a translation job's `download` link."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from sitejobs.api.oce.auth import current_user
from sitejobs.api.oce.routes import _json
from sitejobs.errors import BadRequest, ResourceNotFound
from sitejobs.sites.content.store import ContentStore

RELEASE_VERSION = "24.4.1"


async def idc_service(request: Request) -> Response:
    user = current_user(request)
    service = request.query_params.get("IdcService", "")
    local: dict[str, str] = {"StatusCode": "0", "StatusMessage": "OK", "IdcService": service}
    if service == "SCS_GET_TENANT_CONFIG":
        local["IsSitesGovernanceEnabled"] = "0"
        local["SiteTemplateNames"] = ""
    elif service == "GET_USER_INFO":
        local.update(dUser=user.name, dFullName=user.display_name, UserRoles=",".join(user.roles))
    else:
        raise BadRequest(f"IdcService '{service}' is not supported here.", service=service)
    return _json({"LocalData": local, "ResultSets": {}})


async def release_version(request: Request) -> Response:
    current_user(request)
    return _json({"version": RELEASE_VERSION, "release": RELEASE_VERSION})


async def file_data(request: Request) -> Response:
    """A stored file (a translation zip) for its owner; anyone else gets the same 404 as for no file."""
    user = current_user(request)
    store: ContentStore = request.app.state.content
    row = await run_in_threadpool(store.file, request.path_params["id"])
    if row is None or (row["owner"] != user.name and not user.is_admin):
        raise ResourceNotFound(request.path_params["id"])
    return FileResponse(row["path"], filename=row["name"], media_type="application/zip")


routes = [
    Route("/documents/integration", idc_service, methods=["GET"]),
    Route("/system/api/v1/release/version", release_version, methods=["GET"]),
    Route("/documents/api/1.2/files/{id}/data", file_data, methods=["GET"]),
]
