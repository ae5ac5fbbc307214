"""An execution's log, read from where the last read stopped: the only place the dashboard reads logs."""

from __future__ import annotations

from sitejobs.engine.models import Execution
from sitejobs.engine.service import JobEngine


def read_log(engine: JobEngine, execution: Execution, offset: int) -> tuple[str, int]:
    """The log's lines after line id `offset` (logs are rows in the store) and the offset to read from next."""
    lines = engine.log_lines(execution.id, offset)
    if not lines:
        return "", offset
    return "".join(line.render() for line in lines), lines[-1].id
