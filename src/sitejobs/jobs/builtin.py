"""The jobs every installation has: the demo custom job and the system jobs (`sfcc-*`)."""

from __future__ import annotations

from sitejobs.jobs import demo, search_index, system
from sitejobs.jobs.registry import Registry


def register(registry: Registry) -> None:
    demo.register(registry)
    system.register(registry)
    search_index.register(registry)
