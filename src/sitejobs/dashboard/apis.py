"""What the dashboard takes from the two API surfaces: who may see an execution, where each API serves it,
and the error document each would answer. One module, so that the surfaces' own code stays the only source of
these facts (the visibility rule is the one the Sites Management API uses, `sites.content.access`)."""

from __future__ import annotations

from typing import Any

from sitejobs.api.ocapi.documents import job_execution
from sitejobs.api.oce.status import STATUS_PATH, job_error_of
from sitejobs.engine.models import Execution
from sitejobs.engine.service import JobEngine
from sitejobs.engine.states import State

OCAPI_VERSION = "23.2"
OCAPI_BASE = "/s/-/dw/data/v23_2"
OCE = "oce"
OCAPI = "ocapi"
SURFACES = (OCAPI, OCE)


def surface_of(engine: JobEngine, job_id: str) -> str:
    definition = engine.registry.find(job_id)
    return OCE if definition is not None and OCE in definition.surfaces else OCAPI


def jobs_of_surface(engine: JobEngine, surface: str) -> list[str]:
    return [d.id for d in engine.registry if (OCE in d.surfaces) == (surface == OCE)]


def links(engine: JobEngine, execution: Execution) -> dict[str, str]:
    """The execution's address in each API that serves it."""
    found = {"OCAPI": f"{OCAPI_BASE}/jobs/{execution.job_id}/executions/{execution.id}"}
    if surface_of(engine, execution.job_id) == OCE:
        found["Sites Management _status"] = f"{STATUS_PATH}/{execution.id}"
    return found


def error_documents(engine: JobEngine, execution: Execution) -> dict[str, Any]:
    """The error each API reports for an execution that did not succeed (empty for the others)."""
    if execution.state not in (State.FAILED, State.ABORTED):
        return {}
    found: dict[str, Any] = {"OCAPI exit_status": job_execution(execution, OCAPI_VERSION)["exit_status"]}
    if surface_of(engine, execution.job_id) == OCE and execution.state is State.FAILED:
        found["Sites Management error"] = job_error_of(execution)
    return found
