"""Enterprise sites as the toolkit makes them: `cec create-localization-policy`, `cec create-repository`, then
`cec create-site NAME -t TEMPLATE -r REPO -l POLICY -d LANG` (asset.js `createLocalizationPolicy`,
`createRepository`; site.js `_createSiteREST`), and what the site then says about its channel."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from sitejobs.settings import Settings
from sitejobs.sites.content.enterprise import EnterpriseStore
from sitejobs.sites.content.store import ContentStore
from tests.api.conftest import app_engine
from tests.api.oce.sites_client import API, ASYNC, basic_auth, sites_app, start, wait_status
from tests.api.oce.toolkit_calls import (
    CM,
    all_resources,
    create_enterprise_site,
    csrf_token,
    make_policy,
    make_repository,
)

ADMIN = basic_auth("admin")
ALICE = basic_auth("alice")


def setup_enterprise(client: TestClient) -> tuple[dict[str, Any], dict[str, Any]]:
    policy = make_policy(client, ADMIN, "Acme L10N", ["en-US", "fr-FR"], ["de-DE"], "en-US")
    repository = make_repository(client, ADMIN, "AcmeRepo")
    return policy, repository


def test_create_enterprise_site_makes_its_channel_in_the_repository(settings: Settings) -> None:
    with sites_app(settings) as client:
        policy, repository = setup_enterprise(client)
        site = create_enterprise_site(
            client, ALICE, "AcmeSite", "StarterTemplate", "acmerepo", "Acme L10N", "en-US"
        )
        assert site["isEnterprise"] is True
        assert site["defaultLanguage"] == "en-US"
        assert site["repository"] == {"id": repository["id"], "name": "AcmeRepo"}
        # translation.js `_createTranslationJob` reads the site with its channel, then the channel's policy
        with_channel = client.get(
            f"{API}/sites/name:AcmeSite?links=none&expand=channel", headers=ALICE
        ).json()
        channel = with_channel["channel"]
        assert channel["name"] == "AcmeSite"
        assert channel["localizationPolicy"] == policy["id"]
        assert channel["channelTokens"][0]["name"] == "defaultToken"
        read = client.get(f"{CM}/localizationPolicies/{channel['localizationPolicy']}", headers=ALICE).json()
        assert read["requiredValues"] + read["optionalValues"] == ["en-US", "fr-FR", "de-DE"]
        repo = client.get(f"{CM}/repositories/{repository['id']}", headers=ALICE).json()
        assert {"id": channel["id"], "name": "AcmeSite"} in repo["channels"]
        store = ContentStore(app_engine(client).db, settings.content_dir)
        row = store.site("name:AcmeSite")
        assert row is not None
        assert (row.repository_id, row.localization_policy) == (repository["id"], policy["id"])
        stored = EnterpriseStore(store.db).site_channel(row.id)
        assert stored is not None
        assert stored["id"] == channel["id"]
        # a standard site has no channel to expand
        standard = client.get(f"{API}/templates/name:StarterTemplate?links=none", headers=ALICE).json()
        wait_status(
            client, start(client, "/sites", {"name": "Plain", "template": standard["id"]}, ALICE), ALICE
        )
        plain = client.get(f"{API}/sites/name:Plain?links=none&expand=channel", headers=ALICE).json()
        assert plain["isEnterprise"] is False
        assert "channel" not in plain


def test_hard_delete_takes_the_site_channel_with_it(settings: Settings) -> None:
    with sites_app(settings) as client:
        _policy, repository = setup_enterprise(client)
        site = create_enterprise_site(
            client, ALICE, "Gone", "StarterTemplate", "AcmeRepo", "Acme L10N", "fr-FR"
        )
        wait_status(client, start(client, f"/sites/{site['id']}/hardDelete", None, ALICE), ALICE)
        assert [c["name"] for c in all_resources(client, ALICE, "/channels")] == []
        assert client.get(f"{CM}/repositories/{repository['id']}", headers=ALICE).json()["channels"] == []


def _refused(client: TestClient, body: dict[str, Any], detail: str) -> None:
    response = client.post(f"{API}/sites", json=body, headers={**ASYNC, **ALICE})
    assert response.status_code == 400, response.text
    assert detail in response.json()["detail"]


def test_an_enterprise_site_needs_a_repository_a_policy_and_one_of_its_languages(settings: Settings) -> None:
    with sites_app(settings) as client:
        policy, repository = setup_enterprise(client)
        template = client.get(f"{API}/templates/name:StarterTemplate?links=none", headers=ALICE).json()["id"]
        base = {"name": "Bad", "template": template, "repository": repository["id"]}
        _refused(
            client,
            {
                **base,
                "repository": "NOSUCHREPO",
                "localizationPolicy": policy["id"],
                "defaultLanguage": "en-US",
            },
            "Repository",
        )
        _refused(client, {**base, "defaultLanguage": "en-US"}, "localization policy")
        _refused(
            client,
            {**base, "localizationPolicy": policy["id"], "defaultLanguage": "de-DE"},
            "default language",
        )
        _refused(client, {**base, "localizationPolicy": policy["id"]}, "default language")
        assert client.get(f"{API}/sites/name:Bad?links=none", headers=ALICE).status_code == 404
        assert sum(app_engine(client).count_by_state().values()) == 0  # refused before any job was made


def test_only_administrators_make_repositories_and_policies_and_names_are_unique(settings: Settings) -> None:
    with sites_app(settings) as client:
        headers = {**ALICE, "X-CSRF-TOKEN": csrf_token(client, ALICE)}
        refused = client.post(f"{CM}/repositories", json={"name": "Mine"}, headers=headers)
        assert refused.status_code == 403
        assert refused.json()["o:errorCode"]
        setup_enterprise(client)
        again = client.post(f"{CM}/repositories", json={"name": "acmerepo"}, headers=ADMIN)
        assert again.status_code == 409
        bad = client.post(
            f"{CM}/localizationPolicies",
            json={"name": "Odd", "requiredValues": ["fr-FR"], "defaultValue": "en-US"},
            headers=ADMIN,
        )
        assert bad.status_code == 400
        assert [r["name"] for r in all_resources(client, ALICE, "/repositories")] == ["AcmeRepo"]
        assert [p["name"] for p in all_resources(client, ALICE, "/localizationPolicies")] == ["Acme L10N"]
        # list-translation-jobs -r and getLocalizationPolicWithName look names up with `mt`
        found = client.get(f'{CM}/repositories?q=(name mt "acme")', headers=ALICE).json()
        assert [r["name"] for r in found["items"]] == ["AcmeRepo"]
        assert client.get(f"{CM}/repositories/NOPE", headers=ALICE).status_code == 404
