"""The OCE site jobs belong to the Sites Management API: over OCAPI they cannot be started, read, deleted or
found by a search, whatever the client's grants."""

from __future__ import annotations

from starlette.testclient import TestClient

from tests.api.conftest import V, app_engine, assert_fault, start


def test_oce_jobs_do_not_exist_for_ocapi_clients(idle_api: TestClient) -> None:
    engine = app_engine(idle_api)
    hidden = engine.submit("oce-refresh-site", request={"target_site": "F1"}, client_id="alice")
    shown = start(idle_api, "hello-world")
    assert_fault(idle_api.post(f"{V}/jobs/oce-refresh-site/executions", json={}), 404, "JobNotFoundException")
    path = f"{V}/jobs/oce-refresh-site/executions/{hidden.id}"
    assert_fault(idle_api.get(path), 404, "JobExecutionNotFoundException")
    assert_fault(idle_api.delete(path), 404, "JobExecutionNotFoundException")
    found = idle_api.post(
        f"{V}/job_execution_search", json={"query": {"match_all_query": {}}, "count": 10}
    ).json()
    assert [hit["id"] for hit in found["hits"]] == [shown["id"]]
    assert found["total"] == 1
    assert engine.get(hidden.id) is not None
