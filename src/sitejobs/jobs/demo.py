"""`hello-world`: the demo custom job. Sleeps `Seconds`, reporting progress every second."""

from __future__ import annotations

import time
from typing import Any

from sitejobs.engine.context import JobContext, JobFailed
from sitejobs.engine.registry import JobDefinition, Param, Registry, RetryPolicy


def hello_world(ctx: JobContext) -> dict[str, Any]:
    seconds: int = ctx.params["Seconds"]
    ctx.log(f"Hello, world: working for {seconds} s")
    ctx.progress(0, f"0 of {seconds} s")
    with ctx.step("sleep", "hello-world.sleep"):
        for done in range(1, seconds + 1):
            time.sleep(1)
            ctx.progress(100 * done / seconds, f"{done} of {seconds} s")
            ctx.log(f"{done} of {seconds} s done")
    if ctx.params.get("Fail"):
        raise JobFailed("Failed on request (Fail=true).", code="HELLO_FAILED")
    return {"greeting": f"Hello after {seconds} s"}


def noop(ctx: JobContext) -> None:
    """Does nothing: for measuring the engine itself."""
    return None


def register(registry: Registry) -> None:
    registry.add(
        JobDefinition(
            id="hello-world",
            run=hello_world,
            description="Sleeps `Seconds` seconds, reporting progress every second.",
            params=(
                Param(
                    "Seconds",
                    "integer",
                    default="3",
                    minimum=0,
                    maximum=86_400,
                    description="how long to run",
                ),
                Param("Fail", "boolean", default="false", description="end in ERROR at the end"),
            ),
            retry=RetryPolicy(on_worker_lost="retry", max_attempts=3),
            steps=("sleep",),
        )
    )
    registry.add(JobDefinition(id="noop", run=noop, description=noop.__doc__ or ""))
