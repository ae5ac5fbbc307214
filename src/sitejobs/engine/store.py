"""Named queries on the execution store. Every state change is one guarded statement plus an event row.

Functions take a SQLAlchemy `Connection` inside a transaction the caller owns; none commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Connection, and_, delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from sitejobs.engine import rawsql
from sitejobs.engine.joblog import LineRow
from sitejobs.engine.models import Execution, now_ms
from sitejobs.engine.schema import execution_events, executions, workers
from sitejobs.engine.states import LEASED, TERMINAL, State, sources_of
from sitejobs.errors import JobAlreadyRunning

E = executions.c
_LEASED_VALUES = [s.value for s in LEASED]
_TERMINAL_VALUES = [s.value for s in TERMINAL]
_COLUMNS = ", ".join(c.name for c in executions.c)
_LEASED_SQL = ", ".join(f"'{v}'" for v in sorted(_LEASED_VALUES))


def _dumps(value: Any) -> str | None:
    return None if value is None else orjson.dumps(value).decode()


#: An event row to insert: (execution_id, from_state, to_state, worker, note).
EventRow = tuple[int, str | None, str, str | None, str | None]


def _event(
    conn: Connection, rows: Iterable[tuple[int, str | None, str]], worker: str | None, note: str | None
) -> None:
    _insert_events(conn, [(i, f, t, worker, note) for i, f, t in rows])


def _insert_events(conn: Connection, rows: Sequence[EventRow]) -> None:
    if rows:
        at = now_ms()
        rawsql.execute_many(
            conn,
            "INSERT INTO execution_events (execution_id, at, from_state, to_state, worker, note) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [(i, at, f, t, w, n) for i, f, t, w, n in rows],
        )


#: PostgreSQL's NOTIFY channel that wakes workers when executions become pending (see engine/notify.py).
PENDING_CHANNEL = "sitejobs_pending"


def notify_pending(conn: Connection) -> None:
    """On PostgreSQL, wake the listening workers once this transaction commits (a no-op elsewhere)."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"NOTIFY {PENDING_CHANNEL}")


@dataclass(frozen=True, slots=True)
class NewExecution:
    job_id: str
    parameters: list[dict[str, str]]
    request: dict[str, Any] | None
    client_id: str | None
    owner: str | None
    singleton: bool
    result: dict[str, Any] | None = None
    is_restart: bool = False
    #: Celery mode: the submitting node publishes it itself (see JobEngine.hand_over_submissions).
    handed_over: bool = False


def insert_executions(conn: Connection, new: Sequence[NewExecution]) -> list[Execution]:
    """Insert pending executions in one statement; a second active run of a singleton job is refused."""
    at = now_ms()
    rows = [
        {
            "job_id": n.job_id,
            "state": State.PENDING.value,
            "client_id": n.client_id,
            "owner": n.owner,
            "parameters": n.parameters,
            "request": n.request,
            "singleton_key": n.job_id if n.singleton else None,
            "is_restart": n.is_restart,
            "attempt": 1,
            "created_at": at,
            "modified_at": at,
            "result": n.result,
            "dispatched_at": at if n.handed_over else None,
        }
        for n in new
    ]
    try:
        if conn.dialect.name == "sqlite":
            ids = _insert_sqlite(conn, rows)
        elif len(rows) == 1:  # a submission of its own: a prepared statement, not 0.7 ms of Core compiling it
            ((one,),) = rawsql.fetch(conn, _INSERT_ONE, _insert_params(rows[0]))
            ids = [one]
        else:
            result = conn.execute(insert(executions).returning(E.id, sort_by_parameter_order=True), rows)
            ids = [r.id for r in result]
    except IntegrityError as exc:
        job_id = new[0].job_id
        raise JobAlreadyRunning(
            f"Job '{job_id}' does not allow concurrent executions and one is already active.", jobId=job_id
        ) from exc
    created = [
        Execution(
            id=i,
            job_id=n.job_id,
            state=State.PENDING,
            client_id=n.client_id,
            owner=n.owner,
            parameters=n.parameters,
            request=n.request,
            is_restart=n.is_restart,
            attempt=1,
            created_at=at,
            modified_at=at,
            start_time=None,
            end_time=None,
            percent=None,
            message=None,
            steps=None,
            exit_code=None,
            exit_message=None,
            result=n.result,
            lease_owner=None,
            lease_expires_at=None,
        )
        for i, n in zip(ids, new, strict=True)
    ]
    _event(conn, [(e.id, None, State.PENDING.value) for e in created], None, None)
    notify_pending(conn)
    return created


