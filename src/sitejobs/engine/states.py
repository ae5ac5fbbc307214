"""The execution state machine and how each API surface names its states: the one source of both."""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple


class State(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    PAUSING = "pausing"
    PAUSED = "paused"
    RESUMING = "resuming"
    BLOCKED = "blocked"
    ABORTING = "aborting"
    ABORTED = "aborted"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


TERMINAL: frozenset[State] = frozenset({State.ABORTED, State.SUCCEEDED, State.FAILED})
ACTIVE: frozenset[State] = frozenset(set(State) - TERMINAL)
#: States in which a worker holds the execution under a lease.
LEASED: frozenset[State] = frozenset(
    {State.RUNNING, State.PAUSING, State.PAUSED, State.RESUMING, State.BLOCKED, State.ABORTING}
)

#: Every allowed transition, checked by the engine before each guarded update.
TRANSITIONS: dict[State, frozenset[State]] = {
    State.PENDING: frozenset({State.RUNNING, State.ABORTED}),
    State.RUNNING: frozenset(
        {State.PAUSING, State.BLOCKED, State.ABORTING, State.SUCCEEDED, State.FAILED, State.PENDING}
    ),
    State.PAUSING: frozenset({State.PAUSED, State.ABORTING, State.SUCCEEDED, State.FAILED, State.PENDING}),
    State.PAUSED: frozenset({State.RESUMING, State.ABORTING, State.FAILED, State.PENDING}),
    State.RESUMING: frozenset({State.RUNNING, State.ABORTING, State.FAILED, State.PENDING}),
    State.BLOCKED: frozenset({State.RUNNING, State.ABORTING, State.FAILED, State.PENDING}),
    State.ABORTING: frozenset({State.ABORTED, State.FAILED, State.SUCCEEDED, State.PENDING}),
    State.ABORTED: frozenset(),
    State.SUCCEEDED: frozenset(),
    State.FAILED: frozenset(),
}


def sources_of(target: State) -> frozenset[State]:
    """The states from which `target` may be entered."""
    return frozenset(s for s, targets in TRANSITIONS.items() if target in targets)


class OcapiNames(NamedTuple):
    execution_status: str
    status: str


class OceNames(NamedTuple):
    progress: str
    completed: bool


#: design.md's table, row for row.
OCAPI: dict[State, OcapiNames] = {
    State.PENDING: OcapiNames("pending", "PENDING"),
    State.RUNNING: OcapiNames("running", "RUNNING"),
    State.PAUSING: OcapiNames("pausing", "RUNNING"),
    State.PAUSED: OcapiNames("paused", "RUNNING"),
    State.RESUMING: OcapiNames("resuming", "RUNNING"),
    State.BLOCKED: OcapiNames("paused", "RUNNING"),
    State.ABORTING: OcapiNames("aborting", "RUNNING"),
    State.ABORTED: OcapiNames("aborted", "ERROR"),
    State.SUCCEEDED: OcapiNames("finished", "OK"),
    State.FAILED: OcapiNames("finished", "ERROR"),
}

OCE: dict[State, OceNames] = {
    State.PENDING: OceNames("pending", False),
    State.RUNNING: OceNames("processing", False),
    State.PAUSING: OceNames("paused", False),
    State.PAUSED: OceNames("paused", False),
    State.RESUMING: OceNames("paused", False),
    State.BLOCKED: OceNames("blocked", False),
    State.ABORTING: OceNames("processing", False),
    State.ABORTED: OceNames("aborted", False),
    State.SUCCEEDED: OceNames("succeeded", True),
    State.FAILED: OceNames("failed", False),
}


def states_with_ocapi_status(status: str) -> frozenset[State]:
    return frozenset(s for s, n in OCAPI.items() if n.status == status)


def states_with_ocapi_execution_status(execution_status: str) -> frozenset[State]:
    return frozenset(s for s, n in OCAPI.items() if n.execution_status == execution_status)
