"""The query parameters of the Sites Management resources, validated once into a frozen `Query`.

`parse_query(params, spec)` takes the request's (name, value) pairs (`request.query_params.multi_items()`)
and the resource's `ResourceSpec`; anything it cannot honour raises `BadQueryParameter` naming the parameter.

Decisions, where the seed and Oracle's documentation leave room:
- **An unknown parameter name is ignored**, as Oracle's service does: a browser's or a proxy's cache-buster
  (`_=1700000000000`) and parameters of other resources must not break a poll. Parameter names are
  case-sensitive, as Oracle documents them, so `Limit=10` is an unknown name and is ignored too; the names a
  real client sends (the Content Toolkit's `links`, `orderBy`, `limit`, `offset`, `expand`, `expansionErrors`,
  `includeDeleted`) are all known and checked.
- A list parameter (`fields`, `excludeFields`, `links`, `excludeLinks`, `expand`) may be repeated and its
  values are merged; any other parameter given twice is a 400 (which one was meant?). Empty list items
  (`fields=a,,b`, a trailing comma) are skipped, and a list parameter with no items (`links=`) counts as not
  given: an empty `links` must not mean `links=none`.
- `fields` and `links` name things that may not exist: unknown names are ignored (Oracle: "Field names are
  ignored if the field does not exist"; the seed's `links=download` names a link only `translationFile`
  has). `fields=all` is the same as no `fields`. `links=none` drops every link; `none` with other names is a
  400. `expand` names are checked against the resource's relations (a typo would silently expand nothing).
- `limit` must be a whole number from 1; above the resource's maximum (250) it is lowered to the maximum, as
  Oracle documents for its collections, and the answer's `limit` says so. `offset` is a whole number from 0.
- `orderBy` is `field[:asc|:desc]`, comma-separated, on the fields the resource lists; `asc` by default.
- Paging, `orderBy`, `q` and `totalResults` are only parameters of collections; on a singular resource they
  are unknown names, so they are ignored.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum
from functools import lru_cache
from typing import TypeVar

from sitejobs.api.oce.resources import ResourceSpec
from sitejobs.errors import BadQueryParameter
from sitejobs.sites.content.query_filter import Filter, parse_filter

__all__ = ["ExpansionErrors", "OrderKey", "Query", "Return", "default_query", "parse_query"]

MAX_OFFSET = 2**63 - 1
_WHOLE = re.compile(r"[0-9]{1,19}")
_LIST_PARAMS = ("fields", "excludeFields", "links", "excludeLinks", "expand")
_SHAPING_PARAMS = (*_LIST_PARAMS, "expansionErrors", "return")
_COLLECTION_PARAMS = ("limit", "offset", "orderBy", "q")
_BOOLEANS = {"true": True, "false": False}

Path = tuple[str, ...]
E = TypeVar("E", bound=Enum)


class ExpansionErrors(Enum):
    IGNORE = "ignore"
    INCLUDE = "include"
    FAIL = "fail"


class Return(Enum):
    REPRESENTATION = "representation"
    DEFAULT = "default"
    BASIC = "basic"
    MINIMAL = "minimal"


@dataclass(frozen=True, slots=True)
class OrderKey:
    path: Path
    descending: bool = False


@dataclass(frozen=True, slots=True)
class Query:
    """A validated query string. `None` means "not asked for" where that differs from any value."""

    spec: ResourceSpec = field(repr=False)
    fields: tuple[Path, ...] | None = None
    exclude_fields: tuple[Path, ...] = ()
    #: Link relations to keep; `None` keeps all, empty keeps none (`links=none`).
    links: frozenset[str] | None = None
    exclude_links: frozenset[str] = frozenset()
    #: Relations to expand, `all` already resolved to the resource's relations.
    expand: frozenset[str] = frozenset()
    expansion_errors: ExpansionErrors = ExpansionErrors.INCLUDE
    representation: Return | None = None
    limit: int = 0
    offset: int = 0
    order_by: tuple[OrderKey, ...] = ()
    q: Filter | None = None
    flags: frozenset[str] = frozenset()

    @property
    def plain(self) -> bool:
        """Nothing to do to a document: `shape` hands it back as it is."""
        return (
            self.fields is None
            and not self.exclude_fields
            and self.links is None
            and not self.exclude_links
            and not self.expand
            and self.representation in (None, Return.DEFAULT)
        )


def default_query(spec: ResourceSpec) -> Query:
    """The query of a request without parameters (e.g. the first page `expand=pages` shows)."""
    return Query(spec=spec, limit=spec.default_limit)


def parse_query(params: Iterable[tuple[str, str]], spec: ResourceSpec) -> Query:
    """The validated query; raises BadQueryParameter naming the first parameter it cannot honour.

    A `Query` is immutable, so the answers for the last few distinct query strings are kept: a poller asking
    `?links=none` every few seconds pays for one dictionary lookup, not for parsing again."""
    return _parse(tuple(params), spec)


@lru_cache(maxsize=1024)
def _parse(params: tuple[tuple[str, str], ...], spec: ResourceSpec) -> Query:
    allowed = _allowed(spec)
    lists: dict[str, list[str]] = {}
    scalars: dict[str, str] = {}
    for name, value in params:
        if name not in allowed:
            continue
        if name in _LIST_PARAMS:
            lists.setdefault(name, []).extend(item.strip() for item in value.split(","))
        elif name in scalars:
            raise BadQueryParameter(name, f"The query parameter {name!r} is given more than once.")
        else:
            scalars[name] = value
    lists = {name: kept for name, items in lists.items() if (kept := [item for item in items if item])}
    links = _links(lists.get("links"))
    return Query(
        spec=spec,
        fields=_fields(lists.get("fields")),
        exclude_fields=_paths("excludeFields", lists.get("excludeFields", [])),
        links=links,
        exclude_links=frozenset(lists.get("excludeLinks", [])),
        expand=_expand(lists.get("expand", []), spec),
        expansion_errors=_choice("expansionErrors", scalars, ExpansionErrors) or ExpansionErrors.INCLUDE,
        representation=_choice("return", scalars, Return),
        limit=_limit(scalars.get("limit"), spec),
        offset=_whole("offset", scalars["offset"], 0) if "offset" in scalars else 0,
        order_by=_order_by(scalars.get("orderBy"), spec),
        q=parse_filter(scalars["q"], spec.filterable) if "q" in scalars else None,
        flags=frozenset(name for name in spec.flags if _flag(name, scalars.get(name))),
    )


@lru_cache(maxsize=64)
def _allowed(spec: ResourceSpec) -> frozenset[str]:
    return frozenset({*_SHAPING_PARAMS, *(_COLLECTION_PARAMS if spec.collection else ()), *spec.flags})


def _fields(items: list[str] | None) -> tuple[Path, ...] | None:
    if items is None or "all" in items:
        return None
    return _paths("fields", items)


def _paths(name: str, items: list[str]) -> tuple[Path, ...]:
    paths: list[Path] = []
    for item in items:
        path = tuple(item.split("."))
        if not all(path):
            raise BadQueryParameter(name, f"{name}: {item!r} is not a field name (empty part between dots).")
        paths.append(path)
    return tuple(paths)


def _links(items: list[str] | None) -> frozenset[str] | None:
    if items is None:
        return None
    if "none" in items:
        if len(set(items)) > 1:
            raise BadQueryParameter("links", "links: 'none' cannot be combined with link relation names.")
        return frozenset()
    return frozenset(items)


def _expand(items: list[str], spec: ResourceSpec) -> frozenset[str]:
    if "all" in items:
        return spec.expandable
    unknown = sorted(set(items) - spec.expandable)
    if unknown:
        raise BadQueryParameter(
            "expand",
            f"expand: {', '.join(repr(u) for u in unknown)} is not a relationship of the {spec.name}; "
            f"use 'all' or one of {sorted(spec.expandable)}.",
        )
    return frozenset(items)


def _choice(name: str, scalars: dict[str, str], enum: type[E]) -> E | None:
    raw = scalars.get(name)
    if raw is None:
        return None
    for member in enum:
        if member.value == raw:
            return member
    raise BadQueryParameter(name, f"{name} must be one of {[m.value for m in enum]}, not {raw!r}.")


def _whole(name: str, raw: str, minimum: int) -> int:
    if not _WHOLE.fullmatch(raw) or not minimum <= int(raw) <= MAX_OFFSET:
        raise BadQueryParameter(name, f"{name} must be a whole number from {minimum}, not {raw[:40]!r}.")
    return int(raw)


def _limit(raw: str | None, spec: ResourceSpec) -> int:
    if not spec.collection:
        return 0
    if raw is None:
        return spec.default_limit
    return min(_whole("limit", raw, 1), spec.max_limit)


def _order_by(raw: str | None, spec: ResourceSpec) -> tuple[OrderKey, ...]:
    if raw is None:
        return ()
    keys: list[OrderKey] = []
    for item in raw.split(","):
        name, _, direction = item.strip().partition(":")
        if name not in spec.orderable:
            raise BadQueryParameter(
                "orderBy", f"orderBy: cannot order by {name!r}; the fields are {sorted(spec.orderable)}."
            )
        if direction not in ("", "asc", "desc"):
            raise BadQueryParameter(
                "orderBy", f"orderBy: the direction must be asc or desc, not {direction!r}."
            )
        if any(k.path == tuple(name.split(".")) for k in keys):
            raise BadQueryParameter("orderBy", f"orderBy: {name!r} is named twice.")
        keys.append(OrderKey(tuple(name.split(".")), direction == "desc"))
    return tuple(keys)


def _flag(name: str, raw: str | None) -> bool:
    if raw is None:
        return False
    value = _BOOLEANS.get(raw.lower())
    if value is None:
        raise BadQueryParameter(name, f"{name} must be true or false, not {raw[:40]!r}.")
    return value
