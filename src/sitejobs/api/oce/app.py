"""The Content Management sub-app: the Sites Management API, the Content Management and Documents APIs the
toolkit calls, and the published sites, themes and components; its error documents and its body limits."""

from __future__ import annotations

from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from sitejobs.api.oce import (
    catalog,
    content_management,
    delivery,
    doc_files,
    errors,
    integration,
    items,
    jobs,
    routes,
    shares,
    site_settings,
    site_state,
    social,
    templates,
)
from sitejobs.api.oce.published import PublishedSites
from sitejobs.api.services import Started
from sitejobs.api.surface import Surface
from sitejobs.settings import Settings

#: The paths it answers, whole (its routes name them in full).
PREFIXES = (
    "/sites/management",
    "/content/management",
    "/content/published",
    "/osn/social",
    "/documents",
    "/system/api",
    "/site",
    "/_themes",
    "/_compdelivery",
)
#: Published themes and components served as static files: URL prefix → folder of FILES_DIR/content/published.
#: Sites are served from its folder `sites` under `/site`, while they are online (`oce.published`).
PUBLISHED_MOUNTS = {"/_themes": "themes", "/_compdelivery": "components"}
#: Where files are uploaded: bodies up to the upload limit, not the API's.
UPLOAD_PREFIX = "/documents/api/1.2/files/data"


def create_oce(started: Started, settings: Settings) -> Surface:
    found: list[BaseRoute] = []
    for module in (
        routes,
        jobs,
        site_state,
        site_settings,
        integration,
        content_management,
        items,
        social,
        delivery,
        doc_files,
        shares,
        templates,
        catalog,
    ):
        found.extend(module.routes)
    published = settings.content_dir / "published"
    (published / "sites").mkdir(parents=True, exist_ok=True)
    found.append(Mount("/site", PublishedSites(published / "sites"), name="sites"))
    for url, folder in PUBLISHED_MOUNTS.items():
        (published / folder).mkdir(parents=True, exist_ok=True)
        found.append(
            Mount(url, StaticFiles(directory=published / folder, html=True, check_dir=False), name=folder)
        )
    return Surface(
        started,
        found,
        errors.render,
        max_body_bytes=settings.max_body_bytes,
        body_limits={UPLOAD_PREFIX: settings.webdav_max_upload_bytes},
    )
