"""Fixtures of the engine tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sitejobs.engine.service import JobEngine
from sitejobs.jobs.builtin import default_registry
from sitejobs.settings import Settings

SAMPLE = "tests.jobs.sample_jobs"


@pytest.fixture
def jobs_engine(settings: Settings) -> Iterator[JobEngine]:
    """An engine that knows the sample jobs (subprocesses get the same module through cli_env)."""
    settings.jobs_module = SAMPLE
    engine = JobEngine.open(settings, default_registry(settings.jobs_module))
    yield engine
    engine.close()
