"""Writing a staged import into the store: consecutive writes of one kind go as one batch (upserts.py)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any, cast

from sqlalchemy import Connection, Delete, Table, and_, bindparam, case, delete, exists
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.compiler import SQLCompiler

from sitejobs.sites.commerce import schema
from sitejobs.sites.commerce.columns import MERGED
from sitejobs.sites.commerce.merging import created
from sitejobs.sites.commerce.plan import EXTRAS_KIND
from sitejobs.sites.commerce.rows import LAYOUTS
from sitejobs.sites.commerce.staging import Op, Verb
from sitejobs.sites.commerce.upserts import CopyUpsert, Upsert

BATCH = 1000


class Applier:
    """Applies ops in order on one connection (inside the caller's transaction)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.rows: Counter[str] = Counter()  # rows written or deleted, by "verb table"
        self._upserts: dict[str, Upsert] = {}
        self._deletes: dict[tuple[str, tuple[str, ...]], Delete] = {}

    def run(self, ops: Iterable[Op]) -> Counter[str]:
        batch: list[Any] = []
        kind: tuple[Verb, str, tuple[str, ...]] | None = None
        for verb, table, values in ops:
            this = (verb, table, () if verb in ("upsert", "merge") else tuple(values))
            if this != kind or len(batch) >= BATCH:
                if kind is not None:
                    self._flush(*kind, batch)
                kind, batch = this, []
            batch.append(values)
        if kind is not None:
            self._flush(*kind, batch)
        return self.rows

    def _flush(self, verb: Verb, table: str, columns: tuple[str, ...], batch: list[Any]) -> None:
        if verb == "merge":
            count = self._upsert(table).merge(self.conn, batch)
        elif verb == "upsert":
            key = LAYOUTS[table].key
            latest = {key(row): row for row in batch}  # one statement may not touch a row twice
            rows = list(latest.values())
            if table in MERGED:
                rows = [created(table, row) for row in rows]
            self._upsert(table).run(self.conn, rows)
            count = len(latest)
        elif verb == "delete":
            rows = [{f"k_{c}": row[c] for c in columns} for row in batch]
            count = self.conn.execute(self._delete(table, columns), rows).rowcount
        else:
            count = sum(self._prune(schema.TABLES[table], row) for row in batch)
        self.rows[f"{verb} {table}"] += max(count, 0)

    def _upsert(self, name: str) -> Upsert:
        upsert = self._upserts.get(name)
        if upsert is None:
            table = schema.TABLES[name]
            keys = schema.KEYS[name]
            postgres = self.conn.dialect.name == "postgresql"
            insert = (postgresql if postgres else sqlite).insert(table)
            values: dict[str, Any] = {
                c.name: insert.excluded[c.name] for c in table.columns if c.name not in keys
            }
            if name in schema.REVISIONED:  # an object imported again unchanged keeps its revision
                values["revision"] = case(
                    (table.c.xml != insert.excluded.xml, insert.excluded.revision), else_=table.c.revision
                )
            statement = insert.on_conflict_do_update(index_elements=list(keys), set_=values)
            # Positional parameters, so the packed tuples go to the driver as they are.
            dialect = cast(Any, type(self.conn.dialect))(paramstyle="format" if postgres else "qmark")
            compiled = cast(SQLCompiler, statement.compile(dialect=dialect))
            kind = CopyUpsert if postgres else Upsert
            upsert = self._upserts[name] = kind(compiled, name)
        return upsert

    def _delete(self, name: str, columns: tuple[str, ...]) -> Delete:
        statement = self._deletes.get((name, columns))
        if statement is None:
            table = schema.TABLES[name]
            statement = delete(table).where(and_(*(table.c[c] == bindparam(f"k_{c}") for c in columns)))
            self._deletes[(name, columns)] = statement
        return statement

    def _prune(self, container: Table, keys: dict[str, Any]) -> int:
        """Delete a container named in delete mode if nothing is left in it."""
        ((column, value),) = keys.items()
        own = container.c[column]
        empty = [~exists().where(fk.parent == own) for child in _children(container) for fk in child]
        extras = schema.extras
        empty.append(
            ~exists().where(extras.c.owner_kind == EXTRAS_KIND[container.name], extras.c.owner_id == own)
        )
        return int(self.conn.execute(delete(container).where(own == value, *empty)).rowcount)


def _children(container: Table) -> list[list[Any]]:
    """The foreign keys of the tables that hold a container's objects."""
    return [
        [fk for fk in table.foreign_keys if fk.column.table is container]
        for table in schema.TABLES.values()
        if any(fk.column.table is container for fk in table.foreign_keys)
    ]
