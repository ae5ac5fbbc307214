"""Cutting a Sites Management document down to what the query asked for, and paging collections.

`shape(doc, query, relations)` takes the resource's full document, with its `links` lists in place (top level
and nested, e.g. `translationFile.links`), and applies in this order:

1. `return`: the baseline. None or `default`: every field and link. `representation`: every field and link,
   and every relation in `relations` expanded. `basic`: the spec's basic fields and basic links. `minimal`:
   the spec's essential fields and no links.
2. `expand`: adds each named relation's field. A field already in the document (a translate job stores
   `translationFile` and `translationJob`, which the seed shows without `expand`) stays as it is; otherwise
   the relation's loader is called. A loader returning None means "nothing to expand" (a copy job that has not
   made its site yet): the field is left out. A loader raising a SitejobsError is handled by
   `expansionErrors`: `ignore` leaves the field out and drops the relation's link, `include` (default) puts
   the error document (`error_document`, what the relation's own GET would answer) in the field and keeps
   the link, `fail` raises ExpansionFailed. Loaders are only called for fields that survive steps 3 and 4.
3. `fields`: keeps the named fields (dotted names select inside objects and inside each object of a list)
   and, at the top level, the spec's essential fields too, so a cut-down answer still says what it is about.
   Names that match nothing are ignored. Only narrows: it never brings back what `return` left out.
4. `excludeFields`: drops the named fields (dotted as above), essential ones included: explicit wins.
5. `links`/`excludeLinks`: filter every `links` list, at any depth, by `rel` (so `links=download` keeps
   `translationFile`'s download link, as the seed shows). A `links` list left empty is removed, and
   `links=none` removes them all. `links` is not a field: `fields`/`excludeFields` never touch it.

The input is never modified. What needs no change is shared, not copied: with a plain query (no shaping
parameters) `shape` returns `doc` itself, which keeps the `_status` poll at one dict lookup of overhead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import partial
from typing import Any, TypeAlias

from sitejobs.api.oce.errors import error_document
from sitejobs.api.oce.query import ExpansionErrors, OrderKey, Path, Query, Return
from sitejobs.errors import ExpansionFailed, SitejobsError

__all__ = ["Loader", "page_collection", "shape", "sort_items"]

Loader: TypeAlias = Callable[[], dict[str, Any] | None]
Document: TypeAlias = dict[str, Any]
#: A selection of fields: name -> the selection inside it, or None for the whole value.
Tree: TypeAlias = dict[str, "Tree | None"]
_MISSING: Any = object()
_DROP: Any = object()
_SCALARS = frozenset({str, int, float, bool, type(None)})


class _Links:
    """Which links to keep: `keep` None keeps every relation, `drop` removes some."""

    __slots__ = ("all", "drop", "keep")

    def __init__(self, keep: frozenset[str] | None, drop: frozenset[str]) -> None:
        self.keep = keep
        self.drop = drop
        self.all = keep is None and not drop

    def filter(self, links: list[Any]) -> list[Any] | None:
        """The links to keep (the same list if all), or None to remove the `links` key."""
        if self.keep is not None and not self.keep:
            return None
        kept = [link for link in links if self.wanted(link)]
        if len(kept) == len(links):
            return links
        return kept or None

    def wanted(self, link: Any) -> bool:
        rel = link.get("rel") if isinstance(link, dict) else None
        return (self.keep is None or rel in self.keep) and rel not in self.drop


def shape(doc: Document, query: Query, relations: Mapping[str, Loader] | None = None) -> Document:
    if query.plain:
        return doc
    spec = query.spec
    relations = relations or {}
    expand = query.expand
    keep_links = query.links
    if query.representation is Return.REPRESENTATION:
        expand = expand | (spec.expandable & relations.keys())
    elif query.representation is Return.BASIC:
        keep_links = spec.basic_links if keep_links is None else keep_links & spec.basic_links
    elif query.representation is Return.MINIMAL:
        keep_links = frozenset()
    selection = _tree(query.fields)
    if selection is not None:
        selection.update(dict.fromkeys(spec.essential))
    baseline = (
        spec.basic
        if query.representation is Return.BASIC
        else spec.essential
        if query.representation is Return.MINIMAL
        else None
    )
    if baseline is not None:
        allowed = baseline | expand
        selection = {k: v for k, v in (selection or dict.fromkeys(allowed)).items() if k in allowed}
    exclusion = _tree(query.exclude_fields)

    loaded: dict[str, dict[str, Any]] = {}
    failed: set[str] = set()
    for name, loader in relations.items():
        if name in expand and name not in doc and _kept(name, selection, exclusion):
            try:
                value = loader()
            except SitejobsError as exc:
                if query.expansion_errors is ExpansionErrors.FAIL:
                    raise ExpansionFailed(name, exc) from exc
                if query.expansion_errors is ExpansionErrors.IGNORE:
                    failed.add(name)
                    continue
                value = error_document(exc)
            if value is not None:
                loaded[name] = value

    nested = _Links(keep_links, query.exclude_links)
    if selection is None and exclusion is None and not loaded and not failed:
        # Only links to filter: `?links=none`, the toolkit's poll.
        filtered: Document = _filter_links(doc, nested)
        return filtered
    top = _Links(keep_links, query.exclude_links | failed)
    out: dict[str, Any] = {}
    for name, value in (*doc.items(), *loaded.items()):
        if name == "links" and isinstance(value, list):
            links = value if top.all else top.filter(value)
            if links is not None:
                out[name] = links
        elif _kept(name, selection, exclusion):
            if type(value) in _SCALARS:
                out[name] = value
                continue
            inner = selection.get(name) if selection is not None else None
            out[name] = _refine(value, inner, exclusion.get(name) if exclusion else None, nested)
    return out


def page_collection(
    items: Iterable[Document], query: Query, shape_item: Callable[[Document], Document] | None = None
) -> dict[str, Any]:
    """One page of a collection, as the seed's `pages` shows it: `count` is the number of items returned and
    `hasMore` says whether any follow. `q` filters and `orderBy` sorts before the page is cut; each item of the
    page is then shaped by `shape_item` (by default `shape` with the query, for item-level `fields`/`links`)."""
    if not query.spec.collection:
        raise ValueError(f"{query.spec.name} is not a collection")
    selected = [item for item in items if query.q.matches(item)] if query.q is not None else list(items)
    ordered = sort_items(selected, query.order_by)
    page = ordered[query.offset : query.offset + query.limit]
    shaper = shape_item or partial(shape, query=query)
    body: dict[str, Any] = {
        "limit": query.limit,
        "count": len(page),
        "hasMore": query.offset + len(page) < len(ordered),
        "offset": query.offset,
        "items": [shaper(item) for item in page],
    }
    if "totalResults" in query.flags:
        body["totalResults"] = len(ordered)
    return body


def sort_items(items: Sequence[Document], order_by: Sequence[OrderKey]) -> list[Document]:
    """Items in `orderBy` order (stable; missing values last in either direction; strings case-insensitively)."""
    result = list(items)
    for key in reversed(order_by):
        result.sort(key=partial(_item_key, key), reverse=key.descending)
    return result


def _item_key(key: OrderKey, item: Document) -> tuple[Any, ...]:
    return _sort_key(_lookup(item, key.path), key.descending)


# -- helpers ---------------------------------------------------------------------------------------


def _tree(paths: tuple[Path, ...] | None) -> Tree | None:
    if paths is None:
        return None
    tree: Tree = {}
    for path in paths:
        node = tree
        for i, name in enumerate(path):
            if i == len(path) - 1:
                node[name] = None  # the whole value: wins over any narrower selection
                break
            child = node.setdefault(name, {})
            if child is None:
                break
            node = child
    return tree


def _kept(name: str, selection: Tree | None, exclusion: Tree | None) -> bool:
    """Whether a field survives `fields` and `excludeFields` (a dotted exclusion only cuts inside it)."""
    if selection is not None and name not in selection:
        return False
    return not (exclusion and name in exclusion and exclusion[name] is None)


def _refine(value: Any, selection: Tree | None, exclusion: Tree | None, links: _Links) -> Any:
    """`value` with the selection kept, the exclusion removed and links filtered; `value` itself if unchanged."""
    if type(value) in _SCALARS:
        return value
    if selection is None and exclusion is None:
        return value if links.all else _filter_links(value, links)
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        changed = False
        for name, item in value.items():
            new: Any
            if name == "links" and isinstance(item, list):
                new = item if links.all else links.filter(item)
                new = _DROP if new is None else new
            elif not _kept(name, selection, exclusion):
                new = _DROP
            else:
                inner = selection[name] if selection is not None else None
                new = _refine(item, inner, exclusion.get(name) if exclusion else None, links)
            if new is _DROP:
                changed = True
            else:
                changed = changed or new is not item
                out[name] = new
        return out if changed else value
    if isinstance(value, list):
        refined = [_refine(item, selection, exclusion, links) for item in value]
        return value if all(a is b for a, b in zip(refined, value, strict=True)) else refined
    return value


def _filter_links(value: Any, links: _Links) -> Any:
    """`value` with every `links` list in it filtered: the hot path of `?links=none`. A dict or list is copied
    only once something in it changes, so parts without links are shared and cost one pass over their keys."""
    if type(value) is dict:
        out: dict[str, Any] | None = None
        for name, item in value.items():
            if name == "links" and type(item) is list:
                new = links.filter(item)
            elif type(item) is dict or type(item) is list:
                new = _filter_links(item, links)
            else:
                continue
            if new is not item:
                if out is None:
                    out = dict(value)
                if new is None:
                    del out[name]
                else:
                    out[name] = new
        return value if out is None else out
    if type(value) is list:
        copied: list[Any] | None = None
        for i, item in enumerate(value):
            if type(item) is dict or type(item) is list:
                new = _filter_links(item, links)
                if new is not item:
                    if copied is None:
                        copied = list(value)
                    copied[i] = new
        return value if copied is None else copied
    return value


def _lookup(item: Document, path: Path) -> Any:
    value: Any = item
    for name in path:
        if not isinstance(value, Mapping) or name not in value:
            return _MISSING
        value = value[name]
    return value


def _sort_key(value: Any, descending: bool) -> tuple[Any, ...]:
    present = value is not _MISSING and value is not None
    # With reverse=True the first element must be larger for present values to stay ahead of missing ones.
    rank = (1 if present else 0) if descending else (0 if present else 1)
    if not present:
        return (rank,)
    if isinstance(value, bool):
        return (rank, 0, value)
    if isinstance(value, int | float):
        return (rank, 1, value)
    if isinstance(value, str):
        return (rank, 2, value.casefold(), value)
    return (rank, 3, repr(value))
