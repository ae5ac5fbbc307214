"""The OCE site jobs, one row each: the registry's definitions, the Sites Management routes that start them and
the `_status` actions are all derived from `TABLE`.

A row's `routes` are POST paths below `/sites/management/api/v1`; `{id}` names the site (or the theme, component
or template) the job works on. `role` is the least role the caller needs on that site (`None`: the job's own
route checks what it needs). The request model is what the route validates the body with, once: the job gets
that document as its request.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel

from sitejobs.jobs.oce import requests as req


@dataclass(frozen=True)
class OceJob:
    job_id: str
    #: Its `_status` action (the seed's list: translate, copy, publish, importTranslations, hardDelete,
    #: copyTheme, copyComponent, refresh, publishTheme). Creating and copying a site are both `copy`.
    action: str
    request: type[BaseModel]
    routes: tuple[str, ...]
    role: str | None
    description: str


TABLE: tuple[OceJob, ...] = (
    OceJob("oce-create-site", "copy", req.CreateSite, ("sites",), None, "Creates a site from a template."),
    OceJob(
        "oce-copy-site",
        "copy",
        req.CopySite,
        ("sites/{id}/copy",),
        "viewer",
        "Copies a site under a new name.",
    ),
    OceJob(
        "oce-publish-site",
        "publish",
        req.PublishSite,
        ("sites/{id}/publish",),
        "contributor",
        "Renders every page of a site to static HTML.",
    ),
    OceJob(
        "oce-translate-site",
        "translate",
        req.TranslateSite,
        ("sites/{id}/translate",),
        "contributor",
        "Writes a site's translation zip for translators.",
    ),
    OceJob(
        "oce-import-translations",
        "importTranslations",
        req.ImportTranslations,
        ("sites/_importTranslations", "sites/{id}/importTranslations"),
        "contributor",
        "Validates, then imports, a site's translations.",
    ),
    OceJob(
        "oce-refresh-site",
        "refresh",
        req.SiteOperation,
        ("sites/{id}/refresh",),
        "contributor",
        "Re-renders every page of a site, reporting each page's status.",
    ),
    OceJob(
        "oce-hard-delete-site",
        "hardDelete",
        req.SiteOperation,
        ("sites/{id}/hardDelete",),
        "manager",
        "Deletes a site, its pages and its published files.",
    ),
    OceJob(
        "oce-copy-theme",
        "copyTheme",
        req.CopyResource,
        ("themes/{id}/copy",),
        None,
        "Copies a theme under a new name.",
    ),
    OceJob(
        "oce-publish-theme",
        "publishTheme",
        req.PublishResource,
        ("themes/{id}/publish",),
        None,
        "Publishes a theme's files.",
    ),
    OceJob(
        "oce-copy-component",
        "copyComponent",
        req.CopyResource,
        ("components/{id}/copy",),
        None,
        "Copies a component under a new name.",
    ),
    OceJob(
        "oce-publish-component",
        "publish",
        req.PublishResource,
        ("components/{id}/publish",),
        None,
        "Publishes a component's files.",
    ),
    OceJob(
        "oce-create-template",
        "createTemplate",
        req.CreateTemplate,
        ("sites/{id}/templates",),
        "contributor",
        "Creates a template from a site.",
    ),
    OceJob(
        "oce-export-template",
        "exportTemplate",
        req.ExportTemplate,
        ("templates/{id}/export",),
        None,
        "Zips a template into the caller's home folder.",
    ),
    OceJob(
        "oce-import-template",
        "importTemplate",
        req.ImportTemplate,
        ("templates",),
        None,
        "Imports an uploaded template zip.",
    ),
    OceJob(
        "oce-copy-template",
        "copyTemplate",
        req.CopyResource,
        ("templates/{id}/copy",),
        None,
        "Copies a template under a new name.",
    ),
)

#: Job id → its row.
JOBS: dict[str, OceJob] = {job.job_id: job for job in TABLE}
#: Job id → its `_status` action.
ACTIONS: dict[str, str] = {job.job_id: job.action for job in TABLE}
