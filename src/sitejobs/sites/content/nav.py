"""The navigation menu a published page shows, built from the site's structure.

OCE themes build their menus in the browser from `SCS.structureMap` (the starter theme's `topnav.js`, the blog
theme's `#navbar-list`, the `NavMenu` component); a published page has no renderer to do that, so the menu is
rendered here: the root page and the pages below it that are not hidden from navigation, `NAV_DEPTH` levels
deep (a 10,000-page site would otherwise put 10,000 links on every page). Links are page markers, resolved
per page by `Links.expand` like any other page link.
"""

from __future__ import annotations

import html

from sitejobs.sites.content.model import JsonObject
from sitejobs.sites.content.tokens import page_link

NAV_DEPTH = 2  # levels below the root page


def nav_items(structure: list[JsonObject]) -> str:
    """`<li>` items: the root page, then each visible child of it with its own children nested in a `<ul>`
    (home first, then the sections, as the stock themes' menus show them)."""
    by_id = {entry["id"]: entry for entry in structure}
    items = []
    for root in structure:
        if root.get("parentId") is None and not root.get("hideInNavigation"):
            items.append(_item(root, by_id, NAV_DEPTH))
            items.extend(_item(child, by_id, 1) for child in _visible_children(root, by_id))
    return "".join(items)


def nav_menu(structure: list[JsonObject]) -> str:
    """The whole menu, for a place that takes a block (a `<div>`, a slot, a NavMenu component)."""
    return f'<nav class="scs-nav"><ul class="scs-nav-list">{nav_items(structure)}</ul></nav>'


def _item(entry: JsonObject, by_id: dict[int, JsonObject], depth: int) -> str:
    name = html.escape(str(entry.get("name") or entry["id"]).replace("\x00", ""))
    target = entry.get("linkTarget")
    target_attribute = f' target="{html.escape(target)}"' if isinstance(target, str) and target else ""
    sub = ""
    if depth < NAV_DEPTH and (children := _visible_children(entry, by_id)):
        sub = "<ul>" + "".join(_item(child, by_id, depth + 1) for child in children) + "</ul>"
    return (
        f'<li class="scs-nav-item nav-item"><a class="nav-link" href="{page_link(entry["id"])}"'
        f"{target_attribute}>{name}</a>{sub}</li>"
    )


def _visible_children(entry: JsonObject, by_id: dict[int, JsonObject]) -> list[JsonObject]:
    children = (by_id[child] for child in entry.get("children") or () if child in by_id)
    return [child for child in children if not child.get("hideInNavigation")]
