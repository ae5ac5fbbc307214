"""The calls behind `cec` commands the real toolkit (25.3.1) was run with against this server: the tenant
check of `refresh-prerender-cache`, `control-site bring-online | take-offline | unpublish`, `delete-site` with
and without `-p`. Each test makes the toolkit's requests in its order and reads the answers as its source does
(serverUtils.js `getTenantConfig`, sitesRest.js `_setSiteOnlineStatus`, `_unpublishResource`,
`_softDeleteResource`, `_hardDeleteResource`, site.js `_controlSiteREST`, `deleteSite`)."""

from __future__ import annotations

import re
from typing import Any

import httpx
from starlette.testclient import TestClient

from sitejobs.settings import Settings
from sitejobs.sites.content.store import ContentStore
from tests.api.conftest import app_engine
from tests.api.oce.sites_client import (
    API,
    basic_auth,
    create_site,
    poll_like_the_toolkit,
    published_file,
    sites_app,
    start,
    wait_status,
)

ALICE = basic_auth("alice")


def _site(client: TestClient, name: str) -> dict[str, Any]:
    """site.js `_controlSiteREST`'s first request; it decides on `runtimeStatus` and `publishStatus`."""
    response = client.get(f"{API}/sites/name:{name}?links=none&expand=channel,repository", headers=ALICE)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _control(client: TestClient, name: str, action: str, auth: dict[str, str] = ALICE) -> httpx.Response:
    """`activate`, `deactivate` or `unpublish` as sitesRest.js sends them: POST, no body, no Prefer."""
    response: httpx.Response = client.post(f"{API}/sites/name:{name}/{action}", headers=auth)
    return response


def _conflict(response: httpx.Response) -> str:
    """The toolkit prints `detail` of a refused change."""
    assert response.status_code == 409, response.text
    body = response.json()
    assert body["o:errorCode"] == "OCE-SITEMGMT-009912"
    detail: str = body["detail"]
    return detail


def _tenant_config(client: TestClient, auth: dict[str, str]) -> dict[str, Any]:
    """serverUtils.js `getTenantConfig`: `StatusCode` "0", then `TenantInfo`'s fields over its first row."""
    response = client.get("/documents/integration?IdcService=GET_TENANT_CONFIG&IsJson=1", headers=auth)
    data = response.json()
    assert data["LocalData"]["StatusCode"] == "0", data
    info = data["ResultSets"]["TenantInfo"]
    return {field["name"]: info["rows"][0][i] for i, field in enumerate(info["fields"])}


def test_refresh_prerender_cache_finds_prerendering_on_then_refreshes(settings: Settings) -> None:
    auth = basic_auth("alice")
    with sites_app(settings) as client:
        create_site(client, "Bars")
        assert _tenant_config(client, auth)["IsSitesPrerenderEnabled"].lower() == "true"
        site_id = client.get(f"{API}/sites/name:Bars?links=none", headers=auth).json()["id"]
        final = poll_like_the_toolkit(client, start(client, f"/sites/{site_id}/refresh", None, auth), auth)
        assert final["completedCount"] == final["pageCount"] > 0


def test_check_version_reads_the_release_version(settings: Settings) -> None:
    """gulpfile.js `check-version`: `release.version`, compared as major.minor with the toolkit's."""
    with sites_app(settings) as client:
        response = client.get("/system/api/v1/release/version", headers=ALICE)
        assert response.status_code == 200
        assert re.fullmatch(r"[0-9]+\.[0-9]+\.[0-9]+", response.json()["release"]["version"])


def test_bring_online_take_offline_and_unpublish_as_control_site_does(settings: Settings) -> None:
    with sites_app(settings) as client:
        create_site(client, "Bars")
        assert (_site(client, "Bars")["runtimeStatus"], _site(client, "Bars")["publishStatus"]) == (
            "offline",
            "unpublished",
        )
        assert "publish it before" in _conflict(_control(client, "Bars", "activate"))
        poll_like_the_toolkit(client, start(client, "/sites/name:Bars/publish", None, ALICE), ALICE)

        online = _control(client, "Bars", "activate")
        assert online.status_code == 200, online.text
        assert online.json()["runtimeStatus"] == "online"
        assert _site(client, "Bars")["runtimeStatus"] == "online"
        assert "take it offline" in _conflict(_control(client, "Bars", "unpublish"))
        assert _site(client, "Bars")["publishStatus"] == "published"

        offline = _control(client, "Bars", "deactivate")
        assert offline.status_code == 200, offline.text
        assert _site(client, "Bars")["runtimeStatus"] == "offline"
        assert published_file(settings, "Bars", "index.html").is_file()

        unpublished = _control(client, "Bars", "unpublish")
        assert unpublished.status_code == 200, unpublished.text
        assert _site(client, "Bars")["publishStatus"] == "unpublished"
        assert client.get("/site/Bars/index.html").status_code == 404
        assert "publish it before" in _conflict(_control(client, "Bars", "activate"))


