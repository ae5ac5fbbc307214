"""From a stored product (its impex XML) to its index rows: one per locale of the site, each text resolved
through the locale's fallbacks (en-US → en → x-default), markup stripped from the descriptions."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

from lxml import etree  # type: ignore[import-untyped]

from sitejobs.sites.commerce.search_index.site_setup import DEFAULT_LOCALE, SiteSearchSetup, fallbacks
from sitejobs.sites.commerce.xmlstream import PARSER_OPTIONS, local

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
LOCALIZED = ("display-name", "short-description", "long-description")
KEYS = ("manufacturer-sku", "ean", "upc")  # identifiers a shopper may type, besides the product id
_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")
_PARSER = etree.XMLParser(**PARSER_OPTIONS)

Localized = dict[str, str]  # locale → text


@dataclass
class ProductTexts:
    """What the index reads from one product element, for one site."""

    product_id: str
    localized: dict[str, Localized] = field(default_factory=dict)  # display-name, … → texts by locale
    brand: str | None = None
    manufacturer: str | None = None
    keys: list[str] = field(default_factory=list)
    custom: dict[str, Localized] = field(default_factory=dict)  # searchable custom attribute → texts
    online: bool = False  # B2C Commerce's default for a product without the flag
    searchable: bool = True


def clean(text: str | None) -> str:
    """Plain words: tags and entities of HTML descriptions (often escaped twice in impex files) resolved."""
    if not text:
        return ""
    for _ in range(2):
        if "&" in text:
            text = html.unescape(text)
        if "<" in text:
            text = _TAG.sub(" ", text)
    return _SPACE.sub(" ", text).strip()


def read_product(xml: str, site_id: str, attributes: frozenset[str]) -> ProductTexts:
    element = etree.fromstring(xml.encode(), _PARSER)
    texts = ProductTexts(element.get("product-id", ""))
    flags: dict[str, bool] = {}
    for child in element:
        tag = local(child.tag) if isinstance(child.tag, str) else ""
        if tag in LOCALIZED:
            locale = _locale(child.get(XML_LANG))
            texts.localized.setdefault(tag, {})[locale] = clean(child.text)
        elif tag in ("online-flag", "searchable-flag"):
            scope = child.get("site-id")
            if scope is None or scope == site_id:  # the site's own value wins over the global one
                key = f"{tag}@site" if scope else tag
                flags[key] = (child.text or "").strip().lower() == "true"
        elif tag == "brand":
            texts.brand = clean(child.text)
        elif tag == "manufacturer-name":
            texts.manufacturer = clean(child.text)
        elif tag in KEYS and child.text and child.text.strip():
            texts.keys.append(child.text.strip())
        elif tag == "custom-attributes" and attributes:
            _custom(child, attributes, texts.custom)
    texts.online = flags.get("online-flag@site", flags.get("online-flag", False))
    texts.searchable = flags.get("searchable-flag@site", flags.get("searchable-flag", True))
    return texts


def _custom(element: Any, attributes: frozenset[str], into: dict[str, Localized]) -> None:
    for child in element:
        attribute = child.get("attribute-id") if isinstance(child.tag, str) else None
        if attribute not in attributes:
            continue
        values = [v.text or "" for v in child.iterchildren("{*}value")] or [child.text or ""]
        text = clean(" ".join(values))
        if text:
            into.setdefault(attribute, {})[_locale(child.get(XML_LANG))] = text


def _locale(lang: str | None) -> str:
    if not lang or lang.lower() == "default":
        return DEFAULT_LOCALE
    return lang.replace("_", "-")


def resolve(values: Localized | None, chain: tuple[str, ...]) -> str | None:
    if not values:
        return None
    for locale in chain:
        text = values.get(locale)
        if text:
            return text
    return None


def index_rows(
    texts: ProductTexts,
    catalog_id: str,
    setup: SiteSearchSetup,
    category_ids: tuple[str, ...],
    category_names: dict[str, Localized],
    indexed_at: int,
) -> list[dict[str, Any]]:
    rows = []
    for locale in setup.locales:
        chain = fallbacks(locale)
        categories = [resolve(category_names.get(c), chain) or c for c in category_ids]
        attributes = [texts.product_id, *texts.keys]
        attributes += [text for values in texts.custom.values() if (text := resolve(values, chain))]
        rows.append(
            {
                "site_id": setup.site_id,
                "product_id": texts.product_id,
                "locale": locale,
                "catalog_id": catalog_id,
                "name": resolve(texts.localized.get("display-name"), chain),
                "brand": texts.brand or None,
                "manufacturer": texts.manufacturer or None,
                "categories": ", ".join(categories) or None,
                "short_description": resolve(texts.localized.get("short-description"), chain),
                "long_description": resolve(texts.localized.get("long-description"), chain),
                "attributes": " ".join(attributes),
                "category_ids": " ".join(category_ids),
                "online": texts.online,
                "searchable": texts.searchable,
                "indexed_at": indexed_at,
            }
        )
    return rows