_INSERT_COLUMNS = (
    "job_id", "state", "client_id", "owner", "parameters", "request", "singleton_key", "is_restart", "attempt",
    "created_at", "modified_at", "result", "dispatched_at",
)  # fmt: skip
_JSON_COLUMNS = frozenset({"parameters", "request", "result"})
_INSERT_ONE = (
    f"INSERT INTO executions ({', '.join(_INSERT_COLUMNS)}) VALUES ({', '.join('?' * len(_INSERT_COLUMNS))}) "
    "RETURNING id"
)


def _insert_params(row: dict[str, Any]) -> list[Any]:
    return [_dumps(row[c]) if c in _JSON_COLUMNS else row[c] for c in _INSERT_COLUMNS]


#: Rows a multi-row INSERT on SQLite carries (14 values a row, well under its 32,766 variables).
_SQLITE_INSERT_CHUNK = 500


def _insert_sqlite(conn: Connection, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Multi-row INSERTs with the ids given: SQLAlchemy's executemany with ordered RETURNING is a statement a
    row on SQLite. The writer holds the database's write lock for the whole transaction (BEGIN IMMEDIATE), so
    max(id) + 1, + 2, … are the ids SQLite would have assigned itself, in the order of the rows."""
    ((last,),) = rawsql.fetch(conn, "SELECT coalesce(max(id), 0) FROM executions")
    ids = list(range(last + 1, last + 1 + len(rows)))
    columns = ("id", *_INSERT_COLUMNS)
    one = "(" + ", ".join("?" * len(columns)) + ")"
    for start in range(0, len(rows), _SQLITE_INSERT_CHUNK):
        chunk = rows[start : start + _SQLITE_INSERT_CHUNK]
        params: list[Any] = []
        for offset, row in enumerate(chunk):
            params += [ids[start + offset], *_insert_params(row)]
        rawsql.execute(
            conn,
            f"INSERT INTO executions ({', '.join(columns)}) VALUES {', '.join([one] * len(chunk))}",
            params,
        )
    return ids


@dataclass(frozen=True, slots=True)
class Finish:
    execution_id: int
    worker: str
    state: State
    exit_code: str
    exit_message: str
    result: dict[str, Any] | None


def finish_executions(conn: Connection, finishes: Sequence[Finish]) -> list[bool]:
    """End runs held by their workers; False for a run whose worker had lost the lease."""
    events: list[EventRow] = []
    ok = _finish(conn, finishes, events)
    _insert_events(conn, events)
    return ok


def _finish(conn: Connection, finishes: Sequence[Finish], events: list[EventRow]) -> list[bool]:
    """finish_executions, leaving the event rows in `events` for the caller to insert (with others)."""
    ids = [f.execution_id for f in finishes]
    marks = ", ".join("?" * len(ids))
    current = {
        r[0]: r
        for r in rawsql.fetch(
            conn, f"SELECT id, state, lease_owner FROM executions WHERE id IN ({marks})", ids
        )
    }
    ok: list[bool] = []
    at = now_ms()
    params: list[tuple[Any, ...]] = []
    for f in finishes:
        row = current.get(f.execution_id)
        allowed = row is not None and row[2] == f.worker and State(row[1]) in sources_of(f.state)
        ok.append(allowed)
        if allowed:
            assert row is not None
            params.append((*_finish_values(f, at), f.execution_id, f.worker, row[1]))
            events.append((f.execution_id, row[1], f.state.value, f.worker, None))
    if not params:
        return ok
    changed = rawsql.execute_many(
        conn,
        f"UPDATE executions SET {_FINISH_SET} WHERE id = ? AND lease_owner = ? AND state = ?",
        params,
    )
    if changed != len(params):  # a concurrent writer got in between (another process): redo one by one
        raise LeaseRace(f"{len(params) - changed} of {len(params)} finishes lost a race")
    return ok


#: What ending a run sets; its parameters are `_finish_values`.
_FINISH_SET = (
    "state = ?, exit_code = ?, exit_message = ?, result = COALESCE(?, result), percent = COALESCE(?, percent), "
    "end_time = ?, modified_at = ?, lease_owner = NULL, lease_expires_at = NULL"
)


def _finish_values(f: Finish, at: int) -> tuple[Any, ...]:
    percent = 100 if f.state is State.SUCCEEDED else None
    return (f.state.value, f.exit_code, f.exit_message, _dumps(f.result), percent, at, at)


def finish_with_lines(conn: Connection, finish: Finish, lines: Sequence[LineRow]) -> bool:
    """PostgreSQL: one run's end, its event and its last log lines in one statement (one round trip for a Celery
    worker, on a connection of its own). False when the worker had lost the lease; the lines are written anyway.
    """
    ctes, params = _finish_ctes(finish, lines, now_ms())
    ((count,),) = rawsql.fetch(conn, f"WITH {ctes} SELECT count(*) FROM done", params)
    return bool(count)


def finish_with_lines_and_claim(
    conn: Connection, finish: Finish, lines: Sequence[LineRow], claim: NamedClaim
) -> tuple[bool, Execution | None]:
    """PostgreSQL: `finish_with_lines` of a worker's last run and `claim_one` of its next, in one statement: what
    each returns. They change two rows; should the claim name the run being finished (a duplicate message), it
    finds the row still running, as the statement's snapshot sees it, and claims nothing."""
    at = now_ms()
    finish_sql, finish_params = _finish_ctes(finish, lines, at)
    claim_sql, claim_params = _claim_ctes(claim, at)
    sql = (
        f"WITH {finish_sql}, {claim_sql} SELECT (SELECT count(*) FROM done), claimed.* "
        "FROM (VALUES (1)) AS one (x) LEFT JOIN claimed ON true"
    )
    ((count, *row),) = rawsql.fetch(conn, sql, (*finish_params, *claim_params))
    return bool(count), None if row[0] is None else Execution.from_row(tuple(row))


