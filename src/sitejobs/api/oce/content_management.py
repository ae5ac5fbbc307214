"""The Content Management API (`/content/management/api/v1.1`) as far as enterprise sites and their translation
need it: repositories, channels and localization policies (read by everyone signed in, made by administrators,
as Content Management's content administrators make them), translation jobs (seen by whoever may see their
site) and the CSRF token the toolkit sends with its writes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sitejobs.api.oce.cm_documents import CM_API, DOCUMENTS, ITEM_SPECS, SPECS, translation_job_document
from sitejobs.api.oce.idc import issue_token
from sitejobs.api.oce.query import parse_query
from sitejobs.api.oce.routes import _base_url, _body, _caller, _json, _store
from sitejobs.api.oce.shaping import page_collection, shape
from sitejobs.api.services import services
from sitejobs.auth.users import User
from sitejobs.errors import BadRequest, Forbidden, ResourceAlreadyExists, ResourceNotFound
from sitejobs.sites.content.enterprise import EnterpriseStore
from sitejobs.sites.content.store import ContentStore
from sitejobs.sites.content.translation_jobs import STATUSES, TranslationJobStore

#: Query parameters of `GET /translationJobs` besides the collection's own.
JOB_FILTERS = ("jobType", "jobStatus", "repositoryId")
#: Names Content Management accepts for repositories, channels and policies (no path or quoting characters).
NAME_PATTERN_LOOSE = r"^[^/\\*\"<>|?':]{1,200}$"
NOUNS = {"repositories": "repository", "channels": "channel", "localizationPolicies": "localization policy"}


class _Body(BaseModel):
    model_config = ConfigDict(extra="ignore")


class NewRepository(_Body):
    name: str = Field(pattern=NAME_PATTERN_LOOSE)
    description: str = Field(default="", max_length=4000)
    defaultLanguage: str = Field(default="en-US", min_length=1, max_length=32)
    repositoryType: str = Field(default="Standard", pattern="^(Standard|Business)$")
    languageOptions: list[str] = Field(default_factory=list, max_length=200)
    channels: list[dict[str, Any]] = Field(default_factory=list, max_length=200)


class NewPolicy(_Body):
    name: str = Field(pattern=NAME_PATTERN_LOOSE)
    description: str = Field(default="", max_length=4000)
    requiredValues: list[str] = Field(min_length=1, max_length=200)
    optionalValues: list[str] = Field(default_factory=list, max_length=200)
    defaultValue: str = Field(min_length=1, max_length=32)


class NewChannel(_Body):
    name: str = Field(pattern=NAME_PATTERN_LOOSE)
    description: str = Field(default="", max_length=4000)
    channelType: str = Field(default="public", pattern="^(public|secure)$")
    publishPolicy: str = Field(default="anythingPublished", max_length=32)
    localizationPolicy: str | None = Field(default=None, max_length=64)


class JobUpdate(_Body):
    status: str = Field(min_length=1, max_length=32)


def _enterprise(request: Request) -> EnterpriseStore:
    return EnterpriseStore(_store(request).db)


def _list(kind: str) -> Callable[..., Any]:
    async def endpoint(request: Request) -> Response:
        await _caller(request)
        params = parse_query(request.query_params.multi_items(), SPECS[kind])
        rows = await run_in_threadpool(_enterprise(request).all, kind)
        base = _base_url(request)
        return _json(page_collection([DOCUMENTS[kind](r, base) for r in rows], params))

    return endpoint


def _item(kind: str) -> Callable[..., Any]:
    async def endpoint(request: Request) -> Response:
        await _caller(request)
        params = parse_query(request.query_params.multi_items(), ITEM_SPECS[kind])
        ref = request.path_params["id"]
        row = await run_in_threadpool(_enterprise(request).get, kind, ref)
        if row is None:
            raise ResourceNotFound(ref)
        return _json(shape(DOCUMENTS[kind](row, _base_url(request)), params))

    return endpoint


async def _administrator(request: Request, kind: str) -> User:
    user = await _caller(request)
    if not user.is_admin:
        raise Forbidden(f"Only administrators may create a {NOUNS[kind]}.")
    return user


async def _created(request: Request, kind: str, name: str, owner: str, **values: Any) -> Response:
    row = await run_in_threadpool(_enterprise(request).add, kind, name, owner, **values)
    if row is None:
        raise ResourceAlreadyExists(NOUNS[kind], name)
    return _json(DOCUMENTS[kind](row, _base_url(request)), 201)


async def create_repository(request: Request) -> Response:
    user = await _administrator(request, "repositories")
    body = await _body(request, NewRepository)
    store = _enterprise(request)
    channels = []
    for given in body["channels"]:
        channel = await run_in_threadpool(store.get, "channels", str(given.get("id", "")))
        if channel is None:
            raise BadRequest(f"The channel {given.get('id') or given.get('name')!r} does not exist.")
        channels.append({"id": channel["id"], "name": channel["name"]})
    return await _created(
        request,
        "repositories",
        body["name"],
        user.name,
        description=body["description"],
        default_language=body["defaultLanguage"],
        repository_type=body["repositoryType"],
        language_options=body["languageOptions"],
        channels=channels,
    )


async def create_policy(request: Request) -> Response:
    user = await _administrator(request, "localizationPolicies")
    body = await _body(request, NewPolicy)
    if body["defaultValue"] not in body["requiredValues"]:
        raise BadRequest(
            "The default language must be one of the required languages.", property="defaultValue"
        )
    return await _created(
        request,
        "localizationPolicies",
        body["name"],
        user.name,
        description=body["description"],
        default_value=body["defaultValue"],
        required_values=body["requiredValues"],
        optional_values=[v for v in body["optionalValues"] if v not in body["requiredValues"]],
    )


async def create_channel(request: Request) -> Response:
    user = await _administrator(request, "channels")
    body = await _body(request, NewChannel)
    policy = body["localizationPolicy"]
    if policy and await run_in_threadpool(_enterprise(request).get, "localizationPolicies", policy) is None:
        raise BadRequest(f"The localization policy '{policy}' does not exist.", property="localizationPolicy")
    return await _created(
        request,
        "channels",
        body["name"],
        user.name,
        description=body["description"],
        channel_type=body["channelType"],
        publish_policy=body["publishPolicy"],
        localization_policy_id=policy,
    )


# ---- translation jobs -------------------------------------------------------------------------------------------


def _may_see_job(store: ContentStore, user: User, job: dict[str, Any], rights: frozenset[str]) -> bool:
    if user.is_admin or job["owner"] == user.name:
        return True
    site = store.site(job["site_id"], include_deleted=True) if job["site_id"] else None
    return site is not None and store.role_of(site, user) in rights


READERS = frozenset({"manager", "contributor", "downloader", "viewer"})
WRITERS = frozenset({"manager", "contributor"})


async def list_translation_jobs(request: Request) -> Response:
    """`?jobType=sites|assets&jobStatus=A,B&repositoryId=…` and the collection's own parameters."""
    user = await _caller(request)
    items = request.query_params.multi_items()
    filters = {k: v for k, v in items if k in JOB_FILTERS}
    params = parse_query([(k, v) for k, v in items if k not in JOB_FILTERS], SPECS["translationJobs"])
    job_type = filters.get("jobType", "")
    if job_type not in ("", "sites", "assets"):
        raise BadRequest(f"jobType must be sites or assets, not '{job_type}'.", property="jobType")
    statuses = {s.strip() for s in filters.get("jobStatus", "").split(",") if s.strip()}
    store = _store(request)

    def visible() -> list[dict[str, Any]]:
        return [
            job
            for job in TranslationJobStore(store.db).all()
            if (not job_type or job["job_type"] == job_type)
            and (not statuses or job["status"] in statuses)
            and (not filters.get("repositoryId") or job["repository_id"] == filters["repositoryId"])
            and _may_see_job(store, user, job, READERS)
        ]

    base = _base_url(request)
    jobs = await run_in_threadpool(visible)
    return _json(page_collection([translation_job_document(j, base) for j in jobs], params))


