"""Writing the files of an archive from the store, streamed: rows are fetched a batch at a time and written as
text straight into the zip entry, so no file is ever whole in memory.

The store keeps every element as lxml serialized it on import (the `xml` columns), so an element is written as
that text: it is already well-formed and escaped XML, and writing it again through a tree would only parse and
serialize it once more. What is written here is the envelope around the elements: the XML declaration, the
root element (as stored, or for price books, inventory lists and metadata made from the namespace of their
elements), and the wrappers between (`<pricebook>`, `<price-tables>`, …).

An element's stored text declares the namespaces it inherited. Where they are exactly the declarations of the
root written around it, they are dropped, so the XML reads as the original did; an import gives back the very
same text either way, as lxml declares inherited namespaces after an element's own, in the root's order.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from lxml import etree  # type: ignore[import-untyped]
from sqlalchemy import Connection, Select, Table, select

from sitejobs.sites.commerce import schema
from sitejobs.sites.commerce.selection import CUSTOMER_LIST_KEY, ArchiveFile, Keep

XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
METADATA_NAMESPACE = "http://www.demandware.com/xml/impex/metadata/2006-10-31"
FETCH = 1000  # rows fetched at a time
FLUSH = 1 << 18  # characters buffered before they go to the zip entry
INDENT = "    "
_START = re.compile(r'<([^\s/>]+)((?: xmlns(?::[^\s=/>]+)?="[^"]*")*)')


@dataclass(frozen=True)
class Envelope:
    """A root element's start and end tags, and the namespace declarations its start tag makes."""

    start: str
    end: str
    declarations: str

    @classmethod
    def of(cls, empty: str) -> Envelope:
        """From an element stored without children (`<catalog xmlns="…" catalog-id="…"/>`)."""
        match = _START.match(empty)
        if match is None or not empty.endswith("/>"):
            raise ValueError(f"not an empty element: {empty[:200]!r}")
        return cls(empty[:-2] + ">", f"</{match.group(1)}>", match.group(2))

    @classmethod
    def made(cls, name: str, namespace: str | None) -> Envelope:
        declarations = f' xmlns="{namespace}"' if namespace else ""
        return cls(f"<{name}{declarations}>", f"</{name}>", declarations)

    def strip(self, tag: str, xml: str) -> str:
        """`xml` without the declarations this envelope makes, when they are exactly the ones it inherited."""
        if self.declarations:
            head = f"<{tag}{self.declarations}"
            if xml.startswith(head) and not xml.startswith(" xmlns", len(head)):
                return f"<{tag}{xml[len(head) :]}"
        return xml


class TextOut:
    """Text written to a binary stream as UTF-8, in large pieces."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self._parts: list[str] = []
        self._size = 0

    def write(self, text: str) -> None:
        self._parts.append(text)
        self._size += len(text)
        if self._size >= FLUSH:
            self.flush()

    def flush(self) -> None:
        if self._parts:
            self.stream.write("".join(self._parts).encode())
            self._parts, self._size = [], 0


@dataclass(frozen=True)
class Objects:
    """A container's objects with a table of their own."""

    table: Table
    tag: str
    label: str


@dataclass(frozen=True)
class Extras:
    """A container's other elements with these tags (None: every tag no other section of the layout names)."""

    tags: tuple[str, ...] | None


Section = Objects | Extras

#: The order of a container's children, as the impex schemas have them.
CATALOG = (
    Extras(("header", "product-attributes")),
    Objects(schema.categories, "category", "categories"),
    Objects(schema.products, "product", "products"),
    Extras(("product-option", "variation-attribute")),
    Objects(schema.category_assignments, "category-assignment", "category assignments"),
    Extras(None),  # recommendations, …
)
LIBRARY = (
    Extras(("header",)),
    Objects(schema.library_folders, "folder", "folders"),
    Objects(schema.content_assets, "content", "content assets"),
    Extras(None),
)
CONTAINERS: dict[str, tuple[Table, tuple[Section, ...]]] = {
    "catalog": (schema.catalogs, CATALOG),
    "library": (schema.libraries, LIBRARY),
}


