"""What a running job sees: its parameters, progress, steps, log, and the abort/pause checkpoints."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import Engine

from sitejobs.engine.models import Execution, now_ms
from sitejobs.engine.states import State
from sitejobs.settings import Settings


@dataclass(frozen=True, slots=True)
class JobServices:
    """What a job may use besides its context: the settings (files directory, limits) and the store."""

    settings: Settings
    db: Engine


class JobAborted(Exception):
    """The execution was aborted while it ran."""


class JobFailed(Exception):
    """A job ends in ERROR with its own exit code and message by raising this."""

    def __init__(self, message: str, code: str = "ERROR") -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class ProgressSink(Protocol):
    """Where a context sends what the job reports; answers the execution's current state."""

    def report(
        self,
        execution_id: int,
        *,
        percent: int | None,
        message: str | None,
        steps: list[dict[str, Any]] | None,
        result: dict[str, Any] | None,
    ) -> State: ...

    def set_state(self, execution_id: int, state: State) -> None: ...

    def current_state(self, execution_id: int) -> State: ...

    def log(self, execution_id: int, level: str, message: str) -> None: ...

    def log_done(self, execution_id: int) -> None: ...


class JobContext:
    PAUSE_POLL_SECONDS = 0.2

    def __init__(
        self, execution: Execution, params: dict[str, Any], sink: ProgressSink, services: JobServices
    ) -> None:
        self.execution = execution
        self.params = params
        self.services = services
        self._sink = sink
        self._steps: list[dict[str, Any]] = list(execution.steps or [])
        self.result: dict[str, Any] = dict(execution.result or {})

    @property
    def id(self) -> int:
        return self.execution.id

    @property
    def is_restart(self) -> bool:
        return self.execution.is_restart

    def log(self, message: str, level: str = "INFO") -> None:
        """Append a line to the execution's log (kept in the store, so every node reads it)."""
        self._sink.log(self.id, level, message)

    def progress(self, percent: float | None = None, message: str | None = None) -> None:
        """Record progress, then honour an abort or pause request (cooperative)."""
        pct = None if percent is None else max(0, min(100, int(percent)))
        state = self._sink.report(self.id, percent=pct, message=message, steps=None, result=None)
        self._honour(state)

    def publish_result(self, **fields: Any) -> None:
        """Merge fields into the execution's result document, visible to status readers while it runs."""
        self.result.update(fields)
        state = self._sink.report(self.id, percent=None, message=None, steps=None, result=self.result)
        self._honour(state)

    def checkpoint(self) -> None:
        """A place where the job may be aborted or paused without reporting progress."""
        self._honour(self._sink.current_state(self.id))

    @contextlib.contextmanager
    def step(self, step_id: str, step_type_id: str | None = None) -> Iterator[dict[str, Any]]:
        """Run a step: recorded as a step execution with its own status and times."""
        step: dict[str, Any] = {
            "id": f"{self.id}.{len(self._steps) + 1}",
            "step_id": step_id,
            "step_type_id": step_type_id or step_id,
            "state": State.RUNNING.value,
            "start_time": now_ms(),
        }
        self._steps.append(step)
        self._report_steps()
        try:
            yield step
        except JobAborted:
            step.update(state=State.ABORTED.value, end_time=now_ms(), exit_code="ABORTED")
            self._report_steps(honour=False)
            raise
        except BaseException as exc:
            step.update(state=State.FAILED.value, end_time=now_ms(), exit_code="ERROR", exit_message=str(exc))
            self._report_steps(honour=False)
            raise
        step.update(state=State.SUCCEEDED.value, end_time=now_ms(), exit_code=step.get("exit_code", "OK"))
        self._report_steps()

    def _report_steps(self, honour: bool = True) -> None:
        state = self._sink.report(self.id, percent=None, message=None, steps=list(self._steps), result=None)
        if honour:
            self._honour(state)

    def _honour(self, state: State) -> None:
        if state is State.ABORTING:
            raise JobAborted("aborted on request")
        if state is State.PAUSING:
            self._sink.set_state(self.id, State.PAUSED)
            state = State.PAUSED
        while state is State.PAUSED:
            time.sleep(self.PAUSE_POLL_SECONDS)
            state = self._sink.current_state(self.id)
        if state is State.RESUMING:
            self._sink.set_state(self.id, State.RUNNING)
        elif state is State.ABORTING:
            raise JobAborted("aborted on request")
