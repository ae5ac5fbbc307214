"""The Executor seam: what runs executions. Two implementations share the engine's contract (claim under a
lease, heartbeat, report, finish, recovery by the reaper):

- `local.LocalExecutor`: thread (and process) pools in this process, claiming from the store; what
  `sitejobs serve` embeds and `sitejobs worker` runs alone.
- `celery_executor.CeleryDispatcher` on API nodes hands pending executions to a broker (an outbox), and
  `celery_executor.CeleryRuntime` runs them in Celery worker processes on any machine.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from sitejobs.engine.models import Execution, Outcome

#: Called after each finished run with (execution, outcome, seconds it ran); for metrics.
FinishedHook = Callable[[Execution, Outcome, float], None]


class Executor(Protocol):
    kind: str
    on_finished: FinishedHook | None

    def start(self) -> None: ...

    def stop(self, grace_seconds: float = 5.0) -> None: ...