async def _visible_job(request: Request, user: User, rights: frozenset[str]) -> dict[str, Any]:
    store = _store(request)
    ref = request.path_params["id"]
    job = await run_in_threadpool(TranslationJobStore(store.db).get, ref)
    if job is None or not await run_in_threadpool(_may_see_job, store, user, job, READERS):
        raise ResourceNotFound(ref)
    if not await run_in_threadpool(_may_see_job, store, user, job, rights):
        raise Forbidden(f"You may not change translation job '{job['name']}'.")
    return job


async def get_translation_job(request: Request) -> Response:
    user = await _caller(request)
    params = parse_query(request.query_params.multi_items(), ITEM_SPECS["translationJobs"])
    job = await _visible_job(request, user, READERS)
    return _json(shape(translation_job_document(job, _base_url(request)), params))


async def update_translation_job(request: Request) -> Response:
    """`download-translation-job` moves a READY job to INPROGRESS (PUT of the whole job, status changed)."""
    user = await _caller(request)
    body = await _body(request, JobUpdate)
    if body["status"] not in STATUSES:
        raise BadRequest(f"status must be one of {', '.join(STATUSES)}.", property="status")
    job = await _visible_job(request, user, WRITERS)
    jobs = TranslationJobStore(_store(request).db)
    await run_in_threadpool(jobs.set_status, job["id"], body["status"], user.name)
    changed = await run_in_threadpool(jobs.get, job["id"])
    assert changed is not None
    return _json(translation_job_document(changed, _base_url(request)))


async def csrf_token(request: Request) -> Response:
    user = await _caller(request)
    return _json({"token": issue_token(services(request), user)})


routes = [
    Route(f"{CM_API}/token", csrf_token, methods=["GET"]),
    Route(f"{CM_API}/repositories", _list("repositories"), methods=["GET"]),
    Route(f"{CM_API}/repositories", create_repository, methods=["POST"]),
    Route(f"{CM_API}/repositories/{{id}}", _item("repositories"), methods=["GET"]),
    Route(f"{CM_API}/channels", _list("channels"), methods=["GET"]),
    Route(f"{CM_API}/channels", create_channel, methods=["POST"]),
    Route(f"{CM_API}/channels/{{id}}", _item("channels"), methods=["GET"]),
    Route(f"{CM_API}/localizationPolicies", _list("localizationPolicies"), methods=["GET"]),
    Route(f"{CM_API}/localizationPolicies", create_policy, methods=["POST"]),
    Route(f"{CM_API}/localizationPolicies/{{id}}", _item("localizationPolicies"), methods=["GET"]),
    Route(f"{CM_API}/translationJobs", list_translation_jobs, methods=["GET"]),
    Route(f"{CM_API}/translationJobs/{{id}}", get_translation_job, methods=["GET"]),
    Route(f"{CM_API}/translationJobs/{{id}}", update_translation_job, methods=["PUT"]),
]
