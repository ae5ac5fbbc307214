"""Execution logs, kept in the store so that every node (API servers, workers on other machines, the CLI) reads
the same lines at once. A line is a row; `format_line` renders it as Commerce Cloud's job log files read.

Lines are written through the group-commit writer (`insert_lines` is a bulk handler), so a job's `log()` costs a
queue put and shares its commit with whatever else is being written at that moment.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, select

from sitejobs.engine import rawsql
from sitejobs.engine.schema import execution_logs

L = execution_logs.c
#: Most lines one read returns; a follower asks again from the last id it saw.
READ_LIMIT = 5000


@dataclass(frozen=True, slots=True)
class LogLine:
    id: int
    execution_id: int
    at: int
    level: str
    message: str

    def render(self) -> str:
        return format_line(self.at, self.level, self.message)


def format_line(at_ms: int, level: str, message: str) -> str:
    stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(at_ms / 1000))
    return f"[{stamp}.{at_ms % 1000:03d} GMT] {level} {message.rstrip()}\n"


#: A log line to insert: (execution_id, at, level, message).
LineRow = tuple[int, int, str, str]


def insert_lines(conn: Connection, lines: Sequence[LineRow]) -> list[None]:
    """Append (execution_id, at, level, message) rows: one statement for a whole batch."""
    rawsql.execute_many(
        conn, "INSERT INTO execution_logs (execution_id, at, level, message) VALUES (?, ?, ?, ?)", lines
    )
    return [None] * len(lines)


def read_lines(
    conn: Connection, execution_id: int, *, after: int = 0, limit: int = READ_LIMIT
) -> list[LogLine]:
    rows = conn.execute(
        select(L.id, L.execution_id, L.at, L.level, L.message)
        .where(L.execution_id == execution_id, L.id > after)
        .order_by(L.id)
        .limit(limit)
    ).all()
    return [LogLine(*row) for row in rows]
