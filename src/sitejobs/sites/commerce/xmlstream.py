"""Streaming one XML file of an archive: safe parser settings, no DOCTYPE, memory that stays flat.

`XmlStream.root` peeks at the root element. `XmlStream.events` then yields each complete *object* (a child of a
*container*: the root, or an element at one of the container paths given) and closes each container after its
children. Only the tags named in `watch` (plus the containers) reach Python as they end; any other child of a
container is handed over when a later sibling or its container ends, so nothing is skipped. Handed-over
elements are cleared and unlinked, so a file of any length needs memory for one object at a time.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Literal, TypeAlias

from lxml import etree  # type: ignore[import-untyped]  # no type stubs are installed for lxml

from sitejobs.sites.commerce.errors import ForbiddenDoctype, MalformedXml

Element: TypeAlias = Any  # lxml.etree._Element
Path = tuple[str, ...]

PARSER_OPTIONS: dict[str, Any] = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "dtd_validation": False,
    "huge_tree": False,
}
_PROLOG = re.compile(rb"\A(?:\xef\xbb\xbf)?(?:\s+|<\?.*?\?>|<!--.*?-->)*", re.S)
_LOCATION = re.compile(r",? line \d+, column \d+$")
PROLOG_LIMIT = 1 << 20


def local(tag: object) -> str:
    """The local name of an element tag ('' for comments and processing instructions)."""
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


@dataclass(frozen=True)
class Root:
    tag: str  # local name
    namespace: str
    attrib: dict[str, str]
    xml: str  # the root element without children
    line: int


@dataclass(frozen=True, slots=True)
class Event:
    kind: Literal["object", "close"]
    path: Path  # the container's path below the root: () is the root itself
    element: Element


class XmlStream:
    def __init__(self, name: str, chunks: Iterable[bytes]) -> None:
        self.name = name
        self._chunks = iter(chunks)
        self._head: list[bytes] = []
        self._root: Root | None = None

    # ---- the root ------------------------------------------------------------------------------------------

    @property
    def root(self) -> Root:
        if self._root is None:
            self._root = self._peek()
        return self._root

    def _peek(self) -> Root:
        parser = etree.XMLPullParser(events=("start",), **PARSER_OPTIONS)
        prolog_checked = False
        for chunk in self._chunks:
            self._head.append(chunk)
            if not prolog_checked:
                prolog_checked = self._check_prolog(b"".join(self._head))
            self._feed(parser, chunk)
            for _event, element in parser.read_events():
                return self._root_of(element)
        self._close(parser)
        raise MalformedXml(f"'{self.name}' holds no XML element.")

    def _check_prolog(self, head: bytes) -> bool:
        """Refuse a DOCTYPE before libxml2 reads it; False while the prolog may still go on."""
        match = _PROLOG.match(head)
        end = match.end() if match else 0
        rest = head[end:]
        if rest[:9].upper() == b"<!DOCTYPE" or rest[:8].upper() == b"<!ENTITY":
            line = head.count(b"\n", 0, end) + 1
            raise ForbiddenDoctype(
                f"'{self.name}' line {line}: DOCTYPE and entity declarations are not accepted in site archives."
            )
        if len(head) > PROLOG_LIMIT:
            return True  # the check on the parsed document below still applies
        if rest[:1] != b"<":
            return bool(rest)  # text before the root: the parser will say what is wrong
        return rest[1:2] not in (b"", b"?", b"!")  # an element starts: the prolog is over

    def _root_of(self, element: Element) -> Root:
        docinfo = element.getroottree().docinfo
        if docinfo.doctype or docinfo.internalDTD is not None:
            raise ForbiddenDoctype(
                f"'{self.name}' line 1: DOCTYPE and entity declarations are not accepted in site archives."
            )
        tag = element.tag
        qname = etree.QName(tag)
        bare = etree.Element(tag, attrib=dict(element.attrib), nsmap=element.nsmap)
        return Root(
            tag=qname.localname,
            namespace=qname.namespace or "",
            attrib={local(k) if k.startswith("{") else k: v for k, v in element.attrib.items()},
            xml=etree.tostring(bare, encoding="unicode"),
            line=element.sourceline or 1,
        )

    # ---- objects -------------------------------------------------------------------------------------------

    def events(self, containers: Iterable[Path] = (), watch: Iterable[str] | None = None) -> Iterator[Event]:
        """Objects and container closes, in document order. `watch=None` watches every element (slower)."""
        root = self.root
        holders = frozenset({(), *containers})
        tags = None
        if watch is not None:
            tags = sorted({f"{{*}}{t}" for t in (*watch, root.tag, *(p[-1] for p in holders if p))})
        parser = etree.XMLPullParser(events=("end",), tag=tags, **PARSER_OPTIONS)
        state = _State(holders, max(len(p) for p in holders))
        for chunk in self._all_chunks():
            self._feed(parser, chunk)
            for _event, element in parser.read_events():
                yield from state.handle(element)
        for _event, element in self._close(parser):
            yield from state.handle(element)

    def _all_chunks(self) -> Iterator[bytes]:
        head, self._head = self._head, []
        yield from head
        yield from self._chunks

    def _feed(self, parser: etree.XMLPullParser, chunk: bytes) -> None:
        try:
            parser.feed(chunk)
        except etree.XMLSyntaxError as exc:
            raise self._malformed(exc) from None

    def _close(self, parser: etree.XMLPullParser) -> list[tuple[str, Element]]:
        try:
            parser.close()
        except etree.XMLSyntaxError as exc:
            raise self._malformed(exc) from None
        return list(parser.read_events())

    def _malformed(self, exc: etree.XMLSyntaxError) -> MalformedXml:
        line, column = exc.position if exc.position else (exc.lineno or 0, 0)
        message = _LOCATION.sub("", exc.msg or str(exc))
        if "amplification" in message or "entity" in message.lower():
            message += " (entities are not accepted in site archives)"
        return MalformedXml(f"Malformed XML in '{self.name}' at line {line}, column {column}: {message}")


class _State:
    """Where the stream is: the containers' paths, the last parent seen, and each container's stub (the last
    child handed over, kept until the next sibling ends, as the lxml docs advise)."""

    def __init__(self, holders: frozenset[Path], depth: int) -> None:
        self.holders = holders
        self.depth = depth
        self.container_tags = frozenset(p[-1] for p in holders if p)
        self.stubs: dict[Path, Element] = {}
        self._parent: Element | None = None
        self._path: Path | None = None

    def handle(self, element: Element) -> Iterator[Event]:
        parent = element.getparent()
        if parent is None:
            yield from self._close((), element)
            return
        if parent is self._parent:
            path = self._path  # the usual case: a sibling of the last object
        else:
            path = _path_of(parent, self.depth)
            self._parent, self._path = parent, path
        if path is None or path not in self.holders:
            return  # a watched tag nested inside an object: it goes with its object
        stub = self.stubs.get(path)
        previous = element.getprevious()
        if previous is not None:
            if stub is not None and previous is stub and stub.getprevious() is None:
                del parent[0]  # the usual case: only the last object's stub is left
            else:
                yield from self._sweep(path, parent, element, stub)
        own = (*path, local(element.tag)) if self.container_tags else None
        if own is not None and own in self.holders:
            yield from self._close(own, element)
        else:
            yield Event("object", path, element)
        element.clear(keep_tail=False)
        self.stubs[path] = element

    @staticmethod
    def _sweep(path: Path, parent: Element, element: Element, stub: Element | None) -> Iterator[Event]:
        """Hand over the unwatched children before `element`, then unlink all of them."""
        before: list[Element] = []
        for child in parent:
            if child is element:
                break
            before.append(child)
        for child in before:
            if child is not stub and isinstance(child.tag, str):
                yield Event("object", path, child)
        for _ in before:
            del parent[0]

    def _close(self, path: Path, element: Element) -> Iterator[Event]:
        stub = self.stubs.pop(path, None)
        for child in list(element):
            if child is not stub and isinstance(child.tag, str):
                yield Event("object", path, child)
        yield Event("close", path, element)
        for child in list(element):
            element.remove(child)
        if element is self._parent:
            self._parent = self._path = None


def _path_of(element: Element, depth: int) -> Path | None:
    """The local names from below the root down to `element`, or None when deeper than `depth`."""
    names: list[str] = []
    node = element
    for _ in range(depth + 1):
        up = node.getparent()
        if up is None:
            names.reverse()
            return tuple(names)
        names.append(local(node.tag))
        node = up
    return None
