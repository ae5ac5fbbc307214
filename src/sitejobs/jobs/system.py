"""System jobs (`sfcc-*`): their request documents, the parameters they echo, and what they do."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from sitejobs.jobs.context import JobContext, JobFailed
from sitejobs.jobs.registry import JobDefinition, Registry, RetryPolicy, SystemRequest


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class SiteArchiveImportRequest(_Strict):
    file_name: str = Field(min_length=1, max_length=255)
    mode: Literal["merge", "replace", "delete"] = "merge"


def _import_echo(model: BaseModel) -> list[tuple[str, str]]:
    assert isinstance(model, SiteArchiveImportRequest)
    return [("ImportMode", model.mode), ("ImportFile", model.file_name)]


def site_archive_import(ctx: JobContext) -> None:
    file_name = ctx.params["file_name"]
    ctx.log(f"Import of '{file_name}' requested (mode {ctx.params['mode']})")
    raise JobFailed(
        f"Site archive import is not available in this version of sitejobs; '{file_name}' was not imported.",
        code="IMPORT_NOT_AVAILABLE",
    )


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
