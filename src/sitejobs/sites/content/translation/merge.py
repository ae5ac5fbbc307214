"""Merging valid translations into the site's language variants, all languages or none."""

from __future__ import annotations

from copy import deepcopy
from dataclasses import replace

from sitejobs.errors import InvalidTranslationZip
from sitejobs.sites.content.model import JsonObject, LanguageVariant, SiteContent
from sitejobs.sites.content.translation import strings
from sitejobs.sites.content.translation.layout import SITEINFO, STRUCTURE
from sitejobs.sites.content.translation.report import TranslationValidation


def merge_translations(site: SiteContent, validation: TranslationValidation) -> SiteContent:
    """A new `SiteContent` whose `translations` hold, per language, the site with its valid translations.

    Each language's variant is a full copy of the base where a translatable string takes, in order, the
    translator's text, the language's earlier translation, or the source text; everything else is the
    base's. Every language is built before any is set, and `site` itself is never modified.
    Files the validation found corrupted or wrongly encoded are not among its documents: they are skipped;
    a caller that wants nothing imported from an invalid zip checks `validation.valid` first.
    """
    if validation.site_name != site.name:
        raise InvalidTranslationZip(
            f"These translations were validated against site '{validation.site_name}', not '{site.name}'."
        )
    variants = {
        language: _variant(
            site,
            language,
            validation.site_documents.get(language, {}),
            validation.asset_documents.get(language, {}),
        )
        for language in validation.languages_to_merge
    }
    return replace(site, translations={**site.translations, **variants})


def _variant(
    site: SiteContent, language: str, documents: dict[str, JsonObject], items: dict[str, JsonObject]
) -> LanguageVariant:
    previous = site.translations.get(language)
    siteinfo = deepcopy(site.siteinfo)
    strings.apply(
        siteinfo,
        strings.siteinfo_document(site.siteinfo)[1],
        documents.get(SITEINFO),
        previous.siteinfo if previous else None,
    )
    names = strings.structure_names(documents[STRUCTURE]) if STRUCTURE in documents else {}
    earlier = {e.get("id"): e.get("name") for e in previous.structure} if previous else {}
    structure = deepcopy(site.structure)
    for entry in structure:
        name = names.get(entry["id"])
        if not strings.usable(name):
            name = earlier.get(entry["id"])
        if strings.usable(name):
            entry["name"] = name
    pages: dict[int, JsonObject] = {}
    for page_id, page in site.pages.items():
        pages[page_id] = deepcopy(page)
        strings.apply(
            pages[page_id],
            strings.page_document(page)[1],
            documents.get(f"{page_id}.json"),
            previous.pages.get(page_id) if previous else None,
        )
    content_items: dict[str, JsonObject] = {}
    for item_id, master in site.content_items.items():
        translated = items.get(item_id)
        before = previous.content_items.get(item_id) if previous else None
        if translated is None and before is None:
            continue
        copy = deepcopy(master)
        strings.apply(copy, strings.item_segments(master), translated, before)
        copy.update(language=language, languageIsMaster=False)
        content_items[item_id] = copy
    return LanguageVariant(siteinfo=siteinfo, structure=structure, pages=pages, content_items=content_items)
