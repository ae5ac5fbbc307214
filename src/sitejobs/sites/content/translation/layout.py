"""The translation zip's layout, shared by export and validation.

As OCE writes it (the toolkit's sample `translationBundle.zip` and its connector): `site/job.json`,
`site/root/{structure,siteinfo,<pageId>}.json` and, for `siteAll`, `assets/job.json` and
`assets/root/<itemId>-<name>.json`. Translators return the same zip with one folder per target language
next to `root` (`site/fr/10.json`, `assets/fr/<itemId>-<name>.json`); `root` may be left out.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Final

from sitejobs.errors import InvalidParameter
from sitejobs.sites.content.model import JsonObject

EXPORT_TYPES: Final = ("siteAll", "siteItems")  # site pages and content items, or site pages only
EXPORT_VERSION: Final = "1.1"
SITE: Final = "site"
ASSETS: Final = "assets"
ROOT: Final = "root"
JOB: Final = "job.json"
SITEINFO: Final = "siteinfo.json"
STRUCTURE: Final = "structure.json"
PAGE_ENTRY_KEYS: Final = (
    "id",
    "name",
    "parentId",
    "pageUrl",
    "hideInNavigation",
    "linkUrl",
    "linkTarget",
    "children",
    "overrideUrl",
    "isDetailPage",
)
UNSAFE_IN_NAME: Final = re.compile(r'[\x00-\x1f/\\:*?"<>|]')

Progress = Callable[[int, int], None]  # (files done, files in all)


def checked_languages(source: str, targets: list[str]) -> list[str]:
    if not source:
        raise InvalidParameter("The site has no default language to translate from.")
    if not targets:
        raise InvalidParameter("Give at least one target language.")
    seen: list[str] = []
    for language in targets:
        if not isinstance(language, str) or not language.strip():
            raise InvalidParameter("A target language is empty.")
        if language.lower() == source.lower():
            raise InvalidParameter(f"Language '{language}' is the source language.")
        if language.lower() in (s.lower() for s in seen):
            raise InvalidParameter(f"Language '{language}' is given twice.")
        if "/" in language or "\\" in language or language in (".", "..", ROOT):
            raise InvalidParameter(f"'{language}' is not a language.")
        seen.append(language)
    return seen


def is_master(item: JsonObject, source_language: str) -> bool:
    """A content item the job translates: translatable, and the source language's (master) version."""
    return (
        item.get("translatable", True) is not False
        and item.get("languageIsMaster", True) is not False
        and item.get("language") in (None, "", source_language)
    )


def item_file(item_id: str, name: Any) -> str:
    """`<id>-<name>.json`, as OCE names content item files, with the name made safe for a path."""
    safe = UNSAFE_IN_NAME.sub("_", str(name or "")).strip()[:100]
    return f"{item_id}-{safe}.json" if safe else f"{item_id}.json"
