"""Publishing a content site as static HTML: what `publish` and `refresh` run.

    renderer = SiteRenderer(site, files)                   # or language="fr" for site.translations["fr"]
    result = renderer.publish(out_dir, page_ids=changed, on_page=report)

Each page becomes `out_dir/<pageUrl>` (`out_dir/<language>/<pageUrl>` for a translation), and the home page also
`index.html` when no page has that URL, so that the site's root URL shows it: its layout, compiled
once per publish (`layout`), with its slots filled (`components`) and its markers resolved (`tokens`). The
theme, the components and the site's content are copied next to the pages (`assets`), so the folder is the
whole site and can be served under any URL: every link in it is relative. A page that fails is reported
and the others go on; `on_page` hears about every page (to batch progress writes) and may raise to stop.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sitejobs.errors import RenderFailed
from sitejobs.sites.content.assets import sync_tree, write_atomic
from sitejobs.sites.content.components import NAV_PLACE, Components, runtime_instances
from sitejobs.sites.content.content_items import ContentItems
from sitejobs.sites.content.layout import CompiledLayout, compile_layout, inline_includes
from sitejobs.sites.content.model import JsonObject, SiteContent, SiteFiles
from sitejobs.sites.content.names import (
    COMPONENTS_DIR,
    CONTENT_DIR,
    THEMES_DIR,
    is_language,
    layout_name,
    page_path_problem,
    plain_name_problem,
)
from sitejobs.sites.content.nav import nav_items, nav_menu
from sitejobs.sites.content.runtime import render_info, script_json, sync_runtime
from sitejobs.sites.content.tokens import Links

HOME_FILE = "index.html"  # what a site's root URL serves: the home page
RENDERER_VERSION = "2"  # part of every page fingerprint: change it when the HTML written for a page changes

log = logging.getLogger(__name__)

OnPage = Callable[[int, str, Exception | None], None]


@dataclass
class PublishResult:
    written: list[int] = field(default_factory=list)  # page ids, in the order they were written
    failed: dict[int, str] = field(default_factory=dict)  # page id -> why
    assets_copied: int = 0
    assets_unchanged: int = 0
    missing_files: list[str] = field(default_factory=list)  # linked from a layout, absent below out_dir
    unknown_pages: list[str] = field(default_factory=list)  # page ids linked to (as '#') that the site lacks
    runtime_problems: list[str] = field(default_factory=list)  # what the browser runtime lacks

    def problems(self) -> list[str]:
        """One line per dead link or missing runtime library, for the job's log."""
        return (
            self.runtime_problems
            + [
                f"a layout links {path}, which the published site does not have"
                for path in self.missing_files
            ]
            + [
                f"a link to page {page}, which is not in the site, was published as '#'"
                for page in self.unknown_pages
            ]
        )

    @property
    def pages(self) -> int:
        return len(self.written) + len(self.failed)


