"""Fixtures of the Commerce site store tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sitejobs.engine.local import LocalExecutor
from sitejobs.engine.service import JobEngine


@pytest.fixture
def executor(engine: JobEngine) -> Iterator[LocalExecutor]:
    """The engine running jobs (two slots), for tests that submit imports and exports."""
    started = LocalExecutor(engine, slots=2)
    started.start()
    yield started
    started.stop()
