"""Searching executions: a condition tree that knows no API, compiled here (the one place that writes execution
SQL, with `store`) into one indexed SELECT for the page and, when needed, a COUNT.

Every comparison is two-valued: on a column that can be NULL it is false there, never NULL, so `Not` of it is
true there ("an execution without a client_id is not client 'x'"). Absent times sort as the smallest value
(first ascending, last descending) on every backend; `id` always ends the ORDER BY, in the direction of the last
key, so that an index scan serves it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import ColumnElement, Connection, Select, and_, false, func, not_, or_, select, true

from sitejobs.engine.models import Execution
from sitejobs.engine.schema import executions

ColumnName = Literal[
    "id", "job_id", "state", "exit_code", "client_id", "start_time", "end_time", "modified_at"
]
Operator = Literal["eq", "in", "lt", "le", "gt", "ge", "contains"]


@dataclass(frozen=True, slots=True)
class Compare:
    column: ColumnName
    op: Operator
    values: tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class Not:
    condition: Condition


@dataclass(frozen=True, slots=True)
class AllOf:
    conditions: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    conditions: tuple[Condition, ...]


Condition = Compare | Not | AllOf | AnyOf
MATCH_ALL = AllOf(())
MATCH_NONE = AnyOf(())


def all_of(conditions: Iterable[Condition]) -> Condition:
    """AND, leaving out the parts that match everything."""
    kept = tuple(c for c in conditions if c != MATCH_ALL)
    return kept[0] if len(kept) == 1 else AllOf(kept)


def any_of(conditions: Iterable[Condition]) -> Condition:
    """OR, leaving out the parts that match nothing."""
    kept = tuple(c for c in conditions if c != MATCH_NONE)
    return kept[0] if len(kept) == 1 else AnyOf(kept)


@dataclass(frozen=True, slots=True)
class Order:
    column: ColumnName
    descending: bool = False


@dataclass(frozen=True, slots=True)
class ExecutionSearch:
    where: Condition
    #: Sort keys in order; none means newest first (id descending).
    order: tuple[Order, ...]
    start: int
    count: int


_C = executions.c


def _sql(condition: Condition) -> ColumnElement[bool]:
    if isinstance(condition, AllOf):
        return and_(true(), *(_sql(c) for c in condition.conditions))
    if isinstance(condition, AnyOf):
        return or_(false(), *(_sql(c) for c in condition.conditions))
    if isinstance(condition, Not):
        return not_(_sql(condition.condition))
    column = _C[condition.column]
    values = condition.values
    op = condition.op
    predicate: ColumnElement[bool]
    if op == "in":
        if not values:
            return false()
        predicate = column.in_(values)
    elif op == "contains":
        predicate = column.icontains(values[0], autoescape=True)
    else:
        value = values[0]
        predicate = {
            "eq": lambda: column == value,
            "lt": lambda: column < value,
            "le": lambda: column <= value,
            "gt": lambda: column > value,
            "ge": lambda: column >= value,
        }[op]()
    return and_(predicate, column.is_not(None)) if column.nullable else predicate


def _order_by(order: tuple[Order, ...]) -> list[ColumnElement[Any]]:
    keys: list[ColumnElement[Any]] = []
    for key in order:
        column = _C[key.column]
        if key.descending:
            keys.append(column.desc().nulls_last() if column.nullable else column.desc())
        else:
            keys.append(column.asc().nulls_first() if column.nullable else column.asc())
    if not any(key.column == "id" for key in order):
        descending = order[-1].descending if order else True
        keys.append(_C.id.desc() if descending else _C.id.asc())
    return keys


def _where(stmt: Select[Any], condition: Condition) -> Select[Any]:
    return stmt if condition == MATCH_ALL else stmt.where(_sql(condition))


def count_statement(search: ExecutionSearch) -> Select[Any]:
    return _where(select(func.count()).select_from(executions), search.where)


def hits_statement(search: ExecutionSearch) -> Select[Any]:
    """The page's rows, all columns in table order. The page is chosen on ids alone (often from an index
    without touching the table) and only its rows are read in full: sorting a wide match set is far slower."""
    order = _order_by(search.order)
    page = _where(select(_C.id), search.where).order_by(*order).offset(search.start).limit(search.count)
    sub = page.subquery("page")
    return select(executions).join(sub, _C.id == sub.c.id).order_by(*order)


def search_executions(conn: Connection, search: ExecutionSearch) -> tuple[int, list[Execution]]:
    """The total number of matches and the requested page of them, in order."""
    hits = [Execution.from_row(row) for row in conn.execute(hits_statement(search))]
    if 0 < len(hits) < search.count or (not hits and search.start == 0):
        return search.start + len(hits), hits  # a short page is the last one: no COUNT needed
    return int(conn.execute(count_statement(search)).scalar_one()), hits
