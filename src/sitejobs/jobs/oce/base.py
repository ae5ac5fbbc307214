"""What every OCE site job shares: its action name, how it fails with an OCE error, the content store."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from sitejobs.engine.context import JobContext, JobFailed
from sitejobs.errors import SiteAlreadyExists, SitejobsError, SiteNotFound, error_record
from sitejobs.sites.content.folders import replace_folder
from sitejobs.sites.content.store import ContentStore, SiteRow

JobRun = Callable[[JobContext], "dict[str, Any] | None"]

#: Each OCE job's `_status` action (the seed's list: translate, copy, publish, importTranslations, hardDelete,
#: copyTheme, copyComponent, refresh, publishTheme). Creating and copying a site are both `copy`.
ACTIONS: dict[str, str] = {
    "oce-create-site": "copy",
    "oce-copy-site": "copy",
    "oce-publish-site": "publish",
    "oce-translate-site": "translate",
    "oce-import-translations": "importTranslations",
    "oce-refresh-site": "refresh",
    "oce-hard-delete-site": "hardDelete",
    "oce-copy-theme": "copyTheme",
    "oce-publish-theme": "publishTheme",
    "oce-copy-component": "copyComponent",
    "oce-publish-component": "publish",
    "oce-create-template": "createTemplate",
    "oce-export-template": "exportTemplate",
    "oce-import-template": "importTemplate",
    "oce-copy-template": "copyTemplate",
}


@dataclass(frozen=True)
class OceJob:
    job_id: str
    request: type[BaseModel]
    run: JobRun
    description: str


JOBS: dict[str, OceJob] = {}


def oce_job(job_id: str, request: type[BaseModel], description: str) -> Callable[[JobRun], JobRun]:
    """Declare an OCE job (its action comes from ACTIONS)."""
    assert job_id in ACTIONS, job_id

    def add(fn: JobRun) -> JobRun:
        JOBS[job_id] = OceJob(job_id, request, fn, description)
        return fn

    return add


def content_store(ctx: JobContext) -> ContentStore:
    return ContentStore(ctx.services.db, ctx.services.settings.content_dir)


def fail(ctx: JobContext, error: SitejobsError) -> JobFailed:
    """End the job in error, recording the error (a code and its arguments) that its `_status` renders
    (raise what this returns)."""
    ctx.result["error"] = error_record(error)
    return JobFailed(error.message, code=error.code)


def target_site(ctx: JobContext, store: ContentStore, *, include_deleted: bool = False) -> SiteRow:
    """The site the job's path named; one in the trash only with `include_deleted` (for a hard delete)."""
    site = store.site(ctx.params["target_site"], include_deleted=include_deleted)
    if site is None:
        raise fail(ctx, SiteNotFound(ctx.params["target_site"]))
    return site


def ensure_site_name_free(ctx: JobContext, store: ContentStore, name: str) -> None:
    if store.name_taken(name):
        raise fail(ctx, SiteAlreadyExists(name))


def copy_tree(source: Path, target: Path, ctx: JobContext, start: float, end: float) -> None:
    """Copy a folder in one step (see `replace_folder`), reporting progress from `start` to `end` percent."""
    replace_folder(source, target, Progress(ctx, start, end))


class Progress:
    """A `(done, total)` callback that reports progress between `start` and `end` percent, at most once per
    whole percent and every `MIN_INTERVAL_S`: a long loop costs a handful of store writes, not one per item."""

    MIN_INTERVAL_S = 0.25

    def __init__(self, ctx: JobContext, start: float, end: float, message: str | None = None) -> None:
        self._ctx = ctx
        self._start = start
        self._span = end - start
        self._message = message
        self._last_percent = -1
        self._last_at = 0.0

    def __call__(self, done: int, total: int) -> None:
        percent = int(self._start + self._span * (done / total if total else 1.0))
        now = time.monotonic()
        if percent > self._last_percent and (now - self._last_at >= self.MIN_INTERVAL_S or done >= total):
            self._last_percent, self._last_at = percent, now
            self._ctx.progress(percent, self._message)
