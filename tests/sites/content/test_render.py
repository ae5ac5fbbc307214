"""Publishing the real templates to static HTML: every page, its slots, menu and links, failures, increments."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from sitejobs.errors import RenderFailed
from sitejobs.sites.content.fingerprint import changed_pages, page_fingerprints
from sitejobs.sites.content.model import LanguageVariant, SiteContent, SiteFiles
from sitejobs.sites.content.render import PublishResult, SiteRenderer
from sitejobs.sites.content.template import TemplateInfo, load_template
from sitejobs.sites.content.tokens import page_link
from tests.sites.content.helpers import BLOG, STARTER, broken_targets, copy_template, parse_page

MARKERS = ("[!--$", "<!--$", "_scs_theme_root_", "_scs_design_name_", "\x00")


@dataclass
class Published:
    site: SiteContent
    info: TemplateInfo
    out: Path
    result: PublishResult
    events: list[tuple[int, str, Exception | None]] = field(default_factory=list)

    def page(self, page_id: int) -> Path:
        return self.out / str(self.site.page_entry(page_id)["pageUrl"])


def publish(template: Path, out: Path, site: SiteContent | None = None, **options: object) -> Published:
    loaded, info = load_template(template)
    site = site or loaded
    events: list[tuple[int, str, Exception | None]] = []
    renderer = SiteRenderer(site, info.files(), **options)  # type: ignore[arg-type]
    result = renderer.publish(out, on_page=lambda *event: events.append(event))
    return Published(site, info, out, result, events)


@pytest.fixture(params=[STARTER, BLOG], ids=["StarterTemplate", "BlogTemplate"])
def published(request: pytest.FixtureRequest, tmp_path: Path) -> Published:
    return publish(request.param, tmp_path / "out")


def test_every_page_is_published_as_html_with_its_title(published: Published) -> None:
    site, result = published.site, published.result
    order = [entry["id"] for entry in site.structure]
    assert result.failed == {}
    assert result.written == order
    assert [(page_id, error) for page_id, _url, error in published.events] == [(i, None) for i in order]
    for entry in site.structure:
        path = published.page(entry["id"])
        text = path.read_text(encoding="utf-8")
        assert not [marker for marker in MARKERS if marker in text], path
        document = parse_page(path)
        assert document.find("body") is not None
        title = site.pages[entry["id"]]["properties"].get("title") or entry["name"]
        assert document.findtext(".//title") == title
        assert "/_sitescloud/" not in text  # OCE's own files (its in-browser renderer) are not served here
    assert not [p for p in published.out.rglob("*") if p.name.endswith(".tmp")]


def test_every_relative_link_of_every_page_resolves(published: Published) -> None:
    """What does not resolve is exactly what the publish reported, and the template itself lacks it."""
    pages = [published.page(entry["id"]) for entry in published.site.structure]
    targets = broken_targets(published.out, pages)
    assert targets == set(published.result.missing_files)
    for path in targets:  # e.g. the favicon the starter layouts link to: each site uploads its own
        assert not [f for f in published.info.root.rglob(Path(path).name) if f.is_file()]
    assert published.result.unknown_pages == []


def test_the_theme_and_components_are_published_next_to_the_pages(published: Published) -> None:
    theme = published.out / "_themesdelivery" / published.info.theme_name
    for source in published.info.theme_dir.rglob("*"):
        if source.is_file():
            assert (theme / source.relative_to(published.info.theme_dir)).read_bytes() == source.read_bytes()
    for component in published.info.components_dir.iterdir():
        assert (published.out / "_compdelivery" / component.name / "appinfo.json").is_file()
    assert published.result.assets_copied > 0
    assert published.result.assets_unchanged == 0


def test_slots_hold_their_components_with_links_resolved_for_the_page_depth(tmp_path: Path) -> None:
    published = publish(STARTER, tmp_path / "out")
    home = parse_page(published.page(10))
    content = home.get_element_by_id("slot-content")
    assert "Welcome!" in content.text_content()
    assert "The starter template provides simplified versions" in content.text_content()
    hrefs = {a.text_content(): a.get("href") for a in content.iter("a")}
    assert hrefs["Themes"] == "developing-templates/themes.html"
    themes = parse_page(published.page(110))
    footer_links = [a.get("href") for a in themes.iter("a") if a.text_content() == "Privacy Policy."]
    assert footer_links == ["../privacy-policy.html"]  # from the site footer in siteinfo.json
    stylesheets = [link.get("href") for link in themes.iter("link") if link.get("rel") == "stylesheet"]
    assert "../_themesdelivery/StarterTheme/designs/default/design.css" in stylesheets
    assert themes.get_element_by_id("footer").find_class("scs-socialbar")  # inside the StarterFooter group


def test_the_menu_lists_the_pages_not_hidden_from_navigation(tmp_path: Path) -> None:
    blog = publish(BLOG, tmp_path / "blog")
    visible = [e["name"] for e in blog.site.structure if not e["hideInNavigation"]]
    menu = parse_page(blog.page(100)).get_element_by_id("navbar-list")
    assert [a.text_content() for a in menu.iter("a")] == visible == ["Home", "About"]

    starter = publish(STARTER, tmp_path / "starter")
    menu = parse_page(starter.page(120)).get_element_by_id("navMenu")  # the NavMenu component's slot
    links = {a.text_content(): a.get("href") for a in menu.iter("a")}
    assert set(links) == {entry["name"] for entry in starter.site.structure}
    assert links["Home"] == "../index.html"
    assert links["Sign In"] == "../developing-templates/sign-in.html"


def test_custom_components_are_left_to_the_runtime_with_their_data(tmp_path: Path) -> None:
    """A custom component becomes OCE's wrapper naming its folder, its instance goes into the page's
    controller data (`window.SCS.pageModel`), and the page loads the runtime that renders it."""
    starter = publish(STARTER, tmp_path / "starter")
    page = starter.page(160)
    [login] = parse_page(page).find_class("scs-custom-component")
    instance_id, instance = next(
        (key, value)
        for key, value in starter.site.pages[160]["componentInstances"].items()
        if value["id"] == "IDCS-Login"
    )
    assert (login.get("data-scs-app"), login.get("data-scs-id")) == ("IDCS-Login", instance_id)
    assert login.getparent().get("id") == instance_id
    assert (starter.out / "_compdelivery/IDCS-Login/assets/render.js").is_file()
    scripts = {s.get("src"): s.get("data-main") for s in parse_page(page).iter("script") if s.get("src")}
    assert (
        scripts["../_sitesclouddelivery/renderer/require.js"] == "../_sitesclouddelivery/renderer/renderer.js"
    )
    assert (starter.out / "_sitesclouddelivery/renderer/renderer.js").is_file()
    [info] = [s.text for s in parse_page(page).iter("script") if s.text and "window.SCS=" in s.text]
    scs = json.loads("[" + info[info.index("{},") + 3 : info.rindex(");")] + "]")
    site_part, page_part = scs
    [root] = [e["id"] for e in starter.site.structure if e["parentId"] is None]
    assert site_part["navigationRoot"] == root
    assert set(site_part["structureMap"]) == {str(e["id"]) for e in starter.site.structure}
    assert page_part["navigationCurr"] == 160
    assert page_part["pagePrefix"] == "../"
    assert page_part["pageModel"]["componentInstances"] == {instance_id: instance}

    blog = publish(BLOG, tmp_path / "blog")
    types = {
        p.get("data-scs-type") for p in parse_page(blog.page(100)).find_class("scs-component-placeholder")
    }
    assert types == {
        "scs-contentsearch"
    }  # it needs the content search API; the list shows the template's items


def test_text_is_escaped_and_rich_text_is_kept(tmp_path: Path) -> None:
    site, _ = load_template(BLOG)
    site.page_entry(401)["name"] = "<script>alert(1)</script> & co"
    about = site.pages[401]
    about["properties"]["title"] = None
    about["slots"]["blog-search1"] = {
        "components": ["b1", "i1", "t1"],
        "grid": '<div class="scs-row"><div id="b1"></div><div id="i1"></div><div id="t1"></div></div>',
    }
    about["componentInstances"] = {
        "b1": {
            "type": "scs-button",
            "id": "scs-button",
            "data": {"text": '<b>"Home"</b>', "href": page_link(100)},
        },
        "i1": {
            "type": "scs-image",
            "id": "scs-image",
            "data": {"imageUrl": "[!--$SCS_CONTENT_URL--]/pipers.jpg", "altText": 'a "quoted" <alt>'},
        },
        "t1": {"type": "scs-title", "id": "scs-title", "data": {"userText": "<div><em>rich</em> text</div>"}},
    }
    published = publish(BLOG, tmp_path / "out", site=site)
    raw = published.page(401).read_text()
    assert "<script>alert(1)</script>" not in raw
    page = parse_page(published.page(401))
    assert page.findtext(".//title") == "<script>alert(1)</script> & co"
    [button] = page.find_class("scs-button-button")
    assert (button.text_content(), button.get("href")) == ('<b>"Home"</b>', "index.html")
    [image] = page.find_class("scs-image-image")
    assert image.get("alt") == 'a "quoted" <alt>'
    assert (published.out / image.get("src")).read_bytes() == (
        BLOG / "template/content/pipers.jpg"
    ).read_bytes()
    assert page.find_class("scs-title-text")[0].find(".//em").text == "rich"
    menu_names = [
        a.text_content() for a in parse_page(published.page(100)).get_element_by_id("navbar-list").iter("a")
    ]
    assert "<script>alert(1)</script> & co" in menu_names


def test_a_layout_with_jinja_like_text_is_published_as_it_is(tmp_path: Path) -> None:
    template = copy_template(STARTER, tmp_path)
    layout = template / "theme" / "layouts" / "index.html"
    literal = "<p>{{ price }} {% if x %} {# note #} {%- endraw %} }}{</p>"
    layout.write_text(layout.read_text().replace("<body>", "<body>" + literal))
    published = publish(template, tmp_path / "out")
    assert literal in published.page(10).read_text()


def test_a_page_that_fails_does_not_stop_the_others(tmp_path: Path) -> None:
    site, _ = load_template(STARTER)
    del site.pages[120]
    site.pages[130]["properties"]["pageLayout"] = "gone.html"
    published = publish(STARTER, tmp_path / "out", site=site)
    result = published.result
    assert set(result.failed) == {120, 130}
    assert "Page 120 has no page document" in result.failed[120]
    assert "no layout 'gone.html'" in result.failed[130]
    assert set(result.written) == {e["id"] for e in site.structure} - {120, 130}
    errors = {page_id: error for page_id, _url, error in published.events}
    assert isinstance(errors.pop(120), RenderFailed)
    assert isinstance(errors.pop(130), RenderFailed)
    assert set(errors.values()) == {None}
    assert not published.page(120).exists()
    assert published.page(140).is_file()


def test_incremental_publish_rewrites_only_the_changed_pages(tmp_path: Path) -> None:
    site, info = load_template(STARTER)
    out = tmp_path / "out"
    renderer = SiteRenderer(site, info.files())
    renderer.publish(out)
    before = page_fingerprints(site, info.files())
    inodes = {e["id"]: (out / e["pageUrl"]).stat().st_ino for e in site.structure}

    paragraph = next(
        i for i in site.pages[140]["componentInstances"].values() if i["type"] == "scs-paragraph"
    )
    paragraph["data"]["userText"] = "<p>Rewritten content</p>"
    after = page_fingerprints(site, info.files())
    changed = changed_pages(before, after)
    assert changed == [140]

    result = SiteRenderer(site, info.files()).publish(out, page_ids=changed)
    assert result.written == [140]
    assert result.assets_copied == 0
    assert result.assets_unchanged > 0
    rewritten = {e["id"] for e in site.structure if (out / e["pageUrl"]).stat().st_ino != inodes[e["id"]]}
    assert rewritten == {140}  # each write renames a new file in: an untouched page keeps its inode
    assert "Rewritten content" in (out / site.page_entry(140)["pageUrl"]).read_text()


def test_a_translation_is_published_under_its_language(tmp_path: Path) -> None:
    site, info = load_template(STARTER)
    structure = copy.deepcopy(site.structure)
    for entry in structure:
        entry["name"] = f"FR {entry['name']}"
    pages = copy.deepcopy(site.pages)
    title = next(i for i in pages[10]["componentInstances"].values() if i["type"] == "scs-title")
    title["data"]["userText"] = "<div>Bienvenue !</div>"
    site.translations["fr"] = LanguageVariant(site.siteinfo, structure, pages)
    out = tmp_path / "out"
    SiteRenderer(site, info.files()).publish(out)
    result = SiteRenderer(site, info.files(), language="fr").publish(out)
    assert result.failed == {}
    assert broken_targets(out, [out / "fr" / e["pageUrl"] for e in structure]) == set(result.missing_files)
    home = parse_page(out / "fr" / "index.html")
    assert "Bienvenue !" in home.get_element_by_id("slot-content").text_content()
    assert home.findtext(".//title") == "FR Home"
    menu = {a.text_content(): a.get("href") for a in home.get_element_by_id("navMenu").iter("a")}
    assert menu["FR Themes"] == "developing-templates/themes.html"  # within fr/
    assert "Welcome!" in parse_page(out / "index.html").text_content()  # the default language stays


@pytest.mark.parametrize("language", ["../x", "de"])
def test_a_language_the_site_cannot_render_is_refused(language: str) -> None:
    site, info = load_template(STARTER)
    with pytest.raises(RenderFailed):
        SiteRenderer(site, info.files(), language=language)


def test_a_site_without_components_or_content_folders_publishes(tmp_path: Path) -> None:
    site, info = load_template(STARTER)
    files = SiteFiles(info.theme_dir, tmp_path / "no-components", None)
    result = SiteRenderer(site, files).publish(tmp_path / "out")
    assert result.failed == {}
    assert not (tmp_path / "out" / "_compdelivery").exists()
