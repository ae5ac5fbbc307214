"""The Documents API (`/documents/api/1.2`) as the toolkit uses it on sites: a site is a folder (its id is the
site's id) holding `siteinfo.json`, `structure.json` and the folder `pages`; the user's home folder (`self`)
holds their own files (uploads, exported templates).

A site's files are visible to whoever may see the site and writable by its managers and contributors; to
anyone else they do not exist (404, as for an id that never existed). A site file's id is the site's id and its
path joined with `~` (`F…~siteinfo.json`, `F…~pages~100.json`), so it is the same for as long as the site lives.
Writing one is an upload to the site's folder (`POST /files/data` with `parentID` = the folder): a new version
of the same file, as the toolkit's `createFile` expects (`cec set-theme`, `set-custom-property`); the earlier
versions stay readable (`files/{id}/versions`, `files/{id}/data?version=N`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sitejobs.api.oce.auth import current_user
from sitejobs.api.oce.routes import CONTRIBUTE, READ, _json
from sitejobs.api.services import services
from sitejobs.auth.users import User, user_reference
from sitejobs.errors import BadRequest, Forbidden, ResourceNotFound
from sitejobs.sites.content.site_documents import PAGES, SITEINFO, STRUCTURE, FileVersion, SiteDocuments
from sitejobs.sites.content.store import ContentStore, SiteRow
from sitejobs.timefmt import iso_ms

DOCS = "/documents/api/1.2"
SEP = "~"
HOME = "self"
#: A site document is JSON read whole into memory; this bounds one upload of it.
MAX_SITE_FILE = 16 << 20


class ItemNotFound(ResourceNotFound):
    """No such folder or file, or it is not visible to you."""

    kind = "item"


@dataclass(frozen=True)
class SiteItem:
    """A folder or file of a site's folder: `path` is "" for the site's folder itself."""

    site: SiteRow
    path: str

    @property
    def id(self) -> str:
        return self.site.id + (SEP + self.path.replace("/", SEP) if self.path else "")

    @property
    def is_folder(self) -> bool:
        return self.path in ("", PAGES)

    @property
    def name(self) -> str:
        return self.path.rpartition("/")[2] if self.path else self.site.name

    @property
    def parent_id(self) -> str:
        parent = self.path.rpartition("/")[0]
        return HOME if not self.path else SiteItem(self.site, parent).id


def site_item(store: ContentStore, user: User, item_id: str, rights: frozenset[str] = READ) -> SiteItem:
    """The site folder or file `item_id` names, if the user may see (or, with `rights`, change) it."""
    site_id, _, rest = item_id.partition(SEP)
    site = store.site(site_id) if site_id else None
    role = None if site is None else store.role_of(site, user)
    if site is None or role is None:
        raise ItemNotFound(item_id)
    if role not in rights:
        raise Forbidden(f"Your role '{role}' on site '{site.name}' does not allow changing its files.")
    item = SiteItem(site, rest.replace(SEP, "/"))
    if not item.is_folder and SiteDocuments(store).read(site, item.path) is None:
        raise ItemNotFound(item_id)
    return item


def is_site_item(store: ContentStore, item_id: str) -> bool:
    site_id = item_id.partition(SEP)[0]
    return bool(site_id) and store.site(site_id) is not None


def write_site_file(
    store: ContentStore, user: User, folder_id: str, name: str, data: bytes
) -> dict[str, Any]:
    """An upload into a site's folder: the next version of the file of that name (the upload's answer)."""
    folder = site_item(store, user, folder_id, CONTRIBUTE)
    if not folder.is_folder:
        raise BadRequest(f"'{folder_id}' is a file, not a folder.", property="parentID")
    path = f"{folder.path}/{name}" if folder.path else name
    if path not in (SITEINFO, STRUCTURE) and not path.startswith(f"{PAGES}/"):
        raise BadRequest(f"A site's folder holds only {SITEINFO}, {STRUCTURE} and {PAGES}/.", property="name")
    documents = SiteDocuments(store)
    version = documents.write(folder.site, path, data, user.name)
    item = SiteItem(folder.site, path)
    return {"errorCode": "0", **_file_document(item, version, len(data))}


def upload_parent(raw: object) -> str:
    """The `parentID` of an upload's `jsonInputParameters` part (the home folder when there is none)."""
    if raw is None:
        return HOME
    try:
        parameters = orjson.loads(raw if isinstance(raw, str) else b"")
    except orjson.JSONDecodeError:
        raise BadRequest(
            "'jsonInputParameters' is not well-formed JSON.", property="jsonInputParameters"
        ) from None
    parent = parameters.get("parentID", HOME) if isinstance(parameters, dict) else None
    if not isinstance(parent, str) or not parent:
        raise BadRequest("'jsonInputParameters' needs a 'parentID' string.", property="jsonInputParameters")
    return parent


