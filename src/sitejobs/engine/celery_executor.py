"""Celery mode: the broker carries only "run execution N"; the store stays the truth.

- `CeleryDispatcher` (on API nodes) is an outbox. A submission commits its row first, marked as handed over, and
  the node's dispatcher then publishes one message for it. Rows pending and never handed over (a restart after a
  lost worker, a submission from a node without a dispatcher, a message the broker refused) are picked from the
  table (`store.mark_for_dispatch`, which several API nodes never pick twice) and published the same way.
  While the broker is down, submissions are still acknowledged: the rows wait and are published when it
  returns. A message can still be lost after publishing (a broker restarted without persistence), or never
  sent (a node stopped first): rows handed over long ago and still pending are published again once the queue
  has drained.
- `CeleryRuntime` (one per Celery worker process) claims the execution a message names with the same guarded
  statement as the local executor (`store.claim_one`), so a duplicate or late message does nothing, then runs it
  under a lease that its upkeep thread renews. A worker that dies loses its lease; the reaper (every node runs
  one) retries or fails the execution by the job's policy, and the outbox publishes the retry. Retries are the
  engine's, never Celery's: tasks are acknowledged late and rejected when their worker is lost, and never retried.
- Abort, pause and resume reach a job on any machine through its row, as in local mode (never `revoke`).
"""

from __future__ import annotations

import collections
import logging
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from sitejobs.engine import store
from sitejobs.engine.autocommit import OwnConnections
from sitejobs.engine.executor import FinishedHook
from sitejobs.engine.joblog import LineRow
from sitejobs.engine.models import Execution, now_ms
from sitejobs.engine.notify import PendingListener
from sitejobs.engine.runner import LOG_FLUSH_TIMEOUT_SECONDS, EngineSink, run_execution
from sitejobs.engine.service import JobEngine
from sitejobs.engine.upkeep import Holder, Upkeep, new_worker_id
from sitejobs.settings import Settings

log = logging.getLogger(__name__)

TASK_NAME = "sitejobs.run_execution"
#: How long a run's log lines may wait to share a commit (with the run's finish, for a short run).
LINE_DELAY_SECONDS = 0.1
#: How long a run's end may wait for the worker's next claim, to be recorded in the same statement.
HOLD_SECONDS = 0.005
#: Rows published a batch; the rest go in the next round straight after.
DISPATCH_BATCH = 500
#: How long to wait after the broker refused a message before trying again.
BROKER_RETRY_SECONDS = 1.0

Publish = Callable[[Sequence[int]], None]
Backlog = Callable[[], int | None]


def celery_config(settings: Settings) -> dict[str, Any]:
    """Celery settings of both sides: late acknowledgement, no prefetch beyond one, no result backend."""
    return {
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "task_acks_on_failure_or_timeout": True,
        "worker_prefetch_multiplier": 1,
        "task_default_queue": settings.celery_queue,
        "task_ignore_result": True,
        "task_serializer": "json",
        "accept_content": ["json"],
        "broker_connection_retry_on_startup": True,
        "broker_connection_timeout": 2.0,
        "broker_transport_options": {"socket_timeout": 5.0, "socket_connect_timeout": 2.0},
        # Task events cost the workers a broker message a task state (a sixth of their CPU on no-op jobs):
        # off unless asked for. Flower turns them on in running workers when it starts (`enable_events`).
        "worker_send_task_events": settings.celery_task_events,
        "task_send_sent_event": settings.celery_task_events,
        "worker_hijack_root_logger": False,
    }


