"""The jobs every installation has: the demo custom job, the system jobs (`sfcc-*`) and the OCE site jobs."""

from __future__ import annotations

from sitejobs.jobs import demo, oce, search_index, system
from sitejobs.jobs.registry import Registry


def register(registry: Registry) -> None:
    demo.register(registry)
    system.register(registry)
    search_index.register(registry)
    oce.register(registry)
