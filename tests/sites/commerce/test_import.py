"""`sfcc-site-archive-import` end to end on SQLite and PostgreSQL: the SFRA demo archive lands in the store
whole, the modes do what they say, and bad archives end in ERROR with nothing changed and nothing left over."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from lxml import etree  # type: ignore[import-untyped]

from sitejobs.engine.service import JobEngine
from sitejobs.engine.states import State
from sitejobs.sites.commerce.apply import Applier
from sitejobs.sites.commerce.xmlstream import local
from tests.sites.commerce.helpers import (
    TOP,
    c14n,
    children,
    fixture_entries,
    ids,
    instance_dir,
    parse,
    rows,
    run_import,
    snapshot,
    write_zip,
)

NS = "http://www.demandware.com/xml/impex"


@pytest.fixture
def demo_zip(engine: JobEngine) -> str:
    write_zip(instance_dir(engine), "site.zip", fixture_entries())
    return "site.zip"


def imported(engine: JobEngine, file_name: str, mode: str = "merge") -> None:
    execution = run_import(engine, file_name, mode)
    assert execution.state is State.SUCCEEDED, (execution.exit_code, execution.exit_message)


# ---- the whole demo archive ---------------------------------------------------------------------------------


@pytest.mark.usefixtures("executor")
def test_every_object_of_the_demo_archive_is_stored(engine: JobEngine, demo_zip: str) -> None:
    execution = run_import(engine, demo_zip)
    assert execution.state is State.SUCCEEDED, execution.exit_message
    assert execution.percent == 100

    for catalog_id in ("electronics-m-catalog", "storefront-catalog-m-en"):
        root = parse(f"catalogs/{catalog_id}/catalog.xml")
        products = children(root, "product")
        stored = rows(engine, "cc_products", catalog_id=catalog_id)
        assert len(stored) == len(products)
        assert {(r["product_id"],) for r in stored} == ids(products, "product-id")
        by_id = {r["product_id"]: r for r in stored}
        for product in products:  # kept losslessly
            assert c14n(by_id[product.get("product-id")]["xml"]) == c14n(product)
        assignments = children(root, "category-assignment")
        stored_assignments = rows(engine, "cc_category_assignments", catalog_id=catalog_id)
        assert len(stored_assignments) == len(assignments)
        assert {(r["category_id"], r["product_id"]) for r in stored_assignments} == ids(
            assignments, "category-id", "product-id"
        )
        categories = children(root, "category")
        assert {(r["category_id"],) for r in rows(engine, "cc_categories", catalog_id=catalog_id)} == ids(
            categories, "category-id"
        )
        others = [c for c in root if isinstance(c.tag, str)]
        extras = rows(engine, "cc_extras", owner_kind="catalog", owner_id=catalog_id)
        assert len(extras) == len(others) - len(products) - len(assignments) - len(categories)
    master = rows(engine, "cc_products", catalog_id="electronics-m-catalog")
    assert len(master) == len(children(parse("catalogs/electronics-m-catalog/catalog.xml"), "product"))

    library = parse("libraries/RefArchSharedLibrary/library.xml")
    contents = {c.get("content-id"): c for c in children(library, "content")}  # the demo repeats one id
    stored_contents = {r["content_id"]: r for r in rows(engine, "cc_content_assets")}
    assert set(stored_contents) == set(contents)
    for content_id, element in contents.items():
        assert c14n(stored_contents[content_id]["xml"]) == c14n(element)
    banner = stored_contents["404-banner"]["attributes"]
    assert banner["display-name"]["fr-FR"] == "404-bannière"
    assert set(banner["custom"]["body"]) == {"x-default", "fr-FR", "it-IT", "ja-JP", "zh-CN"}
    folders = children(library, "folder")
    assert {(r["folder_id"],) for r in rows(engine, "cc_library_folders")} == ids(folders, "folder-id")

    for book in ("usd-m-list-prices", "usd-m-sale-prices"):
        tables = list(parse(f"pricebooks/{book}.xml").iter(f"{{{NS}/pricebook/2006-10-31}}price-table"))
        stored_tables = rows(engine, "cc_price_tables", pricebook_id=book)
        assert len(stored_tables) == len(tables)
        assert {(r["product_id"],) for r in stored_tables} == ids(tables, "product-id")
    for rel, list_id in (
        ("inventory_m.xml", "inventory_m"),
        ("inventory_m_store_store1.xml", "inventory_m_store_store1"),
    ):
        records = list(parse(f"inventory-lists/{rel}").iter(f"{{{NS}/inventory/2007-05-31}}record"))
        stored_records = rows(engine, "cc_inventory_records", list_id=list_id)
        assert {(r["product_id"],) for r in stored_records} == ids(records, "product-id")
        assert len(stored_records) == len(records)

    [site] = rows(engine, "cc_sites")
    assert (site["site_id"], site["name"], site["currency"]) == ("RefArch", "RefArch", "USD")
    prefs = {
        r["tag"]: r["data"]
        for r in rows(engine, "cc_document_elements", path="sites/RefArch/preferences.xml")
    }
    assert prefs["standard-preferences"]["all-instances"]["SiteCatalog"] == "storefront-catalog-m-en"
    extensions = children(parse("meta/system-objecttype-extensions.xml"), "type-extension")
    assert {(r["type_id"],) for r in rows(engine, "cc_object_types")} == ids(extensions, "type-id")

    # Every other file is a document, each of its top-level elements kept in order.
    documents = {r["path"]: r for r in rows(engine, "cc_documents")}
    assert "sites/RefArch/promotions.xml" in documents
    assert {"preferences.xml", "jobs.xml", "schedules.xml", "pagemetatag.xml", "customer-lists.xml"} <= set(
        documents
    )
    assert documents["sites/RefArch/slots.xml"]["site_id"] == "RefArch"
    promotions = parse("sites/RefArch/promotions.xml")
    stored_promotions = rows(engine, "cc_document_elements", path="sites/RefArch/promotions.xml")
    assert [c14n(r["xml"]) for r in stored_promotions] == [
        c14n(e) for e in promotions if isinstance(e.tag, str)
    ]

    xml_files = [p for p in fixture_entries() if p.endswith(".xml")]
    steps = execution.steps or []
    assert len(steps) == len(xml_files) + 1  # one per file, then the store write
    assert {s["step_id"] for s in steps} >= {"catalogs/electronics-m-catalog", "sites/RefArch", "store"}
    assert all(s["state"] == "succeeded" for s in steps)
    log = engine.log_text(execution.id)
    [line] = [line for line in log.splitlines() if "INFO catalogs/electronics-m-catalog:" in line]
    assert f" {len(master)} products" in line


@pytest.mark.usefixtures("executor")
def test_a_second_merge_import_changes_nothing(engine: JobEngine, demo_zip: str) -> None:
    imported(engine, demo_zip)
    first = snapshot(engine)
    imported(engine, demo_zip)
    assert snapshot(engine) == first


# ---- modes ------------------------------------------------------------------------------------------------


def _catalog(catalog_id: str, body: str) -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<catalog xmlns="{NS}/catalog/2006-10-31" '
        f'catalog-id="{catalog_id}">\n{body}\n</catalog>\n'
    ).encode()


def _product(product_id: str, name: str = "Kept", extra: str = "") -> str:
    return (
        f'<product product-id="{product_id}"{extra}><display-name xml:lang="x-default">{name}</display-name>'
        "<online-flag>true</online-flag></product>"
    )


@pytest.mark.usefixtures("executor")
def test_replace_recreates_each_object_it_names_and_keeps_the_others(
    engine: JobEngine, demo_zip: str
) -> None:
    imported(engine, demo_zip)
    before = snapshot(engine)
    body = _product("S2510211M", "Replaced") + _product("brand-new")
    write_zip(
        instance_dir(engine),
        "small.zip",
        {f"{TOP}/catalogs/electronics-m-catalog/catalog.xml": _catalog("electronics-m-catalog", body)},
    )
    imported(engine, "small.zip", "replace")
    after = snapshot(engine)
    products = {
        r["product_id"]: r for r in after["cc_products"] if r["catalog_id"] == "electronics-m-catalog"
    }
    old = {r["product_id"]: r for r in before["cc_products"] if r["catalog_id"] == "electronics-m-catalog"}
    assert set(products) == set(old) | {"brand-new"}
    replaced = products["S2510211M"]
    assert replaced["names"] == {"x-default": "Replaced"}
    assert [local(c.tag) for c in etree.fromstring(replaced["xml"])] == ["display-name", "online-flag"]
    others = {k: v for k, v in products.items() if k not in ("S2510211M", "brand-new")}
    assert others == {k: v for k, v in old.items() if k != "S2510211M"}
    for table in ("cc_category_assignments", "cc_extras", "cc_content_assets", "cc_price_tables", "cc_sites"):
        assert after[table] == before[table]


def _camera(engine: JobEngine, product_id: str = "canon-eos-50d-bodyM") -> dict[str, Any]:
    [row] = rows(engine, "cc_products", catalog_id="electronics-m-catalog", product_id=product_id)
    return row


def _custom(xml: str) -> dict[str, str]:
    return {c.get("attribute-id"): c.text for c in etree.fromstring(xml).iter("{*}custom-attribute")}


def _merge_catalog(engine: JobEngine, file_name: str, body: str) -> None:
    catalog = _catalog("electronics-m-catalog", body)
    write_zip(instance_dir(engine), file_name, {f"{TOP}/catalogs/electronics-m-catalog/catalog.xml": catalog})
    imported(engine, file_name, "merge")


@pytest.mark.usefixtures("executor")
def test_merge_updates_the_attributes_the_archive_has_and_keeps_the_others(
    engine: JobEngine, demo_zip: str
) -> None:
    imported(engine, demo_zip)
    before = snapshot(engine)
    camera = _camera(engine)
    name, custom = camera["names"]["x-default"], _custom(camera["xml"])
    assert custom["batteryLife"] != "9 hours"
    _merge_catalog(
        engine,
        "names.zip",
        '<product product-id="canon-eos-50d-bodyM"><display-name xml:lang="fr-FR">Appareil</display-name>'
        '<display-name xml:lang="de-DE">Kamera</display-name></product>',
    )
    _merge_catalog(
        engine,
        "change.zip",
        '<product product-id="canon-eos-50d-bodyM"><display-name xml:lang="fr-FR">Appareil photo</display-name>'
        '<custom-attributes><custom-attribute attribute-id="batteryLife">9 hours</custom-attribute>'
        "</custom-attributes></product>" + _product("brand-new", "New"),
    )

    merged = _camera(engine)
    assert merged["names"] == {"x-default": name, "fr-FR": "Appareil photo", "de-DE": "Kamera"}
    assert _custom(merged["xml"]) == custom | {"batteryLife": "9 hours"}
    tags = [local(c.tag) for c in etree.fromstring(camera["xml"])]
    at = tags.index("display-name") + 1  # the new locales follow the stored one, the rest is as it was
    assert [local(c.tag) for c in etree.fromstring(merged["xml"])] == [
        *tags[:at],
        *["display-name"] * 2,
        *tags[at:],
    ]
    assert (merged["online"], merged["searchable"]) == (camera["online"], camera["searchable"])
    assert merged["revision"] > camera["revision"]  # the search index sees it changed
    assert _camera(engine, "brand-new")["names"] == {"x-default": "New"}
    after = snapshot(engine)
    assert len(after["cc_products"]) == len(before["cc_products"]) + 1
    changed = ("canon-eos-50d-bodyM", "brand-new")
    assert [r for r in after["cc_products"] if r["product_id"] not in changed] == [
        r for r in before["cc_products"] if r["product_id"] not in changed
    ]


@pytest.mark.usefixtures("executor")
def test_merge_changes_one_localized_attribute_of_a_content_asset(engine: JobEngine, demo_zip: str) -> None:
    imported(engine, demo_zip)
    [banner] = rows(engine, "cc_content_assets", content_id="404-banner")
    library = (
        f'<library xmlns="{NS}/library/2006-10-31" library-id="RefArchSharedLibrary">'
        '<content content-id="404-banner"><custom-attributes>'
        '<custom-attribute attribute-id="body" xml:lang="fr-FR">&lt;p&gt;Nouveau&lt;/p&gt;</custom-attribute>'
        "</custom-attributes></content></library>"
    ).encode()
    write_zip(
        instance_dir(engine), "banner.zip", {f"{TOP}/libraries/RefArchSharedLibrary/library.xml": library}
    )
    imported(engine, "banner.zip", "merge")
    [merged] = rows(engine, "cc_content_assets", content_id="404-banner")
    expected = banner["attributes"]
    assert expected["custom"]["body"]["fr-FR"] != "<p>Nouveau</p>"
    expected["custom"]["body"]["fr-FR"] = "<p>Nouveau</p>"
    assert merged["attributes"] == expected  # the other locales of body, and the other attributes, kept
    assert (merged["online"], merged["folder_id"]) == (banner["online"], banner["folder_id"])


@pytest.mark.usefixtures("executor")
def test_merge_of_price_books_and_inventory_keeps_what_the_archive_leaves_out(
    engine: JobEngine, demo_zip: str
) -> None:
    imported(engine, demo_zip)
    pricebook = (
        f'<pricebooks xmlns="{NS}/pricebook/2006-10-31"><pricebook><header pricebook-id="usd-m-list-prices">'
        '<display-name xml:lang="fr-FR">Prix</display-name></header><price-tables>'
        '<price-table product-id="008884303989M"><amount quantity="1">70.00</amount>'
        '<amount quantity="3">65.00</amount></price-table></price-tables></pricebook></pricebooks>'
    ).encode()
    inventory = (
        f'<inventory xmlns="{NS}/inventory/2007-05-31"><inventory-list><header list-id="inventory_m"/>'
        '<records><record product-id="008884303989M"><allocation>7</allocation></record></records>'
        "</inventory-list></inventory>"
    ).encode()
    write_zip(
        instance_dir(engine),
        "lists.zip",
        {
            f"{TOP}/pricebooks/usd-m-list-prices.xml": pricebook,
            f"{TOP}/inventory-lists/inventory_m.xml": inventory,
        },
    )
    imported(engine, "lists.zip", "merge")

    [book] = rows(engine, "cc_pricebooks", pricebook_id="usd-m-list-prices")
    assert (book["names"], book["currency"], book["online"]) == (
        {"x-default": "List Prices", "fr-FR": "Prix"},
        "USD",
        True,
    )
    [table] = rows(engine, "cc_price_tables", pricebook_id="usd-m-list-prices", product_id="008884303989M")
    assert table["amounts"] == {"1": "70.00", "3": "65.00"}  # the price tiers are one value
    [record] = rows(engine, "cc_inventory_records", list_id="inventory_m", product_id="008884303989M")
    assert record["allocation"] == "7"
    kept = [(local(c.tag), c.text) for c in etree.fromstring(record["xml"])]
    assert kept == [("allocation", "7"), ("perpetual", "false"), ("preorder-backorder-handling", "none")]


@pytest.mark.usefixtures("executor")
def test_a_failed_merge_changes_nothing(engine: JobEngine, demo_zip: str) -> None:
    imported(engine, demo_zip)
    before = snapshot(engine)
    body = (
        '<product product-id="canon-eos-50d-bodyM"><display-name xml:lang="fr-FR">Appareil</display-name></product>'
        "<product/>"  # no product-id: the import fails after the first was merged
    )
    catalog = _catalog("electronics-m-catalog", body)
    write_zip(instance_dir(engine), "bad.zip", {f"{TOP}/catalogs/electronics-m-catalog/catalog.xml": catalog})
    execution = run_import(engine, "bad.zip", "merge")
    assert (execution.state, execution.exit_code) == (State.FAILED, "INVALID_DATA")
    assert snapshot(engine) == before


@pytest.mark.usefixtures("executor")
def test_delete_mode_removes_what_the_archive_names(engine: JobEngine, demo_zip: str) -> None:
    imported(engine, demo_zip)
    count = len(rows(engine, "cc_products", catalog_id="electronics-m-catalog"))
    body = '<product product-id="S2510211M"/><product product-id="apple-ipod-classicM"/>'
    write_zip(
        instance_dir(engine),
        "two.zip",
        {f"{TOP}/catalogs/electronics-m-catalog/catalog.xml": _catalog("electronics-m-catalog", body)},
    )
    imported(engine, "two.zip", "delete")
    left = {r["product_id"] for r in rows(engine, "cc_products", catalog_id="electronics-m-catalog")}
    assert len(left) == count - 2
    assert not {"S2510211M", "apple-ipod-classicM"} & left
    assert rows(engine, "cc_catalogs", catalog_id="electronics-m-catalog")  # not empty: kept

    imported(engine, demo_zip, "delete")  # the whole archive: everything it holds goes
    assert all(not table_rows for table_rows in snapshot(engine).values())


@pytest.mark.usefixtures("executor")
def test_elements_marked_mode_delete_are_removed(engine: JobEngine, demo_zip: str) -> None:
    imported(engine, demo_zip)
    before = snapshot(engine)
    catalog = _catalog(
        "electronics-m-catalog",
        '<product product-id="S2510211M" mode="delete"/>'
        '<category-assignment category-id="electronics-digital-cameras" product-id="canon-eos-50d-bodyM" mode="delete"/>'
        + _product("added"),
    )
    library = (
        f'<library xmlns="{NS}/library/2006-10-31" library-id="RefArchSharedLibrary">'
        '<content content-id="404-banner" mode="delete"/></library>'
    ).encode()
    pricebook = (
        f'<pricebooks xmlns="{NS}/pricebook/2006-10-31"><pricebook><header pricebook-id="usd-m-list-prices">'
        '<currency>USD</currency></header><price-tables><price-table product-id="008884303989M" mode="delete"/>'
        "</price-tables></pricebook></pricebooks>"
    ).encode()
    inventory = (
        f'<inventory xmlns="{NS}/inventory/2007-05-31"><inventory-list><header list-id="inventory_m"/>'
        '<records><record product-id="008884303989M" mode="delete"/></records></inventory-list></inventory>'
    ).encode()
    write_zip(
        instance_dir(engine),
        "deletes.zip",
        {
            f"{TOP}/catalogs/electronics-m-catalog/catalog.xml": catalog,
            f"{TOP}/libraries/RefArchSharedLibrary/library.xml": library,
            f"{TOP}/pricebooks/usd-m-list-prices.xml": pricebook,
            f"{TOP}/inventory-lists/inventory_m.xml": inventory,
        },
    )
    imported(engine, "deletes.zip")
    after = snapshot(engine)
    products = {r["product_id"] for r in after["cc_products"]}
    assert "S2510211M" not in products
    assert "added" in products
    assert len(after["cc_category_assignments"]) == len(before["cc_category_assignments"]) - 1
    assert len(after["cc_content_assets"]) == len(before["cc_content_assets"]) - 1
    assert len(after["cc_price_tables"]) == len(before["cc_price_tables"]) - 1
    assert len(after["cc_inventory_records"]) == len(before["cc_inventory_records"]) - 1
    assert not rows(engine, "cc_price_tables", pricebook_id="usd-m-list-prices", product_id="008884303989M")


@pytest.mark.usefixtures("executor")
def test_unknown_folders_and_other_files_are_kept(engine: JobEngine) -> None:
    entries = fixture_entries("sites/RefArch/site.xml")
    entries[f"{TOP}/custom-stuff/thing.xml"] = b'<thing xmlns="urn:x"><a id="1">one</a><b/></thing>'
    entries[f"{TOP}/libraries/RefArchSharedLibrary/static/default/logo.png"] = bytes(range(256)) * 4
    write_zip(instance_dir(engine), "odd.zip", entries)
    imported(engine, "odd.zip")
    [document] = rows(engine, "cc_documents")
    assert (document["path"], document["kind"], document["site_id"]) == (
        "custom-stuff/thing.xml",
        "thing",
        None,
    )
    assert [r["tag"] for r in rows(engine, "cc_document_elements")] == ["a", "b"]
    [kept] = rows(engine, "cc_files")
    assert kept["path"] == "libraries/RefArchSharedLibrary/static/default/logo.png"
    assert kept["content"] == bytes(range(256)) * 4


# ---- bad archives: ERROR, nothing changed, nothing left behind ------------------------------------------------


def _billion_laughs() -> bytes:
    entities = ['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)]
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n' + "\n".join(entities) + "\n]>\n<lolz>&lol9;</lolz>\n"
    ).encode()


MALFORMED = _catalog("electronics-m-catalog", "<product product-id='x'>\n<ean>\n</product>")


def _bad_archive(instance: Path, case: str) -> tuple[str, str, str]:
    """Write the bad input for `case`: (file name, expected exit code, text the message must hold)."""
    base = fixture_entries("sites/RefArch/site.xml", "pricebooks/usd-m-sale-prices.xml")
    if case == "parent-entry":
        write_zip(instance, "bad.zip", {**base, f"{TOP}/../evil.xml": b"<x/>"})
        return "bad.zip", "UNSAFE_ARCHIVE", "'..'"
    if case == "absolute-entry":
        write_zip(instance, "bad.zip", {**base, "/etc/evil.xml": b"<x/>"})
        return "bad.zip", "UNSAFE_ARCHIVE", "absolute"
    if case == "zip-bomb":
        write_zip(
            instance, "bad.zip", {**base, f"{TOP}/meta/zeros.xml": b"<x>" + b"0" * (64 << 20) + b"</x>"}
        )
        return "bad.zip", "UNSAFE_ARCHIVE", "times"
    if case == "not-a-zip":
        (instance / "bad.zip").write_bytes(b"PK? no, just text\n" * 100)
        return "bad.zip", "INVALID_ARCHIVE", "not a zip"
    if case == "billion-laughs":
        write_zip(instance, "bad.zip", {**base, f"{TOP}/meta/laughs.xml": _billion_laughs()})
        return "bad.zip", "FORBIDDEN_DOCTYPE", f"{TOP}/meta/laughs.xml' line 2"
    if case == "malformed":  # the last file: everything before it was fine
        write_zip(instance, "bad.zip", {**base, f"{TOP}/zz/catalog.xml": MALFORMED})
        return "bad.zip", "MALFORMED_XML", f"'{TOP}/zz/catalog.xml' at line 5"
    if case == "two-top-folders":
        write_zip(instance, "bad.zip", {**base, "other/site.xml": b"<x/>"})
        return "bad.zip", "INVALID_ARCHIVE", "one top folder"
    if case == "missing-id":
        write_zip(instance, "bad.zip", {**base, f"{TOP}/catalogs/x/catalog.xml": _catalog("x", "<product/>")})
        return "bad.zip", "INVALID_DATA", "'product-id'"
    if case == "id-too-long":
        catalog = _catalog("x", f"<product product-id='{'p' * 300}'/>")
        write_zip(instance, "bad.zip", {**base, f"{TOP}/catalogs/x/catalog.xml": catalog})
        return "bad.zip", "INVALID_DATA", "longer than 256"
    if case == "missing-file":
        return "nothing-here.zip", "FILE_NOT_FOUND", "nothing-here.zip"
    if case == "dotdot-name":
        return "..", "INVALID_FILE_NAME", "'..'"
    if case == "slash-name":
        return "../data/site.zip", "INVALID_FILE_NAME", "'/'"
    raise AssertionError(case)


BAD_CASES = [
    "parent-entry",
    "absolute-entry",
    "zip-bomb",
    "not-a-zip",
    "billion-laughs",
    "malformed",
    "two-top-folders",
    "missing-id",
    "id-too-long",
    "missing-file",
    "dotdot-name",
    "slash-name",
]


@pytest.mark.usefixtures("executor")
@pytest.mark.parametrize("case", BAD_CASES)
def test_a_bad_archive_fails_and_changes_nothing(engine: JobEngine, case: str) -> None:
    instance = instance_dir(engine)
    write_zip(instance, "good.zip", fixture_entries("catalogs/electronics-m-catalog", "sites/RefArch"))
    imported(engine, "good.zip")
    before = snapshot(engine)
    data_dir = engine.settings.data_dir
    file_name, code, text = _bad_archive(instance, case)
    files_before = _data_files(data_dir)

    execution = run_import(engine, file_name)

    assert execution.state is State.FAILED
    assert execution.exit_code == code, execution.exit_message
    assert text in (execution.exit_message or ""), execution.exit_message
    assert snapshot(engine) == before
    assert _data_files(data_dir) == files_before  # no spooled or extracted files left
    if case in (
        "malformed",
        "billion-laughs",
        "missing-id",
        "id-too-long",
    ):  # found while reading that file's step
        assert [s["state"] for s in execution.steps or []][-1] == "failed"


def _data_files(data_dir: Path) -> set[str]:
    """Files in the data directory other than the database and the job logs."""
    return {
        p.relative_to(data_dir).as_posix()
        for p in data_dir.rglob("*")
        if p.is_file()
        and not p.name.startswith("sitejobs.db")
        and "logs" not in p.relative_to(data_dir).parts
    }


@pytest.mark.usefixtures("executor")
@pytest.mark.parametrize(
    ("limit", "value", "message"),
    [
        ("archive_max_bytes", 100_000, "expands to"),
        ("archive_max_entries", 3, "entries"),
        ("archive_max_ratio", 2.0, "times"),
    ],
)
def test_archive_limits_come_from_settings(engine: JobEngine, limit: str, value: float, message: str) -> None:
    write_zip(instance_dir(engine), "site.zip", fixture_entries("catalogs", "sites/RefArch"))
    setattr(engine.settings, limit, value)
    execution = run_import(engine, "site.zip")
    assert (execution.state, execution.exit_code) == (State.FAILED, "UNSAFE_ARCHIVE")
    assert message in (execution.exit_message or "")
    assert snapshot(engine) == {name: [] for name in snapshot(engine)}


@pytest.mark.usefixtures("executor")
def test_a_failure_while_writing_rolls_everything_back(
    engine: JobEngine, demo_zip: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_zip(instance_dir(engine), "good.zip", fixture_entries("sites/RefArch"))
    imported(engine, "good.zip")
    before = snapshot(engine)
    flush = Applier._flush
    calls = 0

    def failing(self: Applier, *args: Any) -> None:
        nonlocal calls
        calls += 1
        if calls == 5:  # some batches are written by then
            raise RuntimeError("disk on fire")
        flush(self, *args)

    monkeypatch.setattr(Applier, "_flush", failing)
    execution = run_import(engine, demo_zip)
    assert (execution.state, execution.exit_code) == (State.FAILED, "ERROR")
    assert "disk on fire" in (execution.exit_message or "")
    assert snapshot(engine) == before


@pytest.mark.usefixtures("executor")
def test_a_full_scratch_disk_ends_in_error_and_changes_nothing(
    engine: JobEngine, demo_zip: str, backend: str, tmp_path: Path, small_disk: Callable[[Path, int], Path]
) -> None:
    write_zip(instance_dir(engine), "good.zip", fixture_entries("sites/RefArch"))
    imported(engine, "good.zip")
    before = snapshot(engine)
    scratch = small_disk(tmp_path / "scratch", 256 << 10)  # the demo archive spools megabytes
    engine.settings.scratch_dir = scratch

    execution = run_import(engine, demo_zip)
    if backend == "postgresql":  # written straight to the database while reading: no scratch space needed
        assert execution.state is State.SUCCEEDED, execution.exit_message
        return
    assert (execution.state, execution.exit_code) == (State.FAILED, "DISK_FULL")
    assert f"The scratch folder '{scratch}' ran out of space" in (execution.exit_message or "")
    assert snapshot(engine) == before
    assert os.listdir(scratch) == []
    assert shutil.disk_usage(scratch).used == 0  # the spooled file is gone with its space
