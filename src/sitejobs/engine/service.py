"""The engine's one API: submit, read, control, and the worker side (claim, report, finish, reap).

No HTTP in here: the OCAPI and OCE surfaces, the CLI and the executors all call these methods.
"""

from __future__ import annotations

import asyncio
import calendar
import logging
import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Connection, Engine

from sitejobs.engine import joblog, store
from sitejobs.engine.autocommit import OwnConnections
from sitejobs.engine.batcher import WriteBatcher
from sitejobs.engine.context import JobServices
from sitejobs.engine.db import create_store_engine, is_sqlite, migrate
from sitejobs.engine.models import Execution, Outcome, now_ms
from sitejobs.engine.reader import PointReader
from sitejobs.engine.registry import JobDefinition, Registry
from sitejobs.engine.search import ExecutionSearch, search_executions
from sitejobs.engine.states import LEASED, TERMINAL, State
from sitejobs.errors import (
    InvalidStateTransition,
    JobExecutionNotFinished,
    JobExecutionNotFound,
    LeaseLost,
    UnknownProperty,
)
from sitejobs.settings import Settings
from sitejobs.timefmt import compact_ms

log = logging.getLogger(__name__)

WORKER_LOST = "WORKER_LOST"
#: A worker's writes that are redone when a crash loses them (see db.write_transaction): their commits need not
#: wait for the disk, unless the settings say so. Submissions and control requests always do.
RELAXED_WRITES: frozenset[Callable[..., Any]] = frozenset(
    {store.claim_named, store.finish_executions, store.finish_and_claim, joblog.insert_lines}
)


_LOG_NAME = re.compile(r"Job-(.+)-([0-9]{17})\.log")


def log_file_name(execution: Execution) -> str:
    """Commerce Cloud's `Job-{job}-{yyyyMMddHHmmssSSS}.log`, exactly. The stamp is the creation time to the
    second; its milliseconds are the execution id's last three digits, so that two runs of a job created in
    the same second (up to 1,000 executions of all jobs a second) get different names."""
    stamp = execution.created_at - execution.created_at % 1000 + execution.id % 1000
    return f"Job-{execution.job_id}-{compact_ms(stamp)}.log"


