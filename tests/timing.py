"""How long a test waits for something to happen, on a machine that may be busy.

Deadlines in tests bound how long a behaviour may take before the test calls it broken; they are not
benchmarks. Under `pytest -n N` (as `make test` runs) N tests and their servers share the cores, so every
deadline is stretched by TIME_SCALE (`SITEJOBS_TEST_TIME_SCALE`, by default 2 under xdist and 1 otherwise).
"""

from __future__ import annotations

import os
import time


def _time_scale() -> float:
    given = os.environ.get("SITEJOBS_TEST_TIME_SCALE")
    if given:
        return float(given)
    return 2.0 if os.environ.get("PYTEST_XDIST_WORKER") else 1.0


TIME_SCALE = _time_scale()


def deadline_after(seconds: float) -> float:
    """The `time.monotonic()` after which a wait of `seconds` has failed."""
    return time.monotonic() + seconds * TIME_SCALE
