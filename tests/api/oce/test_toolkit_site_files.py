"""A site's files through the Documents API, as `cec` reads and writes them: `control-site set-theme`
(sitesRest.js `_setSiteTheme`), `set-custom-property` / `remove-custom-property` (site.js
`_updateCustomSiteProperty`), and `publish -a PAGES` / `-i seo` (site.js `_getPagesFromStructure`,
`_publishSiteInternal`); plus the publish options `-u`, `-t`, `-c` (sitesRest.js `_publishResourceAsync`).
Each test replays the toolkit's requests in its order and checks what changed in the site store."""

from __future__ import annotations

import json
from typing import Any

from starlette.testclient import TestClient

from sitejobs.settings import Settings
from sitejobs.sites.content.store import ContentStore, SiteRow
from tests.api.conftest import app_engine
from tests.api.oce.sites_client import API, basic_auth, create_site, poll_like_the_toolkit, sites_app, start
from tests.api.oce.toolkit_docs import DOCS, create_file, find_file, idc_post, idc_token, read_file

ALICE = basic_auth("alice")
BOB = basic_auth("bob")


def _store(client: TestClient, settings: Settings) -> ContentStore:
    return ContentStore(app_engine(client).db, settings.content_dir)


def _stored_site(client: TestClient, settings: Settings, name: str) -> tuple[SiteRow, dict[str, Any]]:
    store = _store(client, settings)
    site = store.site(f"name:{name}")
    assert site is not None
    return site, store.load(site).siteinfo


def _site(client: TestClient, name: str, auth: dict[str, str] = ALICE) -> dict[str, Any]:
    response = client.get(f"{API}/sites/name:{name}?links=none&expand=channel,repository", headers=auth)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _set_custom_property(client: TestClient, site_id: str, name: str, value: str | None) -> dict[str, str]:
    """site.js `_updateCustomSiteProperty`: find, read, change, upload as a new version, read again."""
    found = find_file(client, ALICE, site_id, "siteinfo.json")
    assert found is not None
    siteinfo = read_file(client, ALICE, found["id"])
    assert siteinfo["properties"]["siteName"]
    custom = siteinfo["properties"].get("customProperties") or {}
    if value is None:
        del custom[name]
    else:
        custom[name] = value
    siteinfo["properties"]["customProperties"] = custom
    status, created = create_file(
        client, ALICE, site_id, "siteinfo.json", json.dumps(siteinfo, indent=4).encode()
    )
    assert 200 <= status < 300, created
    assert created["id"]
    again: dict[str, str] = read_file(client, ALICE, found["id"])["properties"]["customProperties"]
    return again


def test_set_and_remove_custom_property_change_the_stored_siteinfo(settings: Settings) -> None:
    with sites_app(settings) as client:
        create_site(client, "Props")
        site_id = _site(client, "Props")["id"]
        assert _set_custom_property(client, site_id, "color", "blue") == {"color": "blue"}
        assert _set_custom_property(client, site_id, "size", "L") == {"color": "blue", "size": "L"}
        _site_row, siteinfo = _stored_site(client, settings, "Props")
        assert siteinfo["properties"]["customProperties"] == {"color": "blue", "size": "L"}
        assert _set_custom_property(client, site_id, "color", None) == {"size": "L"}
        _site_row, siteinfo = _stored_site(client, settings, "Props")
        assert siteinfo["properties"]["customProperties"] == {"size": "L"}
        found = find_file(client, ALICE, site_id, "siteinfo.json")
        assert found is not None
        versions = client.get(f"{DOCS}/files/{found['id']}/versions", headers=ALICE).json()
        assert versions["items"][0]["version"] == "4"
        assert (
            client.get(f"{DOCS}/files/{found['id']}", headers=ALICE).json()["modifiedBy"]["loginName"]
            == "alice"
        )


def test_set_theme_rewrites_siteinfo_and_the_site_uses_the_new_theme(settings: Settings) -> None:
    with sites_app(settings) as client:
        create_site(client, "Themed")
        site = _site(client, "Themed")
        assert site["themeName"] == "StarterTheme"
        theme = client.get(f"{API}/themes/name:BlogTemplateTheme?links=none", headers=ALICE)
        assert theme.status_code == 200
        # sitesRest.js `_setSiteTheme`: siteinfo.json with the new themeName, then SCS_SET_SITE_METADATA.
        found = find_file(client, ALICE, site["id"], "siteinfo.json")
        assert found is not None
        siteinfo = read_file(client, ALICE, found["id"])
        siteinfo["properties"]["themeName"] = "BlogTemplateTheme"
        status, created = create_file(
            client, ALICE, site["id"], "siteinfo.json", json.dumps(siteinfo).encode()
        )
        assert status == 201
        assert created["id"] == found["id"]
        answer = idc_post(
            client,
            ALICE,
            "SCS_SET_SITE_METADATA",
            {"item": f"fFolderGUID:{site['id']}", "scsSiteTheme": "BlogTemplateTheme"},
        )
        assert answer["LocalData"]["StatusCode"] == "0"
        assert _site(client, "Themed")["themeName"] == "BlogTemplateTheme"
        row, stored = _stored_site(client, settings, "Themed")
        assert row.theme_name == stored["properties"]["themeName"] == "BlogTemplateTheme"


