"""The content items of sites, as the Content Management and Content Delivery APIs list them.

Creating an enterprise site on Content Management imports its template's content items into the site's
repository and adds them to the site's channel. Here the items stay where the store imported the template
(`ContentItems`, the template's `assets/contenttemplate/export.zip`): each enterprise site's items are its
template's items, in the site's repository and channel. The same template item in two sites of one repository
is one item in both channels (the toolkit's `X-Reuse-Existing-Content`); in two repositories it is two items.
A standard site has no repository: its template's items are only delivered with it (`delivered_items`).
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from sitejobs.sites.content.content_items import EXPORT, ContentItems
from sitejobs.sites.content.enterprise import EnterpriseStore
from sitejobs.sites.content.store import ContentStore, SiteRow

# ---- the items of the sites -----------------------------------------------------------------------------------


@lru_cache(maxsize=32)
def _template_items(export: Path, mtime_ns: int, size: int) -> ContentItems:
    del mtime_ns, size  # part of the key only: a template uploaded again is read again
    return ContentItems.load(export.parents[2])


def template_items(template_dir: Path) -> ContentItems:
    export = template_dir / EXPORT
    try:
        info = export.stat()
    except OSError:
        return ContentItems()
    try:
        return _template_items(export, info.st_mtime_ns, info.st_size)
    except (zipfile.BadZipFile, OSError):
        return ContentItems()


def site_items(store: ContentStore, sites: Iterable[SiteRow]) -> list[dict[str, Any]]:
    """The items of the given sites' templates, one per repository and template item, each in the channels of
    the sites it belongs to (standard sites have no repository and so no items here)."""
    enterprise = EnterpriseStore(store.db)
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for site in sites:
        if not site.repository_id:
            continue
        channel = enterprise.site_channel(site.id)
        for item_id, exported in _template_of(store, site).items.items():
            key = (site.repository_id, item_id)
            item = merged.get(key)
            if item is None:
                item = merged[key] = _item(exported, site)
            if channel is not None:
                item["channels"]["data"].append({"id": channel["id"], "name": channel["name"]})
    return list(merged.values())


def delivered_items(store: ContentStore, site: SiteRow) -> list[dict[str, Any]]:
    """The items a published site delivers: its template's, in its channel when it has one."""
    channel = EnterpriseStore(store.db).site_channel(site.id) if site.repository_id else None
    items = []
    for exported in _template_of(store, site).items.values():
        item = _item(exported, site)
        if channel is not None:
            item["channels"]["data"].append({"id": channel["id"], "name": channel["name"]})
        items.append(item)
    return items


def _template_of(store: ContentStore, site: SiteRow) -> ContentItems:
    if not site.template_name:
        return ContentItems()
    return template_items(store.folder("templates", site.template_name) / "template")


def _item(exported: Mapping[str, Any], site: SiteRow) -> dict[str, Any]:
    item = {key: value for key, value in exported.items() if key not in ("channels", "links")}
    if site.repository_id:
        item["repositoryId"] = site.repository_id
    else:  # the repository the template was exported from is not here
        item.pop("repositoryId", None)
    item.setdefault("language", site.default_language)
    item.setdefault("languageIsMaster", True)
    item.setdefault("translatable", True)
    item["channels"] = {"data": []}
    return item
