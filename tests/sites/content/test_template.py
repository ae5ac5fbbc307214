"""Loading templates as `cec` exports them: both real fixtures, zips, and the clear refusal of bad ones."""

from __future__ import annotations

import io
import json
import shutil
import stat
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sitejobs.errors import BadRequest, TemplateInvalid
from sitejobs.sites.content.template import load_template
from sitejobs.sites.content.unzip import ZipLimits
from tests.sites.content.helpers import BLOG, STARTER, copy_template, zip_folder


def test_the_starter_template_loads_with_every_page() -> None:
    site, info = load_template(STARTER)
    structure = json.loads((STARTER / "template" / "structure.json").read_text())["pages"]
    assert [entry["id"] for entry in site.structure] == [entry["id"] for entry in structure]
    assert sorted(site.pages) == sorted(entry["id"] for entry in structure)
    assert site.pages[10]["componentInstances"]["81e3252e-0bc8-4d6f-a8f7-00c4a392ddb8"]["type"] == "scs-title"
    assert (info.name, info.theme_name) == ("StarterTemplate", "StarterTheme")
    assert info.description.startswith("This starter template contains all the basic elements")
    assert site.name == "StarterTemplate"
    assert site.default_language == "en"  # the template leaves it empty
    files = info.files()
    assert (files.theme_dir / "layouts" / "index.html").is_file()
    assert (files.components_dir / "NavMenu" / "appinfo.json").is_file()


def test_the_blog_template_loads_with_its_language_and_theme() -> None:
    site, info = load_template(BLOG)
    assert sorted(site.pages) == [100, 105, 401, 402, 403, 405]
    assert info.theme_name == "BlogTemplateTheme"
    assert info.description == ""  # its _folder.json has no siteShortDescription
    assert site.default_language == "en-US"
    assert site.page_entry(105)["isDetailPage"] is True


@pytest.mark.parametrize("top", ["", "StarterTemplate/"], ids=["cec-layout", "wrapped-in-a-folder"])
def test_a_zip_loads_like_its_folder(tmp_path: Path, top: str) -> None:
    archive = zip_folder(STARTER, tmp_path / "MyStarter.zip", top)
    site, info = load_template(archive, tmp_path / "extracted")
    folder_site, _ = load_template(STARTER)
    assert info.name == "MyStarter"
    assert site.pages == folder_site.pages
    assert site.structure == folder_site.structure
    assert info.theme_dir.is_relative_to(tmp_path / "extracted")
    assert (info.theme_dir / "assets" / "plugins" / "jquery.min.js").read_bytes() == (
        STARTER / "theme" / "assets" / "plugins" / "jquery.min.js"
    ).read_bytes()


def test_a_given_name_wins_over_the_folder_name() -> None:
    site, info = load_template(STARTER, name="Bars")
    assert (site.name, info.name) == ("Bars", "Bars")


