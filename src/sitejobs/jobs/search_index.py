"""The product search index jobs: `sfcc-search-index-product-full-update` and `…-delta-update` (also under
OCAPI's name `…-incremental-update`).

Their request is OCAPI's SearchIndexUpdateConfiguration: `{"site_scope": ["RefArch"]}`, a list of site ids as
the OCAPI reference documents it. The object form of the `SiteScope` job parameter is accepted as well,
`{"site_scope": {"named_sites": ["RefArch"]}}` or `{"site_scope": {"all_storefront_sites": true}}`, since
clients send that too. Every named site must be in the store: otherwise the job ends in ERROR naming the
unknown ones, before any index changes. Each site is a step; its index is rebuilt (or updated) in one
transaction.
"""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from pydantic import BaseModel, ConfigDict, Field, model_validator

from sitejobs.engine.context import JobContext, JobFailed
from sitejobs.engine.registry import JobDefinition, Registry, RetryPolicy, SystemRequest
from sitejobs.errors import StorefrontSiteNotFound
from sitejobs.sites.commerce.schema import ID
from sitejobs.sites.commerce.search_index import resolve_sites, update_site_index

FULL = "sfcc-search-index-product-full-update"
DELTA = ("sfcc-search-index-product-delta-update", "sfcc-search-index-product-incremental-update")
STRICT = ConfigDict(extra="forbid", strict=True)

SiteId = Annotated[str, Field(min_length=1, max_length=ID)]


class SiteScopeDocument(BaseModel):
    """The object form: named sites, or every storefront site."""

    model_config = STRICT
    named_sites: Annotated[list[SiteId], Field(min_length=1)] | None = None
    all_storefront_sites: bool | None = None

    @model_validator(mode="after")
    def _one_of(self) -> SiteScopeDocument:
        if (self.named_sites is not None) == bool(self.all_storefront_sites):
            raise ValueError("give either named_sites or all_storefront_sites: true")
        return self


class SearchIndexUpdateRequest(BaseModel):
    model_config = STRICT
    site_scope: Annotated[list[SiteId], Field(min_length=1)] | SiteScopeDocument


def named_sites(params: dict[str, Any]) -> list[str] | None:
    """The site ids a stored request names; None for all storefront sites."""
    scope = params["site_scope"]
    if isinstance(scope, list):
        return scope
    return None if scope.get("all_storefront_sites") else list(scope["named_sites"])


def _echo(model: BaseModel) -> list[tuple[str, str]]:
    """Echoed as the `SiteScope` parameter is written: `{"named_sites":[…]}` or `{"all_storefront_sites":true}`."""
    assert isinstance(model, SearchIndexUpdateRequest)
    sites = named_sites(model.model_dump(mode="json"))
    scope = {"all_storefront_sites": True} if sites is None else {"named_sites": sites}
    return [("SiteScope", orjson.dumps(scope).decode())]


def _update(ctx: JobContext, *, full: bool) -> dict[str, Any]:
    db = ctx.services.db
    kind = "full" if full else "delta"
    try:
        sites = resolve_sites(db, named_sites(ctx.params))
    except StorefrontSiteNotFound as exc:
        raise JobFailed(exc.message, code="UNKNOWN_SITE") from None
    if not sites:
        ctx.log("No storefront site in the store: nothing to index")
        return {"sites": {}}
    ctx.log(f"{kind.capitalize()} update of the product search index of {', '.join(sites)}")
    results: dict[str, Any] = {}
    for index, site_id in enumerate(sites):

        def progress(fraction: float, message: str, index: int = index) -> None:
            ctx.progress(100 * (index + fraction) / len(sites), message)

        with ctx.step(site_id, f"SearchIndexProduct{kind.capitalize()}Update"):
            try:
                summary = update_site_index(
                    db,
                    site_id,
                    full=full,
                    progress=progress,
                    log=ctx.log,
                    scratch_dir=ctx.services.settings.resolved_scratch_dir,
                )
            except StorefrontSiteNotFound as exc:  # deleted since the scope was checked
                raise JobFailed(exc.message, code="UNKNOWN_SITE") from None
            for reason in summary.reasons:
                ctx.log(f"{site_id}: a full update instead of a delta: {reason}")
            ctx.log(summary.line())
        results[site_id] = summary.document()
    ctx.progress(100, f"Product search index updated for {len(sites)} sites")
    return {"sites": results}


def full_update(ctx: JobContext) -> dict[str, Any]:
    """Rebuilds each site's product index whole, each in one transaction."""
    return _update(ctx, full=True)


def delta_update(ctx: JobContext) -> dict[str, Any]:
    """Updates each site's product index with what changed since it was last updated."""
    return _update(ctx, full=False)


def register(registry: Registry) -> None:
    request = SystemRequest(SearchIndexUpdateRequest, _echo)
    jobs = [(FULL, full_update, "Rebuilds the product search index of the sites of the site scope.")]
    jobs += [
        (job_id, delta_update, "Updates the product search index with what changed.") for job_id in DELTA
    ]
    for job_id, run, description in jobs:
        registry.add(
            JobDefinition(
                id=job_id,
                run=run,
                description=description,
                concurrent=False,
                retry=RetryPolicy(on_worker_lost="retry", max_attempts=3),  # an update can be redone safely
                system_request=request,
            ),
            system=True,
        )
