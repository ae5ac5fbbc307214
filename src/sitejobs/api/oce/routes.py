"""The Sites Management API (`/sites/management/api/v1`): start site jobs, follow them, look things up.

Every operation answers 202 with an absolute `Location` of its `_status` resource (the toolkit polls that URL
as given). A job, like a site, is visible to its owner, to the users the site is shared with and to
administrators; to anyone else it does not exist (404, the same answer as for an id that never existed).
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qsl

import orjson
from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from sitejobs.api.credentials import ScopeClient
from sitejobs.api.oce import resources
from sitejobs.api.oce.auth import current_user, known_user, user_from_header
from sitejobs.api.oce.query import Query, default_query, parse_query
from sitejobs.api.oce.shaping import page_collection, shape
from sitejobs.api.oce.site_relations import resource_doc, site_doc, site_docs, site_relations
from sitejobs.api.oce.status import STATUS_PATH, status_document
from sitejobs.api.services import Services, services, services_in
from sitejobs.auth.users import User
from sitejobs.engine.models import Execution
from sitejobs.engine.service import JobEngine
from sitejobs.engine.states import State
from sitejobs.errors import (
    BadRequest,
    ComponentNotFound,
    Forbidden,
    MalformedDocument,
    NotAcceptable,
    ResourceNotFound,
    SiteJobNotFound,
    SiteNotFound,
    TemplateNotFound,
    ThemeNotFound,
)
from sitejobs.jobs.oce import ACTIONS
from sitejobs.jobs.oce import requests as req
from sitejobs.jobs.oce.table import JOBS, OceJob
from sitejobs.sites.content.access import may_see_execution
from sitejobs.sites.content.enterprise import EnterpriseStore
from sitejobs.sites.content.store import ContentStore, SiteRow
from sitejobs.sites.content.translation.archive import site_of_translation_zip

M = TypeVar("M", bound=BaseModel)

API = "/sites/management/api/v1"
#: How long a request without `Prefer: respond-async` waits for its job before answering 202 anyway.
SYNC_WAIT_S = 120.0
SYNC_POLL_S = 0.05
JSON = "application/json"
#: What each role may do to a site; a role includes the rights of those after it in `ROLES`.
MANAGE = frozenset({"manager"})
CONTRIBUTE = frozenset({"manager", "contributor"})
READ = frozenset({"manager", "contributor", "downloader", "viewer"})
#: The least role a job's row asks for → the roles that have it.
RIGHTS = {"manager": MANAGE, "contributor": CONTRIBUTE, "viewer": READ}
NOT_FOUND: dict[str, type[ResourceNotFound]] = {
    "sites": SiteNotFound,
    "templates": TemplateNotFound,
    "themes": ThemeNotFound,
    "components": ComponentNotFound,
}
COLLECTIONS = {
    "sites": resources.SITES,
    "templates": resources.TEMPLATES,
    "themes": resources.THEMES,
    "components": resources.COMPONENTS,
}
ITEMS = {
    "sites": resources.SITE,
    "templates": resources.TEMPLATE,
    "themes": resources.THEME,
    "components": resources.COMPONENT,
}


def _json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(body), status_code=status, media_type=JSON, headers=headers)


def check_accept(accept: str) -> None:
    if accept and not _accepts_json(accept):
        raise NotAcceptable(f"This resource answers only {JSON}, not '{accept}'.")


@functools.lru_cache(maxsize=256)
def _accepts_json(accept: str) -> bool:
    types = [part.split(";")[0].strip().lower() for part in accept.split(",")]
    return any(t in ("*/*", "application/*", JSON) or t.endswith("+json") for t in types)


async def _caller(request: Request) -> User:
    check_accept(request.headers.get("accept", ""))
    services(request).database.check()  # the database was not answering a moment ago: 503 at once
    return await current_user(request)


def _base_url(request: Request) -> str:
    return base_url(request.scope)


def base_url(scope: Scope, host: str | None = None) -> str:
    """Scheme and authority the client used (the toolkit needs absolute URLs it can call back); `host` is the
    Host header when the caller has already read it."""
    if host is None:
        host = next((value.decode("latin-1") for name, value in scope["headers"] if name == b"host"), "")
    if host:
        return f"{scope['scheme']}://{host}"
    host, port = scope.get("server") or ("localhost", None)
    return f"{scope['scheme']}://{host}" + (f":{port}" if port else "")


def _store(request: Request) -> ContentStore:
    store: ContentStore = services(request).content
    return store


async def _body(request: Request, model: type[BaseModel], **path_fields: str) -> dict[str, Any]:
    return (await _request(request, model, **path_fields)).model_dump(mode="json", by_alias=True)


async def _request(request: Request, model: type[M], **path_fields: str) -> M:
    """The request body as `model`, with the fields the path names; BadRequest when it is not one."""
    raw = await request.body()
    try:
        document = orjson.loads(raw) if raw.strip() else {}
    except orjson.JSONDecodeError:
        raise MalformedDocument("The request body is not well-formed JSON.") from None
    if not isinstance(document, dict):
        raise MalformedDocument("The request body must be a JSON object.")
    document.update(path_fields)
    try:
        return model.model_validate(document)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "body"
        raise BadRequest(f"Property '{where}': {first['msg']}.", property=where) from None


# ---- visibility ------------------------------------------------------------------------------------------------


def _query(request: Request, spec: resources.ResourceSpec) -> Query:
    return parse_query(request.query_params.multi_items(), spec)


def _site_for(
    store: ContentStore, user: User, ref: str, rights: frozenset[str], *, include_deleted: bool = False
) -> SiteRow:
    site = store.site(ref, include_deleted=include_deleted)
    role = None if site is None else store.role_of(site, user)
    if site is None or role is None:
        raise SiteNotFound(ref)
    if role not in rights:
        raise Forbidden(f"Your role '{role}' on site '{site.name}' does not allow this operation.")
    return site


def visible_execution(engine: JobEngine, store: ContentStore, user: User, raw_id: str) -> Execution:
    execution = (
        engine.get(int(raw_id)) if raw_id.isascii() and raw_id.isdigit() and len(raw_id) < 19 else None
    )
    if execution is None or execution.job_id not in ACTIONS or not may_see_execution(store, user, execution):
        raise SiteJobNotFound(context=raw_id)
    return execution


# ---- starting jobs ---------------------------------------------------------------------------------------------


async def _accepted(request: Request, user: User, job_id: str, document: BaseModel) -> Response:
    """202 with the status's absolute `Location` when the client prefers `respond-async` (the toolkit always
    does for long operations); otherwise the answer once the job has ended (the toolkit copies components
    synchronously), or the 202 after all if it takes longer than `SYNC_WAIT_S`."""
    engine: JobEngine = services(request).engine
    poll_ms = services(request).settings.oce_poll_interval_ms
    execution = await engine.asubmit(job_id, request=document, client_id=user.name)
    base = _base_url(request)
    if "respond-async" not in request.headers.get("prefer", "").lower():
        deadline = time.monotonic() + SYNC_WAIT_S
        while not execution.is_terminal and time.monotonic() < deadline:
            await asyncio.sleep(SYNC_POLL_S)
            execution = engine.get(execution.id) or execution
        if execution.is_terminal:
            body = status_document(execution, base, poll_ms)
            if execution.state is State.SUCCEEDED:
                return _json(body, 200)
            error = body.get("error") or {}
            return _json({**error, "status": str(error.get("status", 500))}, int(error.get("status", 500)))
    location = f"{base}{STATUS_PATH}/{execution.id}"
    return _json(status_document(execution, base, poll_ms), 202, {"Location": location})


async def create_site(request: Request) -> Response:
    user = await _caller(request)
    document = await _request(request, req.CreateSite)
    store = _store(request)
    if await services(request).database.run(store.resource, "templates", document.template) is None:
        raise TemplateNotFound(document.template)
    if document.repository:
        await run_in_threadpool(check_enterprise, store, document)
    return await _accepted(request, user, "oce-create-site", document)


def check_enterprise(store: ContentStore, document: req.CreateSite) -> None:
    """An enterprise site (one made in a repository) needs an existing repository, a localization policy
    and a default language among the policy's required languages."""
    enterprise = EnterpriseStore(store.db)
    repository = enterprise.get("repositories", document.repository or "")
    if repository is None:
        raise BadRequest(f"Repository '{document.repository}' does not exist.", property="repository")
    if repository["repository_type"].lower() == "business":
        raise BadRequest("An enterprise site cannot be made in a business repository.", property="repository")
    policy_ref = document.localizationPolicy
    policy = enterprise.get("localizationPolicies", policy_ref) if policy_ref else None
    if policy is None:
        raise BadRequest(
            "An enterprise site needs an existing localization policy.", property="localizationPolicy"
        )
    language = document.defaultLanguage
    if not language or language not in policy["required_values"]:
        raise BadRequest(
            f"The default language must be one of the required languages of policy '{policy['name']}': "
            f"{', '.join(policy['required_values'])}.",
            property="defaultLanguage",
        )
    document.repository = repository["id"]
    document.localizationPolicy = policy["id"]


