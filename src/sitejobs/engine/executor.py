"""The in-process executor: claims executions in batches and runs them on a thread pool (I/O-bound jobs)
or a process pool (jobs declared CPU-bound), renewing leases and reaping expired ones while it runs.

`sitejobs serve` embeds one; `sitejobs worker` runs one alone against the same database.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

from sitejobs.engine import store
from sitejobs.engine.joblog import LogWriter
from sitejobs.engine.models import Execution, Outcome, now_ms
from sitejobs.engine.runner import EngineSink, run_execution
from sitejobs.engine.service import JobEngine
from sitejobs.engine.states import State
from sitejobs.settings import Settings

log = logging.getLogger(__name__)

STATISTICS_SECONDS = 600.0


class LocalExecutor:
    def __init__(self, engine: JobEngine, *, slots: int | None = None, kind: str = "embedded") -> None:
        self.engine = engine
        self.settings = engine.settings
        self.slots = slots or self.settings.workers
        self.kind = kind
        self.worker_id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._threads = ThreadPoolExecutor(self.slots, thread_name_prefix="sitejobs-job")
        self._processes: ProcessPoolExecutor | None = None
        self._running: dict[int, Execution] = {}
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._loops: list[threading.Thread] = []
        self._logs = LogWriter()
        self._sink = EngineSink(engine, self.worker_id, self._logs)
        engine.on_submit(self._wake.set)
        #: Called after each finished run with (execution, outcome, seconds it ran); for metrics.
        self.on_finished: Callable[[Execution, Outcome, float], None] | None = None

    # ---- lifecycle --------------------------------------------------------------------------------------------

    def start(self) -> None:
        self._heartbeat()
        for name, target in (("dispatch", self._dispatch_loop), ("lease", self._lease_loop)):
            thread = threading.Thread(target=target, name=f"sitejobs-{name}", daemon=True)
            thread.start()
            self._loops.append(thread)
        log.info("executor started", extra={"worker": self.worker_id, "slots": self.slots})

    def stop(self, grace_seconds: float = 5.0) -> None:
        """Stop claiming; give running jobs `grace_seconds`, then release their leases for recovery."""
        self._stop.set()
        self._wake.set()
        for thread in self._loops:
            thread.join()
        with self._lock:
            waiting = list(self._running)
        if waiting:
            self._wait_idle(grace_seconds)
        with self._lock:
            left = list(self._running.values())
        if left:
            log.warning("releasing %d running executions for recovery", len(left))
            self.engine.writer.run(
                lambda c: store.expire_leases(c, worker=self.worker_id, ids=[e.id for e in left])
            )
        try:
            self.engine.worker_stopped(self.worker_id)
        except Exception:
            log.debug("could not unregister worker", exc_info=True)
        self._threads.shutdown(wait=False, cancel_futures=True)
        self._logs.stop()
        if self._processes is not None:
            self._processes.shutdown(wait=False, cancel_futures=True)

    def _wait_idle(self, seconds: float) -> None:
        deadline = threading.Event()
        timer = threading.Timer(seconds, deadline.set)
        timer.start()
        try:
            while not deadline.is_set():
                with self._lock:
                    if not self._running:
                        return
                deadline.wait(0.05)
        finally:
            timer.cancel()

    @property
    def running_ids(self) -> list[int]:
        with self._lock:
            return list(self._running)

    # ---- loops ------------------------------------------------------------------------------------------------

    def _dispatch_loop(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.settings.poll_seconds)
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                self._claim_and_start()
            except Exception:
                log.exception("claiming executions failed; retrying")
                self._stop.wait(self.settings.poll_seconds)

    def _claim_and_start(self) -> None:
        while not self._stop.is_set():
            with self._lock:
                free = self.slots - len(self._running)
            if free <= 0:
                return
            claimed = self.engine.claim(self.worker_id, free)
            for execution in claimed:
                self._start(execution)
            if len(claimed) < free:
                return

    def _lease_loop(self) -> None:
        tick = min(self.settings.lease_seconds / 3, self.settings.reap_seconds)
        last_reap = 0.0
        last_stats = time.monotonic()
        while not self._stop.wait(tick):
            try:
                self._heartbeat()
                if time.monotonic() - last_stats >= STATISTICS_SECONDS:
                    last_stats = time.monotonic()
                    self.engine.writer.run(store.refresh_statistics)
                if time.monotonic() - last_reap >= self.settings.reap_seconds:
                    last_reap = time.monotonic()
                    for execution_id, decision in self.engine.reap():
                        log.warning(
                            "recovered execution", extra={"execution": execution_id, "decision": decision}
                        )
                    self._wake.set()
            except Exception:
                log.exception("lease upkeep failed; will retry")

    def _heartbeat(self) -> None:
        ids = self.running_ids
        held = self.engine.heartbeat(
            self.worker_id, ids, kind=self.kind, pid=os.getpid(), hostname=socket.gethostname()
        )
        lost = (set(ids) - held) & set(self.running_ids)
        if lost:  # usually runs that ended while the heartbeat was in flight; a truly lost one stops itself
            log.debug("leases not renewed for executions %s", sorted(lost))

    # ---- running ----------------------------------------------------------------------------------------------

    def _start(self, execution: Execution) -> None:
        with self._lock:
            self._running[execution.id] = execution
        self._threads.submit(self._work, execution)

    def _work(self, first: Execution) -> None:
        """A slot's loop: run an execution, then finish it and claim the next in one write, until none is left.

        Handing the next execution straight to the slot that freed up keeps the dispatcher (and its thread
        hops) out of the steady state; it only starts slots that sat idle."""
        execution: Execution | None = first
        while execution is not None:
            outcome = self._run_one(execution)
            want = 0 if self._stop.is_set() else 1
            try:
                nxt = self.engine.finish_and_claim(execution, self.worker_id, outcome, want).result()
            except Exception:
                log.exception("could not record the end of execution %s; its lease will expire", execution.id)
                nxt = None
            with self._lock:
                self._running.pop(execution.id, None)
                if nxt is not None:
                    self._running[nxt.id] = nxt
            execution = nxt
        self._wake.set()

    def _run_one(self, execution: Execution) -> Outcome | None:
        definition = self.engine.registry.find(execution.job_id)
        try:
            if definition is not None and definition.cpu_bound:
                pool = self._process_pool()
                outcome = pool.submit(_run_in_process, self.settings, execution, self.worker_id).result()
            else:
                outcome = run_execution(execution, self.engine, self._sink)
        except BaseException as exc:  # the pool itself failed (a child process died, say)
            outcome = Outcome(State.FAILED, "ERROR", f"The job's process failed: {exc!r}")
        if outcome is not None and self.on_finished is not None:
            started = execution.start_time or now_ms()
            self.on_finished(execution, outcome, max(0, now_ms() - started) / 1000)
        return outcome

    def _process_pool(self) -> ProcessPoolExecutor:
        # Spawned, not forked: a child forked from this threaded process inherits SQLite's in-process lock
        # bookkeeping as it stood mid-transaction in another thread, and can then wait forever for a lock
        # nobody holds. Under the lock: two slots starting CPU-bound runs at once must share one pool.
        with self._lock:
            if self._processes is None:
                self._processes = ProcessPoolExecutor(
                    self.settings.cpu_workers, mp_context=multiprocessing.get_context("spawn")
                )
            return self._processes


_process_engine: JobEngine | None = None


def _run_in_process(settings: Settings, execution: Execution, worker: str) -> Outcome | None:
    """Entry point in a pool process: its own engine connection, the same lease owner as the parent."""
    global _process_engine
    if _process_engine is None:
        _process_engine = JobEngine(settings)
    engine = _process_engine
    sink = EngineSink(engine, worker)
    return run_execution(execution, engine, sink)