def test_site_files_are_refused_unchanged_when_wrong_or_not_yours(settings: Settings) -> None:
    with sites_app(settings) as client:
        create_site(client, "Guarded")
        site_id = _site(client, "Guarded")["id"]
        found = find_file(client, ALICE, site_id, "siteinfo.json")
        assert found is not None
        # Bob has no access: the site's folder and files do not exist for him, and he cannot write them.
        assert find_file(client, BOB, site_id, "siteinfo.json") is None
        assert client.get(f"{DOCS}/files/{found['id']}/data/", headers=BOB).status_code == 404
        status, _ = create_file(client, BOB, site_id, "siteinfo.json", b'{"properties": {}}')
        assert status == 404
        before = _stored_site(client, settings, "Guarded")[1]
        for bad in (b"not json", b"[1]", b'{"properties": {"themeName": "NoSuchTheme"}}', b"{}"):
            status, body = create_file(client, ALICE, site_id, "siteinfo.json", bad)
            assert status == 400, body
            assert body["detail"]
        status, _ = create_file(client, ALICE, site_id, "structure.json", b'{"pages": [{"id": 999999}]}')
        assert status == 400
        assert _stored_site(client, settings, "Guarded")[1] == before
        # A viewer reads but does not write.
        client.post(
            f"{API}/sites/{site_id}/members", json={"id": "bob", "role": "viewer"}, headers=ALICE
        ).raise_for_status()
        assert read_file(client, BOB, found["id"])["properties"]["siteName"] == "Guarded"
        status, _ = create_file(client, BOB, site_id, "siteinfo.json", json.dumps(before).encode())
        assert status == 403


def test_structure_and_page_writes_change_what_is_published(settings: Settings) -> None:
    with sites_app(settings) as client:
        create_site(client, "Pages")
        site_id = _site(client, "Pages")["id"]
        pages = client.get(f"{DOCS}/folders/{site_id}/items", headers=ALICE).json()
        folder = next(i for i in pages["items"] if i["name"] == "pages" and i["type"] == "folder")
        page = find_file(client, ALICE, folder["id"], "110.json")
        assert page is not None
        document = read_file(client, ALICE, page["id"])
        document["properties"]["title"] = "Themes, rewritten"
        status, _ = create_file(client, ALICE, folder["id"], "110.json", json.dumps(document).encode())
        assert status == 201
        structure_file = find_file(client, ALICE, site_id, "structure.json")
        assert structure_file is not None
        structure = read_file(client, ALICE, structure_file["id"])
        structure["pages"][0]["name"] = "Start"
        status, _ = create_file(client, ALICE, site_id, "structure.json", json.dumps(structure).encode())
        assert status == 201
        poll_like_the_toolkit(client, start(client, f"/sites/{site_id}/publish", None, ALICE), ALICE)
        out = _store(client, settings).published_dir("Pages")
        assert "Themes, rewritten" in (out / "developing-templates/themes.html").read_text()
        store = _store(client, settings)
        site = store.site(site_id)
        assert site is not None
        assert store.load(site).structure[0]["name"] == "Start"


def _published_pages(out: Any) -> dict[str, int]:
    return {
        str(p.relative_to(out)): p.stat().st_mtime_ns
        for p in out.glob("**/*.html")
        if not p.relative_to(out).parts[0].startswith("_")
    }


def test_publish_named_pages_through_scs_publish_site(settings: Settings) -> None:
    """`cec control-site publish -s Site -a 110,200`: structure.json read through the Documents API, then
    SCS_PUBLISH_SITE with `pages`, then `_status/{JobID}?expand=site&links=none` until it succeeds."""
    with sites_app(settings) as client:
        create_site(client, "Partial")
        site = _site(client, "Partial")
        structure_file = find_file(client, ALICE, site["id"], "structure.json")
        assert structure_file is not None
        ids = {str(p["id"]) for p in read_file(client, ALICE, structure_file["id"])["pages"]}
        assert {"110", "200"} <= ids
        answer = idc_post(
            client, ALICE, "SCS_PUBLISH_SITE", {"item": f"fFolderGUID:{site['id']}", "pages": "110,200"}
        )
        local = answer["LocalData"]
        assert local["StatusCode"] == "0"
        assert local["JobID"]
        status_url = f"https://sites.test{API}/sites/_status/{local['JobID']}?expand=site&links=none"
        poll_like_the_toolkit(client, status_url, ALICE)
        out = _store(client, settings).published_dir("Partial")
        assert set(_published_pages(out)) == {"developing-templates/themes.html", "privacy-policy.html"}
        assert _site(client, "Partial")["publishStatus"] == "published"
        # The other pages were not published, so the next incremental publish renders exactly them.
        poll_like_the_toolkit(client, start(client, f"/sites/{site['id']}/publish", None, ALICE), ALICE)
        assert len(_published_pages(out)) == 9


