"""Publish a site (render its pages to static HTML with its theme) and refresh it (re-render page by page,
with each page's status visible while it runs)."""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
from pathlib import Path
from typing import Any

from sitejobs.engine.context import JobContext
from sitejobs.errors import PublishFailed
from sitejobs.jobs.oce.base import Progress, content_store, fail, oce_job, target_site
from sitejobs.sites.content import settings_files
from sitejobs.sites.content.fingerprint import changed_pages, page_fingerprints
from sitejobs.sites.content.model import SiteContent, SiteFiles
from sitejobs.sites.content.render import SiteRenderer
from sitejobs.sites.content.store import ContentStore, SiteRow
from sitejobs.sites.content.used_content import stage_used_files, used_files

#: Refresh records page statuses once per batch: a 10,000-page site costs about this many writes.
REFRESH_BATCHES = 50


def site_files(store: ContentStore, site: SiteRow) -> SiteFiles:
    return SiteFiles(
        theme_dir=store.folder("themes", site.theme_name),
        components_dir=store.inside(store.content_dir / "components"),
        content_dir=store.folder("sites", site.name) / "content",
        template_dir=store.folder("templates", site.template_name) / "template"
        if site.template_name
        else None,
    )


def _languages(content: SiteContent) -> list[str | None]:
    """The base site, then each translation (published under its language folder)."""
    return [None, *sorted(content.translations)]


@oce_job("oce-publish-site")
def publish(ctx: JobContext) -> dict[str, Any]:
    """A publish renders the pages that changed since the last one (all of them for `type: full` or
    `skipCompile: false`, only the named ones for `pages`) and copies the theme, components and content
    (only the content the pages use with `onlyUsedContent`). `onlyStaticFiles` copies the files and renders
    no page; `siteSettings` (`seo`) writes only those settings files."""
    store = content_store(ctx)
    site = target_site(ctx, store)
    p = ctx.params
    ctx.progress(2, f"Reading site {site.name}")
    content = store.load(site)
    if p.get("siteSettings"):
        return _publish_settings(ctx, store, site, content)
    scratch = Path(tempfile.mkdtemp(dir=_scratch(store)))
    try:
        files = _publish_files(ctx, store, site, content, scratch)
        if p.get("onlyStaticFiles"):
            result = SiteRenderer(content, files).publish(store.published_dir(site.name), [])
            ctx.progress(100, f"Static files of site {site.name} published: {result.assets_copied} copied")
            return {"pagesPublished": 0, "filesCopied": result.assets_copied}
        return _publish_pages(ctx, store, site, content, files)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _scratch(store: ContentStore) -> Path:
    folder = store.content_dir / ".scratch"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _publish_files(
    ctx: JobContext, store: ContentStore, site: SiteRow, content: SiteContent, scratch: Path
) -> SiteFiles:
    files = site_files(store, site)
    if not ctx.params.get("onlyUsedContent") or files.content_dir is None:
        return files
    used = used_files(content, files.content_dir)
    stage_used_files(files.content_dir, used, scratch)
    ctx.log(f"Publishing only the used content: {len(used)} files")
    return dataclasses.replace(files, content_dir=scratch)


