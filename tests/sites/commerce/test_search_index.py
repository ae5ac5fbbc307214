"""The product search index jobs on SQLite and PostgreSQL: the SFRA demo catalog becomes searchable per site,
a delta update follows changed, deleted and recategorized products, and bad scopes end in ERROR."""

from __future__ import annotations

import copy
from functools import cache
from typing import Any

import pytest
from lxml import etree  # type: ignore[import-untyped]
from starlette.testclient import TestClient

from sitejobs.engine.local import LocalExecutor
from sitejobs.engine.models import Execution
from sitejobs.engine.service import JobEngine
from sitejobs.engine.states import State
from sitejobs.errors import (
    InvalidParameter,
    InvalidSearchQuery,
    MissingParameter,
    SearchIndexNotBuilt,
    StorefrontSiteNotFound,
    UnknownProperty,
)
from sitejobs.jobs.builtin import default_registry
from sitejobs.sites.commerce.search_index import search_products, update_site_index
from tests.api.conftest import V, assert_fault, start, wait_for
from tests.sites.commerce.helpers import (
    TOP,
    XML_LANG,
    children,
    fixture_entries,
    instance_dir,
    parse,
    run_import,
    run_job,
    write_zip,
)

FULL = "sfcc-search-index-product-full-update"
DELTA = "sfcc-search-index-product-delta-update"
SITE = "RefArch"
MASTER = "catalogs/electronics-m-catalog/catalog.xml"
STOREFRONT = "catalogs/storefront-catalog-m-en/catalog.xml"
CATALOG_NS = "http://www.demandware.com/xml/impex/catalog/2006-10-31"


# ---- what the fixture holds ---------------------------------------------------------------------------------


@cache
def names() -> dict[str, str]:
    """Display names (x-default) of the master catalog's products."""
    found = {}
    for product in children(parse(MASTER), "product"):
        for name in children(product, "display-name"):
            if name.get(XML_LANG) == "x-default" and name.text:
                found[product.get("product-id")] = name.text
    return found


@cache
def descriptions() -> dict[str, str]:
    """Short and long descriptions (x-default) of the master catalog's products, as written."""
    found: dict[str, str] = {}
    for product in children(parse(MASTER), "product"):
        texts = children(product, "short-description") + children(product, "long-description")
        found[product.get("product-id")] = " ".join(
            t.text or "" for t in texts if t.get(XML_LANG) == "x-default"
        )
    return found


@cache
def storefront_assignments() -> dict[str, set[str]]:
    """Product → categories it is assigned to in RefArch's catalog, for categories online up to the root."""
    root = parse(STOREFRONT)
    categories = {
        c.get("category-id"): (
            (children(c, "parent") or [None])[0],
            [f.text for f in children(c, "online-flag")] == ["true"],
        )
        for c in children(root, "category")
    }

    def visible(category_id: str | None) -> bool:
        if category_id not in categories:
            return False
        parent, online = categories[category_id]
        return online and (parent is None or visible(parent.text))

    products = {p.get("product-id") for p in children(parse(MASTER), "product")}
    found: dict[str, set[str]] = {}
    for assignment in children(root, "category-assignment"):
        product_id, category_id = assignment.get("product-id"), assignment.get("category-id")
        if product_id in products and visible(category_id):
            found.setdefault(product_id, set()).add(category_id)
    return found


def storefront_category(category_id: str) -> etree._Element:
    [found] = [c for c in children(parse(STOREFRONT), "category") if c.get("category-id") == category_id]
    return found


def catalog_xml(catalog_id: str, body: str) -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<catalog xmlns="{CATALOG_NS}" catalog-id="{catalog_id}">\n'
        f"{body}\n</catalog>\n"
    ).encode()


# ---- running things -----------------------------------------------------------------------------------------


@pytest.fixture
def demo(engine: JobEngine, executor: LocalExecutor) -> JobEngine:
    """The demo archive imported."""
    write_zip(instance_dir(engine), "site.zip", fixture_entries())
    imported(engine, "site.zip")
    return engine


@pytest.fixture
def indexed(demo: JobEngine) -> JobEngine:
    """The demo archive imported and RefArch's index built."""
    succeeded(demo, FULL, {"site_scope": [SITE]})
    return demo


def imported(engine: JobEngine, file_name: str, mode: str = "merge") -> None:
    execution = run_import(engine, file_name, mode)
    assert execution.state is State.SUCCEEDED, (execution.exit_code, execution.exit_message)


