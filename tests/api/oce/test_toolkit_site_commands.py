"""The calls behind `cec` commands the real toolkit (25.3.1) was run with against this server: the tenant
check of `refresh-prerender-cache`, `control-site bring-online | take-offline | unpublish`, `delete-site` with
and without `-p`. Each test makes the toolkit's requests in its order and reads the answers as its source does
(serverUtils.js `getTenantConfig`, sitesRest.js `_setSiteOnlineStatus`, `_unpublishResource`,
`_softDeleteResource`, `_hardDeleteResource`, site.js `_controlSiteREST`, `deleteSite`)."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from sitejobs.settings import Settings
from tests.api.oce.sites_client import (
    API,
    basic_auth,
    create_site,
    poll_like_the_toolkit,
    sites_app,
    start,
)


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
