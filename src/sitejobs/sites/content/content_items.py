"""The content items a template ships (its content template: `template/assets/contenttemplate/export.zip`
and `summary.json`), for the content-item components of its pages.

On Content Management, creating a site from a template imports these items into the site's repository, and a
page's content item component shows one of them through the content layout its type maps to. Publish resolves
the item a component names (by id, else by the item's name, which is what survives the import: ids change),
hands its data to the runtime with the page (`item_data`), and writes the items' files (images) into the
published site (`write_files`), where `renditions` says each one is.
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sitejobs.sites.content.assets import write_atomic
from sitejobs.sites.content.item_query import content_list_query, run
from sitejobs.sites.content.names import RUNTIME_DIR, plain_name_problem

EXPORT = Path("assets") / "contenttemplate" / "export.zip"
SUMMARY = Path("assets") / "contenttemplate" / "summary.json"
TYPE_MAP = Path("caas_contenttypemap.json")  # the same mappings, as the template's own file
FILES_DIR = f"{RUNTIME_DIR}/content"  # where the items' files are published: FILES_DIR/<id>/<name>
DEFAULT_CATEGORY = "Default"
LIST_CATEGORY = "Content List Default"
PLACEHOLDER_CATEGORY = "Content Placeholder Default"
MAX_ITEMS = 10_000


@dataclass
class ContentItems:
    items: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> the item as exported
    by_name: dict[tuple[str, str], str] = field(default_factory=dict)  # (type, name) -> id
    layouts: dict[tuple[str, str], str] = field(default_factory=dict)  # (type, category) -> layout component
    files: dict[str, tuple[str, str]] = field(default_factory=dict)  # id -> (file name, member of the zip)
    export: Path | None = None

    @classmethod
    def load(cls, template_dir: Path) -> ContentItems:
        """The items of the template folder (its `template/` part); none when it ships no content."""
        found = cls()
        export, summary = template_dir / EXPORT, template_dir / SUMMARY
        found._read_mappings(template_dir / TYPE_MAP)
        if summary.is_file():
            found._read_summary(summary)
        if export.is_file():
            try:
                found._read_export(export)
            except (zipfile.BadZipFile, OSError, ValueError):
                return cls()
        return found

    def _read_summary(self, path: Path) -> None:
        summary = _read_json(path)
        if isinstance(summary, dict):
            self._add_mappings(summary.get("contentTypeMappings"))

    def _read_mappings(self, path: Path) -> None:
        self._add_mappings(_read_json(path))

    def _add_mappings(self, mappings: object) -> None:
        for mapping in mappings if isinstance(mappings, list) else ():
            if not isinstance(mapping, dict):
                continue
            for category in mapping.get("categoryList") or ():
                if isinstance(category, dict) and category.get("layoutName"):
                    key = (str(mapping.get("type")), str(category.get("categoryName")))
                    self.layouts[key] = str(category["layoutName"])

    def _read_export(self, path: Path) -> None:
        self.export = path
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist()[: MAX_ITEMS * 4]:
                parts = info.filename.split("/")
                if len(parts) == 4 and parts[1] == "ContentItems" and parts[3].endswith(".json"):
                    if parts[2] == "VariationSets":
                        continue
                    item = json.loads(archive.read(info))
                    if isinstance(item, dict) and isinstance(item.get("id"), str):
                        self.items[item["id"]] = item
                        self.by_name[(str(item.get("type")), str(item.get("name")))] = item["id"]
                elif (
                    len(parts) == 6
                    and parts[1] == "ContentItems"
                    and parts[3] == "files"
                    and not plain_name_problem(parts[4])
                    and not plain_name_problem(parts[5])
                ):
                    self.files[parts[4]] = (parts[5], info.filename)

    def find(self, data: dict[str, Any]) -> dict[str, Any] | None:
        """The item a content item component's data names: by `contentId`, else by type and name."""
        item = self.items.get(str(data.get("contentId")))
        if item is not None:
            return item
        types = data.get("contentTypes") or ()
        name = str(data.get("componentName") or "")
        for type_name in types if isinstance(types, list) else ():
            found = self.by_name.get((str(type_name), name))
            if found is not None:
                return self.items[found]
        return None

    def query(self, data: dict[str, Any]) -> list[dict[str, Any]]:
        """The items a content list's data asks for, as Content Delivery answers the list's query
        (`item_query.content_list_query`: its types and `queryString`, in `sortOrder`, from `firstItem`, at
        most `maxResults`)."""
        query = content_list_query(data)
        return [] if query is None else run(query, self.items.values()).items

    def layout(self, item: dict[str, Any], category: object) -> str | None:
        """The content layout component that shows `item` in `category` (the type's default one when empty)."""
        category = category if isinstance(category, str) and category else DEFAULT_CATEGORY
        return self.layouts.get((str(item.get("type")), category))

    def renditions(self) -> dict[str, str]:
        """Where each item's file is, below the published site."""
        return {item_id: f"{FILES_DIR}/{item_id}/{name}" for item_id, (name, _member) in self.files.items()}

    def write_files(self, out_dir: Path) -> int:
        """Write the items' files below `out_dir` (those already there with the same size are kept)."""
        if self.export is None or not self.files:
            return 0
        written = 0
        with zipfile.ZipFile(self.export) as archive:
            for item_id, (name, member) in self.files.items():
                target = out_dir / FILES_DIR / item_id / name
                info = archive.getinfo(member)
                if target.is_file() and target.stat().st_size == info.file_size:
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                write_atomic(target, archive.read(info))
                written += 1
        return written


def _read_json(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