def _finish_ctes(f: Finish, lines: Sequence[LineRow], at: int) -> tuple[str, tuple[Any, ...]]:
    """PostgreSQL: `done` (the finished row, or none), its event and the lines, as common table expressions."""
    sources = ", ".join(f"'{s.value}'" for s in sorted(sources_of(f.state)))
    sql = (
        f"done AS (UPDATE executions SET {_FINISH_SET} "
        # The row locked first, so that its state before the update is the one the event records.
        "FROM (SELECT id, state FROM executions WHERE id = ? FOR UPDATE) AS old "
        f"WHERE executions.id = old.id AND executions.lease_owner = ? AND old.state IN ({sources}) "
        "RETURNING executions.id, old.state), "
        "event AS (INSERT INTO execution_events (execution_id, at, from_state, to_state, worker, note) "
        "SELECT id, ?, state, ?, ?, NULL FROM done), "
        "lines AS (INSERT INTO execution_logs (execution_id, at, level, message) "
        # The lines as one JSON array of rows: psycopg dumps four arrays in Python, a string in C.
        "SELECT (r->>0)::bigint, (r->>1)::bigint, r->>2, r->>3 FROM json_array_elements(?::json) AS r)"
    )
    params = (
        *_finish_values(f, at),
        *(f.execution_id, f.worker, at, f.state.value, f.worker),
        orjson.dumps(lines).decode(),
    )
    return sql, params


