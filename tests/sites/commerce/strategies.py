"""Hypothesis strategies for small site archives in the dialect of the SFRA demo data: catalogs, libraries
(shared and a site's own), price books, inventory lists, a site with its documents, global documents, metadata,
static files and files no data unit names. Ids are unique where the store keys them; texts carry markup
characters and non-ASCII letters; the XML is pretty-printed or not."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st
from lxml import etree  # type: ignore[import-untyped]

NS = "http://www.demandware.com/xml/impex"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
LOCALES = ("x-default", "fr-FR", "ja-JP")

ids = st.text("abcdefghij0123456789-_", min_size=1, max_size=8)
texts = st.text(st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Zs")), max_size=12)
flags = st.sampled_from(("true", "false"))
Element = Any
Build = Callable[[Element], None]


def _sub(parent: Element, ns: str, tag: str, text: str | None = None, **attrib: str) -> Element:
    element = etree.SubElement(parent, f"{{{ns}}}{tag}", {k.replace("_", "-"): v for k, v in attrib.items()})
    element.text = text
    return element


def _names(draw: st.DrawFn, parent: Element, ns: str, tag: str = "display-name") -> None:
    for locale in draw(st.lists(st.sampled_from(LOCALES), unique=True, max_size=3)):
        _sub(parent, ns, tag, draw(texts)).set(XML_LANG, locale)


def _document(draw: st.DrawFn, tag: str, ns: str, build: Build, **attrib: str) -> bytes:
    root = etree.Element(f"{{{ns}}}{tag}", attrib, nsmap={None: ns})
    build(root)
    pretty = draw(st.booleans())
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=pretty))


@st.composite
def catalog(draw: st.DrawFn, catalog_id: str) -> bytes:
    ns = f"{NS}/catalog/2006-10-31"
    categories = draw(st.lists(ids, unique=True, max_size=4))
    products = draw(st.lists(ids, unique=True, max_size=5))

    def build(root: Element) -> None:
        if draw(st.booleans()):
            settings = _sub(_sub(root, ns, "header"), ns, "image-settings")
            _sub(settings, ns, "internal-location", base_path="/images")
        for category in categories:
            element = _sub(root, ns, "category", category_id=category)
            _names(draw, element, ns)
            _sub(element, ns, "online-flag", draw(flags))
            if draw(st.booleans()):
                _sub(element, ns, "parent", draw(st.sampled_from(categories)))
        for product in products:
            element = _sub(root, ns, "product", product_id=product)
            _names(draw, element, ns)
            _sub(element, ns, "online-flag", draw(flags))
            _sub(element, ns, "searchable-flag", draw(flags))
            custom = _sub(element, ns, "custom-attributes")
            _sub(custom, ns, "custom-attribute", draw(texts), attribute_id="color")
        for option in draw(st.lists(ids, unique=True, max_size=2)):
            _sub(_sub(root, ns, "product-option", option_id=option), ns, "sorting-mode", "position")
        pairs = [(c, p) for c in categories for p in products]
        for category, product in draw(st.lists(st.sampled_from(pairs), unique=True)) if pairs else []:
            assignment = _sub(root, ns, "category-assignment", category_id=category, product_id=product)
            _sub(assignment, ns, "primary-flag", draw(flags))
        for source, target in draw(st.lists(st.tuples(ids, ids), unique=True, max_size=2)):
            _sub(
                root,
                ns,
                "recommendation",
                source_id=source,
                source_type="product",
                target_id=target,
                type="1",
            )

    return _document(draw, "catalog", ns, build, **{"catalog-id": catalog_id})


@st.composite
def library(draw: st.DrawFn, library_id: str | None) -> bytes:
    ns = f"{NS}/library/2006-10-31"
    folders = draw(st.lists(ids, unique=True, max_size=3))

    def build(root: Element) -> None:
        for folder in folders:
            element = _sub(root, ns, "folder", folder_id=folder)
            _names(draw, element, ns)
            _sub(element, ns, "online-flag", draw(flags))
        for content in draw(st.lists(ids, unique=True, max_size=4)):
            element = _sub(root, ns, "content", content_id=content)
            _names(draw, element, ns)
            _sub(element, ns, "online-flag", draw(flags))
            custom = _sub(element, ns, "custom-attributes")
            for locale in draw(st.lists(st.sampled_from(LOCALES), unique=True, max_size=2)):
                body = _sub(custom, ns, "custom-attribute", f"<p>{draw(texts)}</p>", attribute_id="body")
                body.set(XML_LANG, locale)
            if folders:
                links = _sub(element, ns, "folder-links")
                _sub(links, ns, "classification-link", folder_id=draw(st.sampled_from(folders)))

    attrib = {"library-id": library_id} if library_id else {}
    return _document(draw, "library", ns, build, **attrib)


@st.composite
def pricebook(draw: st.DrawFn, book_id: str) -> bytes:
    ns = f"{NS}/pricebook/2006-10-31"
    dates = st.sampled_from([None, "2020-01-01T00:00:00.000Z", "2030-06-30T12:00:00.000Z"])
    tables = draw(st.lists(st.tuples(ids, dates), unique=True, max_size=5))

    def build(root: Element) -> None:
        book = _sub(root, ns, "pricebook")
        header = _sub(book, ns, "header", pricebook_id=book_id)
        _sub(header, ns, "currency", draw(st.sampled_from(("USD", "EUR"))))
        _names(draw, header, ns)
        _sub(header, ns, "online-flag", draw(flags))
        if tables:
            wrapper = _sub(book, ns, "price-tables")
            for product, online_from in tables:
                table = _sub(wrapper, ns, "price-table", product_id=product)
                if online_from:
                    _sub(table, ns, "online-from", online_from)
                amount = draw(st.decimals(0, 9999, places=2))
                _sub(table, ns, "amount", str(amount), quantity="1")

    return _document(draw, "pricebooks", ns, build)


@st.composite
def inventory(draw: st.DrawFn, list_id: str) -> bytes:
    ns = f"{NS}/inventory/2007-05-31"

    def build(root: Element) -> None:
        inventory_list = _sub(root, ns, "inventory-list")
        _sub(_sub(inventory_list, ns, "header", list_id=list_id), ns, "default-instock", draw(flags))
        records = _sub(inventory_list, ns, "records")
        for product in draw(st.lists(ids, unique=True, max_size=5)):
            record = _sub(records, ns, "record", product_id=product)
            _sub(record, ns, "allocation", str(draw(st.integers(0, 500))))

    return _document(draw, "inventory", ns, build)


@st.composite
def preferences(draw: st.DrawFn) -> bytes:
    ns = f"{NS}/preferences/2007-03-31"

    def build(root: Element) -> None:
        instances = _sub(_sub(root, ns, "standard-preferences"), ns, "all-instances")
        for key in draw(st.lists(st.sampled_from(("SiteCatalog", "SiteLibrary", "Locale")), unique=True)):
            _sub(instances, ns, "preference", draw(texts), preference_id=key)

    return _document(draw, "preferences", ns, build)


@st.composite
def metadata(draw: st.DrawFn, tag: str) -> bytes:
    ns = f"{NS}/metadata/2006-10-31"
    types = draw(st.lists(st.sampled_from(("Product", "SitePreferences", "Content", "Store")), unique=True))

    def build(root: Element) -> None:
        for type_id in types:
            definitions = _sub(_sub(root, ns, tag, type_id=type_id), ns, "custom-attribute-definitions")
            _sub(_sub(definitions, ns, "attribute-definition", attribute_id="x"), ns, "type", "string")

    return _document(draw, "metadata", ns, build)


@st.composite
def site(draw: st.DrawFn, site_id: str) -> bytes:
    ns = f"{NS}/site/2007-04-30"

    def build(root: Element) -> None:
        _sub(root, ns, "name", draw(texts))
        _sub(root, ns, "currency", "USD")

    return _document(draw, "site", ns, build, **{"site-id": site_id})


@st.composite
def site_archive(draw: st.DrawFn) -> dict[str, bytes]:
    """Archive entries (under one top folder) of a small generated site."""
    files: dict[str, bytes] = {}
    for catalog_id in draw(st.lists(ids, unique=True, max_size=2)):
        files[f"catalogs/{catalog_id}/catalog.xml"] = draw(catalog(catalog_id))
        if draw(st.booleans()):
            files[f"catalogs/{catalog_id}/static/default/{draw(ids)}.jpg"] = draw(st.binary(max_size=64))
    for library_id in draw(st.lists(ids, unique=True, max_size=2)):
        files[f"libraries/{library_id}/library.xml"] = draw(library(library_id))
        if draw(st.booleans()):
            files[f"libraries/{library_id}/static/default/{draw(ids)}.png"] = draw(st.binary(max_size=64))
    for book_id in draw(st.lists(ids, unique=True, max_size=2)):
        files[f"pricebooks/{book_id}.xml"] = draw(pricebook(book_id))
    for list_id in draw(st.lists(ids, unique=True, max_size=2)):
        files[f"inventory-lists/{list_id}.xml"] = draw(inventory(list_id))
    for site_id in draw(st.lists(ids, unique=True, max_size=2)):
        files[f"sites/{site_id}/site.xml"] = draw(site(site_id))
        files[f"sites/{site_id}/preferences.xml"] = draw(preferences())
        if draw(st.booleans()):  # the site's own library, which may carry no id
            files[f"sites/{site_id}/library/library.xml"] = draw(
                library(draw(st.sampled_from((None, site_id))))
            )
        if draw(st.booleans()):
            files[f"sites/{site_id}/unknown-settings.xml"] = b"<settings xmlns='urn:x'><a>1</a></settings>"
    if draw(st.booleans()):
        files["preferences.xml"] = draw(preferences())
    if draw(st.booleans()):
        files["meta/system-objecttype-extensions.xml"] = draw(metadata("type-extension"))
    if draw(st.booleans()):
        files["meta/custom-objecttype-definitions.xml"] = draw(metadata("custom-type"))
    if draw(st.booleans()):
        lists = "".join(
            f"<customer-list list-id='{i}'/>" for i in draw(st.lists(ids, unique=True, max_size=2))
        )
        ns = f"{NS}/customerlist/2010-06-30"
        files["customer-lists.xml"] = f"<customer-lists xmlns='{ns}'>{lists}</customer-lists>".encode()
    if draw(st.booleans()):
        files["version.txt"] = draw(st.binary(max_size=32))
    return files
