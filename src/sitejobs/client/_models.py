"""What the client hands back: typed views of the server's documents (the whole document in `document`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ENDED = frozenset({"OK", "ERROR"})
CONTENT_ENDED = frozenset({"succeeded", "failed", "aborted"})


@dataclass(frozen=True)
class Execution:
    """An OCAPI job_execution."""

    id: str
    job_id: str
    status: str  # PENDING, RUNNING, OK, ERROR
    execution_status: str  # pending, running, …, aborted, finished
    document: dict[str, Any] = field(repr=False)

    @classmethod
    def of(cls, document: dict[str, Any]) -> Execution:
        return cls(
            id=str(document["id"]),
            job_id=str(document["job_id"]),
            status=str(document["status"]),
            execution_status=str(document["execution_status"]),
            document=document,
        )

    @property
    def ended(self) -> bool:
        return self.status in ENDED

    @property
    def ok(self) -> bool:
        return self.status == "OK"

    @property
    def exit_code(self) -> str | None:
        exit_status = self.document.get("exit_status")
        return str(exit_status["code"]) if isinstance(exit_status, dict) else None

    @property
    def exit_message(self) -> str | None:
        exit_status = self.document.get("exit_status")
        return str(exit_status.get("message", "")) if isinstance(exit_status, dict) else None

    @property
    def log_file_name(self) -> str:
        return str(self.document.get("log_file_name", ""))


@dataclass(frozen=True)
class SearchResult:
    total: int
    hits: list[Execution]
    document: dict[str, Any] = field(repr=False)


@dataclass(frozen=True)
class JobStatus:
    """A Content Management SiteJobStatus."""

    id: str  # its `context`
    action: str
    progress: str  # pending, processing, …, succeeded, failed, aborted
    completed: bool
    percent: int | None
    document: dict[str, Any] = field(repr=False)

    @classmethod
    def of(cls, document: dict[str, Any]) -> JobStatus:
        percent = document.get("completedPercentage")
        return cls(
            id=str(document["context"]),
            action=str(document.get("action", "")),
            progress=str(document["progress"]),
            completed=bool(document.get("completed")),
            percent=percent if isinstance(percent, int) else None,
            document=document,
        )

    @property
    def ended(self) -> bool:
        return self.progress in CONTENT_ENDED or "endTime" in self.document

    @property
    def error(self) -> dict[str, Any] | None:
        error = self.document.get("error")
        return error if isinstance(error, dict) else None