def _write_zip(path: Path, entries: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return path


@pytest.mark.parametrize(
    ("entry", "reason"),
    [
        ("../evil.txt", "climbs out of the zip"),
        ("template/../../evil.txt", "climbs out of the zip"),
        ("/etc/evil.txt", "absolute path"),
        ("C:/evil.txt", "absolute path"),
    ],
)
def test_a_zip_entry_outside_the_folder_is_refused_before_anything_is_written(
    tmp_path: Path, entry: str, reason: str
) -> None:
    archive = _write_zip(tmp_path / "t.zip", {"template/siteinfo.json": b"{}", entry: b"pwned"})
    extract = tmp_path / "a" / "b" / "extracted"
    with pytest.raises(TemplateInvalid, match=reason):
        load_template(archive, extract)
    assert not extract.exists()
    assert not list(tmp_path.rglob("evil.txt"))


def test_a_symbolic_link_in_the_zip_is_refused(tmp_path: Path) -> None:
    link = zipfile.ZipInfo("theme/assets/link")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    with zipfile.ZipFile(tmp_path / "t.zip", "w") as zf:
        zf.writestr(link, "/etc/passwd")
    with pytest.raises(TemplateInvalid, match="symbolic link"):
        load_template(tmp_path / "t.zip", tmp_path / "out")


def test_a_zip_bomb_is_refused(tmp_path: Path) -> None:
    archive = _write_zip(tmp_path / "t.zip", {"template/big.json": b"0" * 50_000_000})
    with pytest.raises(TemplateInvalid, match="times"):
        load_template(archive, tmp_path / "out")
    with pytest.raises(TemplateInvalid, match="expands to"):
        load_template(archive, tmp_path / "out", limits=ZipLimits(max_bytes=1_000_000))
    assert not (tmp_path / "out").exists()


def test_a_file_that_is_not_a_zip_is_refused(tmp_path: Path) -> None:
    (tmp_path / "t.zip").write_bytes(b"not a zip")
    with pytest.raises(TemplateInvalid, match="neither a template folder nor a zip"):
        load_template(tmp_path / "t.zip", tmp_path / "out")


def test_a_zip_without_a_template_folder_says_so(tmp_path: Path) -> None:
    archive = _write_zip(tmp_path / "t.zip", {"theme/layouts/index.html": b"<html></html>"})
    with pytest.raises(TemplateInvalid, match="template/ is missing"):
        load_template(archive, tmp_path / "out")


def _remove(path: Path) -> None:
    path.unlink()


def _edit_json(path: Path, change: Callable[[Any], object]) -> None:
    document = json.loads(path.read_text())
    change(document)
    path.write_text(json.dumps(document))


BREAKAGES = {
    "no structure": (
        lambda t: _remove(t / "template" / "structure.json"),
        "template/structure.json is missing.",
    ),
    "no siteinfo": (
        lambda t: _remove(t / "template" / "siteinfo.json"),
        "template/siteinfo.json is missing.",
    ),
    "a page document missing": (
        lambda t: _remove(t / "template" / "pages" / "110.json"),
        "template/pages/110.json referenced by template/structure.json is missing.",
    ),
    "a layout missing": (
        lambda t: _remove(t / "theme" / "layouts" / "signin.html"),
        "theme/layouts/signin.html used by template/pages/160.json is missing.",
    ),
    "broken JSON": (
        lambda t: (t / "template" / "pages" / "120.json").write_text("{"),
        "template/pages/120.json is not valid JSON",
    ),
    "no theme name": (
        lambda t: _edit_json(t / "template" / "siteinfo.json", lambda d: d["properties"].pop("themeName")),
        "template/siteinfo.json has no usable properties.themeName",
    ),
    "a page URL that climbs out": (
        lambda t: _edit_json(
            t / "template" / "structure.json", lambda d: d["pages"][2].update(pageUrl="../../evil.html")
        ),
        "template/structure.json: page 110 has pageUrl '../../evil.html'",
    ),
    "an absolute page URL": (
        lambda t: _edit_json(
            t / "template" / "structure.json", lambda d: d["pages"][2].update(pageUrl="/x.html")
        ),
        "page 110 has pageUrl '/x.html', which is not a relative path",
    ),
    "two pages with one URL": (
        lambda t: _edit_json(
            t / "template" / "structure.json", lambda d: d["pages"][3].update(pageUrl="privacy-policy.html")
        ),
        "pages 120 and 200 both have pageUrl 'privacy-policy.html'",
    ),
    "a layout name with a path": (
        lambda t: _edit_json(
            t / "template" / "pages" / "130.json", lambda d: d["properties"].update(pageLayout="../../x.html")
        ),
        "template/pages/130.json has a pageLayout that is not a plain file name",
    ),
    "no theme folder": (
        lambda t: shutil.rmtree(t / "theme"),
        "theme/ is missing.",
    ),
}


@pytest.mark.parametrize(("break_it", "message"), BREAKAGES.values(), ids=BREAKAGES.keys())
def test_a_bad_template_names_what_is_wrong(
    tmp_path: Path, break_it: Callable[[Path], object], message: str
) -> None:
    template = copy_template(STARTER, tmp_path)
    break_it(template)
    with pytest.raises(TemplateInvalid) as caught:
        load_template(template)
    assert message in caught.value.message
    assert isinstance(caught.value, BadRequest)  # a client's mistake: 400 on every surface


def test_a_bad_template_zip_names_the_file_inside(tmp_path: Path) -> None:
    template = copy_template(BLOG, tmp_path)
    (template / "template" / "pages" / "401.json").unlink()
    archive = zip_folder(template, tmp_path / "Blog.zip")
    with pytest.raises(
        TemplateInvalid, match=r"template/pages/401\.json referenced by template/structure\.json"
    ):
        load_template(archive, tmp_path / "out")


def test_a_lying_zip_header_gets_no_further(tmp_path: Path) -> None:
    """The central directory claims 1,000 bytes for 10 MB of zeros: the inflate count stops it."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("template/big.json", b"0" * 10_000_000)
    data = bytearray(buffer.getvalue())
    central = data.index(b"PK\x01\x02")
    data[central + 24 : central + 28] = (1000).to_bytes(4, "little")
    data[22:26] = (1000).to_bytes(4, "little")
    (tmp_path / "t.zip").write_bytes(bytes(data))
    with pytest.raises(TemplateInvalid):
        load_template(tmp_path / "t.zip", tmp_path / "out")


def test_a_zip_is_not_extracted_over_other_files(tmp_path: Path) -> None:
    archive = zip_folder(STARTER, tmp_path / "Starter.zip")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "keep.txt").write_text("mine")
    with pytest.raises(ValueError, match="not empty"):
        load_template(archive, tmp_path / "out")
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["keep.txt"]
