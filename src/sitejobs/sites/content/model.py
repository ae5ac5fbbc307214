"""A content site as the jobs work on it: the same documents a `cec` template holds, in memory.

The store keeps these documents (see `sites.content.store`); publish, refresh, translate and import
translations read a `SiteContent`, and the ones that change it return a new one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

JsonObject = dict[str, Any]


@dataclass
class LanguageVariant:
    """The translated copy of a site for one language: same shape as the base, only strings differ.

    `content_items` holds the language's copies of the master items translated so far (by master id).
    """

    siteinfo: JsonObject
    structure: list[JsonObject]
    pages: dict[int, JsonObject]
    content_items: dict[str, JsonObject] = field(default_factory=dict)


@dataclass
class SiteContent:
    """One site's documents.

    `structure` is the `pages` list of `structure.json` (id, name, parentId, pageUrl, children,
    hideInNavigation, linkUrl, linkTarget, overrideUrl, isDetailPage, …) in tree order; `pages` holds each
    `pages/{id}.json` (properties, slots with their grids, componentInstances); `siteinfo` is `siteinfo.json`.
    `content_items` are the site's content items by id (`{"id","name","type","language","fields":{…}}`).
    """

    name: str
    siteinfo: JsonObject
    structure: list[JsonObject]
    pages: dict[int, JsonObject]
    default_language: str = "en"
    translations: dict[str, LanguageVariant] = field(default_factory=dict)
    content_items: dict[str, JsonObject] = field(default_factory=dict)

    def variant(self, language: str | None = None) -> LanguageVariant:
        """The documents of one language: the base ones for None (or the default language when it has
        no translation of its own), else `translations[language]` (KeyError when there is none)."""
        if language is None or (language == self.default_language and language not in self.translations):
            return LanguageVariant(self.siteinfo, self.structure, self.pages)
        return self.translations[language]

    def page_entry(self, page_id: int) -> JsonObject:
        for entry in self.structure:
            if entry["id"] == page_id:
                return entry
        raise KeyError(page_id)


@dataclass(frozen=True)
class SiteFiles:
    """Where a site's theme and components live on disk (files are not kept in the database)."""

    theme_dir: Path
    components_dir: Path
    content_dir: Path | None = None
    template_dir: Path | None = None  # the site's template (its `template/` folder): the content it ships
