"""The columns the store keeps beside an object's XML, computed from its element.

One source for both places that need them: the reader, from the element in the archive, and a MERGE import,
from the element merged with the stored one (apply.py). Key columns are not here: they come from the
element's attributes (or, for a price table, its `online-from`), which a merge never changes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sitejobs.sites.commerce import schema
from sitejobs.sites.commerce.render import child_text, fields, flag, localized_document, names, xml_of
from sitejobs.sites.commerce.xmlstream import Element, local

Columns = Callable[[Element], dict[str, Any]]


def product(e: Element) -> dict[str, Any]:
    found = fields(e, flags=("online-flag", "searchable-flag"))
    return {
        "online": found.get("online-flag"),
        "searchable": found.get("searchable-flag"),
        "names": found.get("display-name"),
        "xml": xml_of(e),
    }


def category(e: Element) -> dict[str, Any]:
    """Also a library folder: the same shape."""
    found = fields(e, flags=("online-flag",), texts=("parent",))
    return {
        "parent_id": found.get("parent"),
        "online": found.get("online-flag"),
        "names": found.get("display-name"),
        "xml": xml_of(e),
    }


def assignment(e: Element) -> dict[str, Any]:
    return {"primary_flag": fields(e, flags=("primary-flag",)).get("primary-flag"), "xml": xml_of(e)}


def content(e: Element) -> dict[str, Any]:
    found = fields(e, flags=("online-flag", "searchable-flag"))
    return {
        "folder_id": classification_folder(e),
        "online": found.get("online-flag"),
        "searchable": found.get("searchable-flag"),
        "attributes": localized_document(e),
        "xml": xml_of(e),
    }


def classification_folder(element: Element) -> str | None:
    for link in element.iterchildren("{*}folder-links"):
        for classification in link.iterchildren("{*}classification-link"):
            folder: str | None = classification.get("folder-id")
            return folder
    return None


def price_table(e: Element) -> dict[str, Any]:
    _online_from, online_to, amounts = price_table_fields(e)
    return price_table_columns(e, online_to, amounts)


def price_table_columns(e: Element, online_to: str | None, amounts: dict[str, str]) -> dict[str, Any]:
    """For a reader that has read the fields already (it needs online-from for the key)."""
    return {"online_to": online_to, "amounts": amounts or None, "xml": xml_of(e)}


def price_table_fields(element: Element) -> tuple[str | None, str | None, dict[str, str]]:
    """online-from, online-to and the amounts by quantity, in one pass."""
    online_from = online_to = None
    amounts: dict[str, str] = {}
    for child in element.iterchildren("{*}online-from", "{*}online-to", "{*}amount"):
        tag = local(child.tag)
        if tag == "amount":
            amounts[child.get("quantity", "1")] = (child.text or "").strip()
        elif tag == "online-from":
            online_from = child.text or ""
        else:
            online_to = child.text or ""
    return online_from, online_to, amounts


def pricebook(header: Element) -> dict[str, Any]:
    """A price book's <header>."""
    return {
        "currency": child_text(header, "currency"),
        "parent_id": child_text(header, "parent"),
        "online": flag(header, "online-flag"),
        "names": names(header),
        "xml": xml_of(header),
    }


def inventory_record(e: Element) -> dict[str, Any]:
    return {"allocation": child_text(e, "allocation"), "xml": xml_of(e)}


def xml_only(e: Element) -> dict[str, Any]:
    return {"xml": xml_of(e)}


#: The tables whose objects a MERGE import merges attribute by attribute, with their columns.
MERGED: dict[str, Columns] = {
    schema.products.name: product,
    schema.categories.name: category,
    schema.category_assignments.name: assignment,
    schema.library_folders.name: category,
    schema.content_assets.name: content,
    schema.pricebooks.name: pricebook,
    schema.price_tables.name: price_table,
    schema.inventory_lists.name: xml_only,
    schema.inventory_records.name: inventory_record,
    schema.object_types.name: xml_only,
    schema.extras.name: xml_only,
}
