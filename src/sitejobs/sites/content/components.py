"""Component instances to HTML: what fills a page's slots.

A slot holds a `grid` of rows and columns whose cells are `<div id="{instance id}"></div>`; each cell gets the
rendered instance. The built-in OCE components with static output (title, paragraph, text, image, button,
divider, spacer, social bar, component group, section layout) render their data the way the toolkit's
compilers do, in simpler markup; the `NavMenu` sample component shows the navigation menu; anything else
(custom components, content lists and placeholders, which need OCE's runtime) becomes an empty placeholder
`<div>` naming its type and component. Rich text (`userText`) is the editor's HTML and is kept as it is;
every other value is escaped. Page markers are left in place: the caller expands them for the page's depth.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping
from typing import Any

from sitejobs.sites.content.model import JsonObject

NAV_COMPONENTS = frozenset({"NavMenu"})  # the navigation component of OCE's starter template
NAV_PLACE = "\x00nav\x00"  # where the menu goes: the caller puts it in, resolved once per page depth
MAX_DEPTH = 16  # groups nest groups; a template that loops is cut off here

_CELL = re.compile(r'<div\s+id\s*=\s*"([^"<>]*)"\s*>\s*</div>')
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


def _wrap(kind: str, data: JsonObject, content: str) -> str:
    return (
        f'<div class="scs-{kind} scs-component{_classes(data)}">'
        f'<div class="scs-component-content">{content}</div></div>'
    )


class Components:
    """Renders slots for one site. The navigation menu is left as NAV_PLACE for the caller to fill in."""

    def __init__(self) -> None:
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
            if not isinstance(icon, dict) or not _text(icon.get("link")):
                continue
            label = _esc(_text(icon.get("title")) or _text(icon.get("altText")) or _text(icon.get("name")))
            links.append(
                f'<a class="scs-socialbar-link" href="{_esc(icon["link"])}"{_target(icon.get("target"))}'
                f' title="{label}"><span class="scs-socialbar-icon {_esc(_text(icon.get("class")))}"'
                f' style="display:inline-block;width:{size}px;height:{size}px"></span></a>'
            )
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
        return self._placeholder(instance_id, instance, data)
