"""Which pages an incremental publish must render again.

A page's fingerprint hashes everything its HTML is made from: its page document, its structure entry, the
siteinfo (header, footer, theme and design), the navigation (every page's name, URL, link and place in the
tree, since menus and page links show them), the text of its layout and the renderer's version. The caller
keeps the fingerprints of the last publish; `changed_pages` names the pages whose HTML may differ now.
Theme and component files are not in it: they are copied on every publish (unchanged ones are skipped).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path

import orjson

from sitejobs.sites.content.model import SiteContent, SiteFiles
from sitejobs.sites.content.names import layout_name, plain_name_problem
from sitejobs.sites.content.render import RENDERER_VERSION

NAV_FIELDS = ("id", "name", "parentId", "pageUrl", "children", "hideInNavigation", "linkUrl", "linkTarget")
_JSON_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS


def _digest(*parts: bytes) -> hashlib.blake2b:
    digest = hashlib.blake2b(digest_size=16)
    for part in parts:
        digest.update(len(part).to_bytes(8, "little"))  # so that no two part lists hash alike
        digest.update(part)
    return digest


def page_fingerprints(site: SiteContent, files: SiteFiles, language: str | None = None) -> dict[int, str]:
    """A stable hash per page id of the structure (of `language`'s variant when given)."""
    variant = site.variant(language)
    navigation = [{key: entry.get(key) for key in NAV_FIELDS} for entry in variant.structure]
    site_part = _digest(
        RENDERER_VERSION.encode(),
        (language or "").encode(),
        orjson.dumps([variant.siteinfo, navigation], option=_JSON_OPTIONS),
    ).digest()
    layouts: dict[str, bytes] = {}
    fingerprints = {}
    for entry in variant.structure:
        page = variant.pages.get(entry["id"])
        layout = layout_name(page) if isinstance(page, dict) else ""
        key = str(layout)
        if key not in layouts:
            layouts[key] = _layout_digest(files.theme_dir, layout)
        fingerprints[entry["id"]] = _digest(
            site_part, layouts[key], orjson.dumps([entry, page], option=_JSON_OPTIONS)
        ).hexdigest()
    return fingerprints


def changed_pages(previous: Mapping[int, str], current: Mapping[int, str]) -> list[int]:
    """The pages of `current` that are new or whose fingerprint differs from `previous`, in its order."""
    return [page_id for page_id, fingerprint in current.items() if previous.get(page_id) != fingerprint]


def _layout_digest(theme_dir: Path, layout: object) -> bytes:
    if plain_name_problem(layout):
        return b"invalid"
    try:
        return _digest((theme_dir / "layouts" / str(layout)).read_bytes()).digest()
    except OSError:
        return b"missing"
