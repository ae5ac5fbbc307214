"""The job logs as WebDAV files. Logs live in the store (every node reads the same lines), so these files are
made from it: `Sites/LOGS/jobs/{job_id}/{log_file_name}` and, where sfcc-ci reads them,
`Sites/Impex/log/{log_file_name}`. A log exists once its execution has started (`is_log_file_existing`)."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass

from sitejobs.engine.models import Execution
from sitejobs.engine.service import JobEngine, log_file_name

#: Most logs a folder listing shows (the newest).
LISTING_LIMIT = 200


@dataclass(frozen=True, slots=True)
class LogFile:
    name: str
    body: bytes
    st: os.stat_result


def _stat(size: int, modified_ms: int) -> os.stat_result:
    seconds = modified_ms / 1000
    return os.stat_result((stat.S_IFREG | 0o444, 0, 0, 1, 0, 0, size, seconds, seconds, seconds))


def _file(engine: JobEngine, execution: Execution) -> LogFile:
    body = engine.log_text(execution.id).encode()
    return LogFile(log_file_name(execution), body, _stat(len(body), execution.modified_at))


def find(engine: JobEngine, name: str, job_id: str | None = None) -> LogFile | None:
    """The log called `name` (of `job_id`'s executions, when given), if its execution has started."""
    execution = engine.find_by_log_name(name)
    if (
        execution is None
        or execution.start_time is None
        or (job_id is not None and execution.job_id != job_id)
    ):
        return None
    return _file(engine, execution)


def listing(engine: JobEngine, job_id: str | None = None) -> list[LogFile]:
    """The newest started executions' logs, of one job or of all."""
    return [_file(engine, e) for e in engine.started_executions(job_id=job_id, limit=LISTING_LIMIT)]


def job_ids(engine: JobEngine) -> list[str]:
    return engine.job_ids_with_runs()
