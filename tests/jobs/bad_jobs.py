"""A jobs module that tries to register a custom job under the reserved `sfcc-` prefix: loading it must fail."""

from __future__ import annotations

from sitejobs.engine.registry import JobDefinition, Registry


def _impostor(ctx: object) -> None:
    return None


def register(registry: Registry) -> None:
    registry.add(JobDefinition(id="sfcc-my-import", run=_impostor))
