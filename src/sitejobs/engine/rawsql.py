"""The hot statements' way to the driver: a DB-API cursor of the transaction's own connection, no SQL
compilation and no result metadata (SQLAlchemy's text execution builds both for every statement, which costs
more than SQLite takes to run a small one). Driver errors come out as SQLAlchemy's, as from `conn.execute`.

Statements are written with `?` placeholders and turned into the driver's style here.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError


def dialect_sql(conn: Connection, sql: str) -> str:
    """`sql` with the driver's placeholders (`?` for sqlite3, `%s` for psycopg)."""
    return sql if conn.dialect.paramstyle == "qmark" else sql.replace("?", "%s")


def fetch(conn: Connection, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    """Run one statement and return its rows (RETURNING included) as plain tuples."""
    return _run(conn, sql, params, many=False, rows=True)[1]


def execute(conn: Connection, sql: str, params: Sequence[Any] = ()) -> int:
    """Run one statement; returns the rows it changed."""
    return _run(conn, sql, params, many=False, rows=False)[0]


def execute_many(conn: Connection, sql: str, params: Sequence[Sequence[Any]]) -> int:
    """Run one statement for each parameter row; returns the rows changed in all."""
    return _run(conn, sql, params, many=True, rows=False)[0]


def _run(
    conn: Connection, sql: str, params: Sequence[Any], *, many: bool, rows: bool
) -> tuple[int, list[tuple[Any, ...]]]:
    statement = dialect_sql(conn, sql)
    dbapi = conn.dialect.loaded_dbapi
    cursor = conn.connection.cursor()
    try:
        if many:
            cursor.executemany(statement, params)
        else:
            cursor.execute(statement, params)
        return cursor.rowcount, (list(cursor.fetchall()) if rows else [])
    except dbapi.Error as exc:
        # A lost connection is said so, as SQLAlchemy's own execution says it (the batcher then retries anew).
        lost = conn.dialect.is_disconnect(exc, conn.connection.dbapi_connection, cursor)
        raise DBAPIError.instance(statement, params, exc, dbapi.Error, connection_invalidated=lost) from exc
    finally:
        with contextlib.suppress(dbapi.Error):
            cursor.close()
