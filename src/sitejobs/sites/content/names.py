"""Which names from a template may become paths: page URLs, layout files, theme and language folders.

A template is user data, and publish writes `out_dir/<pageUrl>`, reads `theme/layouts/<pageLayout>` and copies
the theme into `_themesdelivery/<themeName>`; every one of those names is checked here first, so that none of
them can reach outside the folder it belongs in.
"""

from __future__ import annotations

import re
from typing import Any

THEMES_DIR = "_themesdelivery"  # the folder names the OCE toolkit's compiler publishes into
COMPONENTS_DIR = "_compdelivery"
CONTENT_DIR = "content"
RUNTIME_DIR = "_sitesclouddelivery"  # the browser runtime (`runtime`)
RESERVED = frozenset({THEMES_DIR, COMPONENTS_DIR, CONTENT_DIR, RUNTIME_DIR})
DEFAULT_LAYOUT = "index.html"

_LANGUAGE = re.compile(r"[A-Za-z]{2,8}(?:[-_][A-Za-z0-9]{1,8})*")


def page_path_problem(url: object) -> str | None:
    """Why `url` cannot be written below the publish folder, or None when it can."""
    if not isinstance(url, str) or not url:
        return "has no pageUrl"
    if "\\" in url or "\x00" in url or url.startswith("/") or (len(url) > 1 and url[1] == ":"):
        return f"has pageUrl '{url}', which is not a relative path"
    parts = url.split("/")
    if any(part in ("", ".", "..") for part in parts):
        return f"has pageUrl '{url}', which has an empty, '.' or '..' segment"
    if parts[0] in RESERVED and len(parts) > 1:
        return f"has pageUrl '{url}', which is inside the reserved folder '{parts[0]}'"
    return None


def plain_name_problem(name: object) -> str | None:
    """Why `name` is not a plain file or folder name (no separators, no '..'), or None when it is."""
    if not isinstance(name, str) or not name:
        return "is empty"
    if "/" in name or "\\" in name or "\x00" in name or name in (".", ".."):
        return f"'{name}' is not a plain name"
    return None


def is_language(code: str) -> bool:
    """A language tag usable as a folder name (en, fr-FR, zh_Hant_TW)."""
    return _LANGUAGE.fullmatch(code) is not None


def layout_name(page: dict[str, Any]) -> object:
    """The layout a page document asks for (`properties.pageLayout`, else index.html); check it before use."""
    properties = page.get("properties")
    layout = properties.get("pageLayout") if isinstance(properties, dict) else None
    return layout or DEFAULT_LAYOUT
