"""`cec share-site`, `unshare-site`, `share-theme` and the Sites Management API's `sites/{id}/members`, replayed
as the toolkit's source makes them (site.js `shareSite`, `unshareSite`; theme.js `shareTheme`; serverRest.js
`_getUser`, `_getFolderUsers`, `_shareFolder`, `_unshareFolder`; sitesRest.js `_shareSite`), with the visibility
that sharing grants checked on the API that enforces it."""

from __future__ import annotations

import json
from typing import Any

from starlette.testclient import TestClient

from sitejobs.settings import Settings
from sitejobs.sites.content.sharing import Sharing
from sitejobs.sites.content.store import ContentStore
from tests.api.conftest import app_engine
from tests.api.oce.sites_client import API, basic_auth, create_site, sites_app
from tests.api.oce.toolkit_docs import DOCS, create_file, find_file

ALICE = basic_auth("alice")
BOB = basic_auth("bob")


def _share(
    client: TestClient, kind: str, name: str, user: str, role: str, auth: dict[str, str] = ALICE
) -> dict[str, Any]:
    """The toolkit's share command: resolve the item and the user, read the members, then create the share
    or change the role of an existing one."""
    item = client.get(f"{API}/{kind}/name:{name}?links=none", headers=auth).json()
    found = client.get(f"{DOCS}/users/items?info={user}", headers=auth).json()["items"]
    [member] = [u for u in found if u["loginName"].lower() == user.lower()]
    members = client.get(f"{DOCS}/shares/{item['id']}/items", headers=auth).json()["items"]
    existing = any(m["user"]["id"] == member["id"] for m in members)
    body = {"userID": member["id"], "role": role}
    if existing:
        response = client.put(f"{DOCS}/shares/{item['id']}/role", json=body, headers=auth)
    else:
        response = client.post(f"{DOCS}/shares/{item['id']}", json=body, headers=auth)
    assert 200 <= response.status_code < 300, response.text
    result: dict[str, Any] = response.json()
    assert result["errorCode"] == "0"
    return result


def _unshare(client: TestClient, name: str, user: str) -> dict[str, Any]:
    site = client.get(f"{API}/sites/name:{name}?links=none", headers=ALICE).json()
    [member] = client.get(f"{DOCS}/users/items?info={user}", headers=ALICE).json()["items"]
    members = client.get(f"{DOCS}/shares/{site['id']}/items", headers=ALICE).json()["items"]
    assert any(m["user"]["id"] == member["id"] for m in members)
    response = client.request(
        "DELETE",
        f"{DOCS}/shares/{site['id']}/user",
        content=json.dumps({"userID": member["id"]}),
        headers={**ALICE, "Content-Type": "application/json"},
    )
    assert 200 <= response.status_code < 300, response.text
    result: dict[str, Any] = response.json()
    return result


def _bob_sees(client: TestClient, name: str) -> bool:
    listed = {s["name"] for s in client.get(f"{API}/sites?links=none", headers=BOB).json()["items"]}
    found: bool = client.get(f"{API}/sites/name:{name}?links=none", headers=BOB).status_code == 200
    assert (name in listed) == found
    return found


def test_share_site_grants_visibility_and_unshare_takes_it_away(settings: Settings) -> None:
    with sites_app(settings) as client:
        create_site(client, "Shared")
        assert not _bob_sees(client, "Shared")
        granted = _share(client, "sites", "Shared", "bob", "viewer")
        assert (granted["user"]["loginName"], granted["role"]) == ("bob", "viewer")
        assert _bob_sees(client, "Shared")
        site_id = client.get(f"{API}/sites/name:Shared?links=none", headers=BOB).json()["id"]
        # A viewer may read the site's files but not write them; as contributor, bob may.
        siteinfo = find_file(client, BOB, site_id, "siteinfo.json")
        assert siteinfo is not None
        data = client.get(f"{DOCS}/files/{siteinfo['id']}/data/", headers=BOB).content
        assert create_file(client, BOB, site_id, "siteinfo.json", data)[0] == 403
        assert _share(client, "sites", "Shared", "bob", "contributor")["role"] == "contributor"
        assert create_file(client, BOB, site_id, "siteinfo.json", data)[0] == 201
        members = client.get(f"{DOCS}/shares/{site_id}/items", headers=ALICE).json()["items"]
        assert [(m["user"]["loginName"], m["role"]) for m in members] == [("bob", "contributor")]
        removed = _unshare(client, "Shared", "bob")
        assert removed["user"]["loginName"] == "bob"
        assert not _bob_sees(client, "Shared")


