"""On PostgreSQL a `sitejobs worker` wakes on NOTIFY, not by polling: a job submitted on another node starts
at once although the worker's poll interval is long."""

from __future__ import annotations

import time

import pytest

from sitejobs.engine.local import LocalExecutor
from sitejobs.engine.service import JobEngine
from sitejobs.engine.states import State
from sitejobs.jobs.builtin import default_registry
from sitejobs.settings import Settings
from tests.conftest import until
from tests.timing import TIME_SCALE

pytestmark = pytest.mark.postgres


def test_a_submission_on_another_node_wakes_the_worker(settings: Settings) -> None:
    settings.poll_seconds = 30.0  # were it polling, the job would wait this long
    settings.reap_seconds = 60.0
    worker_node = JobEngine.open(settings, default_registry())
    api_node = JobEngine.open(
        settings, default_registry()
    )  # its submissions never call the worker's listeners
    worker = LocalExecutor(worker_node, kind="test")
    worker.start()
    try:
        time.sleep(1.0)  # the worker has listened and is waiting
        for _ in range(3):
            submitted = api_node.submit("noop")
            asked = time.monotonic()
            until(api_node, submitted.id, lambda e: e.state is State.SUCCEEDED, 5, "the job to run")
            assert time.monotonic() - asked < 2.0 * TIME_SCALE
    finally:
        worker.stop(grace_seconds=1)
        worker_node.close()
        api_node.close()
