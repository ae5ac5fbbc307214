"""`PATCH /sites/{id}` and site access as `set-site-security`, `get-site-security`, `control-site expire` and
`update-site` call them (site.js `_setSiteSecurityREST`, `getSiteSecurity`; sitesRest.js
`_setSiteRuntimeAccess`, `_grantSiteAccess`, `_removeSiteAccess`, `setSiteExpirationDate`, `_siteUpdated`)."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from sitejobs.settings import Settings
from sitejobs.sites.content.site_settings import SiteSettingsStore
from sitejobs.sites.content.store import ContentStore
from tests.api.conftest import app_engine
from tests.api.oce.sites_client import API, basic_auth, create_site, poll_like_the_toolkit, sites_app, start

ALICE = basic_auth("alice")
BOB = basic_auth("bob")
JSON = {"Content-Type": "application/json"}


def _security(client: TestClient, name: str, auth: dict[str, str] = ALICE) -> dict[str, Any]:
    """get-site-security: the site with `expand=access`; signed in unless `everyone` may see it."""
    response = client.get(f"{API}/sites/name:{name}?links=none&expand=access", headers=auth)
    assert response.status_code == 200, response.text
    site: dict[str, Any] = response.json()
    values = site.get("security", {}).get("access") or []
    return {
        "id": site["id"],
        "signin": not (values == [] or "everyone" in values),
        "access": values,
        "viewers": [item["name"] for item in site.get("access", {}).get("items", [])],
        "publishStatus": site["publishStatus"],
        "runtimeStatus": site["runtimeStatus"],
    }


def _patch(client: TestClient, site_id: str, body: dict[str, Any], auth: dict[str, str] = ALICE) -> Any:
    return client.patch(f"{API}/sites/{site_id}", json=body, headers={**auth, **JSON})


def test_set_site_security_secures_a_site_and_admits_a_user(settings: Settings) -> None:
    with sites_app(settings) as client:
        create_site(client, "Bars")
        before = _security(client, "Bars")
        assert before["signin"] is False
        # `set-site-security Bars -s yes -a "Specific users" -u bob`
        changed = _patch(client, before["id"], {"security": {"access": ["named"]}})
        assert changed.status_code == 200, changed.text
        assert changed.json()["security"]["access"] == ["named"]
        granted = client.post(
            f"{API}/sites/{before['id']}/access", json={"id": "user:bob"}, headers={**ALICE, **JSON}
        )
        assert granted.status_code <= 300, granted.text
        after = _security(client, "Bars")
        assert after["signin"] is True
        assert after["access"] == ["named"]
        assert after["viewers"] == ["bob"]
        listed = client.get(f"{API}/sites/{before['id']}/access?links=none", headers=ALICE).json()
        assert [i["id"] for i in listed["items"]] == ["user:bob"]
        # `set-site-security Bars -s yes -d bob`
        removed = client.delete(f"{API}/sites/{before['id']}/access/user:bob", headers=ALICE)
        assert removed.status_code <= 300
        assert _security(client, "Bars")["viewers"] == []
        stored = SiteSettingsStore(app_engine(client).db)
        assert stored.get(before["id"]).access == ["named"]
        assert stored.members(before["id"]) == []


def test_site_security_refuses_what_content_management_refuses(settings: Settings) -> None:
    with sites_app(settings) as client:
        site_id = create_site(client, "Bars")
        unknown = client.post(
            f"{API}/sites/{site_id}/access", json={"id": "user:nobody"}, headers={**ALICE, **JSON}
        )
        assert unknown.status_code == 404
        assert _patch(client, site_id, {"security": {"access": ["everyone", "named"]}}).status_code == 400
        assert _patch(client, site_id, {"security": {"access": ["friends"]}}).status_code == 400
        assert _patch(client, site_id, {"name": "Renamed"}).status_code == 400
        # bob is no manager of alice's site: it does not exist for him
        assert _patch(client, site_id, {"description": "mine"}, BOB).status_code == 404
        # switching to a secure site is refused once the site is published
        poll_like_the_toolkit(
            client, start(client, f"/sites/{site_id}/publish", {"type": "full"}, ALICE), ALICE
        )
        refused = _patch(client, site_id, {"security": {"access": ["cloud", "visitors", "service", "named"]}})
        assert refused.status_code == 409
        assert "unpublish" in refused.json()["detail"]
        assert _security(client, "Bars")["access"] == ["everyone"]
        store = ContentStore(app_engine(client).db, settings.content_dir)
        site = store.site(site_id)
        assert site is not None
        assert site.description == ""


def test_update_site_and_expiry_patch_the_site(settings: Settings) -> None:
    with sites_app(settings) as client:
        site_id = create_site(client, "Bars")
        old = client.get(f"{API}/sites/name:Bars?links=none", headers=ALICE).json()
        # sitesRest.js `_siteUpdated`: PATCH the description the site has, which marks it updated
        touched = _patch(client, site_id, {"description": old["description"] or ""})
        assert touched.status_code == 200
        described = _patch(client, site_id, {"description": "Bars of the world"})
        assert described.json()["description"] == "Bars of the world"
        # control-site expire -x
        expiring = _patch(client, site_id, {"expiresAt": "2030-01-01T00:00:00.000Z"})
        assert expiring.json()["expiresAt"] == "2030-01-01T00:00:00.000Z"
        assert _patch(client, site_id, {"expiresAt": "soon"}).status_code == 400
        site = client.get(f"{API}/sites/name:Bars?links=none", headers=ALICE).json()
        assert site["lastModifiedAt"] >= old["lastModifiedAt"]
        assert site["lastModifiedBy"]["displayName"] == "alice"
        store = ContentStore(app_engine(client).db, settings.content_dir)
        row = store.site(site_id)
        assert row is not None
        assert row.description == "Bars of the world"
