"""Operations routes: liveness, readiness, and Prometheus metrics that count what really happened."""

from __future__ import annotations

import re

from prometheus_client.parser import text_string_to_metric_families
from starlette.testclient import TestClient

from sitejobs.jobs.builtin import default_registry
from sitejobs.settings import Settings
from tests.api.conftest import V, params, start, wait_for


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def _executions(samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], state: str) -> float:
    return samples[("sitejobs_executions", (("state", state),))]


def test_healthz(api: TestClient) -> None:
    api.headers.pop("Authorization")  # probes carry no token
    response = api.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_names_the_database(api: TestClient, backend: str) -> None:
    api.headers.pop("Authorization")
    response = api.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "database": backend}


def test_metrics_count_finished_executions_and_their_durations(api: TestClient, settings: Settings) -> None:
    before = _samples(api.get("/metrics").text)
    assert _executions(before, "succeeded") == 0
    assert not [k for k in before if k[0] == "sitejobs_execution_duration_seconds_count"]

    ok = [start(api, "hello-world", params(Seconds="0")) for _ in range(2)]
    failed = start(api, "hello-world", params(Seconds="0", Fail="true"))
    for doc in [*ok, failed]:
        wait_for(api, f"{V}/jobs/hello-world/executions/{doc['id']}")
    start(api, "sfcc-site-archive-import", {"file_name": "a.zip"})  # a system job that ends in ERROR

    api.headers.pop("Authorization")  # scrapers carry no token
    response = api.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    samples = _samples(response.text)
    assert _executions(samples, "succeeded") == 2
    assert _executions(samples, "failed") in (1, 2)  # the site import may or may not have ended yet
    assert (
        _executions(samples, "pending") + _executions(samples, "running") + _executions(samples, "failed")
        == 2
    )
    assert samples[("sitejobs_workers_live", ())] >= 1
    hello_ok = (("job_id", "hello-world"), ("status", "succeeded"))
    hello_failed = (("job_id", "hello-world"), ("status", "failed"))
    assert samples[("sitejobs_execution_duration_seconds_count", hello_ok)] == 2
    assert samples[("sitejobs_execution_duration_seconds_count", hello_failed)] == 1
    assert samples[("sitejobs_execution_duration_seconds_sum", hello_ok)] >= 0
    assert re.search(
        r'^sitejobs_execution_duration_seconds_bucket\{.*le="\+Inf".*\} 2\.0$', response.text, re.M
    )


def test_metrics_read_the_store_not_this_process(api: TestClient, settings: Settings) -> None:
    """What another process did is counted too: the gauges come from the store at scrape time."""
    from sitejobs.engine.service import JobEngine

    other = JobEngine.open(settings, default_registry(settings.jobs_module))
    try:
        ids = [other.submit("noop", client_id="elsewhere").id for _ in range(2)]
    finally:
        other.close()
    for execution_id in ids:
        doc = wait_for(api, f"{V}/jobs/noop/executions/{execution_id}")
        assert doc["client_id"] == "elsewhere"
    samples = _samples(api.get("/metrics").text)
    assert _executions(samples, "succeeded") == 2
