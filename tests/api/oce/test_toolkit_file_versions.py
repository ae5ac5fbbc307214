"""Every version of a site file written through the Documents API stays readable: `cec set-custom-property`
writes new versions (site.js `_updateCustomSiteProperty`), `cec describe-file site:NAME/siteinfo.json` lists them
(document.js `describeFile` → `_getFileVersions`: `FLD_FILE_REVISIONS`) and `cec download-file … -v N` reads one
(document.js `_downloadFile`: the `REVISIONS` row whose `dRevisionID` is N, then serverRest.js `downloadFileSave`:
`files/{id}/data/?version=N`)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select
from starlette.testclient import TestClient

from sitejobs.settings import Settings
from sitejobs.sites.content import schema
from tests.api.conftest import app_engine
from tests.api.oce.sites_client import API, basic_auth, create_site, sites_app, start, wait_status
from tests.api.oce.test_toolkit_site_files import _set_custom_property
from tests.api.oce.toolkit_calls import IDC, rows
from tests.api.oce.toolkit_docs import DOCS, create_file, find_file, read_file

ALICE = basic_auth("alice")
BOB = basic_auth("bob")


def _describe_file(client: TestClient, auth: dict[str, str], site: str, name: str) -> dict[str, Any]:
    """`describe-file site:SITE/NAME`: the site, the file in its folder, its info, then its revisions."""
    site_id = client.get(f"{API}/sites/name:{site}?links=none", headers=auth).json()["id"]
    found = find_file(client, auth, site_id, name)
    assert found is not None
    info = client.get(f"{DOCS}/files/{found['id']}", headers=auth).json()
    revisions = client.get(
        f"{IDC}?IdcService=FLD_FILE_REVISIONS&IsJson=1&item=fFileGUID:{found['id']}", headers=auth
    ).json()
    assert revisions["LocalData"]["StatusCode"] == "0", revisions
    return {"file": info, "versions": rows(revisions, "REVISIONS")}


def _download(client: TestClient, auth: dict[str, str], file_id: str, version: str) -> Any:
    response = client.get(f"{DOCS}/files/{file_id}/data/?version={version}", headers=auth)
    assert response.status_code == 200, response.text
    return json.loads(response.content)


def test_every_version_of_a_site_file_can_be_listed_and_read(settings: Settings) -> None:
    with sites_app(settings) as client:
        site_id = create_site(client, "Props")
        found = find_file(client, ALICE, site_id, "siteinfo.json")
        assert found is not None
        original = read_file(client, ALICE, found["id"])
        _set_custom_property(client, site_id, "color", "blue")
        _set_custom_property(client, site_id, "color", "red")
        described = _describe_file(client, ALICE, "Props", "siteinfo.json")
        assert described["file"]["version"] == "3"
        versions = described["versions"]
        assert [v["dRevisionID"] for v in versions] == ["3", "2", "1"]
        assert versions[2]["fLastModifiedDate"] == described["file"]["createdTime"]
        # `download-file site:Props/siteinfo.json -v N`, for each N the listing names
        read = {v["dRevisionID"]: _download(client, ALICE, found["id"], v["dRevisionID"]) for v in versions}
        assert read["1"] == original
        assert read["2"]["properties"]["customProperties"] == {"color": "blue"}
        assert read["3"]["properties"]["customProperties"] == {"color": "red"}
        assert read["3"] == read_file(client, ALICE, found["id"])
        for version in versions:
            size = len(
                client.get(
                    f"{DOCS}/files/{found['id']}/data/?version={version['dRevisionID']}", headers=ALICE
                ).content
            )
            assert int(version["dFileSize"]) == size
        listed = client.get(f"{DOCS}/files/{found['id']}/versions", headers=ALICE).json()
        assert [(i["version"], i["latestVersion"]) for i in listed["items"]] == [
            ("3", "3"),
            ("2", "3"),
            ("1", "3"),
        ]
        assert listed["items"][1]["modifiedBy"]["loginName"] == "alice"
        # no such version; not alice's: the same 404
        assert client.get(f"{DOCS}/files/{found['id']}/data/?version=4", headers=ALICE).status_code == 404
        assert client.get(f"{DOCS}/files/{found['id']}/data/?version=1", headers=BOB).status_code == 404
        assert client.get(f"{DOCS}/files/{found['id']}/versions", headers=BOB).status_code == 404


def test_page_versions_and_a_refused_write_keeps_none(settings: Settings) -> None:
    with sites_app(settings) as client:
        site_id = create_site(client, "Pages")
        pages = find_file(client, ALICE, site_id, "pages")
        assert pages is not None
        page = find_file(client, ALICE, pages["id"], "100.json")
        assert page is not None
        before = read_file(client, ALICE, page["id"])
        changed = json.loads(json.dumps(before))
        changed["properties"]["title"] = "Changed"
        status, _ = create_file(client, ALICE, pages["id"], "100.json", json.dumps(changed).encode())
        assert status == 201
        bad = json.loads(json.dumps(before))
        bad["properties"]["pageLayout"] = "no-such-layout.html"
        status, _ = create_file(client, ALICE, pages["id"], "100.json", json.dumps(bad).encode())
        assert status == 400
        assert _download(client, ALICE, page["id"], "1") == before
        assert _download(client, ALICE, page["id"], "2")["properties"]["title"] == "Changed"
        listed = client.get(f"{DOCS}/files/{page['id']}/versions", headers=ALICE).json()
        assert [i["version"] for i in listed["items"]] == ["2", "1"]
        # the kept versions go with the site when it is deleted for good
        db = app_engine(client).db
        count = select(func.count()).select_from(schema.site_file_revisions)
        with db.connect() as conn:
            assert conn.execute(count).scalar() == 1
        wait_status(client, start(client, f"/sites/{site_id}/hardDelete", None, ALICE), ALICE)
        with db.connect() as conn:
            assert conn.execute(count).scalar() == 0
