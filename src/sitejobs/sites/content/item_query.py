"""What a Content Management or Content Delivery `GET …/items` asks for, and its answer over a list of items.

`ItemQuery` holds a `q` expression (the language of `query_filter`, matched here over each item's searchable
values, always as strings: `languageIsMaster eq "true"` matches the boolean, `channels co "CH…"` asks whether
one of the item's channels is that one), `orderBy` (`name:asc,updatedDate:desc`), `offset` and `limit`. `run`
filters, orders and cuts the page, and says how many items matched in all. Content lists use the same query
(their `queryString`, `sortOrder`, `firstItem`, `maxResults`), so a list and the API agree.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

from sitejobs.errors import BadQueryParameter
from sitejobs.sites.content.query_filter import All, AnyOf, Compare, Filter, Not, parse_filter

#: What `q` may name besides `fields.NAME` (an item's own field), and the item's values each stands for (always
#: a list of strings: `co` on `channels` asks whether one of the item's channels is the one named).
SEARCHABLE: Mapping[str, Callable[[Mapping[str, Any]], list[str]]] = {
    "id": lambda i: [str(i.get("id") or "")],
    "name": lambda i: [str(i.get("name") or "")],
    "type": lambda i: [str(i.get("type") or "")],
    "typeCategory": lambda i: [str(i.get("typeCategory") or "")],
    "description": lambda i: [str(i.get("description") or "")],
    "slug": lambda i: [str(i.get("slug") or "")],
    "status": lambda i: [str(i.get("status") or "")],
    "language": lambda i: [str(i.get("language") or "")],
    "repositoryId": lambda i: [str(i.get("repositoryId") or "")],
    "languageIsMaster": lambda i: [_word(i.get("languageIsMaster"))],
    "translatable": lambda i: [_word(i.get("translatable"))],
    "isPublished": lambda i: [_word(i.get("isPublished"))],
    "channels": lambda i: [str(c.get("id")) for c in (i.get("channels") or {}).get("data", [])],
    "createdDate": lambda i: [_word(i.get("createdDate"))],
    "updatedDate": lambda i: [_word(i.get("updatedDate"))],
}
#: `orderBy` names besides `fields.NAME` (content lists' `sortOrder` spells the dates in lower case).
ORDERABLE = frozenset({"id", "name", "type", "createdDate", "updatedDate", "createddate", "updateddate"})
_SORT_FIELD = {"createddate": "createdDate", "updateddate": "updatedDate"}
FIELD_PREFIX = "fields."


def _word(value: object) -> str:
    """A value as `q` compares it: booleans as true/false, dates by their value, references by their id."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, dict):
        return str(value.get("value") if "value" in value else value.get("id") or "")
    return "" if value is None else str(value)


def values_of(name: str, item: Mapping[str, Any]) -> list[str]:
    """The item's values for a `q` name: a list field gives each of its values."""
    if name.startswith(FIELD_PREFIX):
        fields = item.get("fields")
        value = fields.get(name[len(FIELD_PREFIX) :]) if isinstance(fields, dict) else None
        return [_word(v) for v in value] if isinstance(value, list) else [_word(value)]
    return SEARCHABLE[name](item)


def sort_value(name: str, item: Mapping[str, Any]) -> str:
    name = _SORT_FIELD.get(name, name)
    values = values_of(name, item)
    value = values[0] if values else ""
    return value.casefold() if name in ("name", "type") or name.startswith(FIELD_PREFIX) else value


class _Names(Collection[str]):
    """The names `q` may use: the SEARCHABLE ones and any `fields.NAME`."""

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and (
            name in SEARCHABLE or (name.startswith(FIELD_PREFIX) and len(name) > len(FIELD_PREFIX))
        )

    def __iter__(self) -> Iterator[str]:
        return iter([*SEARCHABLE, f"{FIELD_PREFIX}NAME"])

    def __len__(self) -> int:
        return len(SEARCHABLE) + 1


NAMES = _Names()


@dataclass(frozen=True, slots=True)
class ItemQuery:
    q: Filter | None = None
    order_by: tuple[tuple[str, bool], ...] = ()  # (field, descending)
    offset: int = 0
    limit: int = 100

    @classmethod
    def parse(cls, q: str | None, order_by: str | None, offset: int, limit: int) -> ItemQuery:
        """A query from the parameters' text; BadQueryParameter names the one that is wrong."""
        return cls(
            q=parse_filter(q, NAMES) if q and q.strip() else None,
            order_by=parse_order(order_by),
            offset=offset,
            limit=limit,
        )