@dataclass(frozen=True, slots=True)
class FinishAndClaim:
    finish: Finish | None
    worker: str
    want: int
    lease_ms: int
    #: The jobs the worker can run (None: any).
    job_ids: tuple[str, ...] | None = None


def finish_and_claim(conn: Connection, requests: Sequence[FinishAndClaim]) -> list[Execution | None]:
    """Finish runs, then claim one next execution for each request that wants one: the finishes, the claims and
    their events are three statements a batch (four with the finishes' lookup)."""
    events: list[EventRow] = []
    finishes = [r.finish for r in requests if r.finish is not None]
    if finishes:
        _finish(conn, finishes, events)
    results: list[Execution | None] = [None] * len(requests)
    for worker, job_ids in {(r.worker, r.job_ids) for r in requests if r.want}:
        slots = [i for i, r in enumerate(requests) if r.worker == worker and r.job_ids == job_ids and r.want]
        lease_ms = requests[slots[0]].lease_ms
        claimed = _claim(
            conn, worker=worker, limit=len(slots), lease_ms=lease_ms, job_ids=job_ids, events=events
        )
        for i, execution in zip(slots, claimed, strict=False):
            results[i] = execution
    _insert_events(conn, events)
    return results


class LeaseRace(Exception):
    """A bulk write found rows changed under it; the batcher retries each payload alone."""


def get_execution(conn: Connection, execution_id: int) -> Execution | None:
    rows = rawsql.fetch(conn, f"SELECT {_COLUMNS} FROM executions WHERE id = ?", (execution_id,))
    return Execution.from_row(rows[0]) if rows else None


def claim(
    conn: Connection, *, worker: str, limit: int, lease_ms: int, job_ids: Sequence[str] | None = None
) -> list[Execution]:
    """Take up to `limit` pending executions, oldest first, under a lease for `worker`."""
    events: list[EventRow] = []
    claimed = _claim(conn, worker=worker, limit=limit, lease_ms=lease_ms, job_ids=job_ids, events=events)
    _insert_events(conn, events)
    return claimed


def _claim(
    conn: Connection,
    *,
    worker: str,
    limit: int,
    lease_ms: int,
    job_ids: Sequence[str] | None,
    events: list[EventRow],
) -> list[Execution]:
    at = now_ms()
    only = ""
    assign_params: list[Any] = [worker, at + lease_ms, at, at]
    pick_params: list[Any] = [*(job_ids or ()), limit]
    if job_ids is not None:
        only = f" AND job_id IN ({', '.join('?' * len(job_ids))})"
    pick = f"SELECT id FROM executions WHERE state = 'pending'{only} ORDER BY id LIMIT ?"
    assign = (
        "UPDATE executions SET state = 'running', lease_owner = ?, lease_expires_at = ?, "
        "start_time = COALESCE(start_time, ?), modified_at = ?, percent = COALESCE(percent, 0) "
    )
    if conn.dialect.name == "postgresql":
        # A materialized CTE: a SKIP LOCKED subquery inside IN (…) may be re-run and pick more than LIMIT rows.
        cols = ", ".join(f"executions.{c.name}" for c in executions.c)
        sql = (
            f"WITH picked AS MATERIALIZED ({pick} FOR UPDATE SKIP LOCKED) {assign}"
            f"FROM picked WHERE executions.id = picked.id RETURNING {cols}"
        )
        params = pick_params + assign_params
    else:
        sql = f"{assign}WHERE id IN ({pick}) AND state = 'pending' RETURNING {_COLUMNS}"
        params = assign_params + pick_params
    rows = rawsql.fetch(conn, sql, params)
    claimed = sorted((Execution.from_row(r) for r in rows), key=lambda e: e.id)
    events.extend((e.id, State.PENDING.value, State.RUNNING.value, worker, None) for e in claimed)
    return claimed


def claim_one(conn: Connection, *, execution_id: int, worker: str, lease_ms: int) -> Execution | None:
    """Take one named pending execution under a lease for `worker` (a Celery message names the execution it is
    for): None when it is not pending any more, so a duplicate or late message does nothing."""
    return claim_named(conn, [NamedClaim(execution_id, worker, lease_ms)])[0]