@dataclass(frozen=True)
class ListLayout:
    """A price book's or inventory list's file: `<root><element><header/>…<wrapper><row/>…</wrapper>
    </element></root>`, one list per file."""

    root: str
    element: str
    headers: Table
    wrapper: str
    rows: Objects


LISTS = {
    "pricebook": ListLayout(
        "pricebooks",
        "pricebook",
        schema.pricebooks,
        "price-tables",
        Objects(schema.price_tables, "price-table", "price tables"),
    ),
    "inventory-list": ListLayout(
        "inventory",
        "inventory-list",
        schema.inventory_lists,
        "records",
        Objects(schema.inventory_records, "record", "inventory records"),
    ),
}


class FileWriter:
    """Writes archive files from the store on one connection (in the caller's read transaction). `advance`
    is told the number of rows written as they are."""

    def __init__(self, conn: Connection, advance: Callable[[int], None]) -> None:
        self.conn = conn
        self.advance = advance

    def write(self, planned: ArchiveFile, stream: IO[bytes]) -> Counter[str]:
        """Write `planned` to `stream`; the number of objects written, by kind."""
        counts: Counter[str] = Counter()
        if planned.kind == "file":
            stream.write(
                self._one(select(schema.files.c.content).where(schema.files.c.path == planned.owner))
            )
            self.advance(1)
            counts["files"] += 1
            return counts
        out = TextOut(stream)
        out.write(XML_DECLARATION)
        if planned.kind in CONTAINERS:
            self._container(planned, out, counts)
        elif planned.kind in LISTS:
            self._list(planned, out, counts)
        elif planned.kind == "site":
            self._site(planned, out, counts)
        elif planned.kind == "metadata":
            self._metadata(planned, out, counts)
        else:
            self._document(planned, out, counts)
        out.write("\n")
        out.flush()
        return counts

    # ---- kinds of files ------------------------------------------------------------------------------------

    def _container(self, planned: ArchiveFile, out: TextOut, counts: Counter[str]) -> None:
        table, layout = CONTAINERS[planned.kind]
        key = table.c[schema.KEYS[table.name][0]]
        envelope = Envelope.of(self._one(select(table.c.xml).where(key == planned.owner)))
        out.write(envelope.start)
        named = {tag for section in layout if isinstance(section, Extras) for tag in section.tags or ()}
        for section in layout:
            if isinstance(section, Objects):
                owner = section.table.c[key.name] == planned.owner
                self._objects(out, envelope, section, owner, 1, counts)
            else:
                self._extras(out, envelope, planned.kind, planned.owner, section.tags, named, 1, counts)
        out.write(f"\n{envelope.end}")
        self.advance(1)

    def _list(self, planned: ArchiveFile, out: TextOut, counts: Counter[str]) -> None:
        layout = LISTS[planned.kind]
        key = layout.headers.c[schema.KEYS[layout.headers.name][0]]
        header = self._one(select(layout.headers.c.xml).where(key == planned.owner))
        envelope = Envelope.made(layout.root, etree.QName(etree.fromstring(header)).namespace)
        element = layout.element
        out.write(f"{envelope.start}\n{INDENT}<{element}>\n{INDENT * 2}{envelope.strip('header', header)}")
        self._extras(out, envelope, planned.kind, planned.owner, None, set(), 2, counts)
        owner = layout.rows.table.c[key.name] == planned.owner
        if self._objects(out, envelope, layout.rows, owner, 3, counts, wrapper=layout.wrapper):
            out.write(f"\n{INDENT * 2}</{layout.wrapper}>")
        out.write(f"\n{INDENT}</{element}>\n{envelope.end}")
        self.advance(1)

    def _site(self, planned: ArchiveFile, out: TextOut, counts: Counter[str]) -> None:
        """site.xml is kept whole."""
        sites = schema.sites.c
        out.write(_indented(self._one(select(sites.xml).where(sites.site_id == planned.owner))))
        self.advance(1)
        counts["sites"] += 1

    def _metadata(self, planned: ArchiveFile, out: TextOut, counts: Counter[str]) -> None:
        envelope = Envelope.made("metadata", METADATA_NAMESPACE)
        out.write(envelope.start)
        types = schema.object_types.c
        for kind in ("custom-type", "type-extension"):
            if kind not in planned.parts:
                continue
            query = select(types.xml).where(types.kind == kind).order_by(types.type_id)
            query = _keep(query, types.type_id, planned.parts[kind])
            for xml in self._scalars(query):
                out.write(f"\n{INDENT}{envelope.strip(kind, xml)}")
                counts["object types"] += 1
        if "extras" in planned.parts:
            self._extras(out, envelope, "meta", planned.owner, None, set(), 1, counts)
        out.write(f"\n{envelope.end}")

    def _document(self, planned: ArchiveFile, out: TextOut, counts: Counter[str]) -> None:
        documents, elements = schema.documents.c, schema.document_elements.c
        envelope = Envelope.of(self._one(select(documents.xml).where(documents.path == planned.owner)))
        out.write(envelope.start)
        keep = planned.parts.get("elements")
        query = (
            select(elements.tag, elements.xml).where(elements.path == planned.owner).order_by(elements.seq)
        )
        for tag, xml in self._rows(query):
            if keep is None or etree.fromstring(xml).get(CUSTOMER_LIST_KEY) in keep:
                out.write(f"\n{INDENT}{envelope.strip(tag, xml)}")
                counts["elements"] += 1
        out.write(f"\n{envelope.end}")
        self.advance(1)
        counts["documents"] += 1

    # ---- sections ------------------------------------------------------------------------------------------

    def _objects(
        self,
        out: TextOut,
        envelope: Envelope,
        section: Objects,
        owner: Any,
        depth: int,
        counts: Counter[str],
        wrapper: str | None = None,
    ) -> bool:
        """The section's rows, ordered by key; opens `wrapper` before the first. True when there was one."""
        table = section.table
        order = [table.c[k] for k in schema.KEYS[table.name]]
        indent = "\n" + INDENT * depth
        strip, tag = envelope.strip, section.tag
        any_rows = False
        for xml in self._scalars(select(table.c.xml).where(owner).order_by(*order)):
            if not any_rows and wrapper is not None:
                out.write(f"\n{INDENT * (depth - 1)}<{wrapper}>")
            any_rows = True
            out.write(indent + strip(tag, xml))
            counts[section.label] += 1
        return any_rows

    def _extras(
        self,
        out: TextOut,
        envelope: Envelope,
        owner_kind: str,
        owner_id: str,
        tags: tuple[str, ...] | None,
        named: set[str],
        depth: int,
        counts: Counter[str],
    ) -> None:
        extras = schema.extras.c
        query = select(extras.tag, extras.xml).where(
            extras.owner_kind == owner_kind, extras.owner_id == owner_id
        )
        if tags is not None:
            query = query.where(extras.tag.in_(tags))
        elif named:
            query = query.where(extras.tag.not_in(named))
        indent = "\n" + INDENT * depth
        for tag, xml in self._rows(query.order_by(extras.seq)):
            out.write(indent + envelope.strip(tag, xml))
            counts["other elements"] += 1

    # ---- reading -------------------------------------------------------------------------------------------

    def _one(self, query: Select[Any]) -> Any:
        return self.conn.execute(query).scalar_one()

    def _rows(self, query: Select[Any]) -> Iterator[Any]:
        """The rows of `query`, fetched a batch at a time (a server-side cursor on PostgreSQL)."""
        result = self.conn.execution_options(yield_per=FETCH).execute(query)
        for batch in result.partitions():
            yield from batch
            self.advance(len(batch))

    def _scalars(self, query: Select[Any]) -> Iterator[Any]:
        for row in self._rows(query):
            yield row[0]


def _keep(query: Select[Any], column: Any, keep: Keep) -> Select[Any]:
    return query if keep is None else query.where(column.in_(sorted(keep)))


def _indented(xml: str) -> str:
    """A whole element with its first child on a line of its own, as its other children are (the import
    keeps the whitespace after each child, not the one before the first)."""
    end = xml.find(">") + 1  # the start tag's end: lxml writes '>' in attribute values as &gt;
    if 0 < end < len(xml) and xml[end] == "<" and xml[end + 1 : end + 2] != "/":
        return f"{xml[:end]}\n{INDENT}{xml[end:]}"
    return xml
