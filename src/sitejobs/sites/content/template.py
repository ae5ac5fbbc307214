"""Reading a site template as `cec export-template` writes it: a folder, or a zip of one.

Layout (see `docs/contract-oce.md`): `template/siteinfo.json`, `template/structure.json`, `template/pages/{id}.json`,
`template/content/…`, `template/_folder.json` (descriptions), `theme/` (layouts, assets, designs) and
`components/`. Everything a publish will need is checked here, so a bad template is refused when it is added,
with a message naming the one file that is missing or wrong, instead of failing page by page later.
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sitejobs.errors import TemplateInvalid
from sitejobs.sites.area import links_leaving
from sitejobs.sites.content.model import JsonObject, SiteContent, SiteFiles
from sitejobs.sites.content.names import layout_name, page_path_problem, plain_name_problem
from sitejobs.sites.content.unzip import ZipLimits, extract_zip

SITEINFO = "template/siteinfo.json"
STRUCTURE = "template/structure.json"
FOLDER = "template/_folder.json"
#: How deep a template's JSON documents may nest: far more than a page needs, far less than Python's stack.
MAX_JSON_DEPTH = 200


@dataclass(frozen=True)
class TemplateInfo:
    """What the template catalogue shows about a template, and where its parts are on disk."""

    name: str
    theme_name: str
    description: str
    root: Path
    template_dir: Path
    theme_dir: Path
    components_dir: Path

    @property
    def content_dir(self) -> Path:
        return self.template_dir / "content"

    def files(self) -> SiteFiles:
        """The theme, components and content a site created from this template renders with."""
        return SiteFiles(self.theme_dir, self.components_dir, self.content_dir, self.template_dir)


def load_template(
    path: Path, extract_dir: Path | None = None, *, name: str | None = None, limits: ZipLimits | None = None
) -> tuple[SiteContent, TemplateInfo]:
    """Load the template folder (or zip, extracted into `extract_dir`) at `path`.

    `name` defaults to the folder's name or the zip's name without `.zip`. Raises TemplateInvalid naming
    what is missing or wrong.
    """
    if path.is_file():
        if not zipfile.is_zipfile(path):
            raise TemplateInvalid(f"'{path.name}' is neither a template folder nor a zip archive.")
        if extract_dir is None:
            raise ValueError("a template zip needs an extract_dir to be extracted into")
        extract_zip(path, extract_dir, limits)
        root = _template_root(extract_dir, path.name)
        default_name = path.stem
    elif path.is_dir():
        root = path
        default_name = path.name
        escaping = links_leaving(root)
        if escaping:
            raise TemplateInvalid(
                f"'{escaping[0].as_posix()}' is a symbolic link that leads out of the template folder."
            )
    else:
        raise TemplateInvalid(f"'{path}' does not exist.")
    return _load(root, name or default_name)


def _template_root(extracted: Path, zip_name: str) -> Path:
    """`cec` zips hold template/, theme/ and components/ at the top; accept one wrapping folder too."""
    if (extracted / "template").is_dir():
        return extracted
    folders = [p for p in extracted.iterdir() if p.is_dir()]
    if len(folders) == 1 and (folders[0] / "template").is_dir():
        return folders[0]
    raise TemplateInvalid(f"template/ is missing from '{zip_name}'.")


def _load(root: Path, name: str) -> tuple[SiteContent, TemplateInfo]:
    siteinfo = _object(_read_json(root, SITEINFO), SITEINFO)
    properties = siteinfo.get("properties")
    if not isinstance(properties, dict):
        raise TemplateInvalid(f"{SITEINFO} has no 'properties' object.")
    theme_name = properties.get("themeName")
    if plain_name_problem(theme_name):
        raise TemplateInvalid(f"{SITEINFO} has no usable properties.themeName (a plain folder name).")
    structure = check_structure(_object(_read_json(root, STRUCTURE), STRUCTURE))
    theme_dir = root / "theme"
    if not theme_dir.is_dir():
        raise TemplateInvalid("theme/ is missing.")
    pages = {entry["id"]: _page(root, entry["id"], theme_dir) for entry in structure}
    folder = _object(_read_json(root, FOLDER), FOLDER) if (root / FOLDER).is_file() else {}
    description = folder.get("siteShortDescription")
    info = TemplateInfo(
        name=name,
        theme_name=str(theme_name),
        description=description if isinstance(description, str) else "",
        root=root,
        template_dir=root / "template",
        theme_dir=theme_dir,
        components_dir=root / "components",
    )
    language = properties.get("defaultLanguage")
    site = SiteContent(
        name=name,
        siteinfo=siteinfo,
        structure=structure,
        pages=pages,
        default_language=language if isinstance(language, str) and language else "en",
    )
    return site, info


def check_structure(document: JsonObject) -> list[JsonObject]:
    entries = document.get("pages")
    if not isinstance(entries, list):
        raise TemplateInvalid(f"{STRUCTURE} has no 'pages' list.")
    ids: set[int] = set()
    urls: dict[str, int] = {}
    for position, entry in enumerate(entries, 1):
        page_id = entry.get("id") if isinstance(entry, dict) else None
        if not isinstance(page_id, int) or isinstance(page_id, bool):
            raise TemplateInvalid(f"{STRUCTURE}: entry {position} has no integer 'id'.")
        if page_id in ids:
            raise TemplateInvalid(f"{STRUCTURE}: page {page_id} appears twice.")
        ids.add(page_id)
        url = entry.get("pageUrl")
        if problem := page_path_problem(url):
            raise TemplateInvalid(f"{STRUCTURE}: page {page_id} {problem}.")
        if (other := urls.setdefault(url, page_id)) != page_id:
            raise TemplateInvalid(f"{STRUCTURE}: pages {other} and {page_id} both have pageUrl '{url}'.")
    for entry in entries:
        children = entry.get("children") or []
        if not isinstance(children, list):
            raise TemplateInvalid(f"{STRUCTURE}: page {entry['id']} has 'children' that is not a list.")
        unknown = [child for child in children if child not in ids]
        if unknown:
            raise TemplateInvalid(
                f"{STRUCTURE}: page {entry['id']} has children {unknown} that are not pages."
            )
    return entries


def _page(root: Path, page_id: int, theme_dir: Path) -> JsonObject:
    relative = f"template/pages/{page_id}.json"
    if not (root / relative).is_file():
        raise TemplateInvalid(f"{relative} referenced by {STRUCTURE} is missing.")
    page = _object(_read_json(root, relative), relative)
    if not isinstance(page.get("properties") or {}, dict):
        raise TemplateInvalid(f"{relative} has 'properties' that is not an object.")
    layout = layout_name(page)
    if plain_name_problem(layout):
        raise TemplateInvalid(f"{relative} has a pageLayout that is not a plain file name.")
    if not (theme_dir / "layouts" / str(layout)).is_file():
        raise TemplateInvalid(f"theme/layouts/{layout} used by {relative} is missing.")
    return page


def _read_json(root: Path, relative: str) -> Any:
    path = root / relative
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise TemplateInvalid(f"{relative} is missing.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise TemplateInvalid(f"{relative} cannot be read ({exc}).") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TemplateInvalid(f"{relative} is not valid JSON ({exc}).") from None
    except RecursionError:
        raise TemplateInvalid(f"{relative} nests deeper than {MAX_JSON_DEPTH} levels.") from None
    if _depth_exceeds(document, MAX_JSON_DEPTH):
        raise TemplateInvalid(f"{relative} nests deeper than {MAX_JSON_DEPTH} levels.")
    return document


def _depth_exceeds(document: Any, limit: int) -> bool:
    """Whether arrays and objects nest more than `limit` deep (measured without recursion)."""
    stack: list[tuple[Any, int]] = [(document, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth > limit:
                return True
            children = value.values() if isinstance(value, dict) else value
            stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def _object(value: Any, relative: str) -> JsonObject:
    if not isinstance(value, dict):
        raise TemplateInvalid(f"{relative} is not a JSON object.")
    return value
