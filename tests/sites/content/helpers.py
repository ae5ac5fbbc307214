"""The fixture templates, zips made from them, a link checker for published pages, and bare sites."""

from __future__ import annotations

import shutil
import zipfile
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import unquote, urlsplit

import lxml.html  # type: ignore[import-untyped]

from sitejobs.sites.content.model import SiteContent
from sitejobs.sites.content.store import ContentStore, SiteRow
from tests.conftest import FIXTURES

TEMPLATES = FIXTURES / "oce-site-template"
STARTER = TEMPLATES / "StarterTemplate"
BLOG = TEMPLATES / "BlogTemplate"


def copy_template(source: Path, tmp_path: Path) -> Path:
    """A copy of a fixture template that a test may change (the fixtures are never modified)."""
    target = tmp_path / source.name
    shutil.copytree(source, target)
    return target


def zip_folder(folder: Path, zip_path: Path, top: str = "") -> Path:
    """`folder`'s files as a zip, at the top as `cec export-template` writes them, or under `top`/."""
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                zf.write(path, f"{top}{path.relative_to(folder).as_posix()}")
    return zip_path


def parse_page(path: Path) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(path.read_bytes())


def local_links(document: lxml.html.HtmlElement) -> Iterable[str]:
    """Every relative URL of a page: a/link href, script/img src, CSS url() in style attributes and blocks."""
    for _element, _attribute, link, _position in document.iterlinks():
        parts = urlsplit(link)
        if parts.scheme or parts.netloc or not parts.path or parts.path.startswith("/"):
            continue
        yield link


def unresolved(out_dir: Path, page_paths: Iterable[Path]) -> dict[str, set[str]]:
    """For each page, its relative links that do not lead to a file inside `out_dir`."""
    root = out_dir.resolve()
    broken: dict[str, set[str]] = {}
    for page in page_paths:
        for link in local_links(parse_page(page)):
            target = (page.parent / unquote(urlsplit(link).path)).resolve()
            if not (target.is_file() and target.is_relative_to(root)):
                broken.setdefault(page.relative_to(out_dir).as_posix(), set()).add(link)
    return broken


def broken_targets(out_dir: Path, page_paths: Iterable[Path]) -> set[str]:
    """The paths below `out_dir` that pages link to and that are not there."""
    root = out_dir.resolve()
    targets = set()
    for page, links in unresolved(out_dir, page_paths).items():
        for link in links:
            target = (out_dir / page).parent.joinpath(unquote(urlsplit(link).path)).resolve()
            targets.add(target.relative_to(root).as_posix() if target.is_relative_to(root) else str(target))
    return targets


def make_site(store: ContentStore, name: str, owner: str) -> SiteRow:
    """A site with no pages, owned by `owner` (for tests of who may see what, not of content)."""
    row = {"name": name, "owner": owner, "theme_name": "Theme", "site_prefix": name.lower()}
    return store.create_site(row, SiteContent(name, {}, [], {}))
