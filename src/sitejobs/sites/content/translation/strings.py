"""What is translatable in a content site, and where each string sits in the zip and in the site.

The translation zip carries, for every page, only its translatable strings, laid out as OCE exports them
(read from the toolkit's sample translation bundle and its connector's filter): page `properties`
(title, description, keywords, header, footer), each component instance's text fields under
`componentInstances.{id}.data`, image texts as `nlsImages` and nested components' texts as
`nlsNestedComponents` (the overlays the OCE renderer applies onto `images`/`nestedComponents`, by position
or nested id). `siteinfo.json` carries its text properties; `structure.json` the page names by id; a content
item the whole item, of which the string `fields` (not `*_dnt`, not a reference's id/type) are translatable.

A `Segment` ties one string's path in the zip document to its path in the site document, so validation
reads translators' files and merge writes into a copy of the site along the same list; nothing outside
the list can change, whatever a translator puts in a file.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise
from typing import Any, Final

from sitejobs.sites.content.model import JsonObject

JsonPath = tuple[str | int, ...]

PAGE_PROPERTIES: Final = ("title", "pageDescription", "keywords", "header", "footer")
SITE_PROPERTIES: Final = ("description", "keywords", "header", "footer")
COMPONENT_TEXT: Final = (
    "userText",
    "title",
    "altText",
    "caption",
    "description",
    "linkText",
    "placeholderText",
    "lazyLoadClickText",
)
IMAGE_TEXT: Final = ("title", "altText", "description", "link")
REFERENCE_KEYS: Final = frozenset({"id", "type", "typeCategory"})  # a referenced item's identity, not text
RENDERED_CACHE: Final = "innerHTML"  # the editor's rendering of `userText`: stale once the text changes


class ShapeError(ValueError):
    """A translated document does not have the shape of what was sent out."""


class _Missing:
    pass


MISSING: Final = _Missing()


@dataclass(frozen=True)
class Segment:
    """One translatable string: its path in the zip document, its path in the site document, its text."""

    zip_path: JsonPath
    site_path: JsonPath
    text: str


def page_document(page: JsonObject) -> tuple[JsonObject, list[Segment]]:
    """A page's zip document (its translatable strings, component ids for context) and its segments."""
    doc: JsonObject = {}
    segments: list[Segment] = []
    properties = page.get("properties")
    if isinstance(properties, dict):
        for key in PAGE_PROPERTIES:
            _text(properties.get(key), ("properties", key), ("properties", key), doc, segments)
    instances = page.get("componentInstances")
    if not isinstance(instances, dict):
        return doc, segments
    for cid, instance in instances.items():
        if not isinstance(instance, dict):
            continue
        base: JsonPath = ("componentInstances", cid)
        put(doc, (*base, "id"), instance.get("id"))
        data = instance.get("data")
        if not isinstance(data, dict):
            continue
        for key in COMPONENT_TEXT:
            _text(data.get(key), (*base, "data", key), (*base, "data", key), doc, segments)
        _images(data.get("images"), (*base, "data"), doc, segments)
        _nested(data.get("nestedComponents"), (*base, "data"), doc, segments)
    return doc, segments


def siteinfo_document(siteinfo: JsonObject) -> tuple[JsonObject, list[Segment]]:
    doc: JsonObject = {}
    segments: list[Segment] = []
    properties = siteinfo.get("properties")
    if isinstance(properties, dict):
        for key in SITE_PROPERTIES:
            _text(properties.get(key), ("properties", key), ("properties", key), doc, segments)
    return doc, segments


def item_segments(item: JsonObject) -> list[Segment]:
    """A content item's translatable strings; the zip carries the whole item, so both paths are the same."""
    segments: list[Segment] = []
    fields = item.get("fields")
    if isinstance(fields, dict):
        _field_strings(fields, ("fields",), segments, top=True)
    return segments


def structure_document(structure: list[JsonObject]) -> JsonObject:
    return {"pages": [{"id": entry["id"], "name": entry.get("name", "")} for entry in structure]}


def structure_names(doc: Any) -> dict[int, str]:
    """The page names of a translated `structure.json`, by page id; `ShapeError` if it is not one."""
    pages = doc.get("pages") if isinstance(doc, dict) else None
    if not isinstance(pages, list):
        raise ShapeError("structure.json must be an object with a 'pages' list")
    names: dict[int, str] = {}
    for entry in pages:
        if not isinstance(entry, dict) or type(entry.get("id")) is not int:
            raise ShapeError("each entry of 'pages' must be an object with an integer 'id'")
        name = entry.get("name", MISSING)
        if name is MISSING:
            continue
        if not isinstance(name, str):
            raise ShapeError(f"page {entry['id']}: 'name' must be a string")
        names[entry["id"]] = name
    return names


def check_shape(doc: Any, segments: list[Segment]) -> None:
    """`ShapeError` unless `doc` is an object whose value at each segment's zip path is absent or a string."""
    if not isinstance(doc, dict):
        raise ShapeError("the file must hold a JSON object")
    for segment in segments:
        value = get(doc, segment.zip_path, strict=True)
        if value is not MISSING and not isinstance(value, str):
            raise ShapeError(f"'{_dotted(segment.zip_path)}' must be a string")


