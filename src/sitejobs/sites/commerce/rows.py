"""Rows as the import spools and writes them: tuples in table column order, JSON already serialized."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

import orjson
from sqlalchemy import JSON

from sitejobs.sites.commerce import schema

Row = tuple[Any, ...]


@dataclass(frozen=True)
class Layout:
    table: str
    columns: tuple[str, ...]
    json: frozenset[str]
    key: Callable[[Row], Any]  # the primary key of a packed row
    positions: dict[str, int]  # column name → index in a packed row

    def pack(self, row: dict[str, Any]) -> Row:
        if self.json:
            return tuple([_json(row[c]) if c in self.json else row[c] for c in self.columns])
        return tuple([row[c] for c in self.columns])

    def replaced(self, row: Row, values: dict[str, Any]) -> Row:
        """`row` with the columns in `values` (unpacked values) set to them."""
        out = list(row)
        for column, value in values.items():
            out[self.positions[column]] = _json(value) if column in self.json else value
        return tuple(out)


def _json(value: Any) -> str | None:
    return None if value is None else orjson.dumps(value).decode()


def _layout(name: str) -> Layout:
    table = schema.TABLES[name]
    columns = tuple(c.name for c in table.columns)
    keys = [columns.index(k) for k in schema.KEYS[name]]
    return Layout(
        table=name,
        columns=columns,
        json=frozenset(c.name for c in table.columns if isinstance(c.type, JSON)),
        key=itemgetter(*keys),
        positions={column: at for at, column in enumerate(columns)},
    )


LAYOUTS: dict[str, Layout] = {name: _layout(name) for name in schema.TABLES}
