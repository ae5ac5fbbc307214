"""Custom jobs the tests load through `jobs_module`, as a user's module would be."""

from __future__ import annotations

import hashlib
import os
import time
from typing import Any

from sitejobs.engine.context import JobContext
from sitejobs.engine.registry import JobDefinition, Param, Registry, RetryPolicy


def crunch(ctx: JobContext) -> dict[str, Any]:
    """CPU-bound: hashes for a while and says which process did it."""
    rounds: int = ctx.params["Rounds"]
    digest = b""
    for i in range(rounds):
        digest = hashlib.sha256(digest + i.to_bytes(8, "big")).digest()
        if i % max(1, rounds // 4) == 0:
            ctx.progress(100 * i / rounds, f"round {i}")
    ctx.log(f"crunched {rounds} rounds")
    return {"pid": os.getpid(), "digest": digest.hex()}


def sleepy(ctx: JobContext) -> None:
    """Sleeps in small steps, reporting progress, so tests can abort, pause or kill it."""
    seconds: float = ctx.params["Seconds"]
    steps = max(1, int(seconds / 0.1))
    for i in range(steps):
        time.sleep(seconds / steps)
        ctx.progress(100 * (i + 1) / steps, f"{i + 1}/{steps}")


def chatty(ctx: JobContext) -> None:
    """Logs a line, then another after each pause: a long run whose log is read while it runs."""
    lines: int = ctx.params["Lines"]
    for i in range(lines):
        if i:
            time.sleep(ctx.params["Pause"])
        ctx.log(f"line {i + 1} of {lines}")


def explode(ctx: JobContext) -> None:
    """Fails with an unexpected exception."""
    ctx.log("about to fail")
    raise ValueError("boom: the disk is on fire")


def register(registry: Registry) -> None:
    registry.add(JobDefinition(id="explode", run=explode))
    registry.add(
        JobDefinition(
            id="crunch", run=crunch, params=(Param("Rounds", "integer", default="200000"),), cpu_bound=True
        )
    )
    registry.add(
        JobDefinition(
            id="chatty",
            run=chatty,
            params=(Param("Lines", "integer", default="3"), Param("Pause", "number", default="0.3")),
        )
    )
    registry.add(JobDefinition(id="sleepy", run=sleepy, params=(Param("Seconds", "number", default="1"),)))
    registry.add(
        JobDefinition(
            id="sleepy-once",
            run=sleepy,
            params=(Param("Seconds", "number", default="1"),),
            retry=RetryPolicy(on_worker_lost="fail"),
            concurrent=False,
        )
    )
