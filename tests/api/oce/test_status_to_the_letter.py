"""`_status` as the seed pages describe it: extra query parameters are ignored, `describedBy` resolves to the
SiteJobStatus schema, and `expansionErrors=fail` answers with the relation's own error."""

from __future__ import annotations

from starlette.testclient import TestClient

from sitejobs.settings import Settings
from tests.api.oce.sites_client import API, basic_auth, create_site, poll_like_the_toolkit, sites_app, start

ALICE = basic_auth("alice")


def _copy_job(client: TestClient) -> str:
    create_site(client, "Source")
    location = start(client, "/sites/name:Source/copy", {"name": "Copied"}, ALICE)
    poll_like_the_toolkit(client, location, ALICE)
    return location


def test_a_cache_buster_and_unknown_parameters_are_ignored(settings: Settings) -> None:
    with sites_app(settings) as client:
        location = _copy_job(client)
        plain = client.get(f"{location}?links=none", headers=ALICE)
        assert plain.status_code == 200, plain.text
        for extra in ("_=1700000000000", "unknownParameter=1", "Links=none"):
            answered = client.get(f"{location}?links=none&{extra}", headers=ALICE)
            assert answered.status_code == 200, answered.text
            assert answered.json() == plain.json()
        listed = client.get(f"{API}/sites?_=123&links=none", headers=ALICE)
        assert listed.status_code == 200, listed.text


def test_described_by_resolves_to_the_site_job_status_schema(settings: Settings) -> None:
    with sites_app(settings) as client:
        location = _copy_job(client)
        doc = client.get(location, headers=ALICE).json()
        href = next(link["href"] for link in doc["links"] if link["rel"] == "describedBy")
        schema = client.get(href, headers=ALICE)
        assert schema.status_code == 200, schema.text
        assert schema.headers["content-type"].startswith("application/schema+json")
        body = schema.json()
        assert body["title"] == "SiteJobStatus"
        assert set(doc) - {"links"} <= set(body["properties"])  # every field of the answer is described
        site = client.get(f"{API}/sites/name:Source", headers=ALICE).json()
        site_href = next(link["href"] for link in site["links"] if link["rel"] == "describedBy")
        site_schema = client.get(site_href, headers=ALICE).json()
        assert set(site) <= set(site_schema["properties"])
        assert client.get(f"{API}/metadata-catalog/nothing", headers=ALICE).status_code == 404


def test_expansion_errors_fail_answers_the_relations_own_status(settings: Settings) -> None:
    with sites_app(settings) as client:
        location = _copy_job(client)
        deleted = start(client, "/sites/name:Copied/hardDelete", None, ALICE)
        poll_like_the_toolkit(client, deleted, ALICE)
        answered = client.get(f"{location}?expand=site&expansionErrors=fail", headers=ALICE)
        assert answered.status_code == 404, answered.text
        body = answered.json()
        assert body["status"] == "404"
        assert body["o:errorDetails"][0]["status"] == "404"
        assert client.get(f"{location}?expand=site&expansionErrors=ignore", headers=ALICE).status_code == 200
