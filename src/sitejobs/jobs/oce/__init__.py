"""The OCE site jobs: create, copy, publish, translate, import translations, refresh, hard delete, and
copy/publish of themes and components. Each does real work on the content store and reports true percentages;
the Sites Management API shows them as `_status` documents (`api/oce/status.py`).
"""

from __future__ import annotations

from sitejobs.engine.registry import JobDefinition, Registry, RetryPolicy, SystemRequest
from sitejobs.jobs.oce.base import RUNS
from sitejobs.jobs.oce.table import ACTIONS, TABLE


def register(registry: Registry) -> None:
    """Every job of the table, on the Content Management surface only."""
    # Each module adds its jobs' functions to RUNS.
    from sitejobs.jobs.oce import publishing, resources, sites, templates, translation  # noqa: F401

    for job in TABLE:
        registry.add(
            JobDefinition(
                id=job.job_id,
                run=RUNS[job.job_id],
                description=job.description,
                retry=RetryPolicy(on_worker_lost="retry", max_attempts=2),
                system_request=SystemRequest(job.request, lambda _model: []),
                surfaces=frozenset({"oce"}),
            )
        )


__all__ = ["ACTIONS", "TABLE", "register"]
