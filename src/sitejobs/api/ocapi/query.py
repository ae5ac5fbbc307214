"""The OCAPI `job_execution_search` request: validated once, and turned into the engine's condition tree
(`sitejobs.engine.search`), which the engine runs as one indexed SELECT (plus a COUNT).

`parse_search` turns the request body into a `SearchRequest` (raising the OCAPI faults on a bad document);
`SearchRequest.search` is what the engine runs. The engine's comparisons are two-valued, so negations
(`must_not`, `bool_filter` `not`, `neq`, `not_in`) treat an absent value as "not equal": an execution without
a `client_id` matches `client_id neq "x"` and never matches `client_id is "x"` or a range on it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Any, TypeGuard

from sitejobs.engine.search import (
    MATCH_ALL,
    ColumnName,
    Compare,
    Condition,
    ExecutionSearch,
    Not,
    Order,
    all_of,
    any_of,
)
from sitejobs.engine.states import (
    OCAPI,
    State,
    states_with_ocapi_execution_status,
    states_with_ocapi_status,
)
from sitejobs.errors import InvalidParameter, MalformedDocument, MissingParameter, UnknownProperty

__all__ = ["SearchRequest", "parse_search"]

DEFAULT_COUNT = 25
MAX_COUNT = 200
MAX_START = 2**31 - 1  # OCAPI's `start` is a 32-bit int
DEFAULT_SELECT = "(**)"
#: Bounds on a request body: nesting (the parser and SQL compiler recurse) and values (each is a bind parameter).
MAX_DEPTH = 64
MAX_NODES = 1000


class Kind(Enum):
    NUMBER = "number"
    TEXT = "text"
    STATE = "state"
    TIME = "time"


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    column: ColumnName
    kind: Kind
    #: For STATE fields: each OCAPI name (lower case) and the internal states it stands for.
    states: Mapping[str, frozenset[State]] = field(default_factory=dict)


_STATUS = {n.status.lower(): states_with_ocapi_status(n.status) for n in OCAPI.values()}
_EXECUTION_STATUS = {
    n.execution_status.lower(): states_with_ocapi_execution_status(n.execution_status) for n in OCAPI.values()
}
FIELDS: dict[str, Field] = {
    f.name: f
    for f in (
        Field("id", "id", Kind.NUMBER),
        Field("job_id", "job_id", Kind.TEXT),
        Field("status", "state", Kind.STATE, _STATUS),
        Field("execution_status", "state", Kind.STATE, _EXECUTION_STATUS),
        Field("exit_status.code", "exit_code", Kind.TEXT),
        Field("client_id", "client_id", Kind.TEXT),
        Field("start_time", "start_time", Kind.TIME),
        Field("end_time", "end_time", Kind.TIME),
        Field("modification_time", "modified_at", Kind.TIME),
    )
}
OPERATORS = ("is", "one_of", "less", "greater", "not_in", "neq")
_ONE_VALUE = frozenset({"is", "less", "greater", "neq"})
_ALL_STATES = frozenset(State)
_INT64 = (-(2**63), 2**63 - 1)
_DECIMAL = re.compile(r"-?[0-9]{1,19}")
_TIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?(Z|[+-][0-9]{2}:[0-9]{2})"
)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
#: Properties OCAPI documents may carry anywhere (a query echoed from a result has `_type`s): ignored.
_MARKERS = ("_type", "_v")


@dataclass(frozen=True, slots=True)
class SearchRequest:
    """A validated search; `query` and `sorts` are the documents as sent, for the result to echo."""

    query: dict[str, Any]
    sorts: list[Any] | None
    start: int
    count: int
    select: str
    expand: tuple[str, ...]
    where: Condition
    order: tuple[Order, ...]

    def search(self, *also: Condition) -> ExecutionSearch:
        """What the engine runs: this request's conditions, and `also` (what the caller may not see, say)."""
        return ExecutionSearch(all_of((self.where, *also)), self.order, self.start, self.count)


