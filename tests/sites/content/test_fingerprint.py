"""Page fingerprints: which pages an incremental publish renders again."""

from __future__ import annotations

import copy
from pathlib import Path

from sitejobs.sites.content.fingerprint import changed_pages, page_fingerprints
from sitejobs.sites.content.model import LanguageVariant
from sitejobs.sites.content.template import load_template
from tests.sites.content.helpers import BLOG, STARTER, copy_template


def _differing(before: dict[int, str], after: dict[int, str]) -> set[int]:
    assert before.keys() == after.keys()
    return {page_id for page_id in before if before[page_id] != after[page_id]}


def test_fingerprints_are_stable_and_one_per_page() -> None:
    site, info = load_template(STARTER)
    again, _ = load_template(STARTER)
    first = page_fingerprints(site, info.files())
    assert list(first) == [entry["id"] for entry in site.structure]
    assert first == page_fingerprints(again, info.files())
    assert len(set(first.values())) == len(first)


def test_changing_one_page_document_changes_only_that_page() -> None:
    site, info = load_template(STARTER)
    before = page_fingerprints(site, info.files())
    site.pages[130]["properties"]["pageDescription"] = "navigation, explained"
    after = page_fingerprints(site, info.files())
    assert _differing(before, after) == {130}
    assert changed_pages(before, after) == [130]


def test_renaming_a_page_changes_every_page() -> None:
    """Every page shows the menu and may link to any page, so every page is rendered again."""
    site, info = load_template(BLOG)
    before = page_fingerprints(site, info.files())
    site.page_entry(401)["name"] = "About us"
    assert _differing(before, page_fingerprints(site, info.files())) == set(before)


def test_changing_a_layout_changes_the_pages_that_use_it(tmp_path: Path) -> None:
    template = copy_template(BLOG, tmp_path)
    site, info = load_template(template)
    before = page_fingerprints(site, info.files())
    users = {
        page_id for page_id, page in site.pages.items() if page["properties"]["pageLayout"] == "home.html"
    }
    assert users == {100, 402}
    layout = info.theme_dir / "layouts" / "home.html"
    layout.write_text(layout.read_text().replace("Starter Blog", "My Blog"))
    assert _differing(before, page_fingerprints(site, info.files())) == users


def test_changing_the_site_footer_changes_every_page() -> None:
    site, info = load_template(STARTER)
    before = page_fingerprints(site, info.files())
    site.siteinfo["properties"]["footer"] = "<p>new footer</p>"
    assert _differing(before, page_fingerprints(site, info.files())) == set(before)


def test_a_new_page_is_changed_and_a_removed_one_is_not_listed() -> None:
    previous = {1: "a", 2: "b", 3: "c"}
    assert changed_pages(previous, {1: "a", 3: "x", 4: "d"}) == [3, 4]


def test_a_translation_has_fingerprints_of_its_own() -> None:
    site, info = load_template(STARTER)
    structure = copy.deepcopy(site.structure)
    site.translations["fr"] = LanguageVariant(site.siteinfo, structure, copy.deepcopy(site.pages))
    base = page_fingerprints(site, info.files())
    french = page_fingerprints(site, info.files(), "fr")
    assert base.keys() == french.keys()
    assert not set(base.values()) & set(french.values())  # the same pages, published in another folder
    structure[0]["name"] = "Accueil"
    assert _differing(french, page_fingerprints(site, info.files(), "fr")) == set(french)
    assert page_fingerprints(site, info.files()) == base
