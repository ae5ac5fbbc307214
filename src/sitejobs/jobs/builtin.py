"""The jobs every installation has: the demo custom job, the system jobs (`sfcc-*`) and the OCE site jobs."""

from __future__ import annotations

from sitejobs.engine.registry import Registry
from sitejobs.jobs import demo, oce, search_index, system


def register(registry: Registry) -> None:
    demo.register(registry)
    system.register(registry)
    search_index.register(registry)
    oce.register(registry)


def default_registry(custom_module: str | None = None) -> Registry:
    """The built-in system and demo jobs plus the custom jobs of this installation."""
    registry = Registry()
    register(registry)
    registry.load_custom(custom_module)
    return registry
