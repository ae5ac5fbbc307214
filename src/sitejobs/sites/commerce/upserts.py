"""Writing a batch of rows of one table, compiled once per import: upserted whole, or merged (merging.py).

On SQLite through the driver's executemany with the packed rows as they are: SQLAlchemy's per-row parameter
processing would cost about as much as the database's own work (and a multi-row VALUES statement costs more:
it is parsed anew each time). On PostgreSQL through COPY (CopyUpsert).
"""

from __future__ import annotations

from operator import itemgetter

from sqlalchemy import Connection
from sqlalchemy.sql.compiler import SQLCompiler

from sitejobs.sites.commerce import schema
from sitejobs.sites.commerce.merge import has_merge_modes
from sitejobs.sites.commerce.merging import created, merge_rows, stored_xml
from sitejobs.sites.commerce.rows import LAYOUTS, Row


class Upsert:
    """`compiled`: the table's INSERT … ON CONFLICT DO UPDATE with positional parameters.

    A merge first inserts the batch's objects the table does not hold (`ON CONFLICT DO NOTHING`); when the
    driver's count says every row went in (an import into an empty store, a CI pipeline's usual first step),
    that is all, with no lookup. Otherwise the stored XML of the batch is read, and each object the store
    holds otherwise than the archive has it is merged."""

    def __init__(self, compiled: SQLCompiler, table: str) -> None:
        self.sql = str(compiled)
        self.table = table
        conflict = self.sql.find(" ON CONFLICT ")
        if conflict < 0:
            raise AssertionError(f"unexpected upsert statement: {self.sql}")
        keys = ", ".join(compiled.dialect.identifier_preparer.quote(c) for c in schema.KEYS[table])
        self._insert_new_sql = f"{self.sql[:conflict]} ON CONFLICT ({keys}) DO NOTHING"
        self.columns = LAYOUTS[table].columns
        order = tuple(compiled.positiontup or ())
        self.order = order
        self._reorder = None if order == self.columns else itemgetter(*(self.columns.index(c) for c in order))

    def run(self, conn: Connection, rows: list[Row]) -> None:
        """Upsert rows of distinct keys."""
        conn.exec_driver_sql(self.sql, self._ordered(rows))

    def merge(self, conn: Connection, batch: list[Row]) -> int:
        """Merge each row into the stored object; the number of objects written."""
        layout = LAYOUTS[self.table]
        keys = [layout.key(row) for row in batch]
        if len(set(keys)) < len(keys):  # the same object twice: merged one after the other
            rows = merge_rows(conn, self.table, batch)  # one row per key
            self.run(conn, rows)
            return len(rows)
        fresh = [created(self.table, row) for row in batch]
        inserted = conn.exec_driver_sql(self._insert_new_sql, self._ordered(fresh)).rowcount
        if inserted != len(batch):
            xml = layout.positions["xml"]
            held = stored_xml(conn, self.table, set(keys))
            stale = [
                row
                for row, new, key in zip(batch, fresh, keys, strict=True)
                if held.get(key) != new[xml] or has_merge_modes(row[xml])
            ]
            if stale:
                self.run(conn, merge_rows(conn, self.table, stale))
        return len(batch)

    def _ordered(self, rows: list[Row]) -> list[Row]:
        if self._reorder is None:
            return rows
        reorder = self._reorder
        return [tuple(reorder(row)) for row in rows]


class CopyUpsert(Upsert):
    """PostgreSQL: the batch is copied into a temporary table like the target (dropped at commit), then goes
    in with one `INSERT … SELECT`. COPY costs the import about half the CPU of executemany's one statement per
    row (psycopg writes the rows in C), and the server plans one statement per batch rather than per row.

    A merge first inserts the rows whose key the table does not hold (`ON CONFLICT DO NOTHING RETURNING` says
    which), so that only the others are looked up and merged: an import into an empty store costs no lookup.
    """

    def __init__(self, compiled: SQLCompiler, table: str) -> None:
        super().__init__(compiled, table)
        quote = compiled.dialect.identifier_preparer.quote
        start, end = self.sql.find(" VALUES ("), self.sql.find(") ON CONFLICT ")
        if not 0 < start < end:
            raise AssertionError(f"unexpected upsert statement: {self.sql}")
        stage = quote(f"stage_{table}")
        target = quote(table)
        names = ", ".join(quote(column) for column in self.columns)
        keys = ", ".join(quote(column) for column in schema.KEYS[table])
        inserted = ", ".join(quote(column) for column in self.order)  # the INSERT's column list
        self.sql = f"{self.sql[:start]} SELECT {inserted} FROM {stage}{self.sql[end + 1 :]}"
        self._create = f"CREATE TEMPORARY TABLE {stage} (LIKE {target}) ON COMMIT DROP"
        self._copy = f"COPY {stage} ({names}) FROM STDIN"
        self._insert_new = (
            f"INSERT INTO {target} ({names}) SELECT {names} FROM {stage} "
            f"ON CONFLICT ({keys}) DO NOTHING RETURNING {keys}"
        )
        self._truncate = f"TRUNCATE {stage}"
        self._created = False

    def run(self, conn: Connection, rows: list[Row]) -> None:
        if rows:
            self._stage(conn, rows)
            conn.exec_driver_sql(self.sql)
            conn.exec_driver_sql(self._truncate)

    def merge(self, conn: Connection, batch: list[Row]) -> int:
        table, key = self.table, LAYOUTS[self.table].key
        keys = [key(row) for row in batch]
        if len(set(keys)) < len(keys):  # the same object twice: merged one after the other
            rows = merge_rows(conn, table, batch)
            self.run(conn, rows)
            return len(rows)
        self._stage(conn, [created(table, row) for row in batch])
        new = conn.exec_driver_sql(self._insert_new).all()
        conn.exec_driver_sql(self._truncate)
        if len(new) < len(batch):
            done = {row[0] if len(row) == 1 else tuple(row) for row in new}
            held = [row for row, k in zip(batch, keys, strict=True) if k not in done]
            self.run(conn, merge_rows(conn, table, held))
        return len(batch)

    def _stage(self, conn: Connection, rows: list[Row]) -> None:
        if not self._created:
            conn.exec_driver_sql(self._create)
            self._created = True
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with cursor.copy(self._copy) as copy:
            for row in rows:
                copy.write_row(row)