class SiteRenderer:
    """Renders one language variant of a site with the theme and components in `files`."""

    def __init__(self, site: SiteContent, files: SiteFiles, language: str | None = None) -> None:
        if language is not None and not is_language(language):
            raise RenderFailed(f"'{language}' is not a language code.")
        try:
            variant = site.variant(language)
        except KeyError:
            raise RenderFailed(f"Site '{site.name}' has no '{language}' translation.") from None
        self.files = files
        self.language = language
        self.pages = variant.pages
        self.entries = {entry["id"]: entry for entry in variant.structure}
        self.order = [entry["id"] for entry in variant.structure]
        properties = variant.siteinfo.get("properties")
        self.properties: JsonObject = properties if isinstance(properties, dict) else {}
        theme = self.properties.get("themeName")
        if plain_name_problem(theme):
            raise RenderFailed(f"Site '{site.name}' has no usable themeName in its siteinfo.")
        self.theme_name = str(theme)
        design = self.properties.get("designName")
        self.links = Links(
            variant.structure, self.theme_name, design if isinstance(design, str) and design else "default"
        )
        self.home_alias = _home_alias(variant.structure)
        self._nav_menu = nav_menu(variant.structure)
        self._nav_items = nav_items(variant.structure)
        self.content = ContentItems.load(files.template_dir) if files.template_dir else ContentItems()
        self.components = Components(self.content)
        site_data = _site_data(site.name, variant.structure, language)
        site_data["renditions"] = self.content.renditions()
        self._site_data = script_json(site_data)
        self._layouts: dict[str, CompiledLayout] = {}
        self._menus: dict[str, str] = {}  # the menu with its links resolved, by the page's depth

    def page_url(self, page_id: int) -> str:
        """The page's path below the language folder; RenderFailed when it has none that can be written."""
        entry = self.entries.get(page_id)
        if entry is None:
            raise RenderFailed(f"Page {page_id} is not in the site's structure.")
        url = entry.get("pageUrl")
        if problem := page_path_problem(url):
            raise RenderFailed(f"Page {page_id} {problem}.")
        return str(url)

    def render_page(self, page_id: int) -> str:
        """The page's HTML; RenderFailed says why it cannot be rendered."""
        layout, values = self.page_values(page_id)
        return layout.template.render(values)

    def page_values(self, page_id: int) -> tuple[CompiledLayout, dict[str, object]]:
        """The page's layout and the values its template is rendered with."""
        url = self.page_url(page_id)
        page = self.pages.get(page_id)
        if not isinstance(page, dict):
            raise RenderFailed(f"Page {page_id} has no page document.")
        layout = self._layout(layout_name(page))
        lang = "../" * url.count("/")
        prefix = lang + "../" if self.language else lang
        properties = page.get("properties")
        properties = properties if isinstance(properties, dict) else {}
        slots = page.get("slots")
        slots = slots if isinstance(slots, dict) else {}
        instances = page.get("componentInstances")
        instances = instances if isinstance(instances, dict) else {}
        root = prefix[:-1] if prefix else "."
        expand = self.links.expand
        filled = []
        client_side: dict[str, object] = {}
        for slot_id in layout.slot_ids:
            content = expand(self.components.slot(slots.get(slot_id), instances), prefix, root, lang)
            if NAV_PLACE in content:
                content = content.replace(NAV_PLACE, self._menu(prefix, root, lang))
            client_side.update(self._with_items(runtime_instances(content, instances), instances))
            filled.append(content)
        entry = self.entries[page_id]
        name = _string(entry.get("name"))
        return layout, {
            "prefix": prefix,
            "root": root,
            "lang": lang,
            "title": html.escape(_string(properties.get("title")) or name),
            "render_info": render_info(
                self._site_data,
                {
                    "navigationCurr": page_id,
                    "sitePrefix": prefix,
                    "pagePrefix": lang,
                    "pageModel": {
                        "properties": properties,
                        "componentInstances": client_side,
                        "contentItems": self.content.items if _shows_content(client_side) else {},
                    },
                },
                lambda text: expand(text, prefix, root, lang),
            ),
            "slots": filled,
            "page_header": expand(_string(properties.get("header")), prefix, root, lang),
            "page_footer": expand(_string(properties.get("footer")), prefix, root, lang),
            "page_title": html.escape(_string(properties.get("title"))),
            "page_description": html.escape(_string(properties.get("pageDescription"))),
            "page_keywords": html.escape(_string(properties.get("keywords"))),
            "page_name": html.escape(name),
            "page_url": html.escape(url),
        }

    def publish(
        self, out_dir: Path, page_ids: Iterable[int] | None = None, on_page: OnPage | None = None
    ) -> PublishResult:
        """Write the pages (all of them, in structure order, when `page_ids` is None) and the assets."""
        result = PublishResult()
        out_dir.mkdir(parents=True, exist_ok=True)
        copied, unchanged, result.runtime_problems = sync_runtime(out_dir)
        copied += self.content.write_files(out_dir)
        result.assets_copied += copied
        result.assets_unchanged += unchanged
        for source, target in (
            (self.files.theme_dir, out_dir / THEMES_DIR / self.theme_name),
            (self.files.components_dir, out_dir / COMPONENTS_DIR),
            (self.files.content_dir, out_dir / CONTENT_DIR),
        ):
            if source is not None:
                copied, unchanged = sync_tree(source, target)
                result.assets_copied += copied
                result.assets_unchanged += unchanged
        pages_dir = out_dir / self.language if self.language else out_dir
        folders: set[Path] = set()
        for page_id in self.order if page_ids is None else page_ids:
            url, error = "", None
            try:
                url = self.page_url(page_id)
                path = pages_dir / url
                if path.parent not in folders:
                    path.parent.mkdir(parents=True, exist_ok=True)
                    folders.add(path.parent)
                page = self.render_page(page_id).encode("utf-8")
                write_atomic(path, page)
                if page_id == self.home_alias:
                    write_atomic(pages_dir / HOME_FILE, page)
                result.written.append(page_id)
            except Exception as exc:
                error = exc
                result.failed[page_id] = (
                    str(exc) if isinstance(exc, RenderFailed) else f"{type(exc).__name__}: {exc}"
                )
                log.warning("page %s not published: %s", page_id, result.failed[page_id])
            if on_page is not None:
                on_page(page_id, url, error)
        result.missing_files = sorted(
            {
                ref
                for layout in self._layouts.values()
                for ref in layout.references
                if not (out_dir / ref).is_file()
            }
        )
        result.unknown_pages = sorted(self.links.unknown)
        return result

    def _with_items(self, found: dict[str, Any], instances: Mapping[str, Any]) -> dict[str, Any]:
        """The instances, each content item component's with the item's data (`contentItemData`), each
        content list's with its items (`contentListItems`) and how its section layout places them
        (`contentListLayout`: vertical, horizontal, …), each content placeholder's with the items it may
        show (`contentPlaceholderItems`: the page's `contentId` parameter says which, else the first)."""
        for instance_id, instance in found.items():
            data = instance.get("data") if isinstance(instance, dict) else None
            if not isinstance(data, dict):
                continue
            if data.get("contentPlaceholder") is True:
                found[instance_id] = {**instance, "contentPlaceholderItems": self.content.query(data)}
            elif instance.get("id") == "scs-contentitem":
                item = self.content.find(data)
                if item is not None:
                    found[instance_id] = {**instance, "contentItemData": item}
            elif instance.get("type") == "scs-contentlist":
                section = instances.get(str(data.get("sectionLayoutInstanceId") or ""))
                factory = (
                    (section.get("data") or {}).get("componentFactory") if isinstance(section, dict) else ""
                )
                found[instance_id] = {
                    **instance,
                    "contentListItems": self.content.query(data),
                    "contentListLayout": str(factory or "scs-vertical").removeprefix("scs-"),
                }
        return found

    def _menu(self, prefix: str, root: str, lang: str) -> str:
        menu = self._menus.get(prefix)
        if menu is None:
            menu = self._menus[prefix] = self.links.expand(self._nav_menu, prefix, root, lang)
        return menu

    def _layout(self, name: object) -> CompiledLayout:
        if isinstance(name, str) and name in self._layouts:
            return self._layouts[name]
        if plain_name_problem(name):
            raise RenderFailed(f"The page layout {name!r} is not a plain file name.")
        path = self.files.theme_dir / "layouts" / str(name)
        try:
            source = path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            raise RenderFailed(f"The theme has no layout '{name}'.") from None
        layout = compile_layout(
            str(name),
            inline_includes(source, self.files.theme_dir),
            self.links,
            self.properties,
            self._nav_menu,
            self._nav_items,
        )
        self._layouts[str(name)] = layout
        return layout


