"""Listing executions for a person watching them (the dashboard): a filtered, keyset-paged list, the recent
changes a live view streams, and the figures of a workers page. Each is one statement."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, and_, case, func, or_, select

from sitejobs.engine.models import Execution
from sitejobs.engine.schema import executions
from sitejobs.engine.states import LEASED, State

E = executions.c
MINUTE_MS = 60_000


@dataclass(frozen=True, slots=True)
class ListQuery:
    """What `page` selects; `job_ids` is the API-surface filter resolved to its jobs; `client_id` the caller
    an execution was submitted by (a user's own executions)."""

    job: str | None = None
    state: State | None = None
    job_ids: tuple[str, ...] | None = None
    owner: str | None = None
    since_ms: int | None = None
    until_ms: int | None = None
    before_id: int | None = None
    client_id: str | None = None


def _conditions(q: ListQuery) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if q.job is not None:
        where.append(E.job_id == q.job)
    if q.state is not None:
        where.append(E.state == q.state.value)
    if q.job_ids is not None:
        where.append(E.job_id.in_(q.job_ids))
    if q.owner is not None:
        where.append(or_(E.client_id == q.owner, E.owner == q.owner))
    if q.since_ms is not None:
        where.append(E.created_at >= q.since_ms)
    if q.until_ms is not None:
        where.append(E.created_at < q.until_ms)
    if q.before_id is not None:
        where.append(E.id < q.before_id)
    if q.client_id is not None:
        where.append(E.client_id == q.client_id)
    return where


def page(conn: Connection, q: ListQuery, limit: int) -> list[Execution]:
    """Up to `limit` executions matching `q`, newest first. A filter on several jobs (an API surface) reads
    each job's newest rows by its own index and merges them: one `IN (…) ORDER BY id` may scan the table."""
    if q.job is None and q.job_ids is not None and len(q.job_ids) > 1:
        found: list[Execution] = []
        for job_id in q.job_ids:
            found.extend(page(conn, replace(q, job=job_id, job_ids=None), limit))
        return sorted(found, key=lambda e: e.id, reverse=True)[:limit]
    query = select(executions).order_by(E.id.desc()).limit(limit)
    where = _conditions(q)
    if where:
        query = query.where(and_(*where))
    return [Execution.from_row(r) for r in conn.execute(query)]


def changed_since(conn: Connection, since_ms: int, limit: int = 1000) -> list[Execution]:
    """Executions created or changed at or after `since_ms` (the live view's one read a second)."""
    query = select(executions).where(E.modified_at >= since_ms).order_by(E.modified_at.desc()).limit(limit)
    return [Execution.from_row(r) for r in conn.execute(query)]


def busy_by_worker(conn: Connection, visible: ColumnElement[bool] | None = None) -> dict[str, int]:
    """How many executions each worker holds under a lease (of those matching `visible`, when given)."""
    where: list[ColumnElement[bool]] = [E.state.in_([s.value for s in LEASED]), E.lease_owner.is_not(None)]
    if visible is not None:
        where.append(visible)
    rows = conn.execute(select(E.lease_owner, func.count()).where(*where).group_by(E.lease_owner)).all()
    return {str(owner): int(n) for owner, n in rows}


@dataclass(frozen=True, slots=True)
class MinuteCounts:
    minute_ms: int
    finished: int
    failed: int


def finished_per_minute(
    conn: Connection, *, now_ms: int, minutes: int = 60, visible: ColumnElement[bool] | None = None
) -> list[MinuteCounts]:
    """Executions that ended in each of the last `minutes` minutes (oldest first), and how many of them failed;
    only those matching `visible`, when given (a non-administrator's). For all of them, two grouped counts: the
    first reads only the end_time index, the second only the failed rows. Under `visible`, which reads each of
    the hour's rows anyway, one grouped count of both."""
    first = (now_ms // MINUTE_MS - minutes + 1) * MINUTE_MS
    bucket = (E.end_time // MINUTE_MS).label("minute")
    ended: dict[int, int] = {}
    failed: dict[int, int] = {}
    if visible is None:
        ended = _counts(conn, select(bucket, func.count()).where(E.end_time >= first).group_by(bucket))
        failed = _counts(
            conn,
            select(bucket, func.count())
            .where(E.state == State.FAILED.value, E.end_time >= first)
            .group_by(bucket),
        )
    else:
        is_failed = case((E.state == State.FAILED.value, 1), else_=0)
        query = select(bucket, func.count(), func.sum(is_failed)).where(E.end_time >= first, visible)
        for m, n, f in conn.execute(query.group_by(bucket)):
            ended[int(m)], failed[int(m)] = int(n), int(f or 0)
    start = first // MINUTE_MS
    return [
        MinuteCounts((start + i) * MINUTE_MS, ended.get(start + i, 0), failed.get(start + i, 0))
        for i in range(minutes)
    ]


def _counts(conn: Connection, query: Select[tuple[Any, int]]) -> dict[int, int]:
    return {int(m): int(n) for m, n in conn.execute(query)}
