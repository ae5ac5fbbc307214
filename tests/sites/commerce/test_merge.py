"""The attribute-level merge of one impex element into another (merge.py), on elements alone."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree  # type: ignore[import-untyped]

from sitejobs.sites.commerce.merge import fresh, merged, parse
from tests.sites.commerce.helpers import XML_LANG, c14n
from tests.sites.commerce.strategies import LOCALES, texts

CATALOG = "http://www.demandware.com/xml/impex/catalog/2006-10-31"


def product(body: str, product_id: str = "p1") -> Any:
    return parse(f'<product xmlns="{CATALOG}" product-id="{product_id}">{body}</product>')


def merge(stored: str | None, incoming: str) -> str:
    result = merged(None if stored is None else product(stored), product(incoming))
    return str(etree.tostring(result, encoding="unicode"))


def children(xml: str) -> list[tuple[str, dict[str, str], str]]:
    """(tag, attributes, text) of each child, in order, for short assertions."""
    return [
        (etree.QName(c).localname, {etree.QName(k).localname: v for k, v in c.attrib.items()}, c.text or "")
        for c in parse(xml)
    ]


def test_a_localized_value_is_replaced_in_its_locale_only() -> None:
    stored = (
        '<display-name xml:lang="x-default">Camera</display-name>'
        '<display-name xml:lang="fr-FR">Appareil</display-name>'
        '<display-name xml:lang="de-DE">Kamera</display-name><online-flag>true</online-flag>'
    )
    result = merge(stored, '<display-name xml:lang="fr-FR">Appareil photo</display-name>')
    assert children(result) == [
        ("display-name", {"lang": "x-default"}, "Camera"),
        ("display-name", {"lang": "fr-FR"}, "Appareil photo"),
        ("display-name", {"lang": "de-DE"}, "Kamera"),
        ("online-flag", {}, "true"),
    ]


def test_no_xml_lang_is_x_default() -> None:
    result = merge(
        '<display-name xml:lang="x-default">Old</display-name>', "<display-name>New</display-name>"
    )
    assert [text for _tag, _attrs, text in children(result)] == ["New"]


def test_custom_attributes_merge_by_attribute_id_and_locale() -> None:
    stored = (
        "<custom-attributes>"
        '<custom-attribute attribute-id="color">red</custom-attribute>'
        '<custom-attribute attribute-id="body" xml:lang="x-default">Hello</custom-attribute>'
        '<custom-attribute attribute-id="body" xml:lang="fr-FR">Bonjour</custom-attribute>'
        "</custom-attributes>"
    )
    incoming = (
        "<custom-attributes>"
        '<custom-attribute attribute-id="body" xml:lang="fr-FR">Salut</custom-attribute>'
        '<custom-attribute attribute-id="sizes"><value>S</value><value>M</value></custom-attribute>'
        "</custom-attributes>"
    )
    [(tag, _a, _t)] = children(merge(stored, incoming))
    assert tag == "custom-attributes"
    group = parse(merge(stored, incoming))[0]
    assert [(c.get("attribute-id"), c.get(XML_LANG), c.text, [v.text for v in c]) for c in group] == [
        ("color", None, "red", []),
        ("body", "x-default", "Hello", []),
        ("body", "fr-FR", "Salut", []),
        ("sizes", None, None, ["S", "M"]),
    ]


def test_site_specific_values_are_slots_of_their_own() -> None:
    stored = '<online-flag>false</online-flag><online-flag site-id="RefArch">true</online-flag>'
    result = merge(stored, '<online-flag site-id="RefArch">false</online-flag>')
    assert children(result) == [
        ("online-flag", {}, "false"),
        ("online-flag", {"site-id": "RefArch"}, "false"),
    ]


def test_a_new_attribute_goes_where_the_schema_orders_it() -> None:
    stored = '<ean>1</ean><display-name xml:lang="x-default">A</display-name><custom-attributes/>'
    result = merge(stored, "<brand>Acme</brand><upc>2</upc>")
    assert [tag for tag, _a, _t in children(result)] == [
        "ean",
        "upc",
        "display-name",
        "brand",
        "custom-attributes",
    ]


def test_a_structured_value_is_replaced_whole() -> None:
    stored = (
        '<images><image-group view-type="large"><image path="a.jpg"/></image-group></images>'
        '<options><shared-option option-id="warranty"/></options>'
    )
    result = merge(stored, '<options><shared-option option-id="gift"/></options>')
    assert [c.get("option-id") for c in parse(result).iter(f"{{{CATALOG}}}shared-option")] == ["gift"]
    assert [c.get("path") for c in parse(result).iter(f"{{{CATALOG}}}image")] == ["a.jpg"]  # kept


def _variants(xml: str) -> list[str]:
    return [v.get("product-id") for v in parse(xml).iter(f"{{{CATALOG}}}variant")]


VARIANTS = '<variations><variants><variant product-id="a"/><variant product-id="b"/></variants></variations>'


def test_variants_follow_their_merge_mode() -> None:
    def incoming(mode: str | None) -> str:
        attribute = f' merge-mode="{mode}"' if mode else ""
        return (
            f'<variations><variants{attribute}><variant product-id="c"/><variant product-id="a"/>'
            "</variants></variations>"
        )

    assert _variants(merge(VARIANTS, incoming(None))) == ["c", "a"]  # replace by default
    assert _variants(merge(VARIANTS, incoming("replace"))) == ["c", "a"]
    assert _variants(merge(VARIANTS, incoming("add"))) == ["a", "b", "c"]
    assert _variants(merge(VARIANTS, incoming("remove"))) == ["b"]
    assert _variants(merge(VARIANTS, incoming("merge"))) == ["a", "c"]
    assert "merge-mode" not in merge(VARIANTS, incoming("add"))
    # the variations' other parts are kept when only the variants come
    stored = '<variations><attributes><variation-attribute attribute-id="color"/></attributes></variations>'
    assert "variation-attribute" in merge(stored, incoming("add"))


def test_a_list_merged_into_nothing() -> None:
    added = '<variations><variants merge-mode="add"><variant product-id="c"/></variants></variations>'
    removed = '<variations><variants merge-mode="remove"><variant product-id="c"/></variants></variations>'
    assert _variants(merge(None, added)) == ["c"]
    assert _variants(merge(None, removed)) == []
    assert "merge-mode" not in merge(None, removed)


def test_image_groups_merge_by_view_type_and_variation_by_default() -> None:
    def group(view: str, color: str | None, path: str) -> str:
        variation = f'<variation attribute-id="color" value="{color}"/>' if color else ""
        return f'<image-group view-type="{view}">{variation}<image path="{path}"/></image-group>'

    stored = f"<images>{group('large', None, '1.jpg')}{group('large', 'red', '2.jpg')}</images>"
    incoming = f"<images>{group('large', 'red', '3.jpg')}{group('small', None, '4.jpg')}</images>"
    paths = [i.get("path") for i in parse(merge(stored, incoming)).iter(f"{{{CATALOG}}}image")]
    assert paths == ["3.jpg", "4.jpg"]  # merge: updated in place, added, and the one not named dropped


def test_price_tiers_are_one_value() -> None:
    ns = "http://www.demandware.com/xml/impex/pricebook/2006-10-31"
    stored = parse(
        f'<price-table xmlns="{ns}" product-id="p"><amount quantity="1">10</amount>'
        '<amount quantity="5">9</amount><price-info>list</price-info></price-table>'
    )
    incoming = parse(
        f'<price-table xmlns="{ns}" product-id="p"><percentage quantity="1">50</percentage></price-table>'
    )
    result = merged(stored, incoming)
    assert [(etree.QName(c).localname, c.text) for c in result] == [
        ("percentage", "50"),
        ("price-info", "list"),
    ]


def test_whitespace_of_the_stored_element_is_kept() -> None:
    stored = (
        f'<product xmlns="{CATALOG}" product-id="p1">\n'
        '        <display-name xml:lang="x-default">A</display-name>\n'
        "        <online-flag>true</online-flag>\n"
        "    </product>"
    )
    incoming = product(
        '<display-name xml:lang="fr-FR">B</display-name><brand>Acme</brand><online-flag>false</online-flag>'
    )
    result = etree.tostring(merged(parse(stored), incoming), encoding="unicode")
    assert result == (
        f'<product xmlns="{CATALOG}" product-id="p1">\n'
        '        <display-name xml:lang="x-default">A</display-name>\n'
        '        <display-name xml:lang="fr-FR">B</display-name>\n'
        "        <online-flag>false</online-flag>\n"
        "        <brand>Acme</brand>\n"
        "    </product>"
    )


# ---- properties ---------------------------------------------------------------------------------------------


@st.composite
def products(draw: st.DrawFn) -> str:
    """A product element's text with some localized, site-specific, custom and list attributes."""
    parts: list[str] = []
    for locale in draw(st.lists(st.sampled_from(LOCALES), unique=True, max_size=3)):
        parts.append(f'<display-name xml:lang="{locale}">{_escape(draw(texts))}</display-name>')
    for site in draw(st.lists(st.sampled_from((None, "A", "B")), unique=True, max_size=2)):
        attribute = f' site-id="{site}"' if site else ""
        parts.append(f"<online-flag{attribute}>{draw(st.sampled_from(('true', 'false')))}</online-flag>")
    if draw(st.booleans()):
        parts.append(f"<brand>{_escape(draw(texts))}</brand>")
    custom = draw(
        st.lists(st.tuples(st.sampled_from(("a", "b", "c")), st.sampled_from(LOCALES)), unique=True)
    )
    if custom:
        attributes = "".join(
            f'<custom-attribute attribute-id="{a}" xml:lang="{lang}">{_escape(draw(texts))}</custom-attribute>'
            for a, lang in custom
        )
        parts.append(f"<custom-attributes>{attributes}</custom-attributes>")
    if draw(st.booleans()):
        mode = draw(st.sampled_from(("", ' merge-mode="add"', ' merge-mode="remove"', ' merge-mode="merge"')))
        ids = draw(st.lists(st.sampled_from("vwxyz"), unique=True, max_size=3))
        variants = "".join(f'<variant product-id="{v}"/>' for v in ids)
        parts.append(f"<variations><variants{mode}>{variants}</variants></variations>")
    separator = draw(st.sampled_from(("", "\n        ")))
    return separator.join(parts)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;")


