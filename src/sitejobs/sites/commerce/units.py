"""Readers for each kind of impex file: they stream the file and record its objects in the plan.

The reader is chosen by the root element (in a Demandware impex namespace): catalog, library, pricebooks,
inventory, metadata, site. Every other XML file is read as a document and kept whole.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from copy import deepcopy
from dataclasses import dataclass, field
from typing import Any

from lxml import etree  # type: ignore[import-untyped]

from sitejobs.sites.commerce import columns, schema
from sitejobs.sites.commerce.errors import InvalidData
from sitejobs.sites.commerce.plan import Plan
from sitejobs.sites.commerce.render import (
    child_text,
    fits,
    identity,
    is_delete,
    preferences_document,
    required,
    xml_of,
)
from sitejobs.sites.commerce.xmlstream import Element, XmlStream, local

IMPEX_NAMESPACE = "http://www.demandware.com/xml/impex/"


@dataclass
class Unit:
    """One XML file of the archive being read."""

    stream: XmlStream
    path: str  # below the archive's top folder
    plan: Plan
    counts: Counter[str] = field(default_factory=Counter)  # what was read, by kind of object

    @property
    def name(self) -> str:
        return self.stream.name

    @property
    def site_id(self) -> str | None:
        parts = self.path.split("/")
        return parts[1] if len(parts) > 2 and parts[0] == "sites" else None

    def extra(self, owner_kind: str, owner_id: str, element: Element) -> None:
        row: dict[str, Any] = {
            "owner_kind": owner_kind,
            "owner_id": owner_id,
            "tag": fits(local(element.tag), schema.TAG, "the element name", self.name, element.sourceline),
            "key": identity(element),
            "seq": self.counts["other elements"],
            "xml": xml_of(element),
        }
        self.plan.put(schema.extras.name, row, delete=is_delete(element))
        self.counts["other elements"] += 1

    def unexpected(self, element: Element) -> InvalidData:
        return InvalidData(
            f"'{self.name}' line {element.sourceline}: unexpected element <{local(element.tag)}> here."
        )


Reader = Callable[[Unit], None]


def reader_for(unit: Unit) -> Reader:
    root = unit.stream.root
    if root.namespace.startswith(IMPEX_NAMESPACE):
        return READERS.get(root.tag, read_document)
    return read_document


# ---- catalogs and libraries: objects keyed by attributes, within a container ------------------------------


@dataclass(frozen=True)
class Kind:
    """An object with a table of its own: its key columns (from attributes) and its other columns."""

    table: str
    label: str
    keys: tuple[tuple[str, str], ...]  # (column, attribute)
    columns: Callable[[Element], dict[str, Any]]


CATALOG_OBJECTS = {
    "product": Kind(schema.products.name, "products", (("product_id", "product-id"),), columns.product),
    "category": Kind(
        schema.categories.name, "categories", (("category_id", "category-id"),), columns.category
    ),
    "category-assignment": Kind(
        schema.category_assignments.name,
        "category assignments",
        (("category_id", "category-id"), ("product_id", "product-id")),
        columns.assignment,
    ),
}
LIBRARY_OBJECTS = {
    "folder": Kind(schema.library_folders.name, "folders", (("folder_id", "folder-id"),), columns.category),
    "content": Kind(
        schema.content_assets.name, "content assets", (("content_id", "content-id"),), columns.content
    ),
}
#: Children of a catalog without a table of their own, watched so that a long run of them stays streaming.
CATALOG_EXTRAS = ("recommendation", "product-option", "variation-attribute", "header")


def read_catalog(unit: Unit) -> None:
    root = unit.stream.root
    catalog_id = root.attrib.get("catalog-id")
    if not catalog_id:
        raise InvalidData(f"'{unit.name}' line {root.line}: <catalog> has no 'catalog-id' attribute.")
    unit.plan.container(schema.catalogs.name, {"catalog_id": catalog_id, "xml": root.xml})
    _read_objects(unit, ("catalog", "catalog_id", catalog_id), CATALOG_OBJECTS, CATALOG_EXTRAS)


def read_library(unit: Unit) -> None:
    root = unit.stream.root
    site_id = unit.site_id
    library_id = root.attrib.get("library-id") or site_id  # a site's private library may carry no id
    if not library_id:
        raise InvalidData(f"'{unit.name}' line {root.line}: <library> has no 'library-id' attribute.")
    row = {"library_id": library_id, "site_id": site_id, "xml": root.xml}
    unit.plan.container(schema.libraries.name, row)
    _read_objects(unit, ("library", "library_id", library_id), LIBRARY_OBJECTS)


def _read_objects(
    unit: Unit, owner: tuple[str, str, str], kinds: dict[str, Kind], extras: tuple[str, ...] = ()
) -> None:
    """The container's children: objects of `kinds` to their tables, any other child to the extras."""
    owner_kind, owner_column, owner_id = owner
    plan = unit.plan
    for event in unit.stream.events(watch=(*kinds, *extras)):
        if event.kind == "close":
            continue
        element = event.element
        kind = kinds.get(local(element.tag))
        if kind is None:
            unit.extra(owner_kind, owner_id, element)
            continue
        row = {owner_column: owner_id}
        for column, attribute in kind.keys:
            row[column] = required(element, attribute, unit.name)
        delete = plan.deleting or is_delete(element)
        if not delete:
            row |= kind.columns(element)
        plan.put(kind.table, row, delete=delete)
        unit.counts[kind.label] += 1


# ---- price books and inventory lists -----------------------------------------------------------------------