def parse_order(text: str | None) -> tuple[tuple[str, bool], ...]:
    """`name:asc,updatedDate:des` (Content Delivery accepts `des` and `desc`)."""
    keys = []
    for part in (text or "").split(","):
        name, _, direction = part.strip().partition(":")
        if not name:
            continue
        if name not in ORDERABLE and name not in NAMES:
            raise BadQueryParameter("orderBy", f"The items cannot be ordered by {name!r}.")
        if direction.lower() not in ("", "asc", "des", "desc"):
            raise BadQueryParameter("orderBy", f"{direction!r} is not asc or desc.")
        keys.append((name, direction.lower().startswith("des")))
    return tuple(keys)


def matches(query: Filter, item: Mapping[str, Any]) -> bool:
    if isinstance(query, All):
        return all(matches(part, item) for part in query.parts)
    if isinstance(query, AnyOf):
        return any(matches(part, item) for part in query.parts)
    if isinstance(query, Not):
        return not matches(query.part, item)
    return _compare(query, values_of(".".join(query.path), item))


_TESTS: Mapping[str, Callable[[str, str], bool]] = {
    "eq": lambda v, w: v == w,
    "co": lambda v, w: w.casefold() in v.casefold(),
    "mt": lambda v, w: w.casefold() in v.casefold(),
    "sw": lambda v, w: v.casefold().startswith(w.casefold()),
    "ew": lambda v, w: v.casefold().endswith(w.casefold()),
    "gt": lambda v, w: v > w,
    "ge": lambda v, w: v >= w,
    "lt": lambda v, w: v < w,
    "le": lambda v, w: v <= w,
}


def _compare(test: Compare, values: list[str]) -> bool:
    """Strings with strings (a number or true/false in `q` as its text): `ne` holds when no value equals,
    the others when one value passes."""
    wanted = _word(test.value) if isinstance(test.value, bool) else str(test.value)
    if test.op == "ne":
        return all(v != wanted for v in values)
    passes = _TESTS[test.op]
    return any(passes(v, wanted) for v in values)


@dataclass(frozen=True, slots=True)
class Found:
    """The page asked for, how many items matched in all, and whether any follow the page."""

    items: list[dict[str, Any]]
    total: int
    has_more: bool


def run(query: ItemQuery, items: Iterable[Mapping[str, Any]]) -> Found:
    """Filter, order (stable, by id last so pages never overlap), then cut the page."""
    selected = [dict(i) for i in items if query.q is None or matches(query.q, i)]
    selected.sort(key=partial(sort_value, "id"))
    for name, descending in reversed(query.order_by):
        selected.sort(key=partial(sort_value, name), reverse=descending)
    page = selected[query.offset : query.offset + query.limit]
    return Found(page, len(selected), query.offset + len(page) < len(selected))


# ---- content lists -----------------------------------------------------------------------------------------------

#: The most items a content list shows.
MAX_LIST = 100


def content_list_query(data: Mapping[str, Any]) -> ItemQuery | None:
    """The query a content list's settings make, as the site runtime sends it to Content Delivery: its types
    (`contentTypes`) AND its `queryString`, ordered by `sortOrder`, from `firstItem`, at most `maxResults`.
    None when its `queryString` is not a query (Content Delivery answers such a list with an error: it shows
    no items)."""
    types = data.get("contentTypes")
    type_test = (
        AnyOf(tuple(Compare(("type",), "eq", str(t)) for t in types)) if isinstance(types, list) else None
    )
    extra = data.get("queryString")
    try:
        added = parse_filter(extra, NAMES) if isinstance(extra, str) and extra.strip() else None
        order = parse_order(str(data.get("sortOrder") or "name:asc"))
    except BadQueryParameter:
        return None
    parts = tuple(p for p in (type_test, added) if p is not None)
    first, limit = data.get("firstItem"), data.get("maxResults")
    return ItemQuery(
        q=All(parts) if parts else None,
        order_by=order,
        offset=first if isinstance(first, int) and first > 0 else 0,
        limit=limit if isinstance(limit, int) and 0 < limit <= MAX_LIST else MAX_LIST,
    )