class CeleryDispatcher:
    """The API node's side of Celery mode: publishes pending executions, and reaps expired leases."""

    kind = "celery"

    def __init__(self, engine: JobEngine, publish: Publish, backlog: Backlog) -> None:
        self.engine = engine
        self._publish = publish
        self._backlog = backlog
        self._redispatch_ms = int(engine.settings.redispatch_seconds * 1000)
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="sitejobs-outbox", daemon=True)
        self._upkeep = Upkeep(engine, None, after_reap=self._wake.set)
        self._listener = (
            PendingListener(engine.db, self._wake.set) if engine.db.dialect.name == "postgresql" else None
        )
        #: This node's submissions, committed and marked as handed over, still to publish.
        self._handed: collections.deque[int] = collections.deque()
        engine.hand_over_submissions(self._take)
        self.on_finished: FinishedHook | None = None

    def _take(self, execution_id: int) -> None:
        self._handed.append(execution_id)
        self._wake.set()

    def start(self) -> None:
        self._upkeep.start()
        if self._listener is not None:
            self._listener.start()
        self._thread.start()

    def stop(self, grace_seconds: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join()
        if self._listener is not None:
            self._listener.stop()
        self._upkeep.stop()

    def _loop(self) -> None:
        last_stale_check = 0
        while not self._stop.is_set():
            self._wake.wait(self.engine.settings.poll_seconds * 4)
            self._wake.clear()
            try:
                self.publish_handed()
                while self.dispatch(older_than=0) == DISPATCH_BATCH:
                    pass
                if now_ms() - last_stale_check >= self._redispatch_ms:
                    last_stale_check = now_ms()
                    if self._backlog() == 0:
                        self.dispatch(older_than=now_ms() - self._redispatch_ms)
            except Exception as exc:
                log.warning("handing executions to the broker failed (%s); will retry", exc)
                self._stop.wait(BROKER_RETRY_SECONDS)
                self._wake.set()

    def publish_handed(self) -> None:
        """Publish this node's submissions (marked as handed over when inserted). Those the broker refuses are
        unmarked, so that the next round picks them from the table, and the error raised."""
        while self._handed:
            ids: list[int] = []
            while self._handed and len(ids) < DISPATCH_BATCH:
                ids.append(self._handed.popleft())
            self._publish_or_unmark(ids)

    def dispatch(self, *, older_than: int) -> int:
        """Publish one batch of pending executions (those never published when `older_than` is 0); returns how
        many. A batch the broker refuses is marked unpublished again, and the error raised."""
        ids = self.engine.writer.run(
            lambda c: store.mark_for_dispatch(c, older_than=older_than, limit=DISPATCH_BATCH)
        )
        if ids:
            self._publish_or_unmark(ids)
        return len(ids)

    def _publish_or_unmark(self, ids: Sequence[int]) -> None:
        try:
            self._publish(ids)
        except BaseException:
            self.engine.writer.run(lambda c: store.unmark_dispatch(c, ids))
            raise


class _HeldLinesSink(EngineSink):
    """A run's log lines wait in memory: those of a short run go with its finish, in the same statement; those of
    a long run reach the store writer at most LINE_DELAY_SECONDS after they are logged, so that they are visible
    while it runs. The flush thread wakes when a line is due, not for every run."""

    def __init__(self, engine: JobEngine, worker: str) -> None:
        super().__init__(engine, worker)
        self._cond = threading.Condition()
        self._held: dict[int, list[LineRow]] = {}
        self._due: dict[int, float] = {}
        #: The last line handed to the writer, a run: its finish waits for it, so that lines keep their order.
        self._written: dict[int, Future[None]] = {}
        self._wakes_at = float("inf")
        self._closed = False
        self._thread = threading.Thread(target=self._flush_loop, name="sitejobs-log-lines", daemon=True)
        self._thread.start()

    def log(self, execution_id: int, level: str, message: str) -> None:
        with self._cond:
            lines = self._held.setdefault(execution_id, [])
            if not lines:
                due = time.monotonic() + LINE_DELAY_SECONDS
                self._due[execution_id] = due
                if due < self._wakes_at:
                    self._cond.notify()
            lines.append((execution_id, now_ms(), level, message))

    def log_done(self, execution_id: int) -> None:
        """Nothing to do: the runtime takes the run's last lines with `take` for its finish."""

    def take(self, execution_id: int) -> tuple[list[LineRow], Future[None] | None]:
        """The run's lines not yet written, and the last one that was handed to the writer (or None)."""
        with self._cond:
            self._due.pop(execution_id, None)
            return self._held.pop(execution_id, []), self._written.pop(execution_id, None)

    def write(self, execution_id: int) -> None:
        """Hand the run's held lines to the writer (a run whose end is not recorded)."""
        with self._cond:
            self._write(execution_id)
            self._written.pop(execution_id, None)

    def close(self) -> None:
        with self._cond:
            self._closed = True
            for execution_id in list(self._held):
                self._write(execution_id)
            self._cond.notify()
        self._thread.join()

    def _write(self, execution_id: int) -> None:
        # Called under the lock, so lines reach the writer in the order they were logged.
        self._due.pop(execution_id, None)
        for execution, at, level, message in self._held.pop(execution_id, ()):
            self._written[execution_id] = self._engine.append_log(execution, message, level, at)

    def _flush_loop(self) -> None:
        with self._cond:
            while not self._closed:
                now = time.monotonic()
                for execution_id in [e for e, at in self._due.items() if at <= now]:
                    self._write(execution_id)
                self._wakes_at = min(self._due.values(), default=now + 60.0)
                self._cond.wait(max(0.0, self._wakes_at - now))
                self._wakes_at = float("inf")


@dataclass(frozen=True, slots=True)
class _HeldEnd:
    finish: store.Finish
    lines: list[LineRow]
    #: The run's last line handed to the store writer (a long run's): its end is recorded after it.
    after: Future[None] | None
    #: When the finisher's thread records it, if no claim has taken it by then (time.monotonic()).
    due: float

    def wait_for_earlier_lines(self) -> None:
        if self.after is not None:
            self.after.result(LOG_FLUSH_TIMEOUT_SECONDS)


class _Finisher:
    """Records each run's end with its last log lines (one statement, see `store.finish_with_lines`) on store
    connections of its own (Celery mode is PostgreSQL only), waiting for the disk unless durable worker writes
    are off. The task returns, and Celery acknowledges the message and delivers the next one, without waiting
    for it: an end waits up to HOLD_SECONDS for the worker's next claim and is recorded with it, in one
    statement (`claim`); with no claim by then, the finisher's thread records it alone. A run's end and the next
    claim sharing a statement spare PostgreSQL and the worker a round trip and a commit a job."""

    def __init__(self, engine: JobEngine, done: Callable[[int, bool | BaseException], None]) -> None:
        self._engine = engine
        self._done = done
        self._connections = OwnConnections(engine.db, relaxed=not engine.settings.durable_worker_writes)
        self._cond = threading.Condition()
        self._held: collections.deque[_HeldEnd] = collections.deque()
        self._idle = False
        self._closed = False
        self._thread = threading.Thread(target=self._loop, name="sitejobs-finisher", daemon=True)
        self._thread.start()

    def put(self, finish: store.Finish, lines: list[LineRow], after: Future[None] | None) -> None:
        with self._cond:
            self._held.append(_HeldEnd(finish, lines, after, time.monotonic() + HOLD_SECONDS))
            if self._idle:  # otherwise it wakes by itself when the first one held is due
                self._cond.notify()

    def claim(self, claim: store.NamedClaim) -> Execution | None:
        """`engine.claim_one`, with the end of a run still held if there is one. Should that statement fail, the
        end is not recorded (the lease expires, as when recording it alone fails) and the error raised."""
        with self._cond:
            held = self._held.popleft() if self._held else None
        if held is None:
            return self._engine.claim_named(claim)
        try:
            held.wait_for_earlier_lines()
            recorded, execution = self._connections.run(
                lambda conn: store.finish_with_lines_and_claim(conn, held.finish, held.lines, claim)
            )
        except Exception as exc:
            self._report(held.finish.execution_id, exc)
            raise
        self._report(held.finish.execution_id, recorded)
        return execution

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify()
        self._thread.join()
        self._connections.close()

    def _loop(self) -> None:
        while (held := self._next_due()) is not None:
            try:
                held.wait_for_earlier_lines()
                outcome: bool | BaseException = self._connections.run(
                    lambda conn: store.finish_with_lines(conn, held.finish, held.lines)
                )
            except Exception as exc:
                outcome = exc
            self._report(held.finish.execution_id, outcome)

    def _next_due(self) -> _HeldEnd | None:
        """The first end held past its time (every one held, once closing); None once closed and drained."""
        with self._cond:
            while True:
                if self._held and (self._closed or self._held[0].due <= time.monotonic()):
                    return self._held.popleft()
                if self._closed:
                    return None
                self._idle = not self._held
                self._cond.wait(None if self._idle else self._held[0].due - time.monotonic())
                self._idle = False

    def _report(self, execution_id: int, outcome: bool | BaseException) -> None:
        try:
            self._done(execution_id, outcome)
        except Exception:  # the finisher must go on: the next runs' ends wait behind it
            log.exception("after recording the end of execution %s", execution_id)


class CeleryRuntime:
    """A Celery worker process's side: runs the execution each message names, holding its lease."""

    kind = "celery"

    def __init__(self, engine: JobEngine) -> None:
        self.engine = engine
        self.worker_id = new_worker_id()
        self._running: set[int] = set()
        self._lock = threading.Lock()
        self._sink = _HeldLinesSink(engine, self.worker_id)
        self._finisher = _Finisher(engine, self._finished)
        self._upkeep = Upkeep(engine, Holder(self.worker_id, self.kind, self._running_ids))
        self._upkeep.start()

    def _running_ids(self) -> list[int]:
        with self._lock:
            return list(self._running)

    def run(self, execution_id: int) -> str:
        """Claim and run one execution; "skipped" when it is not pending (a duplicate or late message), or is of
        a job this worker's registry does not define: it is left pending for a worker that does (during a rolling
        upgrade, say), and the outbox publishes it again once the queue has drained.

        The finish is queued, not waited for: the task returns (and Celery acknowledges the message and takes
        the next one) while it commits. The lease is held until it is committed; should this process die before
        that, the lease expires and the reaper recovers the execution as for any lost worker."""
        claim = self.engine.named_claim(self.worker_id, execution_id, self.engine.registry.job_ids)
        execution = self._finisher.claim(claim)
        if execution is None:  # not pending any more, or of a job this worker does not define
            return "skipped"
        with self._lock:
            self._running.add(execution.id)
        try:
            outcome = run_execution(execution, self.engine, self._sink)
        except BaseException:
            self._sink.write(execution.id)
            self._release(execution.id)
            raise
        if outcome is None:
            self._sink.write(execution.id)
            self._release(execution.id)
            return "lease lost"
        lines, after = self._sink.take(execution.id)
        self._finisher.put(self.engine.finish_of(execution, self.worker_id, outcome), lines, after)
        return outcome.state.value

    def _release(self, execution_id: int) -> None:
        with self._lock:
            self._running.discard(execution_id)

    def _finished(self, execution_id: int, recorded: bool | BaseException) -> None:
        self._release(execution_id)
        if isinstance(recorded, BaseException):
            log.warning(
                "could not record the end of execution %s (%s); its lease will expire", execution_id, recorded
            )
        elif not recorded:
            log.warning("execution %s ended after its lease was lost; not recorded", execution_id)

    def close(self) -> None:
        self._sink.close()
        self._finisher.close()
        self._upkeep.stop()
        self.engine.close()
