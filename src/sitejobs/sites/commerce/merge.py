"""Merging an imported element into the stored one, attribute by attribute, as a B2C Commerce MERGE import does.

`merged(stored, incoming)` keeps every child of `stored` whose slot (tag, `xml:lang`, `site-id`, `attribute-id`,
…: see slots.py) `incoming` does not name, and puts in each slot `incoming` names all of `incoming`'s
children for it, in the place of the old ones. GROUPS (`custom-attributes`, `page-attributes`, …) are merged
the same way one level down; a list with `merge-mode` add / remove / merge is merged item by item. A slot that
is new to the object goes where the schema orders it, so the result is still valid impex XML. Whitespace is
kept as the stored element had it, so merging what is already there gives the very same text.

Both elements are lxml trees parsed without entity resolution or DTDs (`parse`); `stored` is changed in place
and `incoming`'s children move into it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from lxml import etree  # type: ignore[import-untyped]

from sitejobs.sites.commerce.slots import (
    DEFAULT_MERGE_MODE,
    GROUPS,
    ITEM_DATA_ATTRIBUTES,
    ITEM_IDENTITY_CHILDREN,
    MERGE_MODES,
    RANKS,
    SLOT_ALIASES,
    SLOT_ATTRIBUTES,
    impex_kind,
)
from sitejobs.sites.commerce.xmlstream import PARSER_OPTIONS, Element, local

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
DEFAULT_LOCALE = "x-default"
MERGE_MODE = "merge-mode"
_PARSER = etree.XMLParser(**PARSER_OPTIONS)
_HAS_MERGE_MODE = etree.XPath("boolean(descendant-or-self::*[@merge-mode])")

Key = tuple[Any, ...]


def parse(xml: str) -> Element:
    """An element the store keeps (or the import just serialized), parsed with the import's safe settings."""
    return etree.fromstring(xml, _PARSER)


def merged(stored: Element | None, incoming: Element) -> Element:
    """`incoming` merged into `stored`; with nothing stored, `incoming` as a new object (its lists merged
    into empty ones)."""
    if stored is None:
        return fresh(incoming)
    for name, value in incoming.attrib.items():
        if name != "mode":
            stored.set(name, value)
    _merge_slots(stored, incoming)
    return stored


def fresh(element: Element) -> Element:
    """`element` as it is once merged into nothing: each `merge-mode` resolved against an empty list (only
    `remove` leaves something other than the element's own items: nothing) and dropped."""
    if not _HAS_MERGE_MODE(element):
        return element
    for node in list(element.iter()):
        mode = node.attrib.pop(MERGE_MODE, None)
        if mode == "remove":
            for child in list(node):
                node.remove(child)
            node.text = None
    return element


def has_merge_modes(xml: str) -> bool:
    """Whether serialized XML may hold a `merge-mode` to resolve (a cheap test before parsing)."""
    return MERGE_MODE in xml


# ---- slots -------------------------------------------------------------------------------------------------


def slot(child: Element) -> Key:
    tag = local(child.tag)
    return (
        SLOT_ALIASES.get(tag, tag),
        child.get(XML_LANG) or DEFAULT_LOCALE,
        *(child.get(name) for name in SLOT_ATTRIBUTES),
    )


def _elements(parent: Element) -> Iterable[Element]:
    return (child for child in parent if isinstance(child.tag, str))


def _merge_slots(target: Element, incoming: Element) -> None:
    wanted: dict[Key, list[Element]] = {}
    for child in _elements(incoming):
        wanted.setdefault(slot(child), []).append(child)
    held: dict[Key, list[Element]] = {}
    for child in _elements(target):
        held.setdefault(slot(child), []).append(child)
    order = [key[0] for key in wanted]
    for key, news in wanted.items():
        olds = held.get(key, [])
        if len(news) == 1 and len(olds) == 1 and _merged_in_place(olds[0], news[0], key[0]):
            continue
        _put(target, olds, [fresh(new) for new in news], key[0], order)


