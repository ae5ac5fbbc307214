"""Installing a template never changes a theme or component that another template or a site uses, unless the
administrator asks to replace it (issue 13, item 3)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from sitejobs.engine.service import JobEngine
from sitejobs.errors import PathOutsideArea, ResourceInUse, TemplateInvalid
from sitejobs.sites.content.conflicts import Change, same_files
from sitejobs.sites.content.install import install_template
from sitejobs.sites.content.model import SiteContent
from sitejobs.sites.content.store import ContentStore
from tests.sites.content.helpers import BLOG, STARTER, copy_template

BLOG_THEME = "BlogTemplateTheme"
BLOG_COMPONENT = "Starter-Blog-Post-Header"


def _hostile(tmp_path: Path) -> Path:
    """The StarterTemplate, made to name the Blog template's theme and to ship one of its components, each with
    a script of its own."""
    template = copy_template(STARTER, tmp_path)
    siteinfo = template / "template" / "siteinfo.json"
    doc = json.loads(siteinfo.read_text(encoding="utf-8-sig"))
    doc["properties"]["themeName"] = BLOG_THEME
    siteinfo.write_text(json.dumps(doc), encoding="utf-8")
    (template / "theme" / "assets" / "js").mkdir(parents=True, exist_ok=True)
    (template / "theme" / "assets" / "js" / "evil.js").write_text("steal(document.cookie)")
    component = template / "components" / BLOG_COMPONENT
    shutil.copytree(BLOG / "components" / BLOG_COMPONENT, component)
    (component / "assets" / "compile.js").write_text("steal(document.cookie)")
    return template


@pytest.fixture
def store(engine: JobEngine) -> ContentStore:
    store = ContentStore(engine.db, engine.settings.content_dir)
    install_template(store, BLOG, owner="alice")
    store.create_site(
        {"name": "AliceBlog", "owner": "alice", "theme_name": BLOG_THEME, "template_name": "BlogTemplate",
         "site_prefix": "aliceblog"},
        SiteContent(name="AliceBlog", siteinfo={"properties": {}}, structure=[], pages={}),
    )  # fmt: skip
    return store


def test_a_template_that_would_change_a_used_theme_or_component_is_refused(
    store: ContentStore, tmp_path: Path
) -> None:
    theme_before = tmp_path / "theme-before"
    shutil.copytree(store.folder("themes", BLOG_THEME), theme_before)
    component_before = tmp_path / "component-before"
    shutil.copytree(store.folder("components", BLOG_COMPONENT), component_before)

    with pytest.raises(ResourceInUse) as refused:
        install_template(store, _hostile(tmp_path), name="Evil", owner="mallory")

    message = refused.value.message
    assert f"theme '{BLOG_THEME}'" in message
    assert f"component '{BLOG_COMPONENT}'" in message
    assert "site 'AliceBlog'" in message
    assert "template 'BlogTemplate'" in message
    assert "--replace" in message
    assert same_files(theme_before, store.folder("themes", BLOG_THEME))
    assert same_files(component_before, store.folder("components", BLOG_COMPONENT))
    assert store.resource("templates", "name:Evil") is None
    assert not store.folder("templates", "Evil").exists()


def test_replace_installs_it_and_says_what_changed(store: ContentStore, tmp_path: Path) -> None:
    changed: list[Change] = []
    install_template(store, _hostile(tmp_path), name="Evil", owner="admin", replace=True, changed=changed)
    assert {(c.kind, c.name) for c in changed} >= {("theme", BLOG_THEME), ("component", BLOG_COMPONENT)}
    assert any("AliceBlog" in c.sites for c in changed)
    script = store.folder("components", BLOG_COMPONENT) / "assets" / "compile.js"
    assert script.read_text() == "steal(document.cookie)"


def test_the_same_theme_and_components_again_change_nothing_and_are_accepted(store: ContentStore) -> None:
    install_template(store, BLOG, name="BlogAgain", owner="bob")
    assert store.resource("templates", "name:BlogAgain") is not None


def test_a_theme_or_component_nobody_uses_may_change(store: ContentStore, tmp_path: Path) -> None:
    install_template(store, STARTER, owner="alice")  # StarterTheme: no site uses it, one template ships it
    template = copy_template(STARTER, tmp_path)
    (template / "theme" / "extra.css").write_text("body{}")
    with pytest.raises(ResourceInUse, match="template 'StarterTemplate'"):
        install_template(store, template, name="Other", owner="bob")
    # The template itself, reinstalled with its own new files and no site made from it, is its owner's to change.
    install_template(store, template, owner="alice")
    assert (store.folder("themes", "StarterTheme") / "extra.css").is_file()


def test_a_template_folder_with_a_link_out_of_it_is_refused(store: ContentStore, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0")
    template = copy_template(STARTER, tmp_path / "copy")
    (template / "theme" / "assets" / "passwd.txt").symlink_to(secret)
    with pytest.raises(TemplateInvalid, match="leads out of the template folder"):
        install_template(store, template, name="Linked", owner="mallory")
    assert store.resource("templates", "name:Linked") is None


def test_no_content_job_writes_through_a_link_out_of_the_content_folder(
    store: ContentStore, tmp_path: Path
) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    published = store.content_dir / "published" / "sites"
    published.mkdir(parents=True, exist_ok=True)
    (published / "AliceBlog").symlink_to(outside, target_is_directory=True)
    with pytest.raises(PathOutsideArea):
        store.published_dir("AliceBlog")
    (store.content_dir / "components" / "Linked").symlink_to(outside, target_is_directory=True)
    with pytest.raises(PathOutsideArea):
        store.folder("components", "Linked")
