"""Property-based, from the Content Management surface's own OpenAPI document (/openapi/oce.json): generated
requests never get a 5xx or a stack trace, and a refused Sites Management request gets the OCE error document.

It runs against `sitejobs dev` in a subprocess (the demo template installed, an administrator user), with
path ids biased towards things that exist so that generated requests reach past the first lookup."""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from sitejobs.settings import Settings
from tests.conftest import ServerProcess, basic, free_port

MAX_EXAMPLES = 80
AUTH = ("dev-user", "dev-password")


@pytest.fixture
def server(tmp_path: Path) -> ServerProcess:
    settings = Settings(data_dir=tmp_path / "var")
    settings.ensure_dirs()
    port = free_port()
    process = ServerProcess(settings, "dev", "--port", str(port), port=port)
    try:
        yield process.start()  # type: ignore[misc]
    finally:
        process.kill()


def _check(case: schemathesis.Case, response: Any) -> str:
    case.validate_response(response, checks=[not_a_server_error])
    assert "Traceback" not in response.text
    if response.status_code >= 400 and case.formatted_path.startswith("/sites/management/"):
        doc = response.json()
        assert {"type", "title", "status", "detail", "o:errorCode"} <= set(doc), response.text
        assert doc["status"] == str(response.status_code), response.text
    return str(response.status_code)


@pytest.mark.timeout(600)
def test_generated_requests_never_get_a_server_error(server: ServerProcess) -> None:
    with httpx.Client(base_url=server.url, timeout=30, auth=AUTH) as http:
        document = http.get("/openapi/oce.json").json()
        template = http.get("/sites/management/api/v1/templates/name:StoreTemplate?links=none").json()["id"]
        created = http.post(
            "/sites/management/api/v1/sites",
            json={"name": "Generated", "template": template},
            headers={"Prefer": "respond-async"},
        )
        assert created.status_code == 202, created.text
        job = created.headers["Location"].rsplit("/", 1)[1]
    known = {
        "id": [job, "name:Generated", "name:StoreTemplate", template, "999"],
        "name": ["sites/_status", "sites", "nope"],
    }
    schema = schemathesis.openapi.from_dict(document)
    strategies = []
    for result in schema.get_all_operations():
        operation = result.ok()
        strategies.append(operation.as_strategy(generation_mode=GenerationMode.POSITIVE))
        strategies.append(operation.as_strategy(generation_mode=GenerationMode.NEGATIVE))
        names = re.findall(r"{(\w+)}", operation.path)
        if names:
            fixed = [dict(zip(names, v, strict=True)) for v in itertools.product(*(known[n] for n in names))]
            strategies.append(
                st.sampled_from(fixed).flatmap(lambda f, op=operation: op.as_strategy(path_parameters=f))
            )
    outcomes: dict[str, int] = {}
    auth = {"Authorization": basic(*AUTH)}

    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=st.one_of(strategies))
    def check(case: schemathesis.Case) -> None:
        outcome = _check(case, case.call(base_url=server.url, headers=auth, timeout=60))
        outcomes[outcome] = outcomes.get(outcome, 0) + 1

    check()
    assert sum(outcomes.values()) >= MAX_EXAMPLES // 2
    assert len(outcomes) >= 3, outcomes  # not every request refused the same way
    assert server.proc is not None
    assert server.proc.poll() is None, server.log_text()
