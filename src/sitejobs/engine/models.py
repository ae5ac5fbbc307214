"""The execution record as the engine hands it out."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Row

from sitejobs.engine.states import TERMINAL, State


def _json(value: Any) -> Any:
    return orjson.loads(value) if isinstance(value, str | bytes) else value


def now_ms() -> int:
    return time.time_ns() // 1_000_000


@dataclass(frozen=True, slots=True)
class Execution:
    id: int
    job_id: str
    state: State
    client_id: str | None
    owner: str | None
    parameters: list[dict[str, str]]
    request: dict[str, Any] | None
    is_restart: bool
    attempt: int
    created_at: int
    modified_at: int
    start_time: int | None
    end_time: int | None
    percent: int | None
    message: str | None
    steps: list[dict[str, Any]] | None
    exit_code: str | None
    exit_message: str | None
    result: dict[str, Any] | None
    lease_owner: str | None
    lease_expires_at: int | None

    @classmethod
    def from_row(cls, row: Row[Any] | tuple[Any, ...]) -> Execution:
        """From a row of all columns in table order; JSON columns may come decoded or as text (raw SQL)."""
        (
            id_,
            job_id,
            state,
            client_id,
            owner,
            parameters,
            request,
            _singleton,
            is_restart,
            attempt,
            created_at,
            modified_at,
            start_time,
            end_time,
            percent,
            message,
            steps,
            exit_code,
            exit_message,
            result,
            lease_owner,
            lease_expires_at,
            _dispatched_at,
        ) = tuple(row)
        return cls(
            id=id_,
            job_id=job_id,
            state=State(state),
            client_id=client_id,
            owner=owner,
            parameters=_json(parameters) or [],
            request=_json(request),
            is_restart=bool(is_restart),
            attempt=attempt,
            created_at=created_at,
            modified_at=modified_at,
            start_time=start_time,
            end_time=end_time,
            percent=percent,
            message=message,
            steps=_json(steps),
            exit_code=exit_code,
            exit_message=exit_message,
            result=_json(result),
            lease_owner=lease_owner,
            lease_expires_at=lease_expires_at,
        )

    @property
    def is_terminal(self) -> bool:
        return self.state in TERMINAL

    @property
    def duration_ms(self) -> int | None:
        if self.start_time is None:
            return None
        return (self.end_time or now_ms()) - self.start_time

    def parameter(self, name: str) -> str | None:
        for p in self.parameters:
            if p.get("name") == name:
                return p.get("value")
        return None


@dataclass(frozen=True, slots=True)
class Outcome:
    """How a run ended, as the executor reports it to the engine."""

    state: State
    exit_code: str
    message: str
    result: dict[str, Any] | None = None
