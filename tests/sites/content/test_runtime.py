"""What publish gives a page's runtime: the runtime's files, the template's content items for its content
components, and theme includes filled in (the browser side is tests/api/oce/test_published_pages_browser.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sitejobs.sites.content import runtime
from sitejobs.sites.content.content_items import FILES_DIR
from tests.sites.content.helpers import BLOG, STARTER, copy_template, parse_page
from tests.sites.content.test_render import Published, publish


def controller_data(page: Path) -> dict[str, Any]:
    """window.SCS as the page sets it: its site part and its page part, merged."""
    [info] = [s.text for s in parse_page(page).iter("script") if s.text and "window.SCS=" in s.text]
    site_part, page_part = json.loads("[" + info[info.index("{},") + 3 : info.rindex(");")] + "]")
    return {**site_part, **page_part}


def wrappers(page: Path) -> dict[str, str]:
    """The components the runtime renders on the page: instance id -> component folder."""
    return {
        w.get("data-scs-id"): w.get("data-scs-app")
        for w in parse_page(page).find_class("scs-custom-component")
    }


@pytest.fixture(scope="module")
def blog(tmp_path_factory: pytest.TempPathFactory) -> Published:
    return publish(BLOG, tmp_path_factory.mktemp("blog") / "out")


def test_the_runtime_and_its_libraries_are_published_with_the_site(blog: Published) -> None:
    renderer = blog.out / runtime.RENDERER_DIR
    for name in ("renderer.js", "renderer.css", *runtime.LIBRARIES):
        assert (renderer / name).is_file(), name
    assert blog.result.runtime_problems == []


def test_a_missing_library_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    missing = {"libs/knockout.js": ("node-knockout", (str(tmp_path / "nowhere.js"),))}
    monkeypatch.setattr(runtime, "LIBRARIES", {**runtime.LIBRARIES, **missing})
    published = publish(STARTER, tmp_path / "out")
    [problem] = published.result.runtime_problems
    assert "libs/knockout.js" in problem
    assert "node-knockout" in problem
    assert problem in published.result.problems()
    assert published.result.failed == {}


def test_a_content_list_gets_the_template_items_in_its_order(blog: Published) -> None:
    home = blog.page(100)
    scs = controller_data(home)
    [(list_id, layout)] = wrappers(home).items()
    assert layout == "Starter-Blog-Post-Summary"  # its layoutCategory "Summary", from the type's mappings
    listed = scs["pageModel"]["componentInstances"][list_id]["contentListItems"]
    names = [item["name"] for item in listed]
    assert len(names) == 5
    assert names == sorted(names, key=str.lower)
    assert {item["type"] for item in listed} == {"Starter-Blog-Post"}
    assert scs["pageModel"]["contentItems"]  # referenced items (authors, images) for the content client


def test_content_placeholders_and_item_files(blog: Published) -> None:
    detail = blog.page(105)
    scs = controller_data(detail)
    shown = wrappers(detail)
    assert set(shown.values()) == {
        "Starter-Blog-Post-Header",
        "Starter-Blog-Post-Content",
        "Starter-Blog-Post-Sidebar",
    }
    for instance_id in shown:
        candidates = scs["pageModel"]["componentInstances"][instance_id]["contentPlaceholderItems"]
        assert candidates
        assert {item["type"] for item in candidates} == {"Starter-Blog-Post"}
    renditions = scs["renditions"]
    assert renditions
    for path in renditions.values():
        assert path.startswith(FILES_DIR + "/")
        assert (blog.out / path).is_file(), path


def test_a_theme_include_is_filled_in_like_the_layout(tmp_path: Path) -> None:
    """A layout's `<includeHTML includeFile=…>` becomes the file, and the slot in it gets its components."""
    template = copy_template(STARTER, tmp_path)
    layout = template / "theme" / "layouts" / "index.html"
    text = layout.read_text()
    start = text.index('id="footer"')
    start = text.rindex("<", 0, start)
    end = text.index("</div>", start) + len("</div>")
    footer = text[start:end]
    (template / "theme" / "assets" / "html").mkdir(parents=True)
    (template / "theme" / "assets" / "html" / "footer.html").write_text(f"<footer>{footer}</footer>")
    include = (
        '<includeHTML urlPrefix="_scs_theme_root_" includeFile="/assets/html/footer.html"></includeHTML>'
    )
    layout.write_text(text[:start] + include + text[end:])
    published = publish(template, tmp_path / "out")
    home = parse_page(published.page(100))
    assert not home.findall(".//includehtml")
    assert home.get_element_by_id("footer").find_class("scs-row")  # the footer slot's components