def site_operation(job: OceJob) -> Callable[..., Any]:
    """The route of a job on the site its path names, which the caller's role on it must allow (a hard delete
    reaches the site in the trash too)."""
    rights = RIGHTS[job.role or "viewer"]
    include_deleted = job.action == "hardDelete"

    async def endpoint(request: Request) -> Response:
        user = await _caller(request)
        site = await services(request).database.run(
            partial(_site_for, include_deleted=include_deleted),
            _store(request),
            user,
            request.path_params["id"],
            rights,
        )
        model = job.request
        extra = {"target_base_url": _base_url(request)} if "target_base_url" in model.model_fields else {}
        document = await _request(request, model, target_site=site.id, **extra)
        return await _accepted(request, user, job.job_id, document)

    return endpoint


async def import_translations(request: Request) -> Response:
    """`POST /sites/_importTranslations` (the site is the one the translation zip was made from) and
    `POST /sites/{id}/importTranslations`. Only the file's owner (or an administrator) may import it."""
    user = await _caller(request)
    document = await _request(request, req.ImportTranslations)
    site = await services(request).database.run(
        import_target, _store(request), user, document.translationImportFile, request.path_params.get("id")
    )
    document.target_site = site.id
    return await _accepted(request, user, "oce-import-translations", document)


def import_target(store: ContentStore, user: User, file_id: str, site_ref: str | None) -> SiteRow:
    """The site a translation zip is imported into: the one named, else the one it was made from. Only the
    file's owner (or an administrator) may import it; the importer must contribute to the site."""
    file = store.file(file_id)
    if file is None or (file["owner"] != user.name and not user.is_admin):
        raise ResourceNotFound(file_id)
    ref = site_ref or file.get("site_id") or site_of_translation_zip(Path(file["path"])) or ""
    return _site_for(store, user, ref, RIGHTS[JOBS["oce-import-translations"].role or "viewer"])


