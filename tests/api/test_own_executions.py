"""`--own-executions` (SITEJOBS_OWN_EXECUTIONS): a Data API client reads, searches and deletes only its own
executions; another client's are answered as if they did not exist. Off by default, as on B2C Commerce."""

from __future__ import annotations

from collections.abc import Iterator

from starlette.testclient import TestClient

from sitejobs.server import create_app
from sitejobs.settings import Settings
from tests.api.conftest import V, assert_fault
from tests.conftest import add_client, token_for

SEARCH = {"query": {"match_all_query": {}}, "count": 200}


def _clients(settings: Settings) -> Iterator[tuple[TestClient, dict[str, str], dict[str, str]]]:
    add_client(settings, "alpha", "alpha-secret")
    add_client(settings, "beta", "beta-secret")
    with TestClient(create_app(settings, executor=False)) as client:
        alpha = {"Authorization": f"Bearer {token_for(client, 'alpha', 'alpha-secret')}"}
        beta = {"Authorization": f"Bearer {token_for(client, 'beta', 'beta-secret')}"}
        yield client, alpha, beta


def _start(client: TestClient, headers: dict[str, str]) -> int:
    response = client.post(f"{V}/jobs/noop/executions", headers=headers, json={})
    assert response.status_code == 202, response.text
    execution_id: int = response.json()["id"]
    return execution_id


def test_with_own_executions_a_client_sees_and_deletes_only_its_own(settings: Settings) -> None:
    settings.own_executions = True
    for client, alpha, beta in _clients(settings):
        mine, theirs = _start(client, alpha), _start(client, beta)
        url = f"{V}/jobs/noop/executions"
        assert client.get(f"{url}/{mine}", headers=alpha).status_code == 200
        for prefix in ("/dw/data/v23_2", "/s/-/dw/data/v23_2"):
            hidden = client.get(f"{prefix}/jobs/noop/executions/{theirs}", headers=alpha)
            assert_fault(hidden, 404, "JobExecutionNotFoundException")
        found = client.post(f"{V}/job_execution_search", headers=alpha, json=SEARCH).json()
        assert [hit["id"] for hit in found["hits"]] == [mine]
        assert found["total"] == 1
        assert_fault(client.delete(f"{url}/{theirs}", headers=alpha), 404, "JobExecutionNotFoundException")
        assert client.get(f"{url}/{theirs}", headers=beta).status_code == 200  # still there for its owner


def test_by_default_every_client_with_the_grant_sees_every_execution(settings: Settings) -> None:
    for client, alpha, beta in _clients(settings):
        theirs = _start(client, beta)
        assert client.get(f"{V}/jobs/noop/executions/{theirs}", headers=alpha).status_code == 200
        found = client.post(f"{V}/job_execution_search", headers=alpha, json=SEARCH).json()
        assert theirs in [hit["id"] for hit in found["hits"]]
