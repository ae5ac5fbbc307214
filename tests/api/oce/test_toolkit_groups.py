"""Groups as the toolkit makes them and `set-site-security -g` admits them: `cec create-group`,
`cec add-member-to-group`, `cec remove-member-from-group`, `cec delete-group` (group.js; serverRest.js
`_getGroup`, `_createConnection`, `_createGroup`, `_addMemberToGroup`, `_getGroupMembers`,
`_removeMemberFromGroup`, `_deleteGroup`) and `cec set-site-security NAME -s yes -a "Specific users" -g G` /
`-o G` (site.js `_setSiteSecurityREST`: `getGroup` per name, then `grantSiteAccess` / `removeSiteAccess` with
`group:NAME`)."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from sitejobs.settings import Settings
from sitejobs.sites.content.groups import GroupStore, admitted_users
from sitejobs.sites.content.site_settings import SiteSettingsStore
from tests.api.conftest import app_engine
from tests.api.oce.sites_client import API, basic_auth, create_site, sites_app

OSN = "/osn/social/api/v1"
ALICE = basic_auth("alice")
BOB = basic_auth("bob")
ADMIN = basic_auth("admin")
JSON = {"Content-Type": "application/json"}


def _get_group(client: TestClient, auth: dict[str, str], name: str) -> dict[str, Any] | None:
    """`_getGroup`: any answer but 200 is "no such group"."""
    response = client.get(f"{OSN}/groups/{name}", headers=auth)
    if response.status_code != 200:
        return None
    group: dict[str, Any] = response.json()
    return group


def _connect(client: TestClient, auth: dict[str, str]) -> dict[str, str]:
    """`_createConnection`: the apiRandomID every change sends as X-Waggle-RandomID."""
    response = client.post(f"{OSN}/connections", headers=auth)
    assert response.status_code == 200, response.text
    return {**auth, **JSON, "X-Waggle-RandomID": response.json()["apiRandomID"]}


def create_group(client: TestClient, auth: dict[str, str], name: str, kind: str = "PUBLIC_OPEN") -> str:
    """`cec create-group NAME [-t TYPE]`: the name must be free, then connect and create (200 wanted)."""
    assert _get_group(client, auth, name) is None
    response = client.post(
        f"{OSN}/groups", json={"name": name, "groupType": kind}, headers=_connect(client, auth)
    )
    assert response.status_code == 200, response.text
    group_id: str = response.json()["id"]
    return group_id


def add_members(
    client: TestClient, auth: dict[str, str], group: str, users: list[str], groups: list[str], role: str
) -> list[int]:
    """`cec add-member-to-group GROUP -u USERS -g GROUPS -r ROLE`: the group, the users (Documents users)
    and groups looked up, then one POST per member."""
    found = _get_group(client, auth, group)
    assert found is not None
    statuses = []
    headers = _connect(client, auth)
    for user in users:
        listed = client.get(f"/documents/api/1.2/users/items?info={user}", headers=auth).json()
        assert user in [u["loginName"] for u in listed["items"]]
        body = {"member": user, "role": f"GROUP_{role.upper()}", "isGroup": False}
        statuses.append(
            client.post(f"{OSN}/groups/{found['id']}/members", json=body, headers=headers).status_code
        )
    for name in groups:
        inner = _get_group(client, auth, name)
        assert inner is not None
        body = {"member": inner["name"], "role": f"GROUP_{role.upper()}", "isGroup": True}
        statuses.append(
            client.post(f"{OSN}/groups/{found['id']}/members", json=body, headers=headers).status_code
        )
    return statuses


def set_site_security_groups(
    client: TestClient, auth: dict[str, str], site: str, add: list[str], delete: list[str]
) -> list[str]:
    """`set-site-security SITE -s yes -a "Specific users" -g ADD -o DELETE`; the viewers it then prints."""
    found = client.get(f"{API}/sites/name:{site}?links=none&expand=access", headers=auth).json()
    members = [item["name"] for item in found.get("access", {}).get("items", [])]
    groups = [g for g in (_get_group(client, auth, name) for name in [*add, *delete]) if g is not None]
    changed = client.patch(
        f"{API}/sites/{found['id']}", json={"security": {"access": ["named"]}}, headers={**auth, **JSON}
    )
    assert changed.status_code == 200, changed.text
    for group in groups:
        if group["name"] in delete and group["name"] in members:
            gone = client.delete(f"{API}/sites/{found['id']}/access/group:{group['name']}", headers=auth)
            assert gone.status_code < 300, gone.text
    for group in groups:
        if group["name"] in add and group["name"] not in members:
            granted = client.post(
                f"{API}/sites/{found['id']}/access",
                json={"id": f"group:{group['name']}"},
                headers={**auth, **JSON},
            )
            assert granted.status_code < 300, granted.text
    after = client.get(f"{API}/sites/{found['id']}?links=none&expand=access", headers=auth).json()
    return [item.get("displayName") or item["name"] for item in after["access"]["items"]]


def test_a_secure_site_admits_the_users_of_a_group(settings: Settings) -> None:
    with sites_app(settings) as client:
        site_id = create_site(client, "Bars")
        create_group(client, ALICE, "Readers")
        assert add_members(client, ALICE, "Readers", ["bob"], [], "member") == [200]
        readers = _get_group(client, ALICE, "readers")
        assert readers is not None
        members = client.get(f"{OSN}/groups/{readers['id']}/members", headers=ALICE)
        assert {(m["name"], m["role"]) for m in members.json()["items"]} == {
            ("alice", "GROUP_MANAGER"),
            ("bob", "GROUP_MEMBER"),
        }
        assert set_site_security_groups(client, ALICE, "Bars", ["Readers"], []) == ["Readers"]
        db = app_engine(client).db
        access = SiteSettingsStore(db).members(site_id)
        assert access == ["group:Readers"]
        assert admitted_users(db, access) == {"alice", "bob"}
        # a group in a group: its users are admitted too
        create_group(client, ADMIN, "Editors", "PUBLIC_CLOSED")
        assert add_members(client, ADMIN, "Editors", ["admin"], ["Readers"], "member") == [200, 200]
        assert set_site_security_groups(client, ALICE, "Bars", ["Editors"], ["Readers"]) == ["Editors"]
        access = SiteSettingsStore(db).members(site_id)
        assert access == ["group:Editors"]
        assert admitted_users(db, access) == {"admin", "alice", "bob"}
        # `remove-member-from-group Readers -m bob`: the group's members, then DELETE by the member's id
        readers = _get_group(client, ALICE, "Readers")
        assert readers is not None
        listed = client.get(f"{OSN}/groups/{readers['id']}/members", headers=ALICE).json()["items"]
        bob = next(m for m in listed if m["name"] == "bob")
        headers = _connect(client, ALICE)
        assert (
            client.delete(f"{OSN}/groups/{readers['id']}/members/{bob['id']}", headers=headers).status_code
            == 200
        )
        assert admitted_users(db, access) == {"admin", "alice"}
        # `delete-group Editors`: the site no longer admits it
        editors = _get_group(client, ADMIN, "Editors")
        assert editors is not None
        assert (
            client.delete(f"{OSN}/groups/{editors['id']}", headers=_connect(client, ADMIN)).status_code == 200
        )
        assert SiteSettingsStore(db).members(site_id) == []
        assert GroupStore(db).get("Editors") is None


def test_groups_refuse_what_the_social_api_refuses(settings: Settings) -> None:
    with sites_app(settings) as client:
        site_id = create_site(client, "Bars")
        # set-site-security -g Nobody: no such group, and the site cannot admit it either
        assert _get_group(client, ALICE, "Nobody") is None
        unknown = client.post(
            f"{API}/sites/{site_id}/access", json={"id": "group:Nobody"}, headers={**ALICE, **JSON}
        )
        assert unknown.status_code == 404
        group_id = create_group(client, ALICE, "Closed", "PRIVATE_CLOSED")
        again = client.post(f"{OSN}/groups", json={"name": "closed"}, headers=_connect(client, BOB))
        assert again.status_code == 409
        # no connection, another user's connection, a member who is no manager: refused
        body = {"member": "bob", "role": "GROUP_MEMBER", "isGroup": False}

        def post_member(group: str, member: dict[str, Any], headers: dict[str, str]) -> int:
            return client.post(f"{OSN}/groups/{group}/members", json=member, headers=headers).status_code

        assert post_member(group_id, body, {**ALICE, **JSON}) == 403
        assert post_member(group_id, body, {**_connect(client, BOB), **ALICE}) == 403  # a stolen connection
        assert post_member(group_id, body, _connect(client, BOB)) == 403
        assert client.delete(f"{OSN}/groups/{group_id}", headers=_connect(client, BOB)).status_code == 403
        # anyone may join an open group, but only as a member
        open_id = create_group(client, ALICE, "Open")
        assert post_member(open_id, body, _connect(client, BOB)) == 200
        assert post_member(open_id, {**body, "role": "GROUP_MANAGER"}, _connect(client, BOB)) == 403
        assert post_member(open_id, {**body, "member": "nobody"}, _connect(client, ALICE)) == 404
        listed = client.get(f"{OSN}/groups?count=1&offset=0", headers=BOB).json()
        assert (listed["count"], listed["hasMore"]) == (1, True)
        assert [g["name"] for g in listed["items"]] == ["Closed"]