def resource_operation(job: OceJob, kind: str) -> Callable[..., Any]:
    """The route of a job on the theme, component or template (`kind`) its path names."""

    async def endpoint(request: Request) -> Response:
        user = await _caller(request)
        ref = request.path_params["id"]
        row = await services(request).database.run(_store(request).resource, kind, ref)
        if row is None:
            raise NOT_FOUND[kind](ref)
        document = await _request(request, job.request, target_resource=row["id"])
        return await _accepted(request, user, job.job_id, document)

    return endpoint


# ---- _status ---------------------------------------------------------------------------------------------------


class StatusRead:
    """`GET …/sites/_status/{id}`, the request pollers repeat (the toolkit every 5 s per job, dashboards more
    often): a plain ASGI endpoint, which takes what it needs from the scope and sends the cached bytes."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        authorization = accept = host = ""
        for name, value in scope["headers"]:
            if name == b"authorization":
                authorization = value.decode("latin-1")
            elif name == b"accept":
                accept = value.decode("latin-1")
            elif name == b"host":
                host = value.decode("latin-1")
        payload = await status_payload(
            services_in(scope),
            authorization,
            accept,
            scope["path_params"]["id"],
            scope["query_string"],
            base_url(scope, host),
            scope.get("client"),
        )
        await send({"type": "http.response.start", "status": 200, "headers": _json_headers(len(payload))})
        await send({"type": "http.response.body", "body": payload})


_JSON_TYPE = JSON.encode()


def _json_headers(length: int) -> list[tuple[bytes, bytes]]:
    return [(b"content-length", str(length).encode()), (b"content-type", _JSON_TYPE)]


async def status_payload(
    state: Services,
    authorization: str,
    accept: str,
    raw_id: str,
    query_string: bytes,
    base: str,
    client: ScopeClient,
) -> bytes:
    """The `_status` answer. Who asks is checked first; the rendered bytes then come from the read cache,
    keyed by the user (visibility is per user), the job, the query and the base URL, until the store changes
    (a query that is not valid is refused each time: only answers are cached)."""
    check_accept(accept)
    user = known_user(state, authorization) or await user_from_header(state, authorization, client)
    key = ("oce-status", user.name, raw_id, query_string, base)
    cached: bytes = await state.database.read_now(
        state.read_cache.get, key, _status_answer, state, user, raw_id, query_string, base
    )
    return cached


def _status_answer(state: Services, user: User, raw_id: str, query_string: bytes, base: str) -> bytes:
    params = parse_query(parse_qsl(query_string.decode("latin-1"), keep_blank_values=True), resources.STATUS)
    execution = visible_execution(state.engine, state.content, user, raw_id)
    doc = status_document(execution, base, state.settings.oce_poll_interval_ms)
    return orjson.dumps(shape(doc, params, relations=_status_relations(state.content, base, execution)))


async def job_status_pages(request: Request) -> Response:
    user = await _caller(request)
    state = services(request)
    params = _query(request, resources.STATUS_PAGES)
    execution = visible_execution(state.engine, state.content, user, request.path_params["id"])
    items = _absolute_pages((execution.result or {}).get("pages", []), _base_url(request))
    return _json(page_collection(items, params))


def _absolute_pages(items: list[dict[str, Any]], base: str) -> list[dict[str, Any]]:
    """A refresh records its pages' paths; clients get their URLs on this server."""
    return [{**item, "pageUrl": base + item["pageUrl"]} for item in items]