def read_site_file(store: ContentStore, user: User, file_id: str) -> bytes:
    item = site_item(store, user, file_id)
    data = None if item.is_folder else SiteDocuments(store).read(item.site, item.path)
    if data is None:
        raise ItemNotFound(file_id)
    return data


# ---- documents -------------------------------------------------------------------------------------------------


def _file_document(item: SiteItem, version: FileVersion, size: int) -> dict[str, Any]:
    owner = user_reference(item.site.owner)
    return {
        "type": "file",
        "id": item.id,
        "parentID": item.parent_id,
        "name": item.name,
        "ownedBy": owner,
        "createdBy": owner,
        "modifiedBy": user_reference(version.updated_by),
        "createdTime": iso_ms(item.site.created_at),
        "modifiedTime": iso_ms(version.updated_at),
        "size": str(size),
        "version": str(version.version),
        "latestVersion": str(version.version),
        "mimeType": "application/json",
    }


def _folder_document(item: SiteItem) -> dict[str, Any]:
    owner = user_reference(item.site.owner)
    return {
        "type": "folder",
        "id": item.id,
        "parentID": item.parent_id,
        "name": item.name,
        "ownedBy": owner,
        "createdBy": owner,
        "modifiedBy": owner,
        "createdTime": iso_ms(item.site.created_at),
        "modifiedTime": iso_ms(item.site.updated_at),
    }


def _home_file_document(row: dict[str, Any]) -> dict[str, Any]:
    owner = user_reference(row["owner"])
    return {
        "type": "file",
        "id": row["id"],
        "parentID": row["folder_id"],
        "name": row["name"],
        "ownedBy": owner,
        "createdBy": owner,
        "modifiedBy": owner,
        "createdTime": iso_ms(row["created_at"]),
        "modifiedTime": iso_ms(row["created_at"]),
        "size": str(row["size"]),
        "version": "1",
        "latestVersion": "1",
        "mimeType": "application/zip" if row["name"].endswith(".zip") else "application/octet-stream",
    }


def _site_children(store: ContentStore, folder: SiteItem) -> list[dict[str, Any]]:
    documents = SiteDocuments(store)
    versions = documents.versions(folder.site)
    items: list[dict[str, Any]] = []
    if not folder.path:
        items.append(_folder_document(SiteItem(folder.site, PAGES)))
    for path, data in documents.files(folder.site).items():
        if path.rpartition("/")[0] != folder.path:
            continue
        version = versions.get(path) or FileVersion(1, folder.site.owner, folder.site.created_at)
        items.append(_file_document(SiteItem(folder.site, path), version, len(data)))
    return items


def _page(items: list[dict[str, Any]], request: Request) -> dict[str, Any]:
    """Documents API paging: `limit` and `offset`, numbers as strings."""
    name = request.query_params.get("filterName")
    if name:
        items = [i for i in items if i["name"].lower() == name.lower()]
    limit = _int_param(request, "limit", 50)
    offset = _int_param(request, "offset", 0)
    page = items[offset : offset + limit]
    return {
        "errorCode": "0",
        "count": str(len(page)),
        "totalResults": str(len(items)),
        "offset": str(offset),
        "limit": str(limit),
        "hasMore": "1" if offset + limit < len(items) else "0",
        "items": page,
    }