def parse_search(doc: object) -> SearchRequest:
    """Validate a `job_execution_search` body; raises the OCAPI fault naming the first thing wrong."""
    if not isinstance(doc, dict):
        raise MalformedDocument("The search request must be a JSON object.")
    _check_size(doc)
    body = _props(doc, "search_request", ("query",), ("sorts", "start", "count", "select", "expand"))
    start = body.get("start", 0)
    if not _is_int(start) or not 0 <= start <= MAX_START:
        raise InvalidParameter(
            f"'start' must be an integer from 0 to {MAX_START}, not {_show(start)}.", property="start"
        )
    count = body.get("count", DEFAULT_COUNT)
    if not _is_int(count) or not 1 <= count <= MAX_COUNT:
        raise InvalidParameter(
            f"'count' must be an integer from 1 to {MAX_COUNT}, not {_show(count)}.", property="count"
        )
    selected = body.get("select", DEFAULT_SELECT)
    if not isinstance(selected, str):
        raise InvalidParameter(f"'select' must be a string, not {_show(selected)}.", property="select")
    expand = body.get("expand", [])
    if not isinstance(expand, list) or not all(isinstance(e, str) for e in expand):
        raise InvalidParameter("'expand' must be a list of strings.", property="expand")
    sorts = body.get("sorts")
    if sorts is not None and not isinstance(sorts, list):
        raise InvalidParameter("'sorts' must be a list of sort objects.", property="sorts")
    return SearchRequest(
        query=body["query"],
        sorts=sorts,
        start=start,
        count=count,
        select=selected,
        expand=tuple(expand),
        where=_query(body["query"], "query"),
        order=_order_by(sorts or [], "sorts"),
    )


# -- queries and filters ---------------------------------------------------------------------------


def _query(doc: object, path: str) -> Condition:
    kind, body = _one_key(doc, path, "query")
    handler = _QUERIES.get(kind)
    if handler is None:
        raise UnknownProperty(
            f"Unknown query type {_show(kind)} at {path}; expected one of {sorted(_QUERIES)}.", property=path
        )
    return handler(body, f"{path}.{kind}")


def _filter(doc: object, path: str) -> Condition:
    kind, body = _one_key(doc, path, "filter")
    handler = _FILTERS.get(kind)
    if handler is None:
        raise UnknownProperty(
            f"Unknown filter type {_show(kind)} at {path}; expected one of {sorted(_FILTERS)}.", property=path
        )
    return handler(body, f"{path}.{kind}")


def _match_all_query(doc: object, path: str) -> Condition:
    _props(doc, path)
    return MATCH_ALL


def _term_query(doc: object, path: str) -> Condition:
    body = _props(doc, path, ("fields", "operator", "values"))
    fields = _field_list(body["fields"], f"{path}.fields")
    operator = _operator(body["operator"], f"{path}.operator")
    values = _value_list(body["values"], operator, f"{path}.values")
    return any_of(_term(f, operator, values, f"{path}.values") for f in fields)


def _text_query(doc: object, path: str) -> Condition:
    body = _props(doc, path, ("fields", "search_phrase"))
    fields = _field_list(body["fields"], f"{path}.fields")
    for f in fields:
        if f.kind is not Kind.TEXT:
            raise InvalidParameter(
                f"{path}.fields: {f.name!r} is not a text field; text fields are "
                f"{sorted(n for n, t in FIELDS.items() if t.kind is Kind.TEXT)}.",
                property=f"{path}.fields",
            )
    phrase = _text(body["search_phrase"], f"{path}.search_phrase")
    if not phrase:
        raise InvalidParameter(
            f"{path}.search_phrase must be a non-empty string.", property=f"{path}.search_phrase"
        )
    return any_of(Compare(f.column, "contains", (phrase,)) for f in fields)


def _bool_query(doc: object, path: str) -> Condition:
    body = _props(doc, path, optional=("must", "must_not", "should"))
    clauses = {
        key: [_query(q, f"{path}.{key}[{i}]") for i, q in enumerate(_list(body, key, path))]
        for key in ("must", "must_not", "should")
    }
    must_not = [Not(any_of(clauses["must_not"]))] if clauses["must_not"] else []
    should = [any_of(clauses["should"])] if clauses["should"] else []
    return all_of([*clauses["must"], *should, *must_not])


def _filtered_query(doc: object, path: str) -> Condition:
    body = _props(doc, path, ("query", "filter"))
    return all_of([_query(body["query"], f"{path}.query"), _filter(body["filter"], f"{path}.filter")])


def _term_filter(doc: object, path: str) -> Condition:
    body = _props(doc, path, ("field", "operator", "values"))
    f = _field(body["field"], f"{path}.field")
    operator = _operator(body["operator"], f"{path}.operator")
    return _term(f, operator, _value_list(body["values"], operator, f"{path}.values"), f"{path}.values")


def _range_filter(doc: object, path: str) -> Condition:
    body = _props(doc, path, ("field",), ("from", "to", "from_inclusive", "to_inclusive"))
    f = _field(body["field"], f"{path}.field")
    if f.kind is Kind.STATE:
        raise InvalidParameter(
            f"{path}: {f.name!r} has no order; use a term filter.", property=f"{path}.field"
        )
    if "from" not in body and "to" not in body:
        raise MissingParameter(f"{path} needs 'from', 'to' or both.", property=path)
    parts: list[Condition] = []
    for key, inclusive_key in (("from", "from_inclusive"), ("to", "to_inclusive")):
        inclusive = body.get(inclusive_key, True)
        if not isinstance(inclusive, bool):
            raise InvalidParameter(
                f"{path}.{inclusive_key} must be true or false.", property=f"{path}.{inclusive_key}"
            )
        if key in body:
            value = _scalar(f, body[key], f"{path}.{key}")
            if key == "from":
                parts.append(Compare(f.column, "ge" if inclusive else "gt", (value,)))
            else:
                parts.append(Compare(f.column, "le" if inclusive else "lt", (value,)))
    return all_of(parts)


