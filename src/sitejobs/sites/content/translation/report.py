"""What the translate and importTranslations `_status` documents say, as plain data.

`TranslationExport` is what writing the zip found (file, size, pending languages, pages);
`TranslationValidation` is what reading translators' zip found, with `to_json()` giving the
importTranslations fields under the seed's names, in the seed's order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sitejobs.sites.content.model import JsonObject


@dataclass(frozen=True)
class TranslationExport:
    """A written translation zip. `pages` are the page files as `site/job.json` lists them."""

    path: Path
    size: int
    job_name: str
    job_id: str
    site_id: str
    source_language: str
    target_languages: list[str]
    export_type: str
    site_pending_languages: list[str]
    asset_pending_languages: list[str]
    pages: list[JsonObject]
    content_items: list[JsonObject]

    @property
    def file_name(self) -> str:
        return self.path.name

    def job_data(self, *, repository_id: str = "", site_guid: str = "", connector_id: str = "") -> str:
        """The translation job's `data` string of the translate `_status`."""
        return "|".join(
            (
                f"jobName={self.job_name}",
                f"repositoryId={repository_id}",
                f"sourceLanguage={self.source_language}",
                f"targetLanguages={','.join(self.target_languages)}",
                f"siteGUID={site_guid}",
                f"exportType={self.export_type}",
                f"connectorId={connector_id}",
            )
        )


@dataclass
class PartValidation:
    """The lists both halves of the zip (site pages, assets) are judged by.

    `translations_*` name files as `{language}/{file name}`; `items_to_be_imported` are `{id, name}` of the
    pages or content items that at least one language's valid file translates.
    """

    languages_not_returned: list[str] = field(default_factory=list)
    languages_returned_complete: list[str] = field(default_factory=list)
    languages_returned_incomplete: list[str] = field(default_factory=list)
    translations_missed: list[str] = field(default_factory=list)
    translations_corrupted: list[str] = field(default_factory=list)
    translations_invalid_encoding: list[str] = field(default_factory=list)
    items_to_be_imported: list[JsonObject] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        """No returned file is unreadable; languages not (fully) returned do not make a zip invalid."""
        return not self.translations_corrupted and not self.translations_invalid_encoding

    def _common(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "languagesNotReturned": list(self.languages_not_returned),
            "languagesReturnedComplete": list(self.languages_returned_complete),
            "languagesReturnedIncomplete": list(self.languages_returned_incomplete),
            "translationsMissed": list(self.translations_missed),
            "translationsCorrupted": list(self.translations_corrupted),
            "translationsInvalidEncoding": list(self.translations_invalid_encoding),
        }

    def _to_import(self, imported: bool) -> list[JsonObject]:
        # Once imported nothing is left "to be imported": what was is in imported*Translations.
        return [] if imported else [dict(item) for item in self.items_to_be_imported]


@dataclass
class SiteValidation(PartValidation):
    deleted_pages: list[JsonObject] = field(default_factory=list)

    def to_json(self, *, imported: bool) -> JsonObject:
        return {
            **self._common(),
            "deletedPages": [dict(page) for page in self.deleted_pages],
            "itemsToBeImported": self._to_import(imported),
        }


@dataclass
class AssetValidation(PartValidation):
    non_translatable_items: list[JsonObject] = field(default_factory=list)
    deleted_master_items: list[JsonObject] = field(default_factory=list)

    def to_json(self, *, imported: bool) -> JsonObject:
        return {
            **self._common(),
            "itemsToBeImported": self._to_import(imported),
            "nonTranslatableItems": [dict(item) for item in self.non_translatable_items],
            "deletedMasterItems": [dict(item) for item in self.deleted_master_items],
        }


@dataclass
class TranslationValidation:
    """The judgement of a returned zip against the site, and the valid translated documents to merge.

    `site_documents[lang]` maps a site file name ('10.json', 'siteinfo.json', 'structure.json') and
    `asset_documents[lang]` a content item id to the translator's parsed, shape-checked document.
    """

    site_name: str
    job_name: str
    source_language: str
    target_languages: list[str]
    site: SiteValidation
    assets: AssetValidation
    imported_site_translations: list[JsonObject]
    imported_asset_translations: list[JsonObject]
    site_documents: dict[str, dict[str, JsonObject]] = field(default_factory=dict, repr=False)
    asset_documents: dict[str, dict[str, JsonObject]] = field(default_factory=dict, repr=False)

    @property
    def valid(self) -> bool:
        return self.site.valid and self.assets.valid

    @property
    def languages_to_merge(self) -> list[str]:
        return [
            lang
            for lang in self.target_languages
            if self.site_documents.get(lang) or self.asset_documents.get(lang)
        ]

    def to_json(self, *, validation_only: bool = False) -> JsonObject:
        """The importTranslations `_status` fields from `valid` to `validationOnly`, as in the seed.

        A validation-only job reports the validation alone (`itemsToBeImported` filled, no imported lists);
        an import reports what it imported, and nothing is left to be imported.
        """
        imported = not validation_only
        doc: JsonObject = {
            "valid": self.valid,
            "sourceLanguage": self.source_language,
            "targetLanguages": list(self.target_languages),
        }
        if imported:
            doc["importedAssetTranslations"] = [dict(item) for item in self.imported_asset_translations]
            doc["importedSiteTranslations"] = [_copy_entry(e) for e in self.imported_site_translations]
        doc["assetValidation"] = self.assets.to_json(imported=imported)
        doc["siteValidation"] = self.site.to_json(imported=imported)
        doc["validationOnly"] = validation_only
        return doc


def _copy_entry(entry: JsonObject) -> JsonObject:
    copy = dict(entry)
    if "page" in copy:
        copy["page"] = {**copy["page"], "children": list(copy["page"].get("children", []))}
    return copy