def succeeded(engine: JobEngine, job_id: str, request: dict[str, Any]) -> Execution:
    execution = run_job(engine, job_id, request)
    assert execution.state is State.SUCCEEDED, (execution.exit_code, execution.exit_message)
    return execution


def found(engine: JobEngine, query: str, **options: Any) -> list[str]:
    return [hit.product_id for hit in search_products(engine.db, SITE, query, limit=1000, **options).hits]


def import_catalog(engine: JobEngine, name: str, catalog_id: str, body: str, mode: str = "merge") -> None:
    path = f"{TOP}/catalogs/{catalog_id}/catalog.xml"
    write_zip(instance_dir(engine), name, {path: catalog_xml(catalog_id, body)})
    imported(engine, name, mode)


# ---- full update --------------------------------------------------------------------------------------------


def test_full_update_indexes_the_products_the_site_reaches(demo: JobEngine) -> None:
    execution = succeeded(demo, FULL, {"site_scope": [SITE]})

    reachable = storefront_assignments()
    summary = (execution.result or {})["sites"][SITE]
    assert summary["kind"] == "full"
    assert summary["catalog_id"] == "storefront-catalog-m-en"  # the site's SiteCatalog preference
    assert summary["products"] == summary["findable"] == len(reachable)
    assert summary["locales"] == ["x-default", "en-US"]  # search2.xml's indexed locales
    assert execution.percent == 100
    [step] = execution.steps or []
    assert (step["step_id"], step["state"]) == (SITE, "succeeded")
    log = demo.log_text(execution.id)
    assert f"{SITE}: full update from catalog 'storefront-catalog-m-en': {len(reachable)} products" in log
    assert f"{len(reachable)} products in the index ({len(reachable)} online and searchable)" in log

    # A product's whole name finds it first, whatever punctuation the name holds.
    for product_id in ("S2510211M", "apple-ipod-shuffleM", "sony-nwz-s738fbnM", "garmin-nuvi-880M"):
        assert found(demo, names()[product_id])[0] == product_id, names()[product_id]
    # A word of two products' names finds both, first.
    zunes = {p for p, name in names().items() if "Zune" in name.split() and p in reachable}
    assert len(zunes) == 2
    assert set(found(demo, "zune")[:2]) == zunes
    # Only products the storefront reaches: the iPod variants, assigned to no category, never show up.
    variants = {p.get("product-id") for p in children(parse(MASTER), "product")} - set(reachable)
    assert "apple-ipod-nano-red-8gM" in variants
    ipods = found(demo, "apple ipod")
    assert ipods
    assert set(ipods) <= set(reachable)
    assert not set(found(demo, "ipod")) & variants


def test_search_matches_descriptions_stems_and_prefixes(indexed: JobEngine) -> None:
    reachable = storefront_assignments()
    # "Lossless" is in some iPods' descriptions, never in a name.
    described = {p for p in reachable if "lossless" in descriptions().get(p, "").lower()}
    assert described
    assert not [p for p in described if "lossless" in names()[p].lower()]
    assert set(found(indexed, "lossless")) == described
    # Stemming on both backends: "cameras" finds the products whose names say "Camera".
    cameras = {p for p in reachable if "Camera" in names()[p].split()}
    assert len(cameras) > 10
    assert set(found(indexed, "cameras")) >= cameras
    # A trailing * makes a prefix: "walk*" finds the Walkmans.
    walkmans = {p for p in reachable if "Walkman®" in names()[p].split()}
    assert walkmans
    assert set(found(indexed, "walk*")) >= walkmans
    # Brands count, and so do the names of the categories a product is in.
    garmins = found(indexed, "garmin")
    assert garmins
    assert all(names()[p].startswith("Garmin") for p in garmins)
    flat_screen = storefront_category("electronics-televisions-flat-screen")
    [title] = [n.text for n in children(flat_screen, "display-name") if n.get(XML_LANG) == "x-default"]
    in_it = {p for p, categories in reachable.items() if "electronics-televisions-flat-screen" in categories}
    assert in_it
    assert set(found(indexed, title)) >= in_it


def test_search_reads_the_locale_asked_for_or_its_fallback(indexed: JobEngine) -> None:
    en_us = search_products(indexed.db, SITE, "zune", locale="en_US")
    assert en_us.locale == "en-US"
    french = search_products(indexed.db, SITE, "zune", locale="fr-FR")
    assert french.locale == "x-default"  # not indexed for RefArch: the last fallback
    assert {h.product_id for h in en_us.hits} == {h.product_id for h in french.hits}
    with pytest.raises(InvalidParameter):
        search_products(indexed.db, SITE, "zune", locale="not a locale!")