def _status_relations(store: ContentStore, base: str, execution: Execution) -> dict[str, Callable[[], Any]]:
    result = execution.result or {}
    relations: dict[str, Callable[[], Any]] = {}
    if "site" in result:
        relations["site"] = lambda: _expanded_site(store, result["site"]["id"], base)
    for noun, kind in (("theme", "themes"), ("component", "components")):
        if noun in result:
            relations[noun] = partial(_expanded_resource, store, kind, result[noun]["id"], base)
    if "pages" in result:
        relations["pages"] = lambda: page_collection(
            _absolute_pages(result["pages"], base), default_query(resources.STATUS_PAGES)
        )
    for name in ("translationFile", "translationJob", "translationImportFile"):
        if name in result:
            relations[name] = partial(result.__getitem__, name)
    return relations


def _expanded_site(store: ContentStore, site_id: str, base: str) -> dict[str, Any]:
    site = store.site(site_id, include_deleted=True)
    if site is None:
        raise SiteNotFound(site_id)
    return site_doc(store, site, base)


def _expanded_resource(store: ContentStore, kind: str, ref: str, base: str) -> dict[str, Any]:
    row = store.resource(kind, ref)
    if row is None:
        raise NOT_FOUND[kind](ref)
    return resource_doc(store, kind, row, base)


# ---- read resources --------------------------------------------------------------------------------------------


def _list(kind: str) -> Callable[..., Any]:
    async def endpoint(request: Request) -> Response:
        user = await _caller(request)
        params = _query(request, COLLECTIONS[kind])
        store = _store(request)
        base = _base_url(request)
        if kind == "sites":
            rows = await services(request).database.run(
                partial(store.sites, include_deleted="includeDeleted" in params.flags), user
            )
            by_id = {s.id: s for s in rows}
            items = await services(request).database.run(site_docs, store, rows, base)

            def shape_site(doc: dict[str, Any]) -> dict[str, Any]:
                return shape(doc, params, relations=site_relations(store, by_id[doc["id"]], base))

            return _json(await run_in_threadpool(page_collection, items, params, shape_site))
        rows_ = await services(request).database.run(
            partial(store.resources, include_deleted="includeDeleted" in params.flags), kind
        )
        items = [resource_doc(store, kind, r, base) for r in rows_]
        return _json(page_collection(items, params))

    return endpoint


def _item(kind: str) -> Callable[..., Any]:
    async def endpoint(request: Request) -> Response:
        user = await _caller(request)
        params = _query(request, ITEMS[kind])
        ref = request.path_params["id"]
        store = _store(request)
        base = _base_url(request)
        if kind == "sites":
            site = await services(request).database.run(
                partial(_site_for, include_deleted="includeDeleted" in params.flags), store, user, ref, READ
            )
            doc = await services(request).database.run(site_doc, store, site, base)
            relations = site_relations(store, site, base)
            return _json(await run_in_threadpool(partial(shape, relations=relations), doc, params))
        row = await services(request).database.run(
            partial(store.resource, include_deleted="includeDeleted" in params.flags), kind, ref
        )
        if row is None:
            raise NOT_FOUND[kind](ref)
        return _json(shape(resource_doc(store, kind, row, base), params))

    return endpoint


routes = [
    Route(f"{API}/sites/_status/{{id}}", StatusRead(), methods=["GET"]),
    Route(f"{API}/sites/_status/{{id}}/pages", job_status_pages, methods=["GET"]),
    *(
        Route(f"{API}/{kind}", _list(kind), methods=["GET"])
        for kind in ("sites", "templates", "themes", "components")
    ),
    *(
        Route(f"{API}/{kind}/{{id}}", _item(kind), methods=["GET"])
        for kind in ("sites", "templates", "themes", "components")
    ),
]