def test_publish_settings_files_seo_writes_sitemap_and_robots_only(settings: Settings) -> None:
    with sites_app(settings) as client:
        create_site(client, "Seo")
        site = _site(client, "Seo")
        answer = idc_post(
            client, ALICE, "SCS_PUBLISH_SITE", {"item": f"fFolderGUID:{site['id']}", "siteSettings": "seo"}
        )
        status_url = f"https://sites.test{API}/sites/_status/{answer['LocalData']['JobID']}"
        poll_like_the_toolkit(client, status_url, ALICE)
        out = _store(client, settings).published_dir("Seo")
        assert _published_pages(out) == {}
        sitemap = (out / "sitemap.xml").read_text()
        assert "<loc>https://sites.test/site/Seo/developing-templates/themes.html</loc>" in sitemap
        assert "Sitemap: https://sites.test/site/Seo/sitemap.xml" in (out / "robots.txt").read_text()


def test_publish_options_static_only_used_content_and_compile(settings: Settings) -> None:
    with sites_app(settings) as client:
        create_site(client, "Blog", template="BlogTemplate")
        site = _site(client, "Blog")
        out = _store(client, settings).published_dir("Blog")
        # -t: the static files (theme, components, content) and no page.
        poll_like_the_toolkit(
            client, start(client, f"/sites/{site['id']}/publish", {"onlyStaticFiles": True}, ALICE), ALICE
        )
        assert _published_pages(out) == {}
        assert (out / "_themes" / "BlogTemplateTheme").is_dir() or any(out.glob("**/*.css"))
        assert _site(client, "Blog")["publishStatus"] == "unpublished"
        content = [p.name for p in out.glob("content/**/*") if p.is_file()]
        assert sorted(content) == ["Joel.png", "caroline.png", "pipers.jpg"]
        # -u: only the content a page names; a page naming pipers.jpg makes it used.
        other = _store(client, settings).published_dir("Blog2")
        create_site(client, "Blog2", template="BlogTemplate")
        site2 = _site(client, "Blog2")
        pages_folder = f"{site2['id']}~pages"
        first = client.get(f"{DOCS}/folders/{pages_folder}/items", headers=ALICE).json()["items"][0]
        document = read_file(client, ALICE, first["id"])
        document["properties"]["image"] = "[!--$SCS_CONTENT_URL--]/pipers.jpg"
        status, _ = create_file(client, ALICE, pages_folder, first["name"], json.dumps(document).encode())
        assert status == 201
        poll_like_the_toolkit(
            client, start(client, f"/sites/{site2['id']}/publish", {"onlyUsedContent": True}, ALICE), ALICE
        )
        assert [p.name for p in other.glob("content/**/*") if p.is_file()] == ["pipers.jpg"]
        pages = _published_pages(other)
        assert pages
        # -c (skipCompile: false): every page compiled again, changed or not.
        poll_like_the_toolkit(
            client, start(client, f"/sites/{site2['id']}/publish", {"skipCompile": False}, ALICE), ALICE
        )
        again = _published_pages(other)
        assert set(again) == set(pages)
        assert all(again[p] != pages[p] for p in pages)


def test_scs_publish_site_refuses_bad_input_and_strangers(settings: Settings) -> None:
    with sites_app(settings) as client:
        create_site(client, "Refused")
        site_id = _site(client, "Refused")["id"]
        token = idc_token(client, ALICE)
        for local, status in (
            ({"item": "nonsense"}, 400),
            ({"item": f"fFolderGUID:{site_id}", "pages": "1;2"}, 400),
            ({"item": "fFolderGUID:NOSUCHSITE"}, 404),
        ):
            response = client.post(
                "/documents/integration?IdcService=SCS_PUBLISH_SITE&IsJson=1",
                json={"idcToken": token, "LocalData": {"IdcService": "SCS_PUBLISH_SITE", **local}},
                headers=ALICE,
            )
            assert response.status_code == status, response.text
            answer = response.json()["LocalData"]  # an IDC service answers its errors in the IDC shape
            assert answer["StatusCode"] == "-1"
            assert answer["StatusMessage"]
        stranger = {"IdcService": "SCS_PUBLISH_SITE", "item": f"fFolderGUID:{site_id}"}
        response = client.post(  # without an idcToken: refused before anything else
            "/documents/integration?IdcService=SCS_PUBLISH_SITE&IsJson=1",
            json={"LocalData": stranger},
            headers=BOB,
        )
        assert response.status_code == 403
        response = client.post(  # with his own: the site is not his to see
            "/documents/integration?IdcService=SCS_PUBLISH_SITE&IsJson=1",
            json={"idcToken": idc_token(client, BOB), "LocalData": stranger},
            headers=BOB,
        )
        assert response.status_code == 404
        assert client.post("/documents/integration", content=b"{", headers=ALICE).status_code == 400