def test_search_explains_what_is_missing(demo: JobEngine) -> None:
    with pytest.raises(SearchIndexNotBuilt, match="never built"):
        search_products(demo.db, SITE, "zune")
    with pytest.raises(StorefrontSiteNotFound, match="'Elsewhere'"):
        search_products(demo.db, "Elsewhere", "zune")
    succeeded(demo, FULL, {"site_scope": {"all_storefront_sites": True}})
    with pytest.raises(InvalidSearchQuery):
        search_products(demo.db, SITE, " -- ?? ")
    with pytest.raises(InvalidSearchQuery):
        search_products(demo.db, SITE, "zune " * 200)
    assert search_products(demo.db, SITE, "zune").total == 2


# ---- delta update -------------------------------------------------------------------------------------------


def test_delta_update_follows_changed_offline_and_deleted_products(indexed: JobEngine) -> None:
    renamed = (
        '<product product-id="S2510211M"><display-name xml:lang="x-default">Samsung Quasarzoom A6</display-name>'
        "<online-flag>true</online-flag></product>"
    )
    offline = (
        '<product product-id="microsoft-zune16M"><display-name xml:lang="x-default">Microsoft Zune 16GB'
        "</display-name><online-flag>false</online-flag></product>"
    )
    # Replaced whole: merged, they would keep their descriptions, which name them too.
    import_catalog(indexed, "changes.zip", "electronics-m-catalog", renamed + offline, "replace")
    import_catalog(
        indexed, "gone.zip", "electronics-m-catalog", '<product product-id="apple-ipod-shuffleM"/>', "delete"
    )
    # The index is what the last update built until the next one.
    assert found(indexed, "quasarzoom") == []
    assert "apple-ipod-shuffleM" in found(indexed, "shuffle")

    execution = succeeded(indexed, DELTA, {"site_scope": [SITE]})

    summary = (execution.result or {})["sites"][SITE]
    assert (summary["kind"], summary["reindexed"], summary["removed"]) == ("delta", 2, 1)
    reachable = len(storefront_assignments())
    assert (summary["products"], summary["findable"]) == (reachable - 1, reachable - 2)
    log = indexed.log_text(execution.id)
    assert f"{SITE}: delta update since revision" in log
    assert "2 products changed, 1 removed" in log
    assert found(indexed, "quasarzoom") == ["S2510211M"]
    assert found(indexed, names()["S2510211M"]) == []  # its old name is gone
    assert "apple-ipod-shuffleM" not in found(indexed, "shuffle")
    assert found(indexed, "zune") == ["microsoft-zune120M"]  # the 16GB one is offline

    again = succeeded(indexed, DELTA, {"site_scope": [SITE]})
    assert (again.result or {})["sites"][SITE]["reindexed"] == 0  # nothing changed since


def test_delta_update_follows_category_changes(indexed: JobEngine) -> None:
    assignments = storefront_assignments()
    lone = sorted(p for p, categories in assignments.items() if len(categories) == 1 and p in names())[0]
    [lone_category] = assignments[lone]
    category = copy.deepcopy(storefront_category("electronics-digital-media-players"))
    for name in children(category, "display-name"):
        if name.get(XML_LANG) == "x-default":
            name.text = "Pocket Jukeboxes"
    body = etree.tostring(category, encoding="unicode") + (
        f'<category-assignment category-id="{lone_category}" product-id="{lone}" mode="delete"/>'
    )
    import_catalog(indexed, "categories.zip", "storefront-catalog-m-en", body)
    players = {
        p for p, categories in assignments.items() if "electronics-digital-media-players" in categories
    }
    assert found(indexed, "jukeboxes") == []
    assert lone in found(indexed, names()[lone])

    execution = succeeded(indexed, DELTA, {"site_scope": [SITE]})

    summary = (execution.result or {})["sites"][SITE]
    assert summary["removed"] == 1
    assert summary["reindexed"] == len(players - {lone})
    assert set(found(indexed, "jukeboxes")) == players - {lone}
    assert lone not in found(indexed, names()[lone])