def _int_param(request: Request, name: str, default: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or len(raw) > 9:
        raise BadRequest(f"'{name}' must be a whole number.", parameter=name)
    return int(raw)


# ---- endpoints -------------------------------------------------------------------------------------------------


def _store(request: Request) -> ContentStore:
    store: ContentStore = services(request).content
    return store


def _folder_listing(
    store: ContentStore, user: User, folder_id: str
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    if folder_id == HOME:
        home = {"type": "folder", "id": HOME, "name": user.name, "ownedBy": user_reference(user.name)}
        return home, [_home_file_document(row) for row in store.files_in(user.name, HOME)]
    folder = site_item(store, user, folder_id)
    if not folder.is_folder:
        raise ItemNotFound(folder_id)
    return _folder_document(folder), _site_children(store, folder)


async def folder(request: Request) -> Response:
    user = await current_user(request)
    info, _items = await run_in_threadpool(_folder_listing, _store(request), user, request.path_params["id"])
    return _json({"errorCode": "0", **info})


async def folder_items(request: Request) -> Response:
    """`GET folders/{id}/items` (and `folders/items` for the home folder, as `findFile` calls it)."""
    user = await current_user(request)
    folder_id = request.path_params.get("id", HOME)
    info, items = await run_in_threadpool(_folder_listing, _store(request), user, folder_id)
    return _json({**info, **_page(items, request)})


async def search_items(request: Request) -> Response:
    """`GET folders/search/items?fulltext=NAME`: the caller's home files and visible sites' files by name."""
    user = await current_user(request)
    text = (request.query_params.get("fulltext") or "").lower()
    store = _store(request)

    def found() -> list[dict[str, Any]]:
        items = [_home_file_document(row) for row in store.files_in(user.name, HOME)]
        for site in store.sites(user):
            items.append(_folder_document(SiteItem(site, "")))
            items.extend(_site_children(store, SiteItem(site, "")))
        return [item for item in items if text and text in item["name"].lower()]

    return _json(_page(await run_in_threadpool(found), request))


async def folder_metadata(request: Request) -> Response:
    """A site folder's metadata collection: what `SCS_GET_SITE_METADATA` also reports of its theme."""
    user = await current_user(request)
    item = await run_in_threadpool(site_item, _store(request), user, request.path_params["id"])
    if not item.is_folder:
        raise ItemNotFound(request.path_params["id"])
    site = item.site
    values = {"scsSiteTheme": site.theme_name, "scsSiteTemplate": site.template_name or ""}
    return _json({"errorCode": "0", "metadata": {"ScsSiteMetadata": values} if not item.path else {}})


def _file_info(store: ContentStore, user: User, file_id: str) -> dict[str, Any]:
    if is_site_item(store, file_id):
        item = site_item(store, user, file_id)
        if item.is_folder:
            raise ItemNotFound(file_id)
        documents = SiteDocuments(store)
        size = len(documents.read(item.site, item.path) or b"")
        return _file_document(item, documents.version(item.site, item.path), size)
    row = store.file(file_id)
    if row is None or (row["owner"] != user.name and not user.is_admin):
        raise ItemNotFound(file_id)
    return _home_file_document(row)


async def file_info(request: Request) -> Response:
    user = await current_user(request)
    info = await run_in_threadpool(_file_info, _store(request), user, request.path_params["id"])
    return _json({"errorCode": "0", **info})


def versions(store: ContentStore, user: User, file_id: str) -> list[dict[str, Any]]:
    """Every version of a file, the latest first (a home file has only its first)."""
    if not is_site_item(store, file_id):
        return [_file_info(store, user, file_id)]
    item = site_item(store, user, file_id)
    if item.is_folder:
        raise ItemNotFound(file_id)
    latest = None
    found = []
    for version, size in SiteDocuments(store).revisions(item.site, item.path):
        document = _file_document(item, version, size)
        latest = latest or document["version"]
        found.append({**document, "latestVersion": latest})
    return found


async def file_versions(request: Request) -> Response:
    """`GET files/{id}/versions`: each version kept, as the file's own document at that version."""
    user = await current_user(request)
    items = await run_in_threadpool(versions, _store(request), user, request.path_params["id"])
    return _json({"errorCode": "0", "count": str(len(items)), "items": items})


def read_file_version(store: ContentStore, user: User, file_id: str, version: str) -> bytes:
    """`files/{id}/data?version=N` of a site file: that version's bytes, or a 404 when it has none such."""
    item = site_item(store, user, file_id)
    if item.is_folder:
        raise ItemNotFound(file_id)
    if not version.isdigit() or len(version) > 9:
        raise BadRequest("'version' must be a version number.", parameter="version")
    data = SiteDocuments(store).read_version(item.site, item.path, int(version))
    if data is None:
        raise ItemNotFound(f"{file_id} version {version}")
    return data


def _delete(store: ContentStore, user: User, file_id: str) -> None:
    if is_site_item(store, file_id):
        site_item(store, user, file_id, CONTRIBUTE)
        raise BadRequest("A site's files are deleted with the site; write a new version instead.")
    row = store.file(file_id)
    if row is None or (row["owner"] != user.name and not user.is_admin):
        raise ItemNotFound(file_id)
    store.delete_file(file_id)


async def delete_file(request: Request) -> Response:
    user = await current_user(request)
    await run_in_threadpool(_delete, _store(request), user, request.path_params["id"])
    return _json({"errorCode": "0"})


routes = [
    Route(f"{DOCS}/folders/items", folder_items, methods=["GET"]),
    Route(f"{DOCS}/folders/search/items", search_items, methods=["GET"]),
    Route(f"{DOCS}/folders/{{id}}", folder, methods=["GET"]),
    Route(f"{DOCS}/folders/{{id}}/items", folder_items, methods=["GET"]),
    Route(f"{DOCS}/folders/{{id}}/metadata", folder_metadata, methods=["GET"]),
    Route(f"{DOCS}/files/{{id}}", file_info, methods=["GET"]),
    Route(f"{DOCS}/files/{{id}}", delete_file, methods=["DELETE"]),
    Route(f"{DOCS}/files/{{id}}/versions", file_versions, methods=["GET"]),
]
