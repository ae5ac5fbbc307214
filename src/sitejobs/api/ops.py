"""Operations: liveness, readiness (the store answers), and Prometheus metrics."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import text
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sitejobs.api.database import DatabaseGate
from sitejobs.api.faults import json_response
from sitejobs.api.services import services
from sitejobs.engine.service import JobEngine
from sitejobs.engine.states import State
from sitejobs.errors import ServiceUnavailable

#: How long readiness waits for the database before saying it is not ready.
READY_TIMEOUT_SECONDS = 0.8


class EngineCollector(Collector):
    """Reads the store at scrape time, so every process reports the same truth."""

    def __init__(self, engine: JobEngine) -> None:
        self.engine = engine

    def collect(self) -> Iterator[GaugeMetricFamily]:
        counts = self.engine.count_by_state()
        by_state = GaugeMetricFamily(
            "sitejobs_executions", "Executions in the store by state", labels=["state"]
        )
        for state in State:
            by_state.add_metric([state.value], counts.get(state, 0))
        yield by_state
        yield GaugeMetricFamily(
            "sitejobs_queue_depth", "Executions waiting to be claimed", value=counts.get(State.PENDING, 0)
        )
        yield GaugeMetricFamily(
            "sitejobs_workers_live",
            "Workers whose heartbeat is within one lease",
            value=len(self.engine.live_workers()),
        )


def metrics_registry(engine: JobEngine) -> tuple[CollectorRegistry, Histogram]:
    registry = CollectorRegistry()
    registry.register(EngineCollector(engine))
    durations = Histogram(
        "sitejobs_execution_duration_seconds",
        "Run time of executions finished by this process",
        ["job_id", "status"],
        registry=registry,
        buckets=(0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 1800, 7200),
    )
    return registry, durations


async def healthz(request: Request) -> Response:
    return json_response({"status": "ok"})


async def readyz(request: Request) -> Response:
    """Ready when the database answers `SELECT 1` within `READY_TIMEOUT_SECONDS`; 503 otherwise."""
    engine: JobEngine = services(request).engine
    gate: DatabaseGate = services(request).database

    def ping() -> None:
        with engine.db.connect() as conn:
            conn.execute(text("SELECT 1"))

    try:
        await gate.run(ping, timeout_s=READY_TIMEOUT_SECONDS)
    except Exception as exc:
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, ServiceUnavailable) else None
        return json_response({"status": "unavailable", "database": type(exc).__name__}, 503, headers)
    gate.recovered()
    return json_response({"status": "ready", "database": engine.db.dialect.name})


async def metrics(request: Request) -> Response:
    registry: CollectorRegistry = services(request).metrics
    gate: DatabaseGate = services(request).database
    body = await gate.run(generate_latest, registry)
    return Response(body, media_type=CONTENT_TYPE_LATEST)


routes = [
    Route("/healthz", healthz, methods=["GET"]),
    Route("/readyz", readyz, methods=["GET"]),
    Route("/metrics", metrics, methods=["GET"]),
]
