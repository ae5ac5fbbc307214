"""Templates in and out through the Sites Management API, as the toolkit calls it (sitesRest.js):

- `POST /sites/{id}/templates` `{"name","includeUnpublished"}` (`cec create-template-from-site`),
- `POST /templates/{id}/export` (`cec download-template`: then it finds `NAME.zip` in its home folder, downloads
  and deletes it),
- `POST /templates` `{"file", "template"|"theme"|"components": {"resolution"}}` (`cec upload-template`, after
  uploading the zip to its home folder),
- `POST /templates/{id}/copy` `{"name","description"}` (`cec copy-template -s`),
- `DELETE /{templates|themes|components}/{id}` and `POST …/{id}/hardDelete` (`cec delete-template`,
  `delete-theme`, `delete-component`; `request.delete` sends the hard delete as a POST).

The first four are jobs (202 and a `_status`; their routes are made from `sitejobs.jobs.oce.table`); deletes answer at once: `DELETE` moves to the trash (seen only
with `includeDeleted=true`, `isDeleted: true`; the name stays taken), `hardDelete` deletes for good, from the
trash or not. Templates, themes and components are visible to every user; only their owner (or an
administrator) may delete or overwrite one. A theme that a site or template uses is not deleted (409).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sitejobs.api.oce.routes import API, NOT_FOUND, _accepted, _caller, _request, _store
from sitejobs.auth.users import User
from sitejobs.errors import Forbidden, ResourceInUse, ResourceNotFound
from sitejobs.jobs.oce import requests as req
from sitejobs.sites.content.store import ContentStore

KINDS = ("templates", "themes", "components")


def _owned(
    store: ContentStore, user: User, kind: str, ref: str, *, include_deleted: bool = False
) -> dict[str, Any]:
    row = store.resource(kind, ref, include_deleted=include_deleted)
    if row is None:
        raise NOT_FOUND[kind](ref)
    if not user.is_admin and row["owner"] != user.name:
        raise Forbidden(f"Only the owner of {kind[:-1]} '{row['name']}' (or an administrator) may do this.")
    return row


async def import_template(request: Request) -> Response:
    user = await _caller(request)
    document = await _request(request, req.ImportTemplate)
    store = _store(request)
    file = await run_in_threadpool(store.file, document.file)
    if file is None or (file["owner"] != user.name and not user.is_admin):
        raise ResourceNotFound(document.file)
    name = file["name"].removesuffix(".zip")
    if await run_in_threadpool(store.resource, "templates", f"name:{name}") is not None:
        await run_in_threadpool(_owned, store, user, "templates", f"name:{name}")
    return await _accepted(request, user, "oce-import-template", document)


def _delete(store: ContentStore, user: User, kind: str, ref: str, *, permanent: bool) -> None:
    row = _owned(store, user, kind, ref, include_deleted=permanent)
    if kind == "themes" and (users := store.theme_users(row["name"])):
        raise ResourceInUse(f"Theme '{row['name']}' is used by {', '.join(sorted(users))}.")
    done = store.delete_resource(kind, row["id"]) if permanent else store.trash_resource(kind, row["id"])
    if not done:
        raise NOT_FOUND[kind](ref)


def _deleter(kind: str, *, permanent: bool) -> Callable[..., Any]:
    async def endpoint(request: Request) -> Response:
        user = await _caller(request)
        await run_in_threadpool(
            partial(_delete, permanent=permanent), _store(request), user, kind, request.path_params["id"]
        )
        return Response(status_code=204)

    return endpoint


routes = [
    *(Route(f"{API}/{kind}/{{id}}", _deleter(kind, permanent=False), methods=["DELETE"]) for kind in KINDS),
    *(
        Route(f"{API}/{kind}/{{id}}/hardDelete", _deleter(kind, permanent=True), methods=["POST"])
        for kind in KINDS
    ),
]