def _publish_pages(
    ctx: JobContext, store: ContentStore, site: SiteRow, content: SiteContent, files: SiteFiles
) -> dict[str, Any]:
    p = ctx.params
    full = p["type"] == "full" or p.get("skipCompile") is False
    only = set(p["pages"]) if p.get("pages") else None
    if only is not None and (unknown := sorted(only - set(content.pages))):
        raise fail(ctx, PublishFailed(f"Site '{site.name}' has no pages {unknown}."))
    previous = {} if full else store.published_fingerprints(site.id)
    plans = []
    for language in _languages(content):
        current = page_fingerprints(content, files, language)
        key = language or ""
        todo = list(current) if full else changed_pages(previous.get(key, {}), current)
        if only is not None:
            todo = [page for page in current if page in only]
        plans.append((language, current, todo))
    total = sum(len(todo) for _, _, todo in plans)
    what = "Full" if full else ("Page" if only is not None else "Incremental")
    ctx.log(f"{what} publish of {site.name}: {total} pages to render")
    progress = Progress(ctx, 5, 98, f"Publishing {site.name}")
    done = 0
    published: dict[str, dict[int, str]] = {}
    failed: dict[str, str] = {}
    out_dir = store.published_dir(site.name)

    def on_page(_page_id: int, _url: str, _error: Exception | None) -> None:
        nonlocal done
        done += 1
        progress(done, total)

    for language, current, todo in plans:
        result = SiteRenderer(content, files, language).publish(out_dir, todo, on_page)
        # A page not rendered now keeps the fingerprint it was last published with, so the next incremental
        # publish still sees whether it changed since.
        kept = previous.get(language or "", {}) if not full else {}
        fingerprints = {page: fp for page, fp in kept.items() if page in current and page not in todo}
        fingerprints.update({page: current[page] for page in result.written})
        published[language or ""] = fingerprints
        failed.update({f"{language or ''}/{page}": why for page, why in result.failed.items()})
        for problem in result.problems():
            ctx.log(problem, "WARN")
    store.record_publish(site.id, published)
    summary = {"pagesPublished": total - len(failed), "pagesFailed": len(failed)}
    if failed:
        ctx.log(f"{len(failed)} pages failed: {failed}", "ERROR")
        raise fail(
            ctx,
            PublishFailed(f"{len(failed)} of {total} pages of site '{site.name}' could not be published."),
        )
    ctx.progress(100, f"Site {site.name} published: {total} pages rendered")
    return summary


def _publish_settings(
    ctx: JobContext, store: ContentStore, site: SiteRow, content: SiteContent
) -> dict[str, Any]:
    wanted = ctx.params["siteSettings"]
    unknown = [name for name in wanted if name not in settings_files.SUPPORTED]
    if unknown:
        raise fail(ctx, PublishFailed(f"Site settings files {unknown} cannot be published here (only seo)."))
    renderer = SiteRenderer(content, site_files(store, site))
    urls = []
    for entry in content.structure:
        if entry.get("linkUrl") or (entry.get("properties") or {}).get("noIndex"):
            continue
        url = _url(renderer, entry["id"])
        if not url.startswith("#"):
            urls.append(url)
    site_url = f"{ctx.params.get('target_base_url', '')}/site/{site.name}/"
    written = settings_files.write_seo_files(store.published_dir(site.name), site_url, urls)
    ctx.progress(100, f"Site {site.name}: {', '.join(written)} published")
    return {"settingsFiles": written}


@oce_job("oce-refresh-site")
def refresh(ctx: JobContext) -> dict[str, Any]:
    store = content_store(ctx)
    site = target_site(ctx, store)
    content = store.load(site)
    renderer = SiteRenderer(content, site_files(store, site))
    out_dir = store.published_dir(site.name)
    order = renderer.order
    pages = [
        {"pageUrl": f"/site/{site.name}/{_url(renderer, page_id)}", "status": "pending"} for page_id in order
    ]
    counts = {"pending": len(pages), "processing": 0, "complete": 0, "failed": 0}
    size = max(1, -(-len(order) // REFRESH_BATCHES))

    def report() -> None:
        ctx.publish_result(
            pageCount=len(pages),
            pendingCount=counts["pending"],
            processingCount=counts["processing"],
            completedCount=counts["complete"],
            failedCount=counts["failed"],
            pages=pages,
        )

    for start in range(0, len(order), size):
        batch = range(start, min(start + size, len(order)))
        for index in batch:
            pages[index]["status"] = "processing"
        counts["pending"] -= len(batch)
        counts["processing"] = len(batch)
        report()  # one write per batch: the batch now processing and the one just finished
        outcome = renderer.publish(out_dir, [order[i] for i in batch])
        for index in batch:
            status = "failed" if order[index] in outcome.failed else "complete"
            pages[index]["status"] = status
            counts[status] += 1
        counts["processing"] = 0
    ctx.log(f"Refreshed {counts['complete']} pages of {site.name}, {counts['failed']} failed")
    return {
        "pageCount": len(pages),
        "pendingCount": 0,
        "processingCount": 0,
        "completedCount": counts["complete"],
        "failedCount": counts["failed"],
        "pages": pages,
    }


def _url(renderer: SiteRenderer, page_id: int) -> str:
    try:
        return renderer.page_url(page_id)
    except Exception:
        return f"#{page_id}"