def _bool_filter(doc: object, path: str) -> Condition:
    body = _props(doc, path, ("operator", "filters"))
    operator = body["operator"]
    if operator not in ("and", "or", "not"):
        raise InvalidParameter(
            f"{path}.operator must be 'and', 'or' or 'not', not {_show(operator)}.",
            property=f"{path}.operator",
        )
    filters = [_filter(d, f"{path}.filters[{i}]") for i, d in enumerate(_list(body, "filters", path))]
    if not filters:
        raise InvalidParameter(f"{path}.filters must hold at least one filter.", property=f"{path}.filters")
    if operator == "and":
        return all_of(filters)
    return any_of(filters) if operator == "or" else Not(any_of(filters))  # not: none of them


def _query_filter(doc: object, path: str) -> Condition:
    return _query(_props(doc, path, ("query",))["query"], f"{path}.query")


_QUERIES: dict[str, Callable[[object, str], Condition]] = {
    "match_all_query": _match_all_query,
    "term_query": _term_query,
    "text_query": _text_query,
    "bool_query": _bool_query,
    "filtered_query": _filtered_query,
}
_FILTERS: dict[str, Callable[[object, str], Condition]] = {
    "term_filter": _term_filter,
    "range_filter": _range_filter,
    "bool_filter": _bool_filter,
    "query_filter": _query_filter,
}


# -- terms and values ------------------------------------------------------------------------------


def _term(f: Field, operator: str, values: list[Any], path: str) -> Condition:
    if f.kind is Kind.STATE:
        if operator in ("less", "greater"):
            raise InvalidParameter(
                f"{path}: {f.name!r} has no order; '{operator}' does not apply.", property=path
            )
        wanted = frozenset[State]().union(*(_states(f, v, f"{path}[{i}]") for i, v in enumerate(values)))
        if operator in ("neq", "not_in"):
            wanted = _ALL_STATES - wanted  # the complement keeps `state IN (...)` on the (state, id) index
        return Compare(f.column, "in", tuple(sorted(s.value for s in wanted)))
    scalars = tuple(_scalar(f, v, f"{path}[{i}]") for i, v in enumerate(values))
    positive: Condition
    if operator == "less":
        positive = Compare(f.column, "lt", scalars)
    elif operator == "greater":
        positive = Compare(f.column, "gt", scalars)
    else:
        positive = Compare(f.column, "eq" if len(scalars) == 1 else "in", scalars)
    return Not(positive) if operator in ("neq", "not_in") else positive


def _scalar(f: Field, raw: object, path: str) -> int | str:
    if f.kind is Kind.NUMBER:
        return _number(raw, path)
    if f.kind is Kind.TIME:
        return _time_ms(raw, path)
    return _text(raw, path)


def _text(raw: object, path: str) -> str:
    """A string a database can compare: PostgreSQL text holds no NUL (and SQLite's LIKE stops at one)."""
    if not isinstance(raw, str):
        raise InvalidParameter(f"{path} must be a string, not {_show(raw)}.", property=path)
    if "\x00" in raw or (not raw.isascii() and any("\ud800" <= c <= "\udfff" for c in raw)):
        raise InvalidParameter(f"{path} holds a NUL character or a lone surrogate.", property=path)
    return raw


def _number(raw: object, path: str) -> int:
    if _is_int(raw):
        value = raw
    elif isinstance(raw, str) and _DECIMAL.fullmatch(raw):
        value = int(raw)
    else:
        raise InvalidParameter(
            f"{path} must be an integer or a decimal string, not {_show(raw)}.", property=path
        )
    if not _INT64[0] <= value <= _INT64[1]:
        raise InvalidParameter(f"{path} is out of range: {_show(raw)}.", property=path)
    return value


def _time_ms(raw: object, path: str) -> int:
    """An ISO 8601 date-time with a zone (`2017-05-12T14:23:57.316Z`) as epoch ms (sub-ms cut off)."""
    if isinstance(raw, str) and _TIME.fullmatch(raw):
        try:
            return (datetime.fromisoformat(raw) - _EPOCH) // timedelta(milliseconds=1)
        except ValueError:
            pass
    raise InvalidParameter(
        f"{path} must be an ISO 8601 UTC date-time like '2017-05-12T14:23:57.316Z', not {_show(raw)}.",
        property=path,
    )