@dataclass(frozen=True, slots=True)
class NamedClaim:
    execution_id: int
    worker: str
    lease_ms: int
    #: The jobs the worker defines (None: any): an execution of another job is left for a worker that has it.
    job_ids: tuple[str, ...] | None = None


def _assign(job_ids: tuple[str, ...] | None) -> str:
    only = "" if job_ids is None else f" AND job_id IN ({', '.join('?' * len(job_ids))})"
    return (
        "UPDATE executions SET state = 'running', lease_owner = ?, lease_expires_at = ?, "
        "start_time = COALESCE(start_time, ?), modified_at = ?, percent = COALESCE(percent, 0) "
        f"WHERE id = ? AND state = 'pending'{only} RETURNING {_COLUMNS}"
    )


def claim_named(conn: Connection, claims: Sequence[NamedClaim]) -> list[Execution | None]:
    """claim_one for several named executions (a bulk handler, so that a claim shares its commit with the
    finishes and log lines queued before it): None for each that is not pending any more, or is of a job
    outside the claim's `job_ids`."""
    at = now_ms()
    claimed: list[Execution | None] = []
    events: list[EventRow] = []
    for c in claims:
        if conn.dialect.name == "postgresql":
            # The claim and its event in one round trip (a Celery worker claims one execution a message).
            ctes, params = _claim_ctes(c, at)
            claimed.append(_first(rawsql.fetch(conn, f"WITH {ctes} SELECT * FROM claimed", params)))
            continue
        execution = _first(rawsql.fetch(conn, _assign(c.job_ids), _assign_params(c, at)))
        if execution is not None:
            events.append((execution.id, State.PENDING.value, State.RUNNING.value, c.worker, None))
        claimed.append(execution)
    _insert_events(conn, events)
    return claimed


def _claim_ctes(c: NamedClaim, at: int) -> tuple[str, tuple[Any, ...]]:
    """PostgreSQL: `claimed` (the claimed row, or none) and its event, as common table expressions."""
    sql = (
        f"claimed AS ({_assign(c.job_ids)}), claim_event AS (INSERT INTO execution_events "
        "(execution_id, at, from_state, to_state, worker, note) "
        "SELECT id, ?, 'pending', 'running', ?, NULL FROM claimed)"
    )
    return sql, (*_assign_params(c, at), at, c.worker)


def _assign_params(c: NamedClaim, at: int) -> tuple[Any, ...]:
    return (c.worker, at + c.lease_ms, at, at, c.execution_id, *(c.job_ids or ()))


def _first(rows: Sequence[tuple[Any, ...]]) -> Execution | None:
    return Execution.from_row(rows[0]) if rows else None


def mark_for_dispatch(conn: Connection, *, older_than: int, limit: int) -> list[int]:
    """The outbox: pick pending executions never handed to the broker, or handed over before `older_than`
    and still not claimed, and stamp them as handed over now. Several API nodes never pick the same row."""
    at = now_ms()
    pick = (
        "SELECT id FROM executions WHERE state = 'pending' "
        "AND (dispatched_at IS NULL OR dispatched_at < ?) ORDER BY id LIMIT ?"
    )
    if conn.dialect.name == "postgresql":
        sql = (
            f"WITH picked AS MATERIALIZED ({pick} FOR UPDATE SKIP LOCKED) UPDATE executions "
            "SET dispatched_at = ? FROM picked WHERE executions.id = picked.id RETURNING executions.id"
        )
        params: tuple[Any, ...] = (older_than, limit, at)
    else:
        sql = f"UPDATE executions SET dispatched_at = ? WHERE id IN ({pick}) RETURNING id"
        params = (at, older_than, limit)
    return sorted(r[0] for r in rawsql.fetch(conn, sql, params))


def unmark_dispatch(conn: Connection, ids: Sequence[int]) -> None:
    """The broker did not take these messages: pick them again at the next round."""
    conn.execute(update(executions).where(E.id.in_(ids), E.state == "pending").values(dispatched_at=None))


