"""How an execution reads as an IDC background job (the row the toolkit's wait loops read)."""

from __future__ import annotations

import pytest

from sitejobs.api.oce.idc_jobs import job_row
from sitejobs.engine.models import Execution
from sitejobs.engine.states import State
from sitejobs.errors import InvalidTranslationZip, error_record


def _execution(state: State, percent: int | None, **extra: object) -> Execution:
    values: dict[str, object] = {
        "id": 7,
        "job_id": "oce-import-translations",
        "state": state,
        "client_id": "alice",
        "owner": None,
        "parameters": [],
        "request": {"target_site": "F1"},
        "is_restart": False,
        "attempt": 1,
        "created_at": 1_700_000_000_000,
        "modified_at": 1_700_000_001_000,
        "start_time": 1_700_000_000_500,
        "end_time": None,
        "percent": percent,
        "message": "Validating",
        "steps": None,
        "exit_code": None,
        "exit_message": None,
        "result": None,
        "lease_owner": None,
        "lease_expires_at": None,
        **extra,
    }
    return Execution(**values)  # type: ignore[arg-type]


def test_a_job_reads_100_percent_only_once_it_has_ended() -> None:
    """translation.js stops waiting at JobPercentage "100" and reads the result: it must be there by then."""
    running = job_row(_execution(State.RUNNING, 100))
    assert (running["JobStatus"], running["JobPercentage"]) == ("PROCESSING", "99")
    done = job_row(_execution(State.SUCCEEDED, 100))
    assert (done["JobStatus"], done["JobPercentage"]) == ("COMPLETE", "100")


@pytest.mark.parametrize(
    ("state", "status"),
    [
        (State.PENDING, "QUEUED"),
        (State.FAILED, "FAILED"),
        (State.ABORTED, "FAILED"),
        (State.PAUSED, "PROCESSING"),
    ],
)
def test_states_map_to_what_the_toolkit_waits_on(state: State, status: str) -> None:
    row = job_row(_execution(state, 10))
    assert row["JobStatus"] == status
    assert (row["JobID"], row["JobType"], row["JobAction"], row["SiteId"]) == (
        "7",
        "site",
        "importTranslations",
        "F1",
    )


def test_a_failed_job_says_why() -> None:
    failed = _execution(
        State.FAILED,
        40,
        result={"error": error_record(InvalidTranslationZip("The zip is corrupt."))},  # as a job records it
    )
    assert job_row(failed)["JobMessage"] == "The zip is corrupt."
