"""Running one claimed execution: build its context, call the job, turn what happened into an Outcome."""

from __future__ import annotations

import logging
import traceback
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

from sitejobs.engine.context import JobAborted, JobContext, JobFailed, ProgressSink
from sitejobs.engine.models import Execution, Outcome
from sitejobs.engine.registry import JobFunction
from sitejobs.engine.states import State
from sitejobs.errors import LeaseLost, SitejobsError

if TYPE_CHECKING:
    from sitejobs.engine.service import JobEngine

log = logging.getLogger(__name__)

LOG_FLUSH_TIMEOUT_SECONDS = 10.0


class EngineSink:
    """Sends a job's reports to the engine under the worker's lease, and its log lines to the store.

    `finish_follows` says the run's finish is written through this same engine's writer after its lines (the
    in-process executor): lines reach the writer in order and the finish after them, so it commits with them or
    after them, and the run need not wait for its lines on its own. Elsewhere (a process pool child, whose
    parent writes the finish) `log_done` waits until the lines are committed."""

    def __init__(self, engine: JobEngine, worker: str, *, finish_follows: bool = False) -> None:
        self._engine = engine
        self._worker = worker
        self._finish_follows = finish_follows
        self._last_line: dict[int, Future[None]] = {}

    def log(self, execution_id: int, level: str, message: str) -> None:
        if self._finish_follows:
            self._engine.queue_log(execution_id, message, level)
        else:
            self._last_line[execution_id] = self._engine.append_log(execution_id, message, level)

    def log_done(self, execution_id: int) -> None:
        """Returns once every line of the run is committed (lines are committed in order), or at once when the
        finish follows on the same writer."""
        last = self._last_line.pop(execution_id, None)
        if last is None:
            return
        try:
            last.result(LOG_FLUSH_TIMEOUT_SECONDS)
        except Exception:
            log.warning("log lines of execution %s not written", execution_id, exc_info=True)

    def report(self, execution_id: int, **kw: Any) -> State:
        state: State = self._engine.report(execution_id, self._worker, **kw)
        return state

    def set_state(self, execution_id: int, state: State) -> None:
        self._engine.set_state(execution_id, self._worker, state)

    def current_state(self, execution_id: int) -> State:
        state: State = self._engine.current_state(execution_id, self._worker)
        return state


def run_execution(execution: Execution, engine: JobEngine, sink: ProgressSink) -> Outcome | None:
    """Run the job; None means the lease was lost and the result must not be recorded."""
    definition = engine.registry.find(execution.job_id)
    if definition is None:
        return Outcome(
            State.FAILED, "JOB_NOT_DEFINED", f"No job '{execution.job_id}' is defined on this worker."
        )
    try:
        params = (
            dict(execution.request or {})
            if definition.system_request is not None
            else definition.typed_parameters(execution.parameters)
        )
    except SitejobsError as exc:
        return Outcome(State.FAILED, "INVALID_PARAMETERS", exc.message)
    ctx = JobContext(execution, params, sink, engine.services)
    try:
        return _run(definition.run, ctx)
    finally:
        sink.log_done(execution.id)


def _run(job: JobFunction, ctx: JobContext) -> Outcome | None:
    execution = ctx.execution
    attempt = f" (restart, attempt {execution.attempt})" if execution.is_restart else ""
    try:
        ctx.log(f"Job {execution.job_id} execution {execution.id} started{attempt}")
        result = job(ctx)
    except JobAborted:
        ctx.log("Aborted on request", "WARN")
        return Outcome(State.ABORTED, "ABORTED", "Aborted on request.")
    except JobFailed as exc:
        ctx.log(f"Failed: {exc.message}", "ERROR")
        return Outcome(State.FAILED, exc.code, exc.message, _result(ctx, None))
    except LeaseLost:
        log.warning("lease lost while running execution %s; leaving it to its new owner", execution.id)
        return None
    except Exception as exc:
        ctx.log("Failed with an unexpected error:\n" + traceback.format_exc(), "ERROR")
        return Outcome(State.FAILED, "ERROR", f"{type(exc).__name__}: {exc}", _result(ctx, None))
    ctx.log(f"Job {execution.job_id} execution {execution.id} finished")
    return Outcome(State.SUCCEEDED, "OK", "OK", _result(ctx, result))


def _result(ctx: JobContext, returned: dict[str, Any] | None) -> dict[str, Any] | None:
    merged = dict(ctx.result)
    if returned:
        merged.update(returned)
    return merged or None
