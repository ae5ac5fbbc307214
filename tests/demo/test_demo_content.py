"""The demo content shipped in the package: the site archive imports and indexes, the template installs and
every page renders with working links. Nothing here reads ../shared."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from sitejobs import demo
from sitejobs.engine.local import LocalExecutor
from sitejobs.engine.service import JobEngine
from sitejobs.engine.states import State
from sitejobs.settings import Settings
from sitejobs.sites.commerce.search_index import search_products
from sitejobs.sites.content.render import SiteRenderer
from sitejobs.sites.content.template import load_template
from tests.conftest import until


@pytest.fixture
def executor(engine: JobEngine) -> Iterator[LocalExecutor]:
    started = LocalExecutor(engine, slots=2)
    started.start()
    yield started
    started.stop()


def _finished(engine: JobEngine, execution_id: int) -> State:
    return until(engine, execution_id, lambda e: e.is_terminal, 60, f"execution {execution_id} to end").state


def test_the_demo_archive_imports_and_its_products_can_be_searched(
    settings: Settings, engine: JobEngine, executor: LocalExecutor
) -> None:
    demo.write_archive(settings.impex_dir / "src" / "instance" / "demo-store.zip")
    imported = engine.submit("sfcc-site-archive-import", request={"file_name": "demo-store.zip"})
    assert _finished(engine, imported.id) is State.SUCCEEDED, engine.get(imported.id)
    indexed = engine.submit("sfcc-search-index-product-full-update", request={"site_scope": [demo.SITE_ID]})
    assert _finished(engine, indexed.id) is State.SUCCEEDED, engine.get(indexed.id)

    hits = search_products(engine.db, demo.SITE_ID, "gooseneck", locale=None, limit=5).hits
    assert [h.product_id for h in hits] == ["DS-EQP-102"]
    assert len(search_products(engine.db, demo.SITE_ID, "tea", locale=None, limit=20).hits) >= 2


def test_the_archive_zip_has_one_top_folder_with_every_kind_of_file(tmp_path: Path) -> None:
    with zipfile.ZipFile(demo.write_archive(tmp_path / "a.zip")) as archive:
        names = archive.namelist()
    assert {n.split("/")[0] for n in names} == {demo.ARCHIVE_NAME}
    for part in ("catalogs/", "pricebooks/", "inventory-lists/", "libraries/", f"sites/{demo.SITE_ID}/"):
        assert any(n.startswith(f"{demo.ARCHIVE_NAME}/{part}") for n in names), part


def test_the_demo_template_loads_from_its_zip_and_every_page_renders(tmp_path: Path) -> None:
    zipped = demo.write_template_zip(tmp_path / "StoreTemplate.zip")
    site, info = load_template(zipped, tmp_path / "x")
    assert (info.name, info.theme_name) == ("StoreTemplate", "StoreTheme")
    assert sorted(p.name for p in info.components_dir.iterdir()) == ["ProductTeaser", "StoreFooter"]
    assert len(site.pages) >= 5

    renderer = SiteRenderer(site, info.files())
    for page_id in site.pages:
        html = renderer.render_page(page_id)
        assert html.count('class="nav-link"') == len(site.pages), page_id  # the menu lists every page
        assert 'data-scs-app="ProductTeaser"' in html  # the custom component, rendered in the browser
        assert "SCS_" not in html, page_id  # every marker expanded
        assert "_scs_" not in html, page_id
        assert re.search(r'href="[^"]*_themesdelivery/StoreTheme/assets/css/store\.css"', html)
    assert not renderer.links.unknown