def _merged_in_place(old: Element, new: Element, tag: str) -> bool:
    """Merge a group or a list with a merge mode into its stored self; False when the slot is replaced."""
    if tag in GROUPS:
        _merge_slots(old, new)
        return True
    mode = new.get(MERGE_MODE) or DEFAULT_MERGE_MODE.get(tag, "replace")
    if mode not in MERGE_MODES or mode == "replace":
        return False
    _merge_list(old, new, mode)
    for name, value in new.attrib.items():
        if name != MERGE_MODE:
            old.set(name, value)
    old.attrib.pop(MERGE_MODE, None)
    return True


def _put(target: Element, olds: list[Element], news: list[Element], tag: str, order: list[str]) -> None:
    """The slot's stored children replaced by `news`, in their place, or where the schema puts the tag."""
    if olds:
        for old in olds[1:]:
            _remove(target, old)
        first = olds[0]
        at, tail = target.index(first), first.tail
        target.replace(first, news[0])
        news[0].tail = tail
        for offset, new in enumerate(news[1:], 1):
            _insert(target, at + offset, new)
        return
    at = _position(target, tag, order)
    for offset, new in enumerate(news):
        _insert(target, at + offset, new)


def _position(target: Element, tag: str, order: list[str]) -> int:
    """Where a slot new to `target` goes: after the children of the same tag (other locales of it), else
    before the first child the schema orders after it, else as `incoming` ordered its children."""
    children = list(target)
    tags = [SLOT_ALIASES.get(local(c.tag), local(c.tag)) for c in children]
    for at in range(len(children) - 1, -1, -1):
        if tags[at] == tag:
            return at + 1
    ranks = RANKS.get((impex_kind(etree.QName(target).namespace), local(target.tag)))
    if ranks is not None and tag in ranks:
        rank = ranks[tag]
        return next((at for at, t in enumerate(tags) if ranks.get(t, -1) > rank), len(children))
    later = set(order[order.index(tag) + 1 :])
    return next((at for at, t in enumerate(tags) if t in later), len(children))


# ---- lists -------------------------------------------------------------------------------------------------


def item(child: Element) -> Key:
    """What tells a list item from the others: its tag, attributes other than data (a variant's `default`)
    and its identifying children (an image group's variation values)."""
    attributes = tuple(
        sorted((local(k), v) for k, v in child.attrib.items() if k not in ITEM_DATA_ATTRIBUTES)
    )
    parts = tuple(
        tuple(sorted(c.attrib.items())) for c in _elements(child) if local(c.tag) in ITEM_IDENTITY_CHILDREN
    )
    return (local(child.tag), attributes, parts)


def _merge_list(old: Element, new: Element, mode: str) -> None:
    """simpleType.MergeMode: add appends the items (those there already are updated in place), remove drops
    them, merge updates those there, appends the others and drops every stored item it does not name."""
    held = {item(child): child for child in _elements(old)}
    incoming = [(item(child), fresh(child)) for child in _elements(new)]
    if mode == "remove":
        for key, _child in incoming:
            if key in held:
                _remove(old, held.pop(key))
        return
    if mode == "merge":
        named = {key for key, _child in incoming}
        for key in [k for k in held if k not in named]:
            _remove(old, held.pop(key))
    for key, child in incoming:
        stored = held.get(key)
        if stored is None:
            _insert(old, len(old), child)
        else:
            tail = stored.tail
            old.replace(stored, child)
            child.tail = tail
        held[key] = child


# ---- children with their whitespace ------------------------------------------------------------------------


def _indent(parent: Element) -> str | None:
    """The whitespace before each child of a pretty-printed `parent`, or None."""
    text = parent.text
    return text if text is not None and not text.strip() else None


def _insert(parent: Element, at: int, child: Element) -> None:
    count = len(parent)
    parent.insert(at, child)
    if count == 0:
        child.tail = None
    elif at >= count:  # the new last child: it takes over the closing indentation
        before = parent[at - 1]
        child.tail, before.tail = before.tail, _indent(parent)
    else:
        child.tail = _indent(parent)


def _remove(parent: Element, child: Element) -> None:
    at = parent.index(child)
    if at == len(parent) - 1 and at > 0:
        parent[at - 1].tail = child.tail
    parent.remove(child)
