"""Create a site from a template, copy a site, delete a site for good."""

from __future__ import annotations

import copy
import shutil
from typing import Any

from sitejobs.engine.context import JobContext
from sitejobs.errors import SitejobsError, TemplateNotFound
from sitejobs.jobs.oce.base import (
    content_store,
    copy_tree,
    ensure_site_name_free,
    fail,
    oce_job,
    target_site,
)
from sitejobs.sites.content.enterprise import EnterpriseStore
from sitejobs.sites.content.model import SiteContent
from sitejobs.sites.content.store import ContentStore, SiteRow
from sitejobs.sites.content.template import load_template


def _site_row(
    ctx: JobContext, content: SiteContent, *, name: str, theme: str, template: str | None, policy: str | None
) -> dict[str, Any]:
    p = ctx.params
    return {
        "name": name,
        "owner": ctx.execution.client_id or "",
        "description": p.get("description") or "",
        "template_name": template,
        "theme_name": theme,
        "localization_policy": p.get("localizationPolicy") or policy,
        "site_prefix": (p.get("sitePrefix") or name).lower(),
        "repository_id": p.get("repository"),
        "runtime_status": "offline",
    }


def _rename(content: SiteContent, name: str, default_language: str | None) -> SiteContent:
    """The site's own siteinfo: its name, root prefix and languages, the rest as the source has it."""
    renamed = copy.deepcopy(content)
    renamed.name = name
    props = renamed.siteinfo.setdefault("properties", {})
    props["siteName"] = name
    props["siteRootPrefix"] = f"/site/{name}"
    if default_language:
        renamed.default_language = default_language
    props["defaultLanguage"] = renamed.default_language
    return renamed


def _created(site: SiteRow) -> dict[str, Any]:
    return {"site": {"id": site.id, "name": site.name}}


@oce_job("oce-create-site")
def create_site(ctx: JobContext) -> dict[str, Any]:
    store = content_store(ctx)
    name = ctx.params["name"]
    ensure_site_name_free(ctx, store, name)
    template = store.resource("templates", ctx.params["template"])
    if template is None:
        raise fail(ctx, TemplateNotFound(ctx.params["template"]))
    ctx.progress(5, f"Reading template {template['name']}")
    try:
        content, info = load_template(store.folder("templates", template["name"]))
    except SitejobsError as exc:
        raise fail(ctx, exc) from None
    ctx.progress(20, f"Template {template['name']}: {len(content.structure)} pages")
    content = _rename(content, name, ctx.params.get("defaultLanguage"))
    if info.content_dir is not None:
        copy_tree(info.content_dir, store.folder("sites", name) / "content", ctx, 20, 80)
    ctx.progress(85, "Writing the site's pages")
    site = _insert(
        ctx, store, content, name=name, theme=info.theme_name, template=template["name"], policy=None
    )
    _add_site_channel(store, site)
    ctx.progress(100, f"Site {name} created")
    return _created(site)


@oce_job("oce-copy-site")
def copy_site(ctx: JobContext) -> dict[str, Any]:
    store = content_store(ctx)
    source = target_site(ctx, store)
    name = ctx.params["name"]
    ensure_site_name_free(ctx, store, name)
    ctx.progress(5, f"Reading site {source.name}")
    content = _rename(store.load(source), name, None)
    ctx.progress(20, f"Site {source.name}: {len(content.structure)} pages")
    copy_tree(store.folder("sites", source.name), store.folder("sites", name), ctx, 20, 80)
    ctx.progress(85, "Writing the site's pages")
    site = _insert(
        ctx,
        store,
        content,
        name=name,
        theme=source.theme_name,
        template=source.template_name,
        policy=source.localization_policy if ctx.params.get("repository") else None,
    )
    _add_site_channel(store, site)
    ctx.progress(100, f"Site {name} created")
    return _created(site)


def _add_site_channel(store: ContentStore, site: SiteRow) -> None:
    """An enterprise site (one in a repository) gets a channel of its own, with its localization policy."""
    if site.repository_id is not None:
        EnterpriseStore(store.db).add_site_channel(
            site.id, site.name, site.owner, site.repository_id, site.localization_policy
        )


def _insert(
    ctx: JobContext,
    store: ContentStore,
    content: SiteContent,
    *,
    name: str,
    theme: str,
    template: str | None,
    policy: str | None,
) -> SiteRow:
    row = _site_row(ctx, content, name=name, theme=theme, template=template, policy=policy)
    try:
        return store.create_site(row, content)
    except Exception:
        # Another job took the name between the check and the insert (the unique index said so): the folder
        # of that name is now its site's, so it stays, and this job fails as "already exists". Otherwise the
        # write failed, no site row exists, and the files copied for it go.
        ensure_site_name_free(ctx, store, name)
        shutil.rmtree(store.folder("sites", name), ignore_errors=True)
        raise


@oce_job("oce-hard-delete-site")
def hard_delete(ctx: JobContext) -> dict[str, Any]:
    store = content_store(ctx)
    site = target_site(ctx, store, include_deleted=True)
    ctx.progress(10, f"Deleting site {site.name}")
    store.delete_site(site.id)
    EnterpriseStore(store.db).drop_site_channel(site.id)
    ctx.progress(60, "Site documents deleted")
    shutil.rmtree(store.published_dir(site.name), ignore_errors=True)
    shutil.rmtree(store.folder("sites", site.name), ignore_errors=True)
    ctx.progress(100, f"Site {site.name} deleted")
    return {"site": {"id": site.id, "name": site.name}}
