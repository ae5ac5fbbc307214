"""Templates going out: a site written as a template folder (`cec create-template-from-site`), and a template
folder zipped as `cec export-template` / `download-template` receives it.

The folder has the layout `template.py` reads (`template/siteinfo.json`, `template/structure.json`,
`template/pages/{id}.json`, `template/content/…`, `template/_folder.json`, `theme/`, `components/`), so a
template made from a site is checked by the same reader before it is offered.
"""

from __future__ import annotations

import copy
import os
import shutil
import zipfile
from pathlib import Path

import orjson

from sitejobs.sites.content.model import SiteContent


def used_component_names(content: SiteContent, theme_dir: Path, available: list[str]) -> list[str]:
    """The components (of `available`) the site's pages or its theme's layouts name."""
    texts = [orjson.dumps(page).decode() for page in content.pages.values()]
    layouts = theme_dir / "layouts"
    if layouts.is_dir():
        texts.extend(p.read_text("utf-8", "replace") for p in sorted(layouts.iterdir()) if p.is_file())
    text = "\n".join(texts)
    return [name for name in available if f'"{name}"' in text or f"'{name}'" in text or f"/{name}/" in text]


def write_template(
    content: SiteContent, name: str, description: str, root: Path, *, theme_dir: Path,
    content_dir: Path | None, components: dict[str, Path],
) -> None:  # fmt: skip
    """Write the site `content` as the template `name` into the empty folder `root`."""
    template = root / "template"
    (template / "pages").mkdir(parents=True)
    siteinfo = copy.deepcopy(content.siteinfo)
    properties = siteinfo.setdefault("properties", {})
    properties["siteName"] = name
    properties["siteRootPrefix"] = f"/SCSTEMPLATE_{name}/"
    properties["defaultLanguage"] = content.default_language
    _write(template / "siteinfo.json", siteinfo)
    _write(template / "structure.json", {"pages": content.structure})
    for page_id, page in content.pages.items():
        _write(template / "pages" / f"{page_id}.json", page)
    _write(template / "_folder.json", {"siteName": name, "siteShortDescription": description})
    if content_dir is not None and content_dir.is_dir():
        shutil.copytree(content_dir, template / "content")
    shutil.copytree(theme_dir, root / "theme")
    (root / "components").mkdir()
    for component, folder in sorted(components.items()):
        shutil.copytree(folder, root / "components" / component)


def zip_folder(folder: Path, target: Path) -> None:
    """Zip the files below `folder` (paths relative to it) into `target`."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for base, _dirs, names in os.walk(folder):
            for file_name in sorted(names):
                path = Path(base) / file_name
                if path.is_file() and not path.is_symlink():
                    archive.write(path, path.relative_to(folder).as_posix())


def _write(path: Path, document: object) -> None:
    path.write_bytes(orjson.dumps(document, option=orjson.OPT_INDENT_2))