def test_importing_the_same_archive_again_leaves_nothing_to_redo(indexed: JobEngine) -> None:
    imported(indexed, "site.zip")
    execution = succeeded(indexed, DELTA, {"site_scope": [SITE]})
    summary = (execution.result or {})["sites"][SITE]
    assert (summary["reindexed"], summary["removed"]) == (0, 0)
    assert summary["products"] == len(storefront_assignments())


def test_a_delta_update_without_an_index_builds_it_whole(demo: JobEngine) -> None:
    execution = succeeded(demo, DELTA, {"site_scope": [SITE]})
    assert (execution.result or {})["sites"][SITE]["kind"] == "full"
    assert "a full update instead of a delta: the index was never built" in demo.log_text(execution.id)
    assert set(found(demo, "zune")) == {"microsoft-zune16M", "microsoft-zune120M"}


def test_an_update_that_lost_a_race_starts_again(indexed: JobEngine) -> None:
    """Another update committing while one builds: the slower one notices at its write and builds again."""
    logged: list[str] = []
    raced = False

    def progress(fraction: float, _message: str) -> None:
        nonlocal raced
        if fraction > 0 and not raced:
            raced = True
            update_site_index(indexed.db, SITE, full=True, progress=lambda *_: None, log=logged.append)

    summary = update_site_index(indexed.db, SITE, full=True, progress=progress, log=logged.append)
    assert raced
    assert any("another update of this index committed meanwhile" in line for line in logged)
    assert summary.products == len(storefront_assignments())
    assert set(found(indexed, "zune")) == {"microsoft-zune16M", "microsoft-zune120M"}


# ---- the request and its scope ------------------------------------------------------------------------------


def test_an_unknown_site_ends_in_error_naming_it_and_changes_nothing(demo: JobEngine) -> None:
    execution = run_job(demo, FULL, {"site_scope": {"named_sites": [SITE, "NoSuchSite"]}})
    assert execution.state is State.FAILED
    assert execution.exit_code == "UNKNOWN_SITE"
    assert "'NoSuchSite'" in (execution.exit_message or "")
    with pytest.raises(SearchIndexNotBuilt):  # RefArch, which exists, was not built either
        search_products(demo.db, SITE, "zune")


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({}, MissingParameter),
        ({"site_scope": []}, InvalidParameter),
        ({"site_scope": "RefArch"}, InvalidParameter),
        ({"site_scope": {"named_sites": []}}, InvalidParameter),
        ({"site_scope": {"all_storefront_sites": False}}, InvalidParameter),
        ({"site_scope": {"named_sites": ["RefArch"], "all_storefront_sites": True}}, InvalidParameter),
        ({"site_scope": ["RefArch"], "sites": ["RefArch"]}, UnknownProperty),
    ],
)
def test_a_bad_site_scope_is_refused(body: dict[str, Any], error: type[Exception]) -> None:
    definition = default_registry().get(FULL)
    with pytest.raises(error):
        definition.read_system_request(body)


@pytest.mark.parametrize(
    ("scope", "echoed"),
    [
        (["RefArch"], '{"named_sites":["RefArch"]}'),
        ({"named_sites": ["RefArch", "Other"]}, '{"named_sites":["RefArch","Other"]}'),
        ({"all_storefront_sites": True}, '{"all_storefront_sites":true}'),
    ],
)
def test_the_site_scope_is_echoed_as_the_site_scope_parameter(scope: Any, echoed: str) -> None:
    for job_id in (FULL, DELTA, "sfcc-search-index-product-incremental-update"):
        parameters, _params = default_registry().get(job_id).read_system_request({"site_scope": scope})
        assert parameters == [{"name": "SiteScope", "value": echoed}]


def test_the_jobs_over_ocapi(api: TestClient) -> None:
    """As a client starts them: the documented list form, the echo, and an ERROR that names the site."""
    doc = start(api, FULL, {"site_scope": ["RefArch"]})
    assert [(p["name"], p["value"]) for p in doc["parameters"]] == [
        ("SiteScope", '{"named_sites":["RefArch"]}')
    ]
    final = wait_for(api, f"{V}/jobs/{FULL}/executions/{doc['id']}")
    assert (final["status"], final["exit_status"]["code"]) == ("ERROR", "UNKNOWN_SITE")  # the store is empty
    assert "'RefArch'" in final["exit_status"]["message"]
    url = f"{V}/jobs/{DELTA}/executions"
    assert_fault(api.post(url, json={"site_scope": []}), 400, "InvalidParameterException")
    assert_fault(api.post(url, json={"site_scope": ["RefArch"], "x": 1}), 400, "UnknownPropertyException")
