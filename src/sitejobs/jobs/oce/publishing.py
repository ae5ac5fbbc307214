"""Publish a site (render its pages to static HTML with its theme) and refresh it (re-render page by page,
with each page's status visible while it runs)."""

from __future__ import annotations

from typing import Any

from sitejobs.errors import PublishFailed
from sitejobs.jobs.context import JobContext
from sitejobs.jobs.oce import requests as req
from sitejobs.jobs.oce.base import Progress, content_store, fail, oce_job, target_site
from sitejobs.sites.content.fingerprint import changed_pages, page_fingerprints
from sitejobs.sites.content.model import SiteContent, SiteFiles
from sitejobs.sites.content.render import SiteRenderer
from sitejobs.sites.content.store import ContentStore, SiteRow

#: Refresh records page statuses once per batch: a 10,000-page site costs about this many writes.
REFRESH_BATCHES = 50


def site_files(store: ContentStore, site: SiteRow) -> SiteFiles:
    return SiteFiles(
        theme_dir=store.folder("themes", site.theme_name),
        components_dir=store.content_dir / "components",
        content_dir=store.folder("sites", site.name) / "content",
        template_dir=store.folder("templates", site.template_name) / "template"
        if site.template_name
        else None,
    )


def _languages(content: SiteContent) -> list[str | None]:
    """The base site, then each translation (published under its language folder)."""
    return [None, *sorted(content.translations)]


@oce_job("oce-publish-site", req.PublishSite, "Renders every page of a site to static HTML.")
def publish(ctx: JobContext) -> dict[str, Any]:
    store = content_store(ctx)
    site = target_site(ctx, store)
    full = ctx.params["type"] == "full"
    ctx.progress(2, f"Reading site {site.name}")
    content = store.load(site)
    files = site_files(store, site)
    previous = {} if full else store.published_fingerprints(site.id)
    plans = []
    for language in _languages(content):
        current = page_fingerprints(content, files, language)
        key = language or ""
        todo = list(current) if full else changed_pages(previous.get(key, {}), current)
        plans.append((language, current, todo))
    total = sum(len(todo) for _, _, todo in plans)
    ctx.log(f"{'Full' if full else 'Incremental'} publish of {site.name}: {total} pages to render")
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
        kept = previous.get(language or "", {})
        written = set(result.written)
        published[language or ""] = {
            page: fp for page, fp in current.items() if page in written or (page not in todo and page in kept)
        }
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


@oce_job(
    "oce-refresh-site", req.SiteOperation, "Re-renders every page of a site, reporting each page's status."
)
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
