"""From an impex element to what the store keeps: its XML, flags, names by locale, a JSON rendering."""

from __future__ import annotations

import functools
import hashlib
from typing import Any

from lxml import etree  # type: ignore[import-untyped]

from sitejobs.sites.commerce import schema
from sitejobs.sites.commerce.errors import InvalidData
from sitejobs.sites.commerce.xmlstream import Element, local

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
DEFAULT_LOCALE = "x-default"
MAX_KEY = 500


def xml_of(element: Element) -> str:
    """The element as XML text, its namespace declared on it; equal input gives equal text (the same text as
    serializing to UTF-8 and decoding, a quarter faster)."""
    text: str = etree.tostring(element, encoding="unicode", with_tail=False)
    return text


def required(element: Element, attribute: str, name: str, limit: int = schema.ID) -> str:
    """An identifying attribute, which must be there and fit its column."""
    value: str | None = element.get(attribute)
    if not value or len(value) > limit:
        what = f"'{attribute}' of <{local(element.tag)}>"
        if not value:
            raise InvalidData(f"'{name}' line {element.sourceline}: {what} is missing.")
        fits(value, limit, what, name, element.sourceline)
    return value


def fits(value: str, limit: int, what: str, name: str, line: int | None) -> str:
    if len(value) > limit:
        raise InvalidData(f"'{name}' line {line}: {what} is longer than {limit} characters.")
    return value


def is_delete(element: Element) -> bool:
    return bool(element.get("mode") == "delete")


def child_text(element: Element, tag: str) -> str | None:
    for child in element.iterchildren(f"{{*}}{tag}"):
        return str(child.text or "")
    return None


def flag(element: Element, tag: str) -> bool | None:
    text = child_text(element, tag)
    if text is None:
        return None
    return text.strip().lower() == "true"


def fields(
    element: Element,
    flags: tuple[str, ...] = (),
    texts: tuple[str, ...] = (),
    localized: str = "display-name",
) -> dict[str, Any]:
    """In one pass over the children: each of `flags` as a bool, each of `texts` as its text, `localized`
    as `{locale: text}`. Site-specific values (a `site-id` attribute) are left to the XML."""
    found: dict[str, Any] = {}
    for child in element.iterchildren(*_tags(flags, texts, localized)):
        if child.get("site-id") is not None:
            continue
        tag = child.tag.rpartition("}")[2]
        if tag == localized:
            found.setdefault(tag, {})[child.get(XML_LANG, DEFAULT_LOCALE)] = child.text or ""
        elif tag not in found:
            text = child.text or ""
            found[tag] = text.strip().lower() == "true" if tag in flags else text
    return found


@functools.cache
def _tags(flags: tuple[str, ...], texts: tuple[str, ...], localized: str) -> tuple[str, ...]:
    return tuple(f"{{*}}{tag}" for tag in (*flags, *texts, localized))


def names(element: Element, tag: str = "display-name") -> dict[str, str] | None:
    """`{locale: text}` of the element's localized children named `tag`."""
    found = {
        child.get(XML_LANG, DEFAULT_LOCALE): child.text or "" for child in element.iterchildren(f"{{*}}{tag}")
    }
    return found or None


def identity(element: Element) -> str:
    """What tells an element from its siblings of the same tag: its attributes (the import mode aside)."""
    key = " ".join(f"{local(k)}={v}" for k, v in sorted(element.attrib.items()) if k != "mode")
    if len(key) > MAX_KEY:
        key = "sha256:" + hashlib.sha256(key.encode()).hexdigest()
    return key


def localized_document(element: Element) -> dict[str, Any]:
    """A JSON rendering of an object's attributes: simple children by name, localized ones as
    `{locale: text}`, `custom-attributes` under "custom" by attribute id, `page-attributes` under "page".
    Children with structure of their own (links, images, …) stay in the XML only."""
    document: dict[str, Any] = {}
    for child in element:
        tag = local(child.tag)
        if not tag:
            continue
        if tag == "custom-attributes":
            document["custom"] = _custom_attributes(child)
        elif tag == "page-attributes":
            page = _simple_children(child)
            if page:
                document["page"] = page
        elif len(child) == 0:
            _put(document, tag, child)
    return document


def _simple_children(element: Element) -> dict[str, Any]:
    document: dict[str, Any] = {}
    for child in element:
        tag = local(child.tag)
        if tag and len(child) == 0:
            _put(document, tag, child)
    return document


def _custom_attributes(element: Element) -> dict[str, Any]:
    document: dict[str, Any] = {}
    for child in element:
        attribute = child.get("attribute-id")
        if not attribute:
            continue
        values = [v.text or "" for v in child.iterchildren("{*}value")]
        if values:
            document[attribute] = values
        else:
            _put(document, attribute, child)
    return document


def _put(document: dict[str, Any], name: str, child: Element) -> None:
    text = child.text or ""
    lang = child.get(XML_LANG)
    if lang is None:
        document[name] = text
        return
    slot = document.get(name)
    if not isinstance(slot, dict):
        slot = document[name] = {}
    slot[lang] = text


def preferences_document(element: Element) -> dict[str, Any]:
    """`{instance type: {preference id: value}}` for a <standard-preferences> or <custom-preferences>."""
    document: dict[str, Any] = {}
    for instance in element:
        kind = local(instance.tag)
        if not kind:
            continue
        values: dict[str, Any] = {}
        for preference in instance:
            key = preference.get("preference-id")
            if key is None:
                continue
            listed = [v.text or "" for v in preference.iterchildren("{*}value")]
            if listed:
                values[key] = listed
            else:
                _put(values, key, preference)
        document[kind] = values
    return document
