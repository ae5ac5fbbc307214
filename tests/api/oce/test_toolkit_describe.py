"""The IDC services behind `describe-site`, `describe-component`, `update-site -m` and the theme and template
commands (serverUtils.js `getSiteMetadata`, `getSiteUsedData`, `getThemeLayouts`, `getThemeMetadata`,
`getComponentMetadata`, `browseSitesOnServer`, `setSiteMetadata`; site.js `describeSite`, component.js
`describeComponent`, siteUpdate.js `updateMetadata`), and the resource fields the toolkit prints."""

from __future__ import annotations

import json
from typing import Any

from starlette.testclient import TestClient

from sitejobs.settings import Settings
from sitejobs.sites.content.site_settings import SiteSettingsStore
from sitejobs.sites.content.store import ContentStore
from tests.api.conftest import app_engine
from tests.api.oce.sites_client import API, basic_auth, create_site, sites_app, start, wait_status
from tests.api.oce.toolkit_calls import IDC, idc_token, rows

ALICE = basic_auth("alice")
BOB = basic_auth("bob")
DESCRIBE_EXPAND = "ownedBy,createdBy,lastModifiedBy,members,repository,channel,vanityDomain,siteCategory"


def _idc(client: TestClient, query: str, auth: dict[str, str] = ALICE) -> dict[str, Any]:
    response = client.get(f"{IDC}?{query}&IsJson=1", headers=auth)
    body: dict[str, Any] = response.json()
    return body


def _site_metadata(client: TestClient, site_id: str) -> tuple[dict[str, str], dict[str, str]]:
    """`getSiteMetadata`: StatusCode "0", then SiteMetadata's and SiteInfo's first rows."""
    data = _idc(client, f"IdcService=SCS_GET_SITE_METADATA&item=fFolderGUID:{site_id}")
    assert data["LocalData"]["StatusCode"] == "0", data
    assert data["LocalData"]["idcToken"]
    [metadata] = rows(data, "SiteMetadata")
    [info] = rows(data, "SiteInfo")
    return metadata, info


def test_describe_site_reads_the_site_its_metadata_what_it_uses_and_its_themes_layouts(
    settings: Settings,
) -> None:
    with sites_app(settings) as client:
        create_site(client, "Bars")
        site = client.get(f"{API}/sites/name:Bars?links=none&expand={DESCRIBE_EXPAND}", headers=ALICE).json()
        # what describe-site prints: never "undefined"
        assert site["lastModifiedAt"] == site["updatedAt"]
        assert site["lastModifiedBy"]["displayName"] == "alice"
        assert site["createdBy"]["displayName"] == "alice"
        assert [(m["name"], m["role"]) for m in site["members"]["items"]] == [("alice", "manager")]
        assert site["security"]["access"] == ["everyone"]
        assert site["numberOfUpdates"] == 0
        metadata, info = _site_metadata(client, site["id"])
        assert metadata["scsCompileSite"] == "0"
        assert (info["fFolderGUID"], info["fFolderName"]) == (site["id"], "Bars")
        used = _idc(client, f"IdcService=SCS_GET_SITE_COMPS_CONTENT_USED&item=fFolderGUID:{site['id']}")
        assert used["LocalData"]["StatusCode"] == "0"
        components = {(r["scsPageID"], r["scsComponentName"]) for r in rows(used, "ComponentsUsed")}
        assert ("100", "NavMenu") in components
        assert ("100", "StarterFooter") in components
        assert not [c for _, c in components if c.startswith("scs-")]
        layouts = client.get(
            f"{IDC}?IdcService=SCS_BROWSE_LAYOUTS&theme={site['themeName']}&layoutCount=-1&IsJson=1",
            headers=ALICE,
        ).json()
        assert "index.html" in [layout["properties"]["pageLayout"] for layout in layouts]
        # a site bob cannot see is missing for him, in the IDC shape (the toolkit reads StatusMessage)
        hidden = _idc(client, f"IdcService=SCS_GET_SITE_METADATA&item=fFolderGUID:{site['id']}", BOB)
        assert hidden["LocalData"]["StatusCode"] == "-1"
        assert "Bars" not in json.dumps(hidden)
        bad = _idc(client, "IdcService=SCS_GET_SITE_METADATA&item=" + site["id"])
        assert bad["LocalData"]["StatusCode"] == "-1"


