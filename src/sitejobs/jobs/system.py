"""System jobs (`sfcc-*`): their request documents, the parameters they echo, and what they do."""

from __future__ import annotations

from typing import Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field, field_validator

from sitejobs.engine.context import JobContext, JobFailed
from sitejobs.engine.registry import JobDefinition, Registry, RetryPolicy, SystemRequest
from sitejobs.sites.commerce import (
    ArchiveLimits,
    ExportDataUnitsConfiguration,
    SiteArchiveError,
    export_site_archive,
    import_site_archive,
)
from sitejobs.sites.commerce.exporter import archive_folder


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
    services = ctx.services
    settings = services.settings
    limits = ArchiveLimits(
        max_bytes=settings.archive_max_bytes,
        max_ratio=settings.archive_max_ratio,
        max_entries=settings.archive_max_entries,
    )
    try:
        return import_site_archive(
            services.db,
            settings.impex_dir,
            ctx.params["file_name"],
            ctx.params["mode"],
            ctx,
            limits=limits,
            scratch_dir=settings.resolved_scratch_dir,
        )
    except SiteArchiveError as exc:
        raise JobFailed(exc.message, code=exc.code) from None


class SiteArchiveExportRequest(_Strict):
    """The document sfcc-ci's `instance:export` sends (b2c-tools leaves out `overwrite_export_file`)."""

    data_units: ExportDataUnitsConfiguration
    export_file: str = Field(min_length=1, max_length=255)
    overwrite_export_file: bool = False

    @field_validator("export_file")
    @classmethod
    def _plain_name(cls, value: str) -> str:
        try:
            archive_folder(value)
        except SiteArchiveError as exc:
            raise ValueError(exc.message) from None
        return value


def _export_echo(model: BaseModel) -> list[tuple[str, str]]:
    assert isinstance(model, SiteArchiveExportRequest)
    units = model.data_units.model_dump(mode="json", exclude_defaults=True)
    return [
        ("ExportFile", model.export_file),
        ("OverwriteExportFile", "true" if model.overwrite_export_file else "false"),
        ("DataUnits", orjson.dumps(units).decode()),
    ]


def site_archive_export(ctx: JobContext) -> dict[str, Any]:
    """Writes the data units asked for from the site store to an archive in Impex/src/instance."""
    request = SiteArchiveExportRequest.model_validate(ctx.params)
    settings = ctx.services.settings
    try:
        return export_site_archive(
            ctx.services.db,
            settings.impex_dir,
            request.export_file,
            request.data_units,
            ctx,
            overwrite=request.overwrite_export_file,
        )
    except SiteArchiveError as exc:
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
    registry.add(
        JobDefinition(
            id="sfcc-site-archive-export",
            run=site_archive_export,
            description="Exports data units of the site store as a site archive to Impex/src/instance.",
            retry=RetryPolicy(on_worker_lost="retry", max_attempts=3),
            system_request=SystemRequest(SiteArchiveExportRequest, _export_echo),
        ),
        system=True,
    )