def renew_leases(conn: Connection, *, worker: str, ids: Sequence[int], lease_ms: int) -> set[int]:
    """Extend the leases `worker` still holds; returns the ids it holds."""
    if not ids:
        return set()
    rows = conn.execute(
        update(executions)
        .where(E.id.in_(ids), E.lease_owner == worker, E.state.in_(_LEASED_VALUES))
        .values(lease_expires_at=now_ms() + lease_ms)
        .returning(E.id)
    ).all()
    return {r.id for r in rows}


def report_progress(
    conn: Connection,
    *,
    execution_id: int,
    worker: str,
    percent: int | None,
    message: str | None,
    steps: list[dict[str, Any]] | None,
    result: dict[str, Any] | None,
) -> State | None:
    """Record progress; returns the current state, or None when `worker` no longer holds the lease."""
    values: dict[str, Any] = {"modified_at": now_ms()}
    if percent is not None:
        values["percent"] = percent
    if message is not None:
        values["message"] = message
    if steps is not None:
        values["steps"] = steps
    if result is not None:
        values["result"] = result
    row = conn.execute(
        update(executions)
        .where(E.id == execution_id, E.lease_owner == worker, E.state.in_(_LEASED_VALUES))
        .values(**values)
        .returning(E.state)
    ).first()
    return State(row.state) if row else None


def transition(
    conn: Connection,
    *,
    execution_id: int,
    to: State,
    worker: str | None = None,
    note: str | None = None,
    **values: Any,
) -> Execution | None:
    """Move one execution to `to` if the state machine allows it (and `worker` holds it, when given)."""
    current = conn.execute(select(E.state).where(E.id == execution_id)).first()
    if current is None or State(current.state) not in sources_of(to):
        return None
    conditions = [E.id == execution_id, E.state == current.state]
    if worker is not None:
        conditions.append(E.lease_owner == worker)
    at = now_ms()
    values.setdefault("modified_at", at)
    if to in TERMINAL:
        values.setdefault("end_time", at)
        values.update(lease_owner=None, lease_expires_at=None)
    row = conn.execute(
        update(executions).where(and_(*conditions)).values(state=to.value, **values).returning(*executions.c)
    ).first()
    if row is None:
        return None
    _event(conn, [(execution_id, current.state, to.value)], worker, note)
    return Execution.from_row(row)


def expire_leases(conn: Connection, *, worker: str, ids: Sequence[int]) -> None:
    """Mark a stopping worker's leases as run out, so the reaper recovers them now rather than later."""
    conn.execute(
        update(executions).where(E.id.in_(ids), E.lease_owner == worker).values(lease_expires_at=now_ms() - 1)
    )


def expired(conn: Connection, *, at: int, limit: int = 500) -> list[Execution]:
    rows = conn.execute(
        select(executions)
        .where(E.lease_expires_at < at, E.state.in_(_LEASED_VALUES))
        .order_by(E.lease_expires_at)
        .limit(limit)
    ).all()
    return [Execution.from_row(r) for r in rows]


def _settle_expired(
    conn: Connection, execution: Execution, *, at: int, to: State, note: str, **values: Any
) -> bool:
    """Move an execution whose lease ran out to `to`, unless someone got to it first (guarded on the lease)."""
    done = conn.execute(
        update(executions)
        .where(E.id == execution.id, E.lease_owner == execution.lease_owner, E.lease_expires_at < at)
        .where(E.state.in_(_LEASED_VALUES))
        .values(state=to.value, lease_owner=None, lease_expires_at=None, modified_at=at, **values)
    ).rowcount
    if done:
        _event(conn, [(execution.id, execution.state.value, to.value)], None, note)
    return bool(done)


def requeue_expired(conn: Connection, execution: Execution, *, at: int) -> bool:
    """Give an execution whose lease ran out back to the queue, as a restart."""
    notify_pending(conn)
    return _settle_expired(
        conn,
        execution,
        at=at,
        to=State.PENDING,
        note="lease expired: retry",
        is_restart=True,
        attempt=E.attempt + 1,
        dispatched_at=None,
    )


