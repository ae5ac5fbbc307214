"""System jobs (`sfcc-*`): their request documents, the parameters they echo, and what they do."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from sitejobs.jobs.context import JobContext, JobFailed
from sitejobs.jobs.registry import JobDefinition, Registry, RetryPolicy, SystemRequest
from sitejobs.sites.commerce import ArchiveLimits, SiteImportError, import_site_archive

if TYPE_CHECKING:
    pass


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class SiteArchiveImportRequest(_Strict):
    file_name: str = Field(min_length=1, max_length=255)
    mode: Literal["merge", "replace", "delete"] = "merge"


def _import_echo(model: BaseModel) -> list[tuple[str, str]]:
    assert isinstance(model, SiteArchiveImportRequest)
    return [("ImportMode", model.mode), ("ImportFile", model.file_name)]


def site_archive_import(ctx: JobContext) -> dict[str, Any]:
    """Reads the archive whole, then writes it to the site store in one transaction (all or nothing)."""
    engine = ctx.engine
    settings = engine.settings
    limits = ArchiveLimits(
        max_bytes=settings.archive_max_bytes,
        max_ratio=settings.archive_max_ratio,
        max_entries=settings.archive_max_entries,
    )
    try:
        return import_site_archive(
            engine.db,
            settings.impex_dir,
            ctx.params["file_name"],
            ctx.params["mode"],
            ctx,
            limits=limits,
            scratch_dir=settings.resolved_scratch_dir,
        )
    except SiteImportError as exc:
        raise JobFailed(exc.message, code=exc.code) from None


def register(registry: Registry) -> None:
    registry.add(
        JobDefinition(
            id="sfcc-site-archive-import",
            run=site_archive_import,
            description="Imports a site archive from Impex/src/instance into the site store.",
            concurrent=False,
            retry=RetryPolicy(on_worker_lost="fail", max_attempts=1),
            system_request=SystemRequest(SiteArchiveImportRequest, _import_echo),
        ),
        system=True,
    )