def apply(target: JsonObject, segments: list[Segment], translated: Any = None, previous: Any = None) -> None:
    """Write into `target` (a copy of the site document) each segment's translation.

    The text comes from `translated` (a translator's file, checked with `check_shape`) at the zip path,
    else from `previous` (the language's earlier copy of this document) at the site path, else the
    source text stays; blank texts count as untranslated. A changed `userText` drops the component's stale rendered `innerHTML`.
    """
    for segment in segments:
        value = get(translated, segment.zip_path)
        if not usable(value):
            value = get(previous, segment.site_path)
        if not usable(value) or value == segment.text:
            continue
        put(target, segment.site_path, value)
        if segment.site_path[-1] == "userText":
            parent = get(target, segment.site_path[:-1])
            if isinstance(parent, dict):
                parent.pop(RENDERED_CACHE, None)


def usable(value: Any) -> bool:
    """A translation worth taking: a string that is not blank (a blank one would erase the text)."""
    return isinstance(value, str) and bool(value.strip())


def get(doc: Any, path: JsonPath, *, strict: bool = False) -> Any:
    """The value at `path`, or `MISSING`; with `strict`, a container of the wrong kind is a `ShapeError`."""
    node = doc
    for depth, step in enumerate(path):
        if isinstance(step, int):
            if not isinstance(node, list):
                if strict and node is not None:
                    raise ShapeError(f"'{_dotted(path[:depth])}' must be a list")
                return MISSING
            if step >= len(node):
                return MISSING
            node = node[step]
        else:
            if not isinstance(node, dict):
                if strict and node is not None:
                    raise ShapeError(f"'{_dotted(path[:depth])}' must be an object")
                return MISSING
            if step not in node:
                return MISSING
            node = node[step]
    return node


def put(doc: JsonObject, path: JsonPath, value: Any) -> None:
    """Set `value` at `path`, creating objects and lists (padded with `{}`) on the way."""
    node: Any = doc
    for step, following in pairwise(path):
        empty: Any = [] if isinstance(following, int) else {}
        if isinstance(step, int):
            while len(node) <= step:
                node.append({})
            if not isinstance(node[step], (dict, list)):
                node[step] = empty
            node = node[step]
        else:
            node = node.setdefault(step, empty)
    last = path[-1]
    if isinstance(last, int):
        while len(node) <= last:
            node.append({})
    node[last] = value


def _text(value: Any, zip_path: JsonPath, site_path: JsonPath, doc: JsonObject, out: list[Segment]) -> None:
    if isinstance(value, str) and value.strip():
        put(doc, zip_path, value)
        out.append(Segment(zip_path, site_path, value))


def _images(images: Any, data_path: JsonPath, doc: JsonObject, out: list[Segment]) -> None:
    """Image texts as `nlsImages`: one entry per image, in order, since the renderer overlays by position."""
    if not isinstance(images, list):
        return
    before = len(out)
    overlay: list[JsonObject] = [{} for _ in images]
    for index, image in enumerate(images):
        if not isinstance(image, dict):
            continue
        for key in IMAGE_TEXT:
            value = image.get(key)
            if isinstance(value, str) and value.strip():
                overlay[index][key] = value
                out.append(
                    Segment((*data_path, "nlsImages", index, key), (*data_path, "images", index, key), value)
                )
    if len(out) > before:
        put(doc, (*data_path, "nlsImages"), overlay)


def _nested(nested: Any, data_path: JsonPath, doc: JsonObject, out: list[Segment]) -> None:
    """Nested components' texts as `nlsNestedComponents`, each entry keeping the nested id it overlays."""
    if not isinstance(nested, list):
        return
    before = len(out)
    overlay: list[JsonObject] = [{"id": c.get("id")} if isinstance(c, dict) else {} for c in nested]
    for index, component in enumerate(nested):
        data = component.get("data") if isinstance(component, dict) else None
        if not isinstance(data, dict):
            continue
        for key in COMPONENT_TEXT:
            value = data.get(key)
            if isinstance(value, str) and value.strip():
                overlay[index].setdefault("data", {})[key] = value
                out.append(
                    Segment(
                        (*data_path, "nlsNestedComponents", index, "data", key),
                        (*data_path, "nestedComponents", index, "data", key),
                        value,
                    )
                )
    if len(out) > before:
        put(doc, (*data_path, "nlsNestedComponents"), overlay)


def _field_strings(node: Any, path: JsonPath, out: list[Segment], *, top: bool = False) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if not isinstance(key, str) or key.lower().endswith("_dnt"):
                continue
            if not top and key in REFERENCE_KEYS:
                continue
            _field_strings(value, (*path, key), out)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            _field_strings(value, (*path, index), out)
    elif isinstance(node, str) and node.strip():
        out.append(Segment(path, path, node))


def _dotted(path: JsonPath) -> str:
    return ".".join(str(step) for step in path) or "(document)"