def test_update_site_metadata_is_what_describe_site_then_reads(settings: Settings) -> None:
    with sites_app(settings) as client:
        site_id = create_site(client, "Bars")
        # siteUpdate.js: getSiteInfo (the site with channel, repository, defaultCollection), then the token
        info = client.get(
            f"{API}/sites/name:Bars?links=none&expand=channel,repository,defaultCollection", headers=ALICE
        )
        assert info.status_code == 200, info.text
        # siteUpdate.js hands setSiteMetadata what getIdcToken resolves to: `{idcToken}`, not the token
        token = {"idcToken": idc_token(client, ALICE)}
        values = {
            "scsCompileSite": "1",
            "scsStaticResponseHeaders": json.dumps({"Cache-Control": "max-age=60"}),
        }
        response = client.post(
            f"{IDC}?IdcService=SCS_SET_SITE_METADATA&IsJson=1",
            json={
                "idcToken": token,
                "LocalData": {
                    "IdcService": "SCS_SET_SITE_METADATA",
                    "item": f"fFolderGUID:{site_id}",
                    **values,
                },
            },
            headers={**ALICE, "X-REQUESTED-WITH": "XMLHttpRequest"},
        )
        assert response.status_code == 200
        assert response.json()["LocalData"]["StatusCode"] == "0"
        metadata, _ = _site_metadata(client, site_id)
        assert metadata["scsCompileSite"] == "1"
        assert json.loads(metadata["scsStaticResponseHeaders"]) == {"Cache-Control": "max-age=60"}
        store = SiteSettingsStore(app_engine(client).db)
        assert store.get(site_id).idc_metadata["scsCompileSite"] == "1"
        assert store.get(site_id).updated_by == "alice"
        # bob, not a member, may not set it even with his own token
        refused = client.post(
            f"{IDC}?IdcService=SCS_SET_SITE_METADATA&IsJson=1",
            json={
                "idcToken": idc_token(client, BOB),
                "LocalData": {"item": f"fFolderGUID:{site_id}", "scsCompileSite": "0"},
            },
            headers=BOB,
        )
        assert refused.json()["LocalData"]["StatusCode"] == "-1"
        assert store.get(site_id).idc_metadata["scsCompileSite"] == "1"


def test_describe_component_and_theme_metadata(settings: Settings) -> None:
    with sites_app(settings) as client:
        create_site(client, "Bars")
        comp = client.get(f"{API}/components/name:NavMenu?links=none&expand=all", headers=ALICE).json()
        assert comp["type"] == "local"
        assert comp["isHidden"] is False
        assert comp["lastModifiedBy"]["displayName"] == "admin"
        assert comp["lastModifiedAt"] == comp["updatedAt"]
        data = _idc(client, f"IdcService=SCS_GET_COMPONENT_METADATA&item=fFolderGUID:{comp['id']}")
        [metadata] = rows(data, "ComponentMetadata")
        assert metadata["scsItemGUID"] == comp["id"]
        sites = client.get(f"{API}/sites?links=none&limit=250", headers=ALICE).json()["items"]
        used = [
            r["scsPageID"]
            for s in sites
            for r in rows(
                _idc(client, f"IdcService=SCS_GET_SITE_COMPS_CONTENT_USED&item=fFolderGUID:{s['id']}"),
                "ComponentsUsed",
            )
            if r["scsComponentName"] == "NavMenu"
        ]
        assert "100" in used
        theme = client.get(f"{API}/themes?links=none&limit=250", headers=ALICE).json()["items"][0]
        [theme_metadata] = rows(
            _idc(client, f"IdcService=SCS_GET_THEME_METADATA&item=fFolderGUID:{theme['id']}"), "ThemeMetadata"
        )
        assert theme_metadata["scsItemGUID"] == theme["id"]
        missing = _idc(client, "IdcService=SCS_GET_THEME_METADATA&item=fFolderGUID:NOPE")
        assert missing["LocalData"]["StatusCode"] == "-1"
        # every component says its type (list -t prints it); the Blog template's layouts are contentLayouts
        types = {
            c["name"]: c["type"]
            for c in client.get(f"{API}/components?links=none&limit=250", headers=ALICE).json()["items"]
        }
        assert types["StarterFooter"] == "componentGroup"
        assert types["Starter-Blog-Post-Content"] == "contentLayout"
        assert types["Starter-Blog-Post-Form"] == "contentForm"


def test_browse_sites_and_templates(settings: Settings) -> None:
    with sites_app(settings) as client:
        create_site(client, "Bars")
        sites = rows(_idc(client, "IdcService=SCS_BROWSE_SITES&siteCount=-1"), "SiteInfo")
        assert [s["fFolderName"] for s in sites] == ["Bars"]
        assert rows(_idc(client, "IdcService=SCS_BROWSE_SITES&siteCount=-1", BOB), "SiteInfo") == []
        templates = rows(
            _idc(client, "IdcService=SCS_BROWSE_SITES&siteCount=-1&fApplication=framework.site.template"),
            "SiteInfo",
        )
        assert {"BlogTemplate", "StarterTemplate"} <= {t["fFolderName"] for t in templates}


def test_a_failed_job_says_what_failed(settings: Settings) -> None:
    """A duplicate `cec copy-theme` printed "failed: undefined": the status now carries a `message`."""
    with sites_app(settings) as client:
        theme = client.get(f"{API}/themes?links=none&limit=250", headers=ALICE).json()["items"][0]
        body = {"name": theme["name"], "description": ""}
        status = wait_status(client, start(client, f"/themes/{theme['id']}/copy", body, ALICE), ALICE)
        assert status["progress"] == "failed"
        assert status["message"] == status["error"]["title"]
        assert theme["name"] in status["error"]["detail"]
        store = ContentStore(app_engine(client).db, settings.content_dir)
        assert [t["name"] for t in store.resources("themes")].count(theme["name"]) == 1