def test_sharing_is_refused_unchanged_for_strangers_viewers_and_bad_input(settings: Settings) -> None:
    with sites_app(settings) as client:
        create_site(client, "Mine")
        site_id = client.get(f"{API}/sites/name:Mine?links=none", headers=ALICE).json()["id"]
        # Bob cannot see the site, so he cannot share it with himself.
        response = client.post(
            f"{DOCS}/shares/{site_id}", json={"userID": "bob", "role": "manager"}, headers=BOB
        )
        assert response.status_code == 404
        assert not _bob_sees(client, "Mine")
        for body, status in (
            ({"userID": "bob", "role": "owner"}, 400),
            ({"userID": "nobody", "role": "viewer"}, 400),
            ({"role": "viewer"}, 400),
        ):
            response = client.post(f"{DOCS}/shares/{site_id}", json=body, headers=ALICE)
            assert response.status_code == status, response.text
            assert response.json()["detail"]
        assert client.post(f"{DOCS}/shares/{site_id}", content=b"{", headers=ALICE).status_code == 400
        assert (
            client.post(
                f"{DOCS}/shares/NOSUCH", json={"userID": "bob", "role": "viewer"}, headers=ALICE
            ).status_code
            == 404
        )
        assert client.get(f"{DOCS}/shares/{site_id}/items", headers=ALICE).json()["items"] == []
        # A viewer sees the site but may not share it further.
        _share(client, "sites", "Mine", "bob", "viewer")
        response = client.post(
            f"{DOCS}/shares/{site_id}", json={"userID": "admin", "role": "viewer"}, headers=BOB
        )
        assert response.status_code == 403


def test_share_theme_records_the_member(settings: Settings) -> None:
    with sites_app(settings) as client:
        # The fixture templates (and their themes) were installed by the administrator.
        granted = _share(client, "themes", "StarterTheme", "bob", "contributor", basic_auth("admin"))
        assert granted["role"] == "contributor"
        theme_id = client.get(f"{API}/themes/name:StarterTheme?links=none", headers=ALICE).json()["id"]
        members = client.get(f"{DOCS}/shares/{theme_id}/items", headers=ALICE).json()["items"]
        assert [(m["user"]["loginName"], m["role"]) for m in members] == [("bob", "contributor")]
        store = ContentStore(app_engine(client).db, settings.content_dir)
        assert Sharing(store).members(theme_id, site=False) == [("bob", "contributor")]
        # Bob is not the theme's owner nor one of its managers.
        response = client.post(
            f"{DOCS}/shares/{theme_id}", json={"userID": "alice", "role": "viewer"}, headers=BOB
        )
        assert response.status_code == 403


def test_site_members_resource(settings: Settings) -> None:
    with sites_app(settings) as client:
        create_site(client, "Members")
        url = f"{API}/sites/name:Members/members"
        response = client.post(url, json={"id": "bob", "role": "downloader"}, headers=ALICE)
        assert response.status_code == 201, response.text
        assert response.json()["role"] == "downloader"
        assert _bob_sees(client, "Members")
        items = client.get(url, headers=BOB).json()["items"]
        assert [(m["name"], m["role"]) for m in items] == [("bob", "downloader")]
        assert client.post(url, json={"id": "bob", "role": "manager"}, headers=BOB).status_code == 403
        assert client.delete(f"{url}/bob", headers=ALICE).status_code == 204
        assert not _bob_sees(client, "Members")
        assert client.delete(f"{url}/bob", headers=ALICE).status_code == 400
