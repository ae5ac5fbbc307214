"""The Content Toolkit's calls, in its order, against the real app: login checks, lookups, `POST /sites`,
polling the absolute Location with `?links=none`, and the follow-up lookups (from its source, sitesRest.js)."""

from __future__ import annotations

from starlette.testclient import TestClient

from sitejobs.settings import Settings
from tests.api.oce.sites_client import (
    API,
    ASYNC,
    basic_auth,
    bring_online,
    create_site,
    poll_like_the_toolkit,
    sites_app,
    start,
)


def test_create_site_as_cec_create_site_does(settings: Settings) -> None:
    auth = basic_auth("alice")
    with sites_app(settings) as client:
        for service in ("SCS_GET_TENANT_CONFIG", "SCS_GET_TENANT_CONFIG", "GET_USER_INFO"):
            login = client.get(f"/documents/integration?IdcService={service}&IsJson=1", headers=auth)
            assert login.status_code == 200
            assert login.json()["LocalData"]["StatusCode"] == "0"
        assert login.json()["LocalData"]["dUser"] == "alice"
        assert client.get(f"{API}/sites/name:BarsSite?links=none", headers=auth).status_code == 404
        template = client.get(
            f"{API}/templates/name:StarterTemplate?links=none&expand=localizationPolicy,policy", headers=auth
        )
        assert template.status_code == 200, template.text
        assert "links" not in template.json()
        response = client.post(
            f"{API}/sites",
            json={"name": "BarsSite", "description": "", "template": template.json()["id"]},
            headers={**ASYNC, **auth, "X-Auto-Approve-Request": "true"},
        )
        assert response.status_code == 202, response.text
        location = response.headers["Location"]
        assert location.startswith("https://sites.test/sites/management/api/v1/sites/_status/")
        final = poll_like_the_toolkit(client, location, auth)
        assert final["action"] == "copy"
        assert final["completedPercentage"] == 100
        site = client.get(f"{API}/sites/name:BarsSite?links=none", headers=auth)
        assert site.status_code == 200
        assert site.json()["name"] == "BarsSite"
        assert site.json()["id"]
        assert site.json()["themeName"] == "StarterTheme"
        assert client.get("/system/api/v1/release/version", headers=auth).status_code == 200


def test_copy_site_then_publish_and_bring_online(settings: Settings) -> None:
    auth = basic_auth("alice")
    with sites_app(settings) as client:
        create_site(client, "Source")
        assert client.get(f"{API}/sites/name:Copy?links=none", headers=auth).status_code == 404
        location = start(client, "/sites/name:Source/copy", {"name": "Copy", "description": "a copy"}, auth)
        poll_like_the_toolkit(client, location, auth)
        copy = client.get(f"{API}/sites/name:Copy?links=none", headers=auth).json()
        assert copy["description"] == "a copy"
        assert copy["publishStatus"] == "unpublished"
        location = start(client, "/sites/name:Copy/publish", None, auth)
        poll_like_the_toolkit(client, location, auth)
        copy = client.get(f"{API}/sites/name:Copy?links=none", headers=auth).json()
        assert copy["publishStatus"] == "published"
        bring_online(client, "Copy", auth)
        assert client.get("/site/Copy/index.html").status_code == 200


def _names(client: TestClient, kind: str, auth: dict[str, str]) -> list[str]:
    listed = client.get(f"{API}/{kind}?links=none&orderBy=name&limit=250", headers=auth)
    assert listed.status_code == 200, listed.text
    body = listed.json()
    assert body["hasMore"] is False
    assert body["count"] == len(body["items"])
    return [item["name"] for item in body["items"]]


def test_theme_and_component_copy_and_publish(settings: Settings) -> None:
    auth = basic_auth("alice")
    with sites_app(settings) as client:
        theme = client.get(f"{API}/themes/name:StarterTheme?links=none", headers=auth).json()
        location = start(client, f"/themes/{theme['id']}/copy", {"name": "MyTheme"}, auth)
        status = poll_like_the_toolkit(client, location, auth)
        assert status["action"] == "copyTheme"
        assert "MyTheme" in _names(client, "themes", auth)
        location = start(client, "/themes/name:MyTheme/publish", None, auth)
        assert poll_like_the_toolkit(client, location, auth)["action"] == "publishTheme"
        assert client.get("/_themes/MyTheme/designs/default/design.css").status_code == 200

        component = client.get(f"{API}/components/name:NavMenu?links=none", headers=auth).json()
        # `cec copy-component` posts without Prefer and looks the copy up straight away.
        copied = client.post(
            f"{API}/components/{component['id']}/copy",
            json={"name": "MyMenu"},
            headers={"Content-Type": "application/json", **auth},
        )
        assert copied.status_code <= 300, copied.text
        assert client.get(f"{API}/components/name:MyMenu?links=none", headers=auth).status_code == 200
        location = start(client, "/components/name:MyMenu/publish", None, auth)
        assert poll_like_the_toolkit(client, location, auth)["action"] == "publish"
        assert client.get("/_compdelivery/MyMenu/appinfo.json").status_code == 200


def test_hard_delete_removes_the_site_and_its_published_files(settings: Settings) -> None:
    auth = basic_auth("alice")
    with sites_app(settings) as client:
        create_site(client, "Doomed")
        poll_like_the_toolkit(client, start(client, "/sites/name:Doomed/publish", None, auth), auth)
        bring_online(client, "Doomed", auth)
        assert client.get("/site/Doomed/index.html").status_code == 200
        assert client.post(f"{API}/sites/name:Doomed/deactivate", headers=auth).status_code == 200
        location = start(client, "/sites/name:Doomed/hardDelete", None, auth)
        assert poll_like_the_toolkit(client, location, auth)["action"] == "hardDelete"
        assert client.get(f"{API}/sites/name:Doomed?links=none", headers=auth).status_code == 404
        assert client.get("/site/Doomed/index.html").status_code == 404
        assert "Doomed" not in _names(client, "sites", auth)
