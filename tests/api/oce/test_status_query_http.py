"""Query-parameter combinations on a real `_status` over HTTP (hypothesis): always 200 or a 400 in the
seed's error shape, never anything else; what was asked for is what comes back."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from sitejobs.settings import Settings
from tests.api.oce.sites_client import basic_auth, create_site, poll_like_the_toolkit, sites_app, start

ALICE = basic_auth("alice")
FIELDS = ["context", "action", "progress", "completed", "completedPercentage", "startTime", "endTime",
          "translationFile", "translationFile.id", "translationJob.status", "nonsense", "links"]  # fmt: skip
LINKS = ["self", "canonical", "parent", "describedBy", "download", "pages", "none", "bogus"]
EXPAND = ["site", "translationFile", "translationJob", "pages", "all", "theme", "component", "unknown"]
PARAMS = st.fixed_dictionaries(
    {},
    optional={
        "fields": st.lists(st.sampled_from(FIELDS), min_size=1, max_size=4).map(",".join),
        "excludeFields": st.lists(st.sampled_from(FIELDS), min_size=1, max_size=3).map(",".join),
        "links": st.lists(st.sampled_from(LINKS), min_size=1, max_size=3).map(",".join),
        "excludeLinks": st.lists(st.sampled_from(LINKS), min_size=1, max_size=3).map(",".join),
        "expand": st.lists(st.sampled_from(EXPAND), min_size=1, max_size=3).map(",".join),
        "expansionErrors": st.sampled_from(["ignore", "include", "fail", "explode"]),
        "return": st.sampled_from(["representation", "default", "basic", "minimal", "everything"]),
    },
)


@pytest.fixture(scope="module")
def translated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, str]]:
    settings = Settings(data_dir=tmp_path_factory.mktemp("oce") / "data", poll_seconds=0.05)
    with sites_app(settings) as client:
        create_site(client, "QuerySite")
        body = {"name": "QuerySite", "targetLanguages": ["fr", "de"]}
        location = start(client, "/sites/name:QuerySite/translate", body, ALICE)
        poll_like_the_toolkit(client, location, ALICE)
        yield client, location


def _links(node: object) -> list[str]:
    if isinstance(node, dict):
        found = [link["rel"] for link in node.get("links", [])] if isinstance(node.get("links"), list) else []
        return found + [rel for key, value in node.items() if key != "links" for rel in _links(value)]
    if isinstance(node, list):
        return [rel for item in node for rel in _links(item)]
    return []


@hypothesis_settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(params=PARAMS)
def test_any_combination_is_answered_or_refused_cleanly(
    translated: tuple[TestClient, str], params: dict[str, str]
) -> None:
    client, location = translated
    response = client.get(f"{location}?{urlencode(params)}", headers=ALICE)
    assert response.status_code in (200, 400), response.text
    body = response.json()
    if response.status_code == 400:
        assert body["o:errorCode"]
        assert body["status"] == "400"
        return
    excluded_fields = set(params.get("excludeFields", "").split(","))
    assert {"context", "action", "progress", "completed"} - excluded_fields <= set(body)
    links = set(params.get("links", "").split(",")) - {""}
    if "none" in links:
        assert _links(body) == []
    elif links:
        assert set(_links(body)) <= links
    excluded = set(params.get("excludeLinks", "").split(",")) - {""}
    assert not set(_links(body)) & excluded
    if "fields" in params and params.get("return") not in ("representation",):
        wanted = {f.split(".")[0] for f in params["fields"].split(",")}
        assert set(body) - {"links"} <= wanted | {"context", "action", "progress", "completed"}
    for name in excluded_fields - {"", "links"}:  # links answer to links/excludeLinks only
        if "." not in name:
            assert name not in body