def fail_expired(conn: Connection, execution: Execution, *, at: int, code: str, message: str) -> bool:
    return _settle_expired(
        conn,
        execution,
        at=at,
        to=State.FAILED,
        note="lease expired: failed",
        exit_code=code,
        exit_message=message,
        end_time=at,
    )


def delete_finished(conn: Connection, execution_id: int) -> bool:
    return bool(
        conn.execute(delete(executions).where(E.id == execution_id, E.state.in_(_TERMINAL_VALUES))).rowcount
    )


def count_by_state(conn: Connection) -> dict[State, int]:
    rows = conn.execute(select(E.state, func.count()).group_by(E.state)).all()
    return {State(s): n for s, n in rows}


def events_of(conn: Connection, execution_id: int) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(execution_events)
        .where(execution_events.c.execution_id == execution_id)
        .order_by(execution_events.c.id)
    ).all()
    return [dict(r._mapping) for r in rows]


def upsert_worker(conn: Connection, *, worker: str, hostname: str, pid: int, kind: str) -> None:
    at = now_ms()
    changed = conn.execute(update(workers).where(workers.c.id == worker).values(heartbeat_at=at)).rowcount
    if not changed:
        conn.execute(
            insert(workers).values(
                id=worker, hostname=hostname, pid=pid, kind=kind, started_at=at, heartbeat_at=at
            )
        )


def remove_worker(conn: Connection, worker: str) -> None:
    conn.execute(delete(workers).where(workers.c.id == worker))


def live_workers(conn: Connection, *, since: int) -> list[dict[str, Any]]:
    rows = conn.execute(select(workers).where(workers.c.heartbeat_at >= since)).all()
    return [dict(r._mapping) for r in rows]


def active_ids(conn: Connection, ids: Sequence[int]) -> set[int]:
    rows = conn.execute(select(E.id).where(E.id.in_(ids), or_(*(E.state == s for s in _LEASED_VALUES)))).all()
    return {r.id for r in rows}


def list_executions(
    conn: Connection, *, job_id: str | None = None, states: Iterable[State] | None = None, limit: int = 50
) -> list[Execution]:
    """The newest executions, optionally of one job and in some states."""
    query = select(executions).order_by(E.id.desc()).limit(limit)
    if job_id is not None:
        query = query.where(E.job_id == job_id)
    if states is not None:
        query = query.where(E.state.in_([s.value for s in states]))
    return [Execution.from_row(r) for r in conn.execute(query)]


def refresh_statistics(conn: Connection) -> None:
    """Planner statistics, so that searches over many rows pick the right index (a sampled, cheap ANALYZE)."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("PRAGMA analysis_limit=1000")
        conn.exec_driver_sql("ANALYZE")
    else:
        conn.exec_driver_sql("ANALYZE executions")


def started_executions(conn: Connection, *, job_id: str | None, limit: int) -> list[Execution]:
    """The newest executions that have started (and so have a log), of one job or of all."""
    query = select(executions).where(E.start_time.is_not(None)).order_by(E.id.desc()).limit(limit)
    if job_id is not None:
        query = query.where(E.job_id == job_id)
    return [Execution.from_row(r) for r in conn.execute(query)]


def job_ids_with_runs(conn: Connection) -> list[str]:
    return [r[0] for r in conn.execute(select(E.job_id).where(E.start_time.is_not(None)).distinct())]


def created_in_second(conn: Connection, *, job_id: str, second_ms: int, id_mod: int) -> list[Execution]:
    """Executions of `job_id` created in the second starting at `second_ms` whose id ends in `id_mod` (what a
    log file name says of its execution)."""
    rows = conn.execute(
        select(executions).where(
            E.job_id == job_id,
            E.created_at >= second_ms,
            E.created_at < second_ms + 1000,
            E.id % 1000 == id_mod,
        )
    ).all()
    return [Execution.from_row(r) for r in rows]
