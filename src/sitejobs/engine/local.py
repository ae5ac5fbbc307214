"""The in-process executor: claims executions in batches and runs them on a thread pool (I/O-bound jobs)
or a process pool (jobs declared CPU-bound), renewing leases and reaping expired ones while it runs. It claims
only executions of the jobs its registry defines: a worker loaded with other jobs modules leaves them alone.

`sitejobs serve` embeds one; `sitejobs worker` runs one alone against the same database. On PostgreSQL it
wakes on NOTIFY (a submission on any node); on SQLite it is woken by this process's submissions and polls.
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

from sitejobs.engine import store
from sitejobs.engine.executor import FinishedHook
from sitejobs.engine.models import Execution, Outcome, now_ms
from sitejobs.engine.notify import PendingListener
from sitejobs.engine.registry import Registry
from sitejobs.engine.runner import EngineSink, run_execution
from sitejobs.engine.service import JobEngine
from sitejobs.engine.states import State
from sitejobs.engine.upkeep import Holder, Upkeep, new_worker_id
from sitejobs.settings import Settings

log = logging.getLogger(__name__)

#: With NOTIFY to wake it, polling is only a safety net (a notification lost with a dropped connection).
LISTENING_POLL_SECONDS = 5.0
RegistryLoader = Callable[[], Registry]


class LocalExecutor:
    def __init__(
        self,
        engine: JobEngine,
        *,
        slots: int | None = None,
        kind: str = "embedded",
        registry_loader: RegistryLoader | None = None,
    ) -> None:
        self.engine = engine
        self.settings = engine.settings
        self.slots = slots or self.settings.workers
        self.kind = kind
        self.worker_id = new_worker_id()
        #: Builds the registry again in a pool process (a picklable function); without one, CPU-bound jobs run
        #: on the thread pool like the others.
        self._registry_loader = registry_loader
        self._threads = ThreadPoolExecutor(self.slots, thread_name_prefix="sitejobs-job")
        self._processes: ProcessPoolExecutor | None = None
        self._running: dict[int, Execution] = {}
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._loops: list[threading.Thread] = []
        self._sink = EngineSink(engine, self.worker_id, finish_follows=True)
        self._upkeep = Upkeep(
            engine, Holder(self.worker_id, kind, lambda: self.running_ids), after_reap=self._wake.set
        )
        self._listener: PendingListener | None = None
        self._poll_seconds = self.settings.poll_seconds
        if engine.db.dialect.name == "postgresql":
            self._listener = PendingListener(engine.db, self._wake.set)
            self._poll_seconds = max(self._poll_seconds, LISTENING_POLL_SECONDS)
        engine.on_submit(self._wake.set)
        self.on_finished: FinishedHook | None = None

    # ---- lifecycle --------------------------------------------------------------------------------------------

    def start(self) -> None:
        self._upkeep.start()
        if self._listener is not None:
            self._listener.start()
        thread = threading.Thread(target=self._dispatch_loop, name="sitejobs-dispatch", daemon=True)
        thread.start()
        self._loops.append(thread)
        log.info("executor started", extra={"worker": self.worker_id, "slots": self.slots})

    def stop(self, grace_seconds: float = 5.0) -> None:
        """Stop claiming; give running jobs `grace_seconds`, then release their leases for recovery."""
        self._stop.set()
        self._wake.set()
        for thread in self._loops:
            thread.join()
        if self._listener is not None:
            self._listener.stop()
        with self._lock:
            waiting = list(self._running)
        if waiting:
            self._wait_idle(grace_seconds)
        # Heartbeats end before the leases are given up: one renewed after the release would hold them again.
        self._upkeep.stop()
        with self._lock:
            left = list(self._running.values())
        if left:
            log.warning("releasing %d running executions for recovery", len(left))
            self.engine.writer.run(
                lambda c: store.expire_leases(c, worker=self.worker_id, ids=[e.id for e in left])
            )
        self._threads.shutdown(wait=False, cancel_futures=True)
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
            self._wake.wait(self._poll_seconds)
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
            claimed = self.engine.claim(self.worker_id, free, self.engine.registry.job_ids)
            for execution in claimed:
                self._start(execution)
            if len(claimed) < free:
                return

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
                nxt = self.engine.finish_and_claim(
                    execution, self.worker_id, outcome, want, self.engine.registry.job_ids
                ).result()
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
            if definition is not None and definition.cpu_bound and self._registry_loader is not None:
                pool = self._process_pool()
                outcome = pool.submit(
                    _run_in_process, self.settings, self._registry_loader, execution, self.worker_id
                ).result()
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


def _run_in_process(
    settings: Settings, registry_loader: RegistryLoader, execution: Execution, worker: str
) -> Outcome | None:
    """Entry point in a pool process: its own engine connection, the same lease owner as the parent."""
    global _process_engine
    if _process_engine is None:
        _process_engine = JobEngine(settings, registry_loader())
    return run_execution(execution, _process_engine, EngineSink(_process_engine, worker))