def _states(f: Field, raw: object, path: str) -> frozenset[State]:
    states = f.states.get(raw.lower()) if isinstance(raw, str) else None
    if states is None:
        names = sorted({n.status if f.name == "status" else n.execution_status for n in OCAPI.values()})
        raise InvalidParameter(f"{path} must be one of {names} (any case), not {_show(raw)}.", property=path)
    return states


def _field(raw: object, path: str) -> Field:
    if not isinstance(raw, str):
        raise InvalidParameter(f"{path} must be a field name, not {_show(raw)}.", property=path)
    f = FIELDS.get(raw)
    if f is None:
        raise UnknownProperty(
            f"{path}: unknown field {_show(raw)}; known fields are {list(FIELDS)}.", property=path
        )
    return f


def _field_list(raw: object, path: str) -> list[Field]:
    """The named fields, each once."""
    if not isinstance(raw, list) or not raw:
        raise InvalidParameter(f"{path} must be a non-empty list of field names.", property=path)
    fields = [_field(name, f"{path}[{i}]") for i, name in enumerate(raw)]
    return list({f.name: f for f in fields}.values())


def _operator(raw: object, path: str) -> str:
    if raw not in OPERATORS:
        raise InvalidParameter(f"{path} must be one of {list(OPERATORS)}, not {_show(raw)}.", property=path)
    assert isinstance(raw, str)
    return raw


def _value_list(raw: object, operator: str, path: str) -> list[Any]:
    if not isinstance(raw, list) or not raw:
        raise InvalidParameter(f"{path} must be a non-empty list of values.", property=path)
    if operator in _ONE_VALUE and len(raw) != 1:
        raise InvalidParameter(
            f"{path}: operator '{operator}' takes exactly one value, got {len(raw)}.", property=path
        )
    return raw


# -- sorting ---------------------------------------------------------------------------------------


def _order_by(sorts: list[Any], path: str) -> tuple[Order, ...]:
    keys: list[Order] = []
    for i, doc in enumerate(sorts):
        body = _props(doc, f"{path}[{i}]", ("field",), ("sort_order",))
        f = _field(body["field"], f"{path}[{i}].field")
        order = body.get("sort_order", "asc")
        if not isinstance(order, str) or order.lower() not in ("asc", "desc"):
            raise InvalidParameter(
                f"{path}[{i}].sort_order must be 'asc' or 'desc', not {_show(order)}.",
                property=f"{path}[{i}].sort_order",
            )
        keys.append(Order(f.column, descending=order.lower() == "desc"))
    return tuple(keys)


# -- document helpers ------------------------------------------------------------------------------


def _props(
    doc: object, path: str, required: Collection[str] = (), optional: Collection[str] = ()
) -> dict[str, Any]:
    """`doc`'s properties, checked against the allowed names; a null counts as absent, `_type`/`_v` ignored."""
    if not isinstance(doc, dict):
        raise InvalidParameter(f"{path} must be an object, not {_show(doc)}.", property=path)
    for key in doc:
        if key not in required and key not in optional and key not in _MARKERS:
            allowed = sorted({*required, *optional})
            raise UnknownProperty(
                f"{path} has no property {_show(key)}; allowed: {allowed}.", property=f"{path}.{key}"
            )
    body = {k: v for k, v in doc.items() if v is not None and k not in _MARKERS}
    for key in required:
        if key not in body:
            raise MissingParameter(f"{path} needs the property {key!r}.", property=f"{path}.{key}")
    return body


def _one_key(doc: object, path: str, what: str) -> tuple[str, object]:
    if not isinstance(doc, dict):
        raise InvalidParameter(f"{path} must be a {what} object, not {_show(doc)}.", property=path)
    keys = [k for k in doc if k not in _MARKERS]
    if len(keys) != 1:
        raise InvalidParameter(
            f"{path} must have exactly one property naming the {what} type, got {keys}.", property=path
        )
    return keys[0], doc[keys[0]]


def _list(body: Mapping[str, Any], key: str, path: str) -> list[Any]:
    value = body.get(key, [])
    if not isinstance(value, list):
        raise InvalidParameter(f"{path}.{key} must be a list.", property=f"{path}.{key}")
    return value


def _check_size(doc: object) -> None:
    """Refuse a body nested or large enough to exhaust the stack or the database's bind-parameter limit."""
    stack: list[tuple[object, int]] = [(doc, 1)]
    nodes = 0
    while stack:
        value, depth = stack.pop()
        nodes += 1
        if depth > MAX_DEPTH or nodes > MAX_NODES:
            raise InvalidParameter(
                f"The search request is too large: at most {MAX_NODES} values, nested at most {MAX_DEPTH} deep."
            )
        children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
        stack.extend((child, depth + 1) for child in children)


def _show(value: object) -> str:
    """A value as it goes into a message: its repr, cut short."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)