class JobEngine:
    def __init__(self, settings: Settings, registry: Registry, engine: Engine | None = None) -> None:
        self.settings = settings
        self.registry = registry
        self.db = engine or create_store_engine(
            settings.resolved_database_url, synchronous=settings.sqlite_synchronous
        )
        self.writer = WriteBatcher(
            self.db, relaxed=frozenset() if settings.durable_worker_writes else RELAXED_WRITES
        )
        self.reader = PointReader(self.db)
        #: A Celery worker's claims, on PostgreSQL (Celery mode refuses SQLite): on its own connections, never
        #: waiting for the disk. Losing one in a crash is losing the worker before it claimed (the execution is
        #: pending again, and the outbox publishes it again); the run's finish, which waits, makes the claim
        #: durable with it, since the log is written in order.
        self._claims = OwnConnections(self.db, relaxed=True) if not is_sqlite(self.db) else None
        self._listeners: list[Callable[[], None]] = []
        self._hand_over: Callable[[int], None] | None = None
        self._lease_ms = int(settings.lease_seconds * 1000)
        #: What a running job may use besides its context.
        self.services = JobServices(settings, self.db)

    @classmethod
    def open(cls, settings: Settings, registry: Registry) -> JobEngine:
        settings.ensure_dirs()
        engine = cls(settings, registry)
        migrate(engine.db)
        engine.writer.run(store.refresh_statistics)
        return engine

    def close(self) -> None:
        self.writer.close()
        if self._claims is not None:
            self._claims.close()
        self.reader.close()
        self.db.dispose()

    # ---- submitting -------------------------------------------------------------------------------------------

    def on_submit(self, listener: Callable[[], None]) -> None:
        """Call `listener` (cheaply, from any thread) after each durable submission."""
        self._listeners.append(listener)

    def hand_over_submissions(self, publish: Callable[[int], None]) -> None:
        """Celery mode's outbox on this node: a submission is inserted already marked as handed to the broker, and
        `publish` (cheap, from any thread) gets its id once it is committed. That spares each job the UPDATE that
        would mark it when the outbox picks it from the table. Should this node stop before publishing it, the
        outbox publishes again what was marked long ago and is still pending, as for a lost message."""
        self._hand_over = publish

    def prepare(
        self,
        job_id: str,
        parameters: Iterable[tuple[str, object]] | None = None,
        request: Mapping[str, Any] | BaseModel | None = None,
    ) -> tuple[JobDefinition, list[dict[str, str]], dict[str, Any] | None]:
        """Validate a submission against the job's schema: (definition, echoed parameters, request document).
        A request that is already its job's model was validated by whoever made it, and is taken as it is."""
        definition = self.registry.get(job_id)
        if definition.system_request is not None:
            if isinstance(request, BaseModel) and not parameters:
                return (definition, *definition.read_system_request(request))
            document = dict(request or {})
            if parameters:
                document.update(dict(parameters))
            echoed, stored = definition.read_system_request(document)
            return definition, echoed, stored
        if request:
            name = next(iter(request))
            raise UnknownProperty(f"Unknown property '{name}'.", property=name)
        echoed, _typed = definition.validate_parameters(parameters or ())
        return definition, echoed, None

    def submit_future(
        self,
        job_id: str,
        parameters: Iterable[tuple[str, object]] | None = None,
        request: Mapping[str, Any] | BaseModel | None = None,
        *,
        client_id: str | None = None,
        owner: str | None = None,
        result: dict[str, Any] | None = None,
    ) -> Future[Execution]:
        """Validate now (raising faults synchronously); the future resolves once the row is committed."""
        definition, echoed, stored = self.prepare(job_id, parameters, request)
        new = store.NewExecution(
            job_id=job_id,
            parameters=echoed,
            request=stored,
            client_id=client_id,
            owner=owner,
            singleton=not definition.concurrent,
            result=result,
            handed_over=self._hand_over is not None,
        )
        future = self.writer.submit_bulk(store.insert_executions, new)
        future.add_done_callback(self._notify)
        return future

    def submit(
        self, job_id: str, parameters: Iterable[tuple[str, object]] | None = None, **kw: Any
    ) -> Execution:
        return self.submit_future(job_id, parameters, **kw).result()

    async def asubmit(
        self, job_id: str, parameters: Iterable[tuple[str, object]] | None = None, **kw: Any
    ) -> Execution:
        return await asyncio.wrap_future(self.submit_future(job_id, parameters, **kw))

    def _notify(self, submitted: Future[Execution]) -> None:
        if self._hand_over is not None and submitted.done() and submitted.exception() is None:
            self._hand_over(submitted.result().id)
        for listener in self._listeners:
            listener()

    # ---- reading ----------------------------------------------------------------------------------------------

    def get(self, execution_id: int) -> Execution | None:
        return self.reader.execution(execution_id)

    def get_for_job(self, job_id: str, execution_id: int) -> Execution:
        execution = self.get(execution_id)
        if execution is None or execution.job_id != job_id:
            raise JobExecutionNotFound(
                f"No execution '{execution_id}' of job '{job_id}' exists.",
                jobId=job_id,
                executionId=str(execution_id),
            )
        return execution

    def read(self, fn: Callable[[Connection], Any]) -> Any:
        with self.db.connect() as conn:
            return fn(conn)

    def search(self, request: ExecutionSearch) -> tuple[int, list[Execution]]:
        """The number of executions matching `request` and the page of them it asks for."""
        found: tuple[int, list[Execution]] = self.read(lambda c: search_executions(c, request))
        return found

    def list_executions(
        self, *, job_id: str | None = None, states: Iterable[State] | None = None, limit: int = 50
    ) -> list[Execution]:
        """The newest executions, optionally of one job and in some states."""
        return list(self.read(lambda c: store.list_executions(c, job_id=job_id, states=states, limit=limit)))

    def started_executions(self, *, job_id: str | None = None, limit: int = 200) -> list[Execution]:
        """The newest executions that have started (and so have a log), of one job or of all."""
        return list(self.read(lambda c: store.started_executions(c, job_id=job_id, limit=limit)))

    def find_by_log_name(self, name: str) -> Execution | None:
        """The execution whose `log_file_name` is `name`, if there is one."""
        match = _LOG_NAME.fullmatch(name)
        if match is None:
            return None
        job_id, stamp = match.groups()
        try:
            second = calendar.timegm(time.strptime(stamp[:14], "%Y%m%d%H%M%S")) * 1000
        except ValueError:
            return None
        found = self.read(
            lambda c: store.created_in_second(c, job_id=job_id, second_ms=second, id_mod=int(stamp[14:]))
        )
        return next((e for e in found if log_file_name(e) == name), None)

    def job_ids_with_runs(self) -> list[str]:
        return list(self.read(store.job_ids_with_runs))

    def count_by_state(self) -> dict[State, int]:
        return dict(self.read(store.count_by_state))

    def events(self, execution_id: int) -> list[dict[str, Any]]:
        return list(self.read(lambda c: store.events_of(c, execution_id)))

    # ---- control ----------------------------------------------------------------------------------------------

    def delete(self, job_id: str, execution_id: int) -> None:
        execution = self.get_for_job(job_id, execution_id)
        if not execution.is_terminal:
            raise JobExecutionNotFinished(
                f"Execution '{execution_id}' is still {execution.state.value}; abort it first.",
                executionId=str(execution_id),
            )
        if not self.writer.run(lambda c: store.delete_finished(c, execution_id)):
            raise JobExecutionNotFinished(executionId=str(execution_id))

    def abort(self, execution_id: int) -> Execution:
        """Pending executions end at once; running ones are asked to stop at their next progress call."""

        def op(conn: Connection) -> Execution | None:
            execution = store.get_execution(conn, execution_id)
            if execution is None:
                return None
            if execution.state is State.PENDING:
                return store.transition(
                    conn,
                    execution_id=execution_id,
                    to=State.ABORTED,
                    exit_code="ABORTED",
                    exit_message="Aborted before it started.",
                )
            if execution.state in LEASED and execution.state is not State.ABORTING:
                return store.transition(
                    conn, execution_id=execution_id, to=State.ABORTING, note="abort requested"
                )
            return execution

        return self._control(execution_id, op, "abort")

    def pause(self, execution_id: int) -> Execution:
        return self._control(
            execution_id,
            lambda c: store.transition(
                c, execution_id=execution_id, to=State.PAUSING, note="pause requested"
            ),
            "pause",
        )

    def resume(self, execution_id: int) -> Execution:
        return self._control(
            execution_id,
            lambda c: store.transition(
                c, execution_id=execution_id, to=State.RESUMING, note="resume requested"
            ),
            "resume",
        )

    def restart(self, execution_id: int, *, client_id: str | None = None) -> Execution:
        """Run a failed or aborted execution again, as a new execution marked `is_restart`."""
        old = self.get(execution_id)
        if old is None:
            raise JobExecutionNotFound(executionId=str(execution_id))
        if old.state not in (State.FAILED, State.ABORTED):
            raise InvalidStateTransition(
                f"Only failed or aborted executions can be restarted, not {old.state}."
            )
        definition = self.registry.get(old.job_id)
        new = store.NewExecution(
            job_id=old.job_id,
            parameters=old.parameters,
            request=old.request,
            client_id=client_id or old.client_id,
            owner=old.owner,
            singleton=not definition.concurrent,
            result={"restartOf": old.id},
            is_restart=True,
            handed_over=self._hand_over is not None,
        )
        future = self.writer.submit_bulk(store.insert_executions, new)
        future.add_done_callback(self._notify)
        return future.result()

    def _control(
        self, execution_id: int, op: Callable[[Connection], Execution | None], verb: str
    ) -> Execution:
        if self.get(execution_id) is None:
            raise JobExecutionNotFound(executionId=str(execution_id))
        done = self.writer.run(op)
        if done is None:
            current = self.get(execution_id)
            state = current.state.value if current else "deleted"
            raise InvalidStateTransition(f"Cannot {verb} execution {execution_id}: it is {state}.")
        return done

    # ---- the worker side --------------------------------------------------------------------------------------

    def claim(self, worker: str, limit: int, job_ids: Sequence[str] | None = None) -> list[Execution]:
        if limit <= 0:
            return []
        return list(
            self.writer.run(
                lambda c: store.claim(c, worker=worker, limit=limit, lease_ms=self._lease_ms, job_ids=job_ids)
            )
        )

    def claim_one(
        self, worker: str, execution_id: int, job_ids: Sequence[str] | None = None
    ) -> Execution | None:
        """Claim the named execution if it is still pending (what a Celery message asks for), and, with
        `job_ids`, of one of those jobs."""
        return self.claim_named(self.named_claim(worker, execution_id, job_ids))

    def named_claim(
        self, worker: str, execution_id: int, job_ids: Sequence[str] | None = None
    ) -> store.NamedClaim:
        """The claim `claim_one` makes, for `claim_named` or a statement that makes it with other writes."""
        only = None if job_ids is None else tuple(job_ids)
        return store.NamedClaim(execution_id, worker, self._lease_ms, only)

    def claim_named(self, claim: store.NamedClaim) -> Execution | None:
        if self._claims is None:
            return self.writer.submit_bulk(store.claim_named, claim).result()
        return self._claims.run(lambda conn: store.claim_named(conn, [claim])[0])

    def heartbeat(self, worker: str, ids: Sequence[int], *, kind: str, pid: int, hostname: str) -> set[int]:
        def op(conn: Connection) -> set[int]:
            store.upsert_worker(conn, worker=worker, hostname=hostname, pid=pid, kind=kind)
            return store.renew_leases(conn, worker=worker, ids=ids, lease_ms=self._lease_ms)

        return set(self.writer.run(op))

    def worker_stopped(self, worker: str) -> None:
        self.writer.run(lambda c: store.remove_worker(c, worker))

    def live_workers(self) -> list[dict[str, Any]]:
        since = now_ms() - self._lease_ms
        return list(self.read(lambda c: store.live_workers(c, since=since)))

    def report(
        self,
        execution_id: int,
        worker: str,
        *,
        percent: int | None = None,
        message: str | None = None,
        steps: list[dict[str, Any]] | None = None,
        result: dict[str, Any] | None = None,
    ) -> State:
        state = self.writer.run(
            lambda c: store.report_progress(
                c,
                execution_id=execution_id,
                worker=worker,
                percent=percent,
                message=message,
                steps=steps,
                result=result,
            )
        )
        if state is None:
            raise LeaseLost(executionId=str(execution_id))
        return State(state)

    def set_state(self, execution_id: int, worker: str, state: State) -> None:
        done = self.writer.run(
            lambda c: store.transition(c, execution_id=execution_id, to=state, worker=worker)
        )
        if done is None:
            raise LeaseLost(executionId=str(execution_id))

    def current_state(self, execution_id: int, worker: str) -> State:
        execution = self.get(execution_id)
        if execution is None or execution.lease_owner != worker or execution.state not in LEASED:
            raise LeaseLost(executionId=str(execution_id))
        return execution.state

    def finish_future(self, execution: Execution, worker: str, outcome: Outcome) -> Future[bool]:
        """End a run; resolves to False when the worker had lost the lease (the run is then not recorded)."""
        return self.writer.submit_bulk(store.finish_executions, self.finish_of(execution, worker, outcome))

    @staticmethod
    def finish_of(execution: Execution, worker: str, outcome: Outcome) -> store.Finish:
        """The store's record of how a run ended (an outcome that is not an end state is a failure)."""
        to = outcome.state if outcome.state in TERMINAL else State.FAILED
        return store.Finish(execution.id, worker, to, outcome.exit_code, outcome.message, outcome.result)

    def finish_and_claim(
        self,
        execution: Execution,
        worker: str,
        outcome: Outcome | None,
        want: int,
        job_ids: Sequence[str] | None = None,
    ) -> Future[Execution | None]:
        """End a run (unless `outcome` is None: the lease was lost) and, in the same commit, claim the next
        pending execution for `worker` when `want` is 1 (of one of `job_ids`, when given)."""
        finish = None if outcome is None else self.finish_of(execution, worker, outcome)
        only = None if job_ids is None else tuple(job_ids)
        request = store.FinishAndClaim(finish, worker, want, self._lease_ms, only)
        return self.writer.submit_bulk(store.finish_and_claim, request)

    def reap(self) -> list[tuple[int, str]]:
        """Recover executions whose worker stopped renewing its lease: retry or fail, per the job's policy."""
        at = now_ms()
        expired = self.read(lambda c: store.expired(c, at=at))
        decisions: list[tuple[int, str]] = []
        for execution in expired:
            decision = self._recover(execution, at)
            if decision:
                decisions.append((execution.id, decision))
        return decisions

    def _recover(self, execution: Execution, at: int) -> str | None:
        definition = self.registry.find(execution.job_id)
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime((execution.lease_expires_at or at) / 1000))
        if execution.state is State.ABORTING:
            done = self.writer.run(
                lambda c: store.transition(
                    c,
                    execution_id=execution.id,
                    to=State.ABORTED,
                    exit_code="ABORTED",
                    exit_message="Aborted; its worker stopped before acknowledging.",
                    note="lease expired",
                )
            )
            return "aborted" if done else None
        policy = definition.retry if definition else None
        if policy and policy.on_worker_lost == "retry" and execution.attempt < policy.max_attempts:
            if self.writer.run(lambda c: store.requeue_expired(c, execution, at=at)):
                self.log_line(
                    execution,
                    f"worker {execution.lease_owner} lost (lease expired {stamp}); retrying",
                    "WARN",
                )
                self._notify(Future())
                return "retried"
            return None
        message = (
            f"The worker running this execution ({execution.lease_owner}) stopped renewing its lease, which "
            f"expired at {stamp}; attempt {execution.attempt}"
            + (f" of {policy.max_attempts}" if policy else "")
            + (
                ", and the job's policy is not to retry."
                if policy and policy.on_worker_lost == "fail"
                else "."
            )
        )
        if self.writer.run(
            lambda c: store.fail_expired(c, execution, at=at, code=WORKER_LOST, message=message)
        ):
            self.log_line(execution, message, "ERROR")
            return "failed"
        return None

    # ---- logs -------------------------------------------------------------------------------------------------

    def append_log(
        self, execution_id: int, message: str, level: str = "INFO", at: int | None = None
    ) -> Future[None]:
        """Queue a line for an execution's log; the future resolves once it is committed."""
        line = (execution_id, now_ms() if at is None else at, level, message)
        return self.writer.submit_bulk(joblog.insert_lines, line)

    def queue_log(self, execution_id: int, message: str, level: str = "INFO", at: int | None = None) -> None:
        """Queue a line for an execution's log that nobody waits for (it commits in order with the writes queued
        after it, a finish say); a failure to write it is logged."""
        line = (execution_id, now_ms() if at is None else at, level, message)
        self.writer.submit_bulk_detached(joblog.insert_lines, line)

    def log_line(self, execution: Execution, message: str, level: str = "INFO") -> None:
        """Append a line to an execution's log from outside its run (the reaper, say)."""
        self.append_log(execution.id, message, level).result()

    def log_lines(self, execution_id: int, after: int = 0) -> list[joblog.LogLine]:
        """The execution's log lines after line id `after`, oldest first (at most `joblog.READ_LIMIT`)."""
        return list(self.read(lambda c: joblog.read_lines(c, execution_id, after=after)))

    def log_text(self, execution_id: int) -> str:
        """The whole log of an execution, as its log file reads."""
        parts: list[str] = []
        after = 0
        while True:
            lines = self.log_lines(execution_id, after)
            parts.extend(line.render() for line in lines)
            if len(lines) < joblog.READ_LIMIT:
                return "".join(parts)
            after = lines[-1].id
