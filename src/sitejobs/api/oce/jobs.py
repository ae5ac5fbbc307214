"""The routes that start the OCE site jobs, one per path of each row of the job table
(`sitejobs.jobs.oce.table`): a job on a site the caller's role must allow, a job on a theme, component or
template, or (creating a site, importing translations or a template) a route of its own."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.routing import BaseRoute, Route

from sitejobs.api.oce.routes import API, create_site, import_translations, resource_operation, site_operation
from sitejobs.api.oce.templates import import_template
from sitejobs.jobs.oce.table import TABLE, OceJob

#: The jobs whose routes check more than the site or resource their path names.
OWN_ROUTES: dict[str, Callable[..., Any]] = {
    "oce-create-site": create_site,
    "oce-import-translations": import_translations,
    "oce-import-template": import_template,
}


def _endpoint(job: OceJob, path: str) -> Callable[..., Any]:
    if job.job_id in OWN_ROUTES:
        return OWN_ROUTES[job.job_id]
    kind = path.split("/", 1)[0]
    return site_operation(job) if kind == "sites" else resource_operation(job, kind)


routes: list[BaseRoute] = [
    Route(f"{API}/{path}", _endpoint(job, path), methods=["POST"]) for job in TABLE for path in job.routes
]