def _shows_content(instances: dict[str, Any]) -> bool:
    return any(
        key in instance
        for instance in instances.values()
        for key in ("contentItemData", "contentListItems", "contentPlaceholderItems")
    )


def _site_data(name: str, structure: list[JsonObject], language: str | None) -> dict[str, object]:
    """The site's part of every page's controller data: what OCE's renderer gives components as `SCS`."""
    fields = ("id", "name", "parentId", "children", "hideInNavigation", "linkUrl", "linkTarget", "pageUrl")
    structure_map = {
        str(entry["id"]): {
            **{key: entry[key] for key in fields if key in entry},
            "children": [c for c in entry.get("children") or () if isinstance(c, int)],
            "isDetailPage": bool(entry.get("isDetailPage")),
        }
        for entry in structure
    }
    root = next((entry["id"] for entry in structure if entry.get("parentId") is None), None)
    return {
        "siteId": name,
        "siteName": name,
        "pageLanguage": language or "",
        "renderMode": "navigate",
        "structureMap": structure_map,
        "navigationRoot": root,
    }


def _home_alias(structure: list[JsonObject]) -> int | None:
    """The home page (the root of the structure) when it must also be written as `index.html`, the file the
    site's root URL serves: when no page has that URL and the home page is in the top folder (so its relative
    links hold from there too)."""
    if any(entry.get("pageUrl") == HOME_FILE for entry in structure):
        return None
    for entry in structure:
        if entry.get("parentId") is None:
            url = entry.get("pageUrl")
            return entry["id"] if isinstance(url, str) and "/" not in url else None
    return None


def _string(value: object) -> str:
    return value if isinstance(value, str) else ""
