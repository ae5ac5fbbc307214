"""The OCAPI documents of an execution: `job_execution`, its steps, and the search result."""

from __future__ import annotations

from typing import Any

from sitejobs.engine.models import Execution
from sitejobs.engine.service import log_file_name
from sitejobs.engine.states import OCAPI, State
from sitejobs.timefmt import iso_ms


def exit_status(code: str, message: str | None, ok: bool) -> dict[str, Any]:
    return {"_type": "status", "code": code, "message": message or code, "status": "ok" if ok else "error"}


def _step(step: dict[str, Any]) -> dict[str, Any]:
    state = State(step.get("state", State.RUNNING.value))
    names = OCAPI[state]
    doc: dict[str, Any] = {
        "_type": "job_step_execution",
        "id": str(step.get("id")),
        "step_id": step.get("step_id"),
        "step_type_id": step.get("step_type_id"),
        "execution_status": names.execution_status,
        "status": names.status,
    }
    if "start_time" in step:
        doc["start_time"] = iso_ms(step["start_time"])
    if "end_time" in step:
        doc["end_time"] = iso_ms(step["end_time"])
        if "start_time" in step:
            doc["duration"] = step["end_time"] - step["start_time"]
        code = step.get("exit_code") or ("OK" if state is State.SUCCEEDED else "ERROR")
        doc["exit_status"] = exit_status(code, step.get("exit_message"), state is State.SUCCEEDED)
    return doc


def job_execution(execution: Execution, version: str) -> dict[str, Any]:
    names = OCAPI[execution.state]
    log_name = log_file_name(execution)
    doc: dict[str, Any] = {
        "_v": version,
        "_type": "job_execution",
        "client_id": execution.client_id,
        "execution_status": names.execution_status,
        "id": str(execution.id),
        # Its log is in the store; the run writes its first line as it starts.
        "is_log_file_existing": execution.start_time is not None,
        "is_restart": execution.is_restart,
        "job_id": execution.job_id,
        "log_file_name": log_name,
        "log_file_path": f"/Sites/LOGS/jobs/{execution.job_id}/{log_name}",
        "modification_time": iso_ms(execution.modified_at),
        "parameters": [
            {"_type": "job_execution_parameter", "name": p["name"], "value": p["value"]}
            for p in execution.parameters
        ],
        "status": names.status,
    }
    if execution.start_time is not None:
        doc["start_time"] = iso_ms(execution.start_time)
        doc["duration"] = execution.duration_ms
    if execution.end_time is not None:
        doc["end_time"] = iso_ms(execution.end_time)
    if execution.is_terminal:
        doc["exit_status"] = exit_status(
            execution.exit_code or names.status, execution.exit_message, execution.state is State.SUCCEEDED
        )
    if execution.steps:
        doc["step_executions"] = [_step(s) for s in execution.steps]
    return doc