@settings(max_examples=200, deadline=None)
@given(stored=products(), incoming=products())
def test_merging_the_same_thing_twice_is_merging_it_once(stored: str, incoming: str) -> None:
    once = merge(stored, incoming)
    assert etree.tostring(merged(parse(once), product(incoming)), encoding="unicode") == once


@settings(max_examples=200, deadline=None)
@given(incoming=products())
def test_merging_into_nothing_is_the_element_itself(incoming: str) -> None:
    if "merge-mode" not in incoming:
        assert c14n(merge(None, incoming)) == c14n(product(incoming))
    assert c14n(merge(None, incoming)) == c14n(fresh(product(incoming)))


@settings(max_examples=200, deadline=None)
@given(stored=products(), incoming=products())
def test_every_slot_the_incoming_element_names_is_its_value(stored: str, incoming: str) -> None:
    result = merge(stored, incoming)
    names = {c.get(XML_LANG): c.text or "" for c in parse(result).iterchildren(f"{{{CATALOG}}}display-name")}
    before = {
        c.get(XML_LANG): c.text or "" for c in product(stored).iterchildren(f"{{{CATALOG}}}display-name")
    }
    after = {
        c.get(XML_LANG): c.text or "" for c in product(incoming).iterchildren(f"{{{CATALOG}}}display-name")
    }
    assert names == before | after


def test_metadata_definitions_merge_by_attribute_id() -> None:
    ns = "http://www.demandware.com/xml/impex/metadata/2006-10-31"

    def extension(definitions: str) -> Any:
        return parse(
            f'<type-extension xmlns="{ns}" type-id="Product"><custom-attribute-definitions>{definitions}'
            "</custom-attribute-definitions></type-extension>"
        )

    stored = extension(
        '<attribute-definition attribute-id="a"><type>string</type></attribute-definition>'
        '<attribute-definition attribute-id="b"><type>string</type></attribute-definition>'
    )
    incoming = extension('<attribute-definition attribute-id="b"><type>int</type></attribute-definition>')
    result = merged(stored, incoming)
    assert [(d.get("attribute-id"), d[0].text) for d in result[0]] == [("a", "string"), ("b", "int")]
