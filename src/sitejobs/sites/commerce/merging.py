"""A batch of merged objects made ready to upsert: each merged into what the store holds for it.

Run by the Applier inside the import's transaction, so what an earlier batch of the same import wrote is what
is stored. An object the store does not hold goes in as the archive has it; one it holds with the very same
XML is unchanged; any other is parsed, merged (merge.py) and its columns computed again from the result
(columns.py). Several of the same key in one batch merge one after the other.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection

from sitejobs.sites.commerce import schema
from sitejobs.sites.commerce.columns import MERGED
from sitejobs.sites.commerce.merge import fresh, has_merge_modes, merged, parse
from sitejobs.sites.commerce.rows import LAYOUTS, Row


def merge_rows(conn: Connection, table: str, batch: list[Row]) -> list[Row]:
    """One row per key of `batch`, each the merge of the stored object and the batch's rows, in order."""
    layout = LAYOUTS[table]
    key, xml = layout.key, layout.positions["xml"]
    held = stored_xml(conn, table, {key(row) for row in batch})
    out: dict[Any, Row] = {}
    for row in batch:
        k = key(row)
        before = out[k][xml] if k in out else held.get(k)
        if before is None:
            out[k] = created(table, row)
        elif before == row[xml] and not has_merge_modes(before):
            out[k] = row  # the same object again: merging changes nothing
        else:
            element = merged(parse(before), parse(row[xml]))
            out[k] = layout.replaced(row, MERGED[table](element))
    return list(out.values())


def created(table: str, row: Row) -> Row:
    """An object as it is merged into nothing (also what REPLACE writes: a delete, then a merge)."""
    layout = LAYOUTS[table]
    xml = row[layout.positions["xml"]]
    if not has_merge_modes(xml):
        return row
    return layout.replaced(row, MERGED[table](fresh(parse(xml))))


def stored_xml(conn: Connection, table: str, keys: Iterable[Any]) -> dict[Any, str]:
    """The stored XML of the objects with these keys (as rows.Layout.key gives them), by key.

    A join with the keys, which both databases answer from the primary key's index (SQLite scans the whole
    table for `(a, b) IN (VALUES …)`, so a merge would cost O(batch * table)): on PostgreSQL with one array
    per key column, a statement of the same text every time (prepared once, planned fast); on SQLite with a
    VALUES list."""
    names = schema.KEYS[table]
    wanted = [k if len(names) > 1 else (k,) for k in keys]
    if not wanted:
        return {}
    quote = conn.dialect.identifier_preparer.quote
    columns = [f"t.{quote(name)}" for name in names]
    on = " AND ".join(f"{column} = k.column{i}" for i, column in enumerate(columns, 1))
    select = f"SELECT {', '.join(columns)}, t.xml FROM {quote(table)} AS t JOIN"
    if conn.dialect.name == "postgresql":  # every key column is text
        arrays = ", ".join(["%s::text[]"] * len(names))
        sql = f"{select} unnest({arrays}) AS k({', '.join(f'column{i}' for i in range(1, len(names) + 1))}) ON {on}"
        found = conn.exec_driver_sql(sql, tuple(list(values) for values in zip(*wanted, strict=True)))
    else:
        row = "(" + ", ".join(["?"] * len(names)) + ")"
        sql = f"{select} (VALUES {', '.join([row] * len(wanted))}) AS k ON {on}"
        found = conn.exec_driver_sql(sql, tuple(value for key in wanted for value in key))
    if len(names) == 1:
        return {r[0]: r[1] for r in found}
    return {tuple(r[:-1]): r[-1] for r in found}
