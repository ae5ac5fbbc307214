"""What a site's pages use (custom components, content items, content types) and what a theme offers (its page
layouts), as `describe-site` and `describe-component` list them; and a component's type from its appinfo."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from sitejobs.sites.content.model import SiteContent

#: appinfo.json `type` (lower case there) → the component `type` the Sites Management API reports.
COMPONENT_TYPES = {
    "contentlayout": "contentLayout",
    "contentform": "contentForm",
    "componentgroup": "componentGroup",
    "sectionlayout": "sectionLayout",
    "fieldeditor": "fieldEditor",
    "remote": "remote",
    "sandboxed": "sandboxed",
    "translationconnector": "translationConnector",
}
BUILT_IN_PREFIX = "scs-"


@dataclass
class SiteUsage:
    components: list[dict[str, str]] = field(default_factory=list)
    content_items: list[dict[str, str]] = field(default_factory=list)
    content_types: list[dict[str, str]] = field(default_factory=list)


def site_usage(content: SiteContent) -> SiteUsage:
    """Per page (in page order): each custom component once, each content item and content type referenced."""
    usage = SiteUsage()
    for page_id in sorted(content.pages):
        page = str(page_id)
        seen: set[tuple[str, str]] = set()
        instances = content.pages[page_id].get("componentInstances") or {}
        for instance in instances.values() if isinstance(instances, dict) else ():
            if not isinstance(instance, dict):
                continue
            name = instance.get("id")
            raw = instance.get("data")
            data: dict[str, Any] = raw if isinstance(raw, dict) else {}
            rows: list[tuple[str, str, str]] = []
            if isinstance(name, str) and name and not name.startswith(BUILT_IN_PREFIX):
                rows.append(("c", "scsComponentName", name))
            if isinstance(data.get("contentId"), str) and data["contentId"]:
                rows.append(("i", "scsContentItemID", data["contentId"]))
            for type_name in data.get("contentTypes") or []:
                if isinstance(type_name, str):
                    rows.append(("t", "scsTypeName", type_name))
            for kind, column, value in rows:
                if (kind + column, value) in seen:
                    continue
                seen.add((kind + column, value))
                target = {"c": usage.components, "i": usage.content_items, "t": usage.content_types}[kind]
                target.append({"scsPageID": page, column: value})
    return usage


def theme_layouts(theme_dir: Path) -> list[str]:
    layouts = theme_dir / "layouts"
    if not layouts.is_dir():
        return []
    return sorted(p.name for p in layouts.iterdir() if p.is_file() and p.suffix == ".html")


def component_type(component_dir: Path) -> str:
    """The component's type from its appinfo.json; a component without one is a local component."""
    try:
        appinfo: Any = orjson.loads((component_dir / "appinfo.json").read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return "local"
    declared = appinfo.get("type") if isinstance(appinfo, dict) else None
    return COMPONENT_TYPES.get(str(declared).lower(), "local") if declared else "local"