def read_pricebooks(unit: Unit) -> None:
    plan = unit.plan
    current: str | None = None
    gone = False  # the header said mode="delete"
    containers = [("pricebook",), ("pricebook", "price-tables")]
    for event in unit.stream.events(containers, watch=("header", "price-table")):
        element = event.element
        tag = local(element.tag)
        if event.kind == "close":
            if event.path == ("pricebook",):
                current, gone = None, False
            continue
        if event.path == () or (current is None and tag != "header"):
            raise unit.unexpected(element)
        if event.path == ("pricebook",) and tag == "header":
            current = required(element, "pricebook-id", unit.name)
            gone = is_delete(element)
            if gone:
                plan.delete(schema.pricebooks.name, {"pricebook_id": current})
            else:
                row = {"pricebook_id": current} | columns.pricebook(element)
                plan.container(schema.pricebooks.name, row)
            unit.counts["price books"] += 1
        elif tag == "price-table" and current is not None:
            _price_table(unit, current, element, gone)
        elif current is not None:
            unit.extra("pricebook", current, element)


def _price_table(unit: Unit, pricebook_id: str, element: Element, gone: bool) -> None:
    plan = unit.plan
    product_id = required(element, "product-id", unit.name)
    online_from, online_to, amounts = columns.price_table_fields(element)
    if online_from is not None:
        fits(online_from, schema.DATE, "<online-from>", unit.name, element.sourceline)
    unit.counts["price tables"] += 1
    if gone or plan.deleting or is_delete(element):
        keys = {"pricebook_id": pricebook_id, "product_id": product_id}
        if online_from is not None:  # without a date, every price table of the product goes
            keys["online_from"] = online_from
        if not gone:
            plan.delete(schema.price_tables.name, keys)
        return
    row = {"pricebook_id": pricebook_id, "product_id": product_id, "online_from": online_from or ""}
    plan.put(schema.price_tables.name, row | columns.price_table_columns(element, online_to, amounts))


def read_inventory(unit: Unit) -> None:
    plan = unit.plan
    current: str | None = None
    gone = False
    containers = [("inventory-list",), ("inventory-list", "records")]
    for event in unit.stream.events(containers, watch=("header", "record")):
        element = event.element
        tag = local(element.tag)
        if event.kind == "close":
            if event.path == ("inventory-list",):
                current, gone = None, False
            continue
        if event.path == () or (current is None and tag != "header"):
            raise unit.unexpected(element)
        if event.path == ("inventory-list",) and tag == "header":
            current = required(element, "list-id", unit.name)
            gone = is_delete(element)
            if gone:
                plan.delete(schema.inventory_lists.name, {"list_id": current})
            else:
                plan.container(schema.inventory_lists.name, {"list_id": current, "xml": xml_of(element)})
            unit.counts["inventory lists"] += 1
        elif tag == "record" and current is not None:
            product_id = required(element, "product-id", unit.name)
            unit.counts["inventory records"] += 1
            if gone:
                continue
            row: dict[str, Any] = {"list_id": current, "product_id": product_id}
            delete = plan.deleting or is_delete(element)
            if not delete:
                row |= columns.inventory_record(element)
            plan.put(schema.inventory_records.name, row, delete=delete)
        elif current is not None:
            unit.extra("inventory-list", current, element)


# ---- system object metadata, sites, documents --------------------------------------------------------------


def read_metadata(unit: Unit) -> None:
    plan = unit.plan
    for event in unit.stream.events(watch=("type-extension", "custom-type")):
        if event.kind == "close":
            continue
        element = event.element
        tag = local(element.tag)
        if tag in ("type-extension", "custom-type"):
            row: dict[str, Any] = {
                "kind": tag,
                "type_id": required(element, "type-id", unit.name),
                "xml": xml_of(element),
            }
            plan.put(schema.object_types.name, row, delete=is_delete(element))
            unit.counts["object types"] += 1
        else:
            unit.extra("meta", unit.path, element)


def read_site(unit: Unit) -> None:
    """site.xml is small: the site is kept as one row with its whole element."""
    root = unit.stream.root
    site_id = root.attrib.get("site-id") or unit.site_id
    if not site_id:
        raise InvalidData(f"'{unit.name}' line {root.line}: <site> has no 'site-id' attribute.")
    site = etree.fromstring(root.xml)
    for event in unit.stream.events():
        if event.kind == "object":
            site.append(deepcopy(event.element))
    row: dict[str, Any] = {
        "site_id": site_id,
        "name": child_text(site, "name"),
        "currency": child_text(site, "currency"),
        "xml": xml_of(site),
    }
    unit.plan.whole(schema.sites.name, row)
    unit.counts["sites"] += 1


def read_document(unit: Unit) -> None:
    """Any other XML file: its root and its top-level elements, in order, replaced whole."""
    root = unit.stream.root
    kind = fits(root.tag, schema.TAG, "the root element name", unit.name, root.line)
    row: dict[str, Any] = {"path": unit.path, "site_id": unit.site_id, "kind": kind, "xml": root.xml}
    keep = unit.plan.whole(schema.documents.name, row)
    preferences = root.tag == "preferences"
    seq = 0
    for event in unit.stream.events():
        if event.kind == "close" or not keep:
            continue
        element = event.element
        tag = fits(local(element.tag), schema.TAG, "the element name", unit.name, element.sourceline)
        data = preferences_document(element) if preferences else None
        unit.plan.upsert(
            schema.document_elements.name,
            {"path": unit.path, "seq": seq, "tag": tag, "data": data, "xml": xml_of(element)},
        )
        seq += 1
    unit.counts["documents"] += 1
    unit.counts["document elements"] += seq


READERS: dict[str, Reader] = {
    "catalog": read_catalog,
    "library": read_library,
    "pricebooks": read_pricebooks,
    "inventory": read_inventory,
    "metadata": read_metadata,
    "site": read_site,
}
