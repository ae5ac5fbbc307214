"""What a site's search index is built from, read from the site's own imported files.

- the storefront catalog: the `SiteCatalog` preference (sites/{site}/preferences.xml, `all-instances`, or the
  `development` instance's value, which wins as on a sandbox);
- the locales: `index-settings/indexed-locales` of sites/{site}/search2.xml, else the `SiteLocales`
  preference (`default:en_US`), else x-default alone;
- the custom attributes that are searchable: `product.custom.*` paths of search2.xml's
  `searchable-attributes`. The standard texts (name, descriptions, brand, manufacturer, id, SKU, EAN, UPC,
  category names) are always indexed, whatever the list says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from lxml import etree  # type: ignore[import-untyped]
from sqlalchemy import Connection, select

from sitejobs.errors import InvalidParameter, StorefrontSiteNotFound
from sitejobs.sites.commerce import schema
from sitejobs.sites.commerce.xmlstream import PARSER_OPTIONS

DEFAULT_LOCALE = "x-default"
_LOCALE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_PARSER = etree.XMLParser(**PARSER_OPTIONS)


@dataclass(frozen=True)
class SiteSearchSetup:
    site_id: str
    catalog_id: str | None
    locales: tuple[str, ...]
    attributes: tuple[str, ...]  # ids of the searchable custom attributes

    def document(self) -> dict[str, Any]:
        """What the index state keeps: an index built with another setup must be built again whole."""
        return {
            "catalog_id": self.catalog_id,
            "locales": list(self.locales),
            "attributes": list(self.attributes),
        }


def normalize_locale(raw: str) -> str:
    """`en_US` → `en-US`, `default` → `x-default`; InvalidParameter for anything that is not a locale."""
    text = raw.strip().replace("_", "-")
    if text.lower() in ("default", DEFAULT_LOCALE):
        return DEFAULT_LOCALE
    if not _LOCALE.match(text):
        raise InvalidParameter(f"'{raw}' is not a locale (like en-US, fr, or default).", parameter="locale")
    return text


def fallbacks(locale: str) -> tuple[str, ...]:
    """The locales whose values stand in for `locale`, best first: en-US, en, x-default."""
    chain = [locale]
    language = locale.split("-")[0]
    if language != locale and locale != DEFAULT_LOCALE:
        chain.append(language)
    if locale != DEFAULT_LOCALE:
        chain.append(DEFAULT_LOCALE)
    return tuple(chain)


def read_setup(conn: Connection, site_id: str) -> SiteSearchSetup:
    if conn.execute(select(schema.sites.c.site_id).where(schema.sites.c.site_id == site_id)).first() is None:
        raise StorefrontSiteNotFound(f"No site '{site_id}' in the site store.", siteId=site_id)
    preferences = _preferences(conn, site_id)
    search = _search_elements(conn, site_id)
    locales = _indexed_locales(search.get("index-settings")) or _site_locales(preferences.get("SiteLocales"))
    catalog = preferences.get("SiteCatalog")
    return SiteSearchSetup(
        site_id=site_id,
        catalog_id=catalog if isinstance(catalog, str) and catalog else None,
        locales=locales or (DEFAULT_LOCALE,),
        attributes=_custom_attributes(search.get("searchable-attributes")),
    )


def _preferences(conn: Connection, site_id: str) -> dict[str, Any]:
    elements = schema.document_elements
    query = select(elements.c.data).where(
        elements.c.path == f"sites/{site_id}/preferences.xml", elements.c.tag == "standard-preferences"
    )
    values: dict[str, Any] = {}
    for (data,) in conn.execute(query):
        if isinstance(data, dict):
            values.update(data.get("all-instances") or {})
            values.update(data.get("development") or {})
    return values


def _search_elements(conn: Connection, site_id: str) -> dict[str, Any]:
    """search2.xml's top-level elements this module reads, parsed."""
    elements = schema.document_elements
    query = select(elements.c.tag, elements.c.xml).where(
        elements.c.path == f"sites/{site_id}/search2.xml",
        elements.c.tag.in_(("searchable-attributes", "index-settings")),
    )
    return {tag: etree.fromstring(xml.encode(), _PARSER) for tag, xml in conn.execute(query)}


def _indexed_locales(settings: Any) -> tuple[str, ...]:
    if settings is None:
        return ()
    found = [
        (child.text or "").strip()
        for listing in settings.iterchildren("{*}indexed-locales")
        for child in listing.iterchildren("{*}locale")
    ]
    return _unique(found)


def _site_locales(preference: Any) -> tuple[str, ...]:
    if not isinstance(preference, str):
        return ()
    return _unique(preference.split(":"))


def _unique(raw: list[str]) -> tuple[str, ...]:
    """Valid locales, normalized, x-default first (it is the last fallback of every other)."""
    locales: list[str] = []
    for value in raw:
        try:
            locale = normalize_locale(value)
        except InvalidParameter:
            continue
        if locale not in locales:
            locales.append(locale)
    return tuple(sorted(locales, key=lambda loc: loc != DEFAULT_LOCALE))


def _custom_attributes(searchable: Any) -> tuple[str, ...]:
    if searchable is None:
        return ()
    found: list[str] = []
    for path in searchable.iter("{*}attribute-path"):
        kind, _, rest = (path.text or "").strip().partition(".")
        group, _, attribute = rest.partition(".")
        if kind == "product" and group == "custom" and attribute and attribute not in found:
            found.append(attribute)
    return tuple(found)
