"""The request documents of the OCE site jobs, as the Sites Management API receives them.

Each model is also the job's stored request: the API validates the body with it before submitting, and the
engine validates it again (`SystemRequest`), so a job only ever sees a well-formed request. The fields named
`target_…` hold the site or resource the path names: the API sets them, overriding anything the body says.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_\-]{0,199}$"


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class CreateSite(_Request):
    name: str = Field(pattern=NAME_PATTERN)
    template: str = Field(min_length=1, max_length=256)
    description: str = Field(default="", max_length=4000)
    sitePrefix: str | None = Field(default=None, max_length=200)
    defaultLanguage: str | None = Field(default=None, max_length=32)
    localizationPolicy: str | None = Field(default=None, max_length=256)
    repository: str | None = Field(default=None, max_length=256)
    updateContent: bool | None = None


class CopySite(_Request):
    target_site: str = ""
    name: str = Field(pattern=NAME_PATTERN)
    description: str = Field(default="", max_length=4000)
    sitePrefix: str | None = Field(default=None, max_length=200)
    repository: str | None = Field(default=None, max_length=256)


class PublishSite(_Request):
    """`POST /sites/{id}/publish` as the toolkit sends it (sitesRest.js `_publishResourceAsync`), and the
    options of `IdcService=SCS_PUBLISH_SITE` (`pages`, `siteSettings`) in the same names."""

    target_site: str = ""
    #: Scheme and host the request came in on: the sitemap's URLs start with it.
    target_base_url: str = ""
    type: Literal["full", "incremental"] = "incremental"
    onlyUsedContent: bool = False
    onlyStaticFiles: bool = False
    selectiveStaticPublish: bool = False
    skipCompile: bool = True
    pages: list[int] | None = Field(default=None, min_length=1, max_length=10000)
    siteSettings: list[str] | None = Field(default=None, min_length=1, max_length=10)


class TranslateSite(_Request):
    target_site: str = ""
    name: str = Field(min_length=1, max_length=200)
    sourceLanguage: str | None = Field(default=None, max_length=32)
    targetLanguages: list[str] = Field(min_length=1, max_length=100)
    exportType: Literal["siteAll", "siteItems"] = "siteAll"
    connectorId: str | None = None


class ImportOptions(_Request):
    validate_only: bool = Field(default=False, alias="validate")


class ImportTranslations(_Request):
    target_site: str = ""
    translationImportFile: str = Field(min_length=1, max_length=256)
    options: ImportOptions = Field(default_factory=ImportOptions)


class SiteOperation(_Request):
    """Refresh and hard delete: no body, only the site the path names."""

    target_site: str = ""


class CopyResource(_Request):
    """Copy a theme or component under a new name."""

    target_resource: str = ""
    name: str = Field(pattern=NAME_PATTERN)
    description: str = Field(default="", max_length=4000)


class PublishResource(_Request):
    target_resource: str = ""


class CreateTemplate(_Request):
    """`POST /sites/{id}/templates` (sitesRest.js `_createTemplateFromSite`)."""

    target_site: str = ""
    name: str = Field(pattern=NAME_PATTERN)
    description: str = Field(default="", max_length=4000)
    includeUnpublished: bool | None = None
    type: Literal["standard", "enterprise"] = "standard"


class ExportTemplate(_Request):
    """`POST /templates/{id}/export`: no body; the zip goes to the caller's home folder as `NAME.zip`."""

    target_resource: str = ""


class Resolution(_Request):
    resolution: Literal["overwrite", "fail"] = "overwrite"


class ImportTemplate(_Request):
    """`POST /templates` (sitesRest.js `_importTemplate`): the uploaded zip's file id, and what to do with a
    template, theme or component of the same name (`overwrite`, or `fail`)."""

    file: str = Field(min_length=1, max_length=256)
    template: Resolution = Field(default_factory=Resolution)
    theme: Resolution = Field(default_factory=Resolution)
    components: Resolution = Field(default_factory=Resolution)
