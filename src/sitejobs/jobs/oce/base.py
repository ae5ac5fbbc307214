"""What every OCE site job shares: declaring its function, failing with an OCE error, the content store."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sitejobs.engine.context import JobContext, JobFailed
from sitejobs.errors import SiteAlreadyExists, SitejobsError, SiteNotFound, error_record
from sitejobs.jobs.oce.table import JOBS
from sitejobs.sites.content.folders import replace_folder
from sitejobs.sites.content.store import ContentStore, SiteRow

JobRun = Callable[[JobContext], "dict[str, Any] | None"]

#: Job id → the function that runs it (each module adds its jobs' with `oce_job`; their rows are in `table`).
RUNS: dict[str, JobRun] = {}


def oce_job(job_id: str) -> Callable[[JobRun], JobRun]:
    """Declare the function that runs the OCE job `job_id` (a row of `table.TABLE`)."""
    assert job_id in JOBS, job_id

    def add(fn: JobRun) -> JobRun:
        RUNS[job_id] = fn
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
