"""Component instances to HTML: what fills a page's slots.

A slot holds a `grid` of rows and columns whose cells are `<div id="{instance id}"></div>`; each cell gets the
rendered instance. The built-in OCE components with static output (title, paragraph, text, image, button,
divider, spacer, social bar, component group, section layout) render their data the way the toolkit's
compilers do, in simpler markup; the `NavMenu` sample component shows the navigation menu. A custom component
(an `scs-component` whose instance `id` names a component folder) is rendered in the browser by the site's
runtime (`runtime/renderer.js`), as on Content Management: it becomes OCE's custom-component wrapper, marked
`data-scs-app` with the component's folder, and its instance data goes into the page's controller data
(`runtime_instances`). What needs content from the Content Management API (content items, lists,
placeholders) stays an empty placeholder `<div>` naming its type and component. Rich text (`userText`) is the
editor's HTML and is kept as it is; every other value is escaped. Page markers are left in place: the caller
expands them for the page's depth.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping
from typing import Any

from sitejobs.sites.content.content_items import LIST_CATEGORY, PLACEHOLDER_CATEGORY, ContentItems
from sitejobs.sites.content.model import JsonObject
from sitejobs.sites.content.names import plain_name_problem

NAV_COMPONENTS = frozenset({"NavMenu"})  # the navigation component of OCE's starter template
NAV_PLACE = "\x00nav\x00"  # where the menu goes: the caller puts it in, resolved once per page depth
MAX_DEPTH = 16  # groups nest groups; a template that loops is cut off here

#: OCE's own component ids that are not component folders (they need content, or are built in).
BUILT_IN_IDS = frozenset({"scs-contentitem", "scs-contentplaceholder", "scs-contentlist", "scs-comp-article"})

_CELL = re.compile(r'<div\s+id\s*=\s*"([^"<>]*)"\s*>\s*</div>')
_RUNTIME_MARK = re.compile(r'<div class="scs-custom-component scs-component" data-scs-id="([^"]*)"')
_esc = html.escape


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _classes(data: JsonObject) -> str:
    style_class = data.get("styleClass")
    if data.get("useStyleClass") in ("true", True) and isinstance(style_class, str) and style_class:
        return " " + _esc(style_class)
    return ""


def _target(value: Any) -> str:
    if isinstance(value, list):
        value = value[0] if value else ""
    return f' target="{_esc(value)}"' if isinstance(value, str) and value else ""


ALIGNMENTS = frozenset({"left", "center", "right"})  # `fill` (the default) takes the whole width


def _wrap(kind: str, data: JsonObject, content: str) -> str:
    alignment = data.get("alignment")
    outer = inner = ""
    if alignment in ALIGNMENTS:
        outer = f' style="text-align:{alignment}"'
        inner = ' style="display:inline-block;width:auto"'
    return (
        f'<div class="scs-{kind} scs-component{_classes(data)}"{outer}>'
        f'<div class="scs-component-content"{inner}>{content}</div></div>'
    )


class Components:
    """Renders slots for one site. The navigation menu is left as NAV_PLACE for the caller to fill in."""

    def __init__(self, content: ContentItems | None = None) -> None:
        self.content = content if content is not None else ContentItems()
        self._renderers: dict[str, Callable[[str, JsonObject, JsonObject, Mapping[str, Any], int], str]] = {
            "scs-title": self._rich_text,
            "scs-paragraph": self._rich_text,
            "scs-text": self._rich_text,
            "scs-image": self._image,
            "scs-button": self._button,
            "scs-divider": self._divider,
            "scs-spacer": self._spacer,
            "scs-socialbar": self._socialbar,
            "scs-componentgroup": self._group,
            "scs-sectionlayout": self._section,
            "scs-component": self._custom,
            "scs-contentlist": self._content_list,
        }

    def slot(self, slot: Any, instances: Mapping[str, Any]) -> str:
        """The slot's grid with its cells filled; empty for a slot without a grid."""
        if not isinstance(slot, dict):
            return ""
        grid = slot.get("grid")
        return self._fill(grid, instances, 0) if isinstance(grid, str) and grid else ""

    def _fill(self, grid: str, instances: Mapping[str, Any], depth: int) -> str:
        def cell(match: re.Match[str]) -> str:
            instance_id = match[1]
            if instance_id not in instances:
                return match[0]
            return f'<div id="{instance_id}">{self.instance(instance_id, instances, depth)}</div>'

        return _CELL.sub(cell, grid)

    def instance(self, instance_id: str, instances: Mapping[str, Any], depth: int) -> str:
        """One component instance's HTML (empty when it is hidden)."""
        instance = instances.get(instance_id)
        if not isinstance(instance, dict):
            return ""
        data = instance.get("data")
        data = data if isinstance(data, dict) else {}
        if data.get("visible") is False:
            return ""
        kind = _text(instance.get("type"))
        renderer = self._renderers.get(kind)
        if renderer is None or depth > MAX_DEPTH:
            return self._placeholder(instance_id, instance, data)
        return renderer(instance_id, instance, data, instances, depth)

    def _placeholder(self, instance_id: str, instance: JsonObject, data: JsonObject) -> str:
        name = _text(data.get("componentName")) or _text(instance.get("id"))
        return (
            f'<div class="scs-component-placeholder" data-scs-id="{_esc(instance_id)}" '
            f'data-scs-type="{_esc(_text(instance.get("type")))}" data-scs-component="{_esc(name)}"></div>'
        )

    def _rich_text(
        self, _id: str, instance: JsonObject, data: JsonObject, _instances: Mapping[str, Any], _depth: int
    ) -> str:
        kind = instance["type"][len("scs-") :]
        return _wrap(kind, data, f'<div class="scs-{kind}-text">{_text(data.get("userText"))}</div>')

    def _image(
        self, _id: str, _instance: JsonObject, data: JsonObject, _instances: Mapping[str, Any], _depth: int
    ) -> str:
        url = _text(data.get("imageUrl"))
        content = ""
        if url:
            content = (
                f'<img class="scs-image-image" src="{_esc(url)}" alt="{_esc(_text(data.get("altText")))}"'
                f' title="{_esc(_text(data.get("title")))}">'
            )
            href = _text(data.get("imageHref"))
            if href and data.get("linkType") != "scs-link-no-link":
                content = f'<a class="scs-image-link" href="{_esc(href)}"{_target(data.get("imageTarget"))}>{content}</a>'
        return _wrap("image", data, f'<div class="scs-image-container">{content}</div>')

    def _button(
        self, _id: str, _instance: JsonObject, data: JsonObject, _instances: Mapping[str, Any], _depth: int
    ) -> str:
        text = f'<span class="scs-button-text">{_esc(_text(data.get("text")))}</span>'
        href = _text(data.get("href"))
        if href and data.get("linkType") != "scs-link-no-link":
            button = (
                f'<a class="scs-button-button" href="{_esc(href)}"{_target(data.get("target"))}>{text}</a>'
            )
        else:
            button = f'<div class="scs-button-button">{text}</div>'
        return _wrap("button", data, button)

    def _divider(
        self, _id: str, _instance: JsonObject, data: JsonObject, _instances: Mapping[str, Any], _depth: int
    ) -> str:
        return _wrap("divider", data, '<hr class="scs-divider-line">')

    def _spacer(
        self, _id: str, _instance: JsonObject, data: JsonObject, _instances: Mapping[str, Any], _depth: int
    ) -> str:
        height = data.get("height")
        style = (
            f' style="height:{height}px"' if isinstance(height, int) and not isinstance(height, bool) else ""
        )
        return f'<div class="scs-spacer scs-component{_classes(data)}"{style}></div>'

    def _socialbar(
        self, _id: str, _instance: JsonObject, data: JsonObject, _instances: Mapping[str, Any], _depth: int
    ) -> str:
        size = data.get("iconSize")
        size = size if isinstance(size, int) and not isinstance(size, bool) else 28
        links = []
        for icon in data.get("images") or ():
            if not isinstance(icon, dict):
                continue
            label = _esc(_text(icon.get("title")) or _text(icon.get("altText")) or _text(icon.get("name")))
            span = (
                f'<span class="scs-socialbar-icon {_esc(_text(icon.get("class")))}" title="{label}"'
                f' style="display:inline-block;width:{size}px;height:{size}px"></span>'
            )
            if _text(icon.get("link")):
                span = (
                    f'<a class="scs-socialbar-link" href="{_esc(icon["link"])}"{_target(icon.get("target"))}'
                    f' title="{label}">{span}</a>'
                )
            links.append(span)
        return _wrap("socialbar", data, "".join(links))

    def _group(
        self, _id: str, _instance: JsonObject, data: JsonObject, instances: Mapping[str, Any], depth: int
    ) -> str:
        grid = data.get("grid")
        content = self._fill(grid, instances, depth + 1) if isinstance(grid, str) else ""
        return _wrap("componentgroup", data, content)

    def _section(
        self, _id: str, instance: JsonObject, data: JsonObject, instances: Mapping[str, Any], depth: int
    ) -> str:
        factory = _text(data.get("componentFactory")) or _text(instance.get("id"))
        settings = data.get("customSettingsData")
        settings = settings if isinstance(settings, dict) else {}
        columns = []
        for number, child in enumerate(data.get("components") or (), 1):
            if not isinstance(child, str):
                continue
            width = settings.get(f"columnWidth{number}")
            style = ""
            if isinstance(width, int | float) and not isinstance(width, bool) and width > 0:
                style = f' style="width:{width}%"'
            columns.append(
                f'<div class="scs-sectionlayout-column"{style}><div id="{_esc(child)}">'
                f"{self.instance(child, instances, depth + 1)}</div></div>"
            )
        return f'<div class="scs-sectionlayout {_esc(factory)}{_classes(data)}">{"".join(columns)}</div>'

    def _custom(
        self,
        instance_id: str,
        instance: JsonObject,
        data: JsonObject,
        _instances: Mapping[str, Any],
        _depth: int,
    ) -> str:
        name = _text(data.get("componentName")) or _text(instance.get("id"))
        if name in NAV_COMPONENTS:
            return NAV_PLACE
        app = _text(instance.get("id"))
        if app.startswith("scs-sl-"):  # an empty section layout dropped as a component
            return self._section(instance_id, instance, data, _instances, _depth)
        nested = data.get("nestedComponents")
        if app.startswith("scs-comp-") and isinstance(nested, list) and nested:
            return self._nested(app, data, nested, _depth)
        if data.get("contentPlaceholder") is True and (items := self.content.query(data)):
            category = data.get("contentLayoutCategory") or PLACEHOLDER_CATEGORY
            layout = self.content.layout(items[0], category)
            if layout and not plain_name_problem(layout):
                return _runtime_wrapper(instance_id, layout)
        if app == "scs-contentitem" and (item := self.content.find(data)) is not None:
            layout = self.content.layout(item, data.get("contentLayoutCategory"))
            if layout and not plain_name_problem(layout):
                return _runtime_wrapper(instance_id, layout)
        if not app or app in BUILT_IN_IDS or app.startswith("scs-") or "/" in app or app.startswith("."):
            return self._placeholder(instance_id, instance, data)
        return _runtime_wrapper(instance_id, app)

    def _content_list(
        self,
        instance_id: str,
        instance: JsonObject,
        data: JsonObject,
        _instances: Mapping[str, Any],
        _depth: int,
    ) -> str:
        """A content list of the template's own items, each shown by the runtime with the list's layout."""
        items = self.content.query(data)
        category = data.get("layoutCategory") or data.get("contentLayoutCategory") or LIST_CATEGORY
        layout = self.content.layout(items[0], category) if items else None
        if not layout or plain_name_problem(layout):
            return self._placeholder(instance_id, instance, data)
        return _runtime_wrapper(instance_id, layout)

    def _nested(self, app: str, data: JsonObject, nested: list[Any], depth: int) -> str:
        """OCE's composite components (article, headline, image-and-text): their nested built-ins, the
        images in one column and the text in the other, on the side `componentLayout` says."""
        images: list[str] = []
        texts: list[str] = []
        for child in nested:
            if not isinstance(child, dict) or depth > MAX_DEPTH:
                continue
            child_data = child.get("data")
            child_data = child_data if isinstance(child_data, dict) else {}
            renderer = self._renderers.get(_text(child.get("type")))
            if renderer is None or child_data.get("visible") is False:
                continue
            html_part = renderer(_text(child.get("id")), child, child_data, {}, depth + 1)
            (images if child.get("type") == "scs-image" else texts).append(html_part)
        kind = app.removeprefix("scs-comp-")
        layout = _text(data.get("componentLayout")) or "default"
        return (
            f'<div class="scs-{_esc(kind)} scs-{_esc(kind)}-{_esc(layout)} scs-component{_classes(data)}">'
            f'<div class="scs-{_esc(kind)}-image">{"".join(images)}</div>'
            f'<div class="scs-{_esc(kind)}-text">{"".join(texts)}</div></div>'
        )


def _runtime_wrapper(instance_id: str, app: str) -> str:
    """OCE's wrapper of a component the runtime renders with `_compdelivery/<app>/assets/render.js`."""
    return (
        f'<div class="scs-custom-component scs-component" data-scs-id="{_esc(instance_id)}"'
        f' data-scs-app="{_esc(app)}"><div class="scs-custom-component-wrapper">'
        f'<div id="{_esc(instance_id)}customComponentDiv"></div></div></div>'
    )


def runtime_instances(html_text: str, instances: Mapping[str, Any]) -> dict[str, Any]:
    """The instances of `html_text`'s custom components, which the runtime renders in the browser."""
    found = {}
    for match in _RUNTIME_MARK.finditer(html_text):
        instance_id = html.unescape(match[1])
        if instance_id in instances:
            found[instance_id] = instances[instance_id]
    return found