def test_only_a_sites_managers_change_its_state(settings: Settings) -> None:
    with sites_app(settings) as client:
        create_site(client, "Shared")
        poll_like_the_toolkit(client, start(client, "/sites/name:Shared/publish", None, ALICE), ALICE)
        store = ContentStore(app_engine(client).db, settings.content_dir)
        site = store.site("name:Shared")
        assert site is not None
        bob = basic_auth("bob")
        assert _control(client, "Shared", "activate", bob).status_code == 404
        store.share(site.id, "bob", "contributor")
        for action in ("activate", "deactivate", "unpublish"):
            assert _control(client, "Shared", action, bob).status_code == 403
        store.share(site.id, "bob", "manager")
        assert _control(client, "Shared", "activate", bob).status_code == 200
        assert _site(client, "Shared")["runtimeStatus"] == "online"


def _lookup(client: TestClient, name: str) -> httpx.Response:
    """site.js `deleteSite`'s lookup: a site in the trash answers 200 too, with `isDeleted`."""
    response: httpx.Response = client.get(
        f"{API}/sites/name:{name}?links=none&includeDeleted=true", headers=ALICE
    )
    return response


def _site_names(client: TestClient, query: str = "") -> list[str]:
    listed = client.get(f"{API}/sites?links=none&orderBy=name&limit=250{query}", headers=ALICE)
    assert listed.status_code == 200, listed.text
    return [item["name"] for item in listed.json()["items"]]


def test_delete_site_moves_it_to_the_trash_and_delete_site_p_removes_it(settings: Settings) -> None:
    with sites_app(settings) as client:
        create_site(client, "Old")
        assert _lookup(client, "Old").json()["isDeleted"] is False
        deleted = client.delete(f"{API}/sites/name:Old", headers=ALICE)
        assert deleted.status_code == 204, deleted.text

        assert (
            _lookup(client, "Old").json()["isDeleted"] is True
        )  # a second delete-site: "already in the trash"
        assert client.get(f"{API}/sites/name:Old?links=none", headers=ALICE).status_code == 404
        assert "Old" not in _site_names(client)
        assert "Old" in _site_names(client, "&includeDeleted=true")
        assert client.delete(f"{API}/sites/name:Old", headers=ALICE).status_code == 404
        refused = client.post(f"{API}/sites/name:Old/publish", headers={"Prefer": "respond-async", **ALICE})
        assert refused.status_code == 404
        # The name stays taken while the site is in the trash.
        template = client.get(f"{API}/templates/name:StarterTemplate?links=none", headers=ALICE).json()
        location = start(client, "/sites", {"name": "Old", "template": template["id"]}, ALICE)
        assert wait_status(client, location, ALICE)["error"]["o:errorCode"] == "OCE-SITEMGMT-009004"

        restored = client.post(f"{API}/sites/name:Old/undelete", headers=ALICE)
        assert restored.status_code == 200, restored.text
        assert restored.json()["isDeleted"] is False
        assert "Old" in _site_names(client)
        assert client.delete(f"{API}/sites/name:Old", headers=ALICE).status_code == 204

        poll_like_the_toolkit(client, start(client, "/sites/name:Old/hardDelete", None, ALICE), ALICE)
        assert _lookup(client, "Old").status_code == 404
        assert "Old" not in _site_names(client, "&includeDeleted=true")


def test_an_online_site_is_not_deleted(settings: Settings) -> None:
    with sites_app(settings) as client:
        create_site(client, "Live")
        poll_like_the_toolkit(client, start(client, "/sites/name:Live/publish", None, ALICE), ALICE)
        assert _control(client, "Live", "activate").status_code == 200
        assert "take it offline" in _conflict(client.delete(f"{API}/sites/name:Live", headers=ALICE))
        assert _lookup(client, "Live").json()["isDeleted"] is False
