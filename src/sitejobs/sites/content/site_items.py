"""The content items of enterprise sites, as the Content Management and Content Delivery APIs list them.

Creating an enterprise site on Content Management imports its template's content items into the site's
repository and adds them to the site's channel. Here the items stay where the store imported the template
(`ContentItems`, the template's `assets/contenttemplate/export.zip`): each enterprise site's items are its
template's items, in the site's repository and channel. The same template item in two sites of one repository
is one item in both channels (the toolkit's `X-Reuse-Existing-Content`); in two repositories it is two items.

`ItemQuery` is what a Content Management or Content Delivery `GET …/items` asks for: a `q` expression (the
language of `api.oce.filter`, matched here over the item's searchable values), `orderBy`, `offset`, `limit`.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from sitejobs.api.oce.filter import All, AnyOf, Compare, Filter, Not, parse_filter
from sitejobs.errors import BadQueryParameter
from sitejobs.sites.content.content_items import EXPORT, ContentItems
from sitejobs.sites.content.enterprise import EnterpriseStore
from sitejobs.sites.content.store import ContentStore, SiteRow

#: What `q` may name, and the item's values each stands for (always a list of strings: `co` on `channels`
#: asks whether one of the item's channels is the one named, as on Content Management).
SEARCHABLE: Mapping[str, Callable[[Mapping[str, Any]], list[str]]] = {
    "id": lambda i: [str(i.get("id") or "")],
    "name": lambda i: [str(i.get("name") or "")],
    "type": lambda i: [str(i.get("type") or "")],
    "typeCategory": lambda i: [str(i.get("typeCategory") or "")],
    "description": lambda i: [str(i.get("description") or "")],
    "slug": lambda i: [str(i.get("slug") or "")],
    "status": lambda i: [str(i.get("status") or "")],
    "language": lambda i: [str(i.get("language") or "")],
    "repositoryId": lambda i: [str(i.get("repositoryId") or "")],
    "languageIsMaster": lambda i: [_word(i.get("languageIsMaster"))],
    "translatable": lambda i: [_word(i.get("translatable"))],
    "isPublished": lambda i: [_word(i.get("isPublished"))],
    "channels": lambda i: [str(c.get("id")) for c in (i.get("channels") or {}).get("data", [])],
    "createdDate": lambda i: [str((i.get("createdDate") or {}).get("value") or "")],
    "updatedDate": lambda i: [str((i.get("updatedDate") or {}).get("value") or "")],
}
#: `orderBy` names (Content Delivery's `name`, `updatedDate`, also as `updateddate` the way content lists'
#: `sortOrder` spells it) and the value each sorts by.
ORDERABLE: Mapping[str, Callable[[Mapping[str, Any]], str]] = {
    "id": lambda i: str(i.get("id") or ""),
    "name": lambda i: str(i.get("name") or "").casefold(),
    "type": lambda i: str(i.get("type") or "").casefold(),
    "createdDate": lambda i: str((i.get("createdDate") or {}).get("value") or ""),
    "updatedDate": lambda i: str((i.get("updatedDate") or {}).get("value") or ""),
    "updateddate": lambda i: str((i.get("updatedDate") or {}).get("value") or ""),
    "createddate": lambda i: str((i.get("createdDate") or {}).get("value") or ""),
}


def _word(value: object) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value or "")


@dataclass(frozen=True, slots=True)
class ItemQuery:
    q: Filter | None = None
    order_by: tuple[tuple[str, bool], ...] = ()  # (field, descending)
    offset: int = 0
    limit: int = 100

    @classmethod
    def parse(cls, q: str | None, order_by: str | None, offset: int, limit: int) -> ItemQuery:
        """A query from the parameters' text; BadQueryParameter names the one that is wrong."""
        return cls(
            q=parse_filter(q, SEARCHABLE.keys()) if q and q.strip() else None,
            order_by=parse_order(order_by),
            offset=offset,
            limit=limit,
        )


def parse_order(text: str | None) -> tuple[tuple[str, bool], ...]:
    """`name:asc,updatedDate:des` (Content Delivery accepts `des` and `desc`)."""
    keys = []
    for part in (text or "").split(","):
        name, _, direction = part.strip().partition(":")
        if not name:
            continue
        if name not in ORDERABLE:
            raise BadQueryParameter("orderBy", f"The items cannot be ordered by {name!r}.")
        if direction.lower() not in ("", "asc", "des", "desc"):
            raise BadQueryParameter("orderBy", f"{direction!r} is not asc or desc.")
        keys.append((name, direction.lower().startswith("des")))
    return tuple(keys)


def matches(query: Filter, item: Mapping[str, Any]) -> bool:
    if isinstance(query, All):
        return all(matches(part, item) for part in query.parts)
    if isinstance(query, AnyOf):
        return any(matches(part, item) for part in query.parts)
    if isinstance(query, Not):
        return not matches(query.part, item)
    return _compare(query, SEARCHABLE[".".join(query.path)](item))


_TESTS: Mapping[str, Callable[[str, str], bool]] = {
    "eq": lambda v, w: v == w,
    "co": lambda v, w: w.casefold() in v.casefold(),
    "mt": lambda v, w: w.casefold() in v.casefold(),
    "sw": lambda v, w: v.casefold().startswith(w.casefold()),
    "ew": lambda v, w: v.casefold().endswith(w.casefold()),
    "gt": lambda v, w: v > w,
    "ge": lambda v, w: v >= w,
    "lt": lambda v, w: v < w,
    "le": lambda v, w: v <= w,
}


def _compare(test: Compare, values: list[str]) -> bool:
    """Strings with strings (a number or true/false in `q` as its text): `ne` holds when no value equals,
    the others when one value passes."""
    wanted = _word(test.value) if isinstance(test.value, bool) else str(test.value)
    if test.op == "ne":
        return all(v != wanted for v in values)
    passes = _TESTS[test.op]
    return any(passes(v, wanted) for v in values)


@dataclass(frozen=True, slots=True)
class Found:
    """The page asked for, how many items matched in all, and whether any follow the page."""

    items: list[dict[str, Any]]
    total: int
    has_more: bool


def run(query: ItemQuery, items: Iterable[Mapping[str, Any]]) -> Found:
    """Filter, order (stable, by id last so pages never overlap), then cut the page."""
    selected = [dict(i) for i in items if query.q is None or matches(query.q, i)]
    selected.sort(key=ORDERABLE["id"])
    for name, descending in reversed(query.order_by):
        selected.sort(key=ORDERABLE[name], reverse=descending)
    page = selected[query.offset : query.offset + query.limit]
    return Found(page, len(selected), query.offset + len(page) < len(selected))


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
        if not site.repository_id or not site.template_name:
            continue
        channel = enterprise.site_channel(site.id)
        template_dir = store.folder("templates", site.template_name) / "template"
        for item_id, exported in template_items(template_dir).items.items():
            key = (site.repository_id, item_id)
            item = merged.get(key)
            if item is None:
                item = merged[key] = _item(exported, site)
            if channel is not None:
                item["channels"]["data"].append({"id": channel["id"], "name": channel["name"]})
    return list(merged.values())


def _item(exported: Mapping[str, Any], site: SiteRow) -> dict[str, Any]:
    item = {key: value for key, value in exported.items() if key not in ("channels", "links")}
    item["repositoryId"] = site.repository_id
    item.setdefault("language", site.default_language)
    item.setdefault("languageIsMaster", True)
    item.setdefault("translatable", True)
    item["channels"] = {"data": []}
    return item
