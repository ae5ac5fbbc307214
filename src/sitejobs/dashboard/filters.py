"""The executions page's filters: read from the query string, turned into a store query, and applied to the rows
the live feed brings (so a new execution appears only on a page whose filters it matches)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlencode

from starlette.datastructures import QueryParams

from sitejobs.dashboard.apis import SURFACES
from sitejobs.engine.listing import ListQuery
from sitejobs.engine.models import Execution
from sitejobs.engine.states import State
from sitejobs.errors import BadRequest

PAGE_SIZE = 50
#: The `<input type="datetime-local">` spelling (minutes, optionally seconds), read as UTC.
TIME_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S")


def _time(name: str, raw: str) -> int | None:
    if not raw:
        return None
    for fmt in TIME_FORMATS:
        try:
            return int(datetime.strptime(raw, fmt).replace(tzinfo=UTC).timestamp() * 1000)
        except ValueError:
            continue
    raise BadRequest(f"'{name}' must be a time like 2026-01-31T13:45 (UTC), not '{raw}'.")


@dataclass(frozen=True, slots=True)
class Filters:
    job: str = ""
    state: str = ""
    surface: str = ""
    owner: str = ""
    since: str = ""
    until: str = ""
    before: int | None = None
    since_ms: int | None = None
    until_ms: int | None = None

    @classmethod
    def parse(cls, params: QueryParams) -> Filters:
        state = params.get("state", "").strip()
        if state and state not in State.__members__.values():
            raise BadRequest(f"There is no state '{state}'.")
        surface = params.get("surface", "").strip()
        if surface and surface not in SURFACES:
            raise BadRequest(f"There is no API surface '{surface}' (one of {', '.join(SURFACES)}).")
        before = params.get("before", "")
        if before and not (before.isdigit() and len(before) < 19):
            raise BadRequest(f"'before' must be an execution id, not '{before}'.")
        since = params.get("since", "").strip()
        until = params.get("until", "").strip()
        return cls(
            job=params.get("job", "").strip(),
            state=state,
            surface=surface,
            owner=params.get("owner", "").strip(),
            since=since,
            until=until,
            before=int(before) if before else None,
            since_ms=_time("since", since),
            until_ms=_time("until", until),
        )

    @property
    def first_page(self) -> bool:
        return self.before is None

    def query(self, surface_jobs: tuple[str, ...] | None) -> ListQuery:
        return ListQuery(
            job=self.job or None,
            state=State(self.state) if self.state else None,
            job_ids=surface_jobs,
            owner=self.owner or None,
            since_ms=self.since_ms,
            until_ms=self.until_ms,
            before_id=self.before,
        )

    def matches(self, execution: Execution, surface: str) -> bool:
        since, until = self.since_ms, self.until_ms
        return (
            (not self.job or execution.job_id == self.job)
            and (not self.state or execution.state.value == self.state)
            and (not self.surface or surface == self.surface)
            and (not self.owner or self.owner in (execution.client_id, execution.owner))
            and (since is None or execution.created_at >= since)
            and (until is None or execution.created_at < until)
        )

    def query_string(self, *, before: int | None = None) -> str:
        """These filters in a URL (without the page cursor unless `before` is given)."""
        pairs = [
            (k, v)
            for k, v in (
                ("job", self.job),
                ("state", self.state),
                ("surface", self.surface),
                ("owner", self.owner),
                ("since", self.since),
                ("until", self.until),
            )
            if v
        ]
        if before is not None:
            pairs.append(("before", str(before)))
        return urlencode(pairs)
