"""A secure site's published pages (`cec set-site-security SITE -s yes ...`, then publish and bring online):
an anonymous visitor is asked to sign in (401, Basic challenge), a Content Management user the site admits sees
them (administrators and the owner always), another user is refused (403), and nothing served is cacheable
for the next visitor. A public site stays open to anyone."""

from __future__ import annotations

from starlette.testclient import TestClient

from sitejobs.auth.users import UserStore
from sitejobs.settings import Settings
from tests.api.conftest import app_engine
from tests.api.oce.sites_client import (
    API,
    PASSWORD,
    basic_auth,
    bring_online,
    create_site,
    poll_like_the_toolkit,
    sites_app,
    start,
)
from tests.api.oce.test_toolkit_groups import add_members, create_group, set_site_security_groups

ALICE = basic_auth("alice")
BOB = basic_auth("bob")
CAROL = basic_auth("carol")
ADMIN = basic_auth("admin")
JSON = {"Content-Type": "application/json"}
PAGES = ("", "index.html", "_themesdelivery/StarterTheme/designs/default/design.css")


def _statuses(client: TestClient, name: str, auth: dict[str, str] | None = None) -> list[int]:
    answers = [client.get(f"/site/{name}/{path}", headers=auth or {}) for path in PAGES]
    for answer in answers:
        if answer.status_code == 200:
            assert (answer.headers.get("cache-control") == "private") is (auth is not None), name
    return [a.status_code for a in answers]


def _set_access(client: TestClient, name: str, access: list[str]) -> str:
    """`set-site-security NAME -s yes|no [-a ...]`: the site, then its new `security.access`."""
    site_id: str = client.get(f"{API}/sites/name:{name}?links=none&expand=access", headers=ALICE).json()["id"]
    changed = client.patch(
        f"{API}/sites/{site_id}", json={"security": {"access": access}}, headers={**ALICE, **JSON}
    )
    assert changed.status_code == 200, changed.text
    return site_id


def _publish_online(client: TestClient, name: str) -> None:
    poll_like_the_toolkit(client, start(client, f"/sites/name:{name}/publish", None, ALICE), ALICE)
    bring_online(client, name, ALICE)


def _secure_bars_and_open(client: TestClient) -> str:
    """Sites "Bars", secure (`set-site-security Bars -s yes -a "Specific users" -u bob`), and "Open", public,
    both published and online, and user carol, whom Bars does not admit; returns Bars' id."""
    UserStore(app_engine(client).db).add("carol", PASSWORD)
    create_site(client, "Bars")
    create_site(client, "Open")
    site_id = _set_access(client, "Bars", ["named"])
    granted = client.post(f"{API}/sites/{site_id}/access", json={"id": "user:bob"}, headers={**ALICE, **JSON})
    assert granted.status_code < 300, granted.text
    _publish_online(client, "Bars")
    _publish_online(client, "Open")
    return site_id


def test_a_secure_site_shows_its_pages_to_the_users_it_admits(settings: Settings) -> None:
    with sites_app(settings) as client:
        site_id = _secure_bars_and_open(client)

        anonymous = client.get("/site/Bars/index.html")
        assert anonymous.status_code == 401
        assert anonymous.headers["www-authenticate"] == 'Basic realm="sitejobs"'
        assert _statuses(client, "Bars") == [401, 401, 401]
        assert _statuses(client, "Bars", basic_auth("bob", "wrong")) == [401, 401, 401]
        assert _statuses(client, "Bars", BOB) == [200, 200, 200]
        assert _statuses(client, "Bars", CAROL) == [403, 403, 403]
        assert _statuses(client, "Bars", ADMIN) == [200, 200, 200]
        assert _statuses(client, "Bars", ALICE) == [200, 200, 200]  # its owner
        assert _statuses(client, "Open") == [200, 200, 200]  # a public site: anyone, cacheable as before

        # `set-site-security Bars -s no`: offline and unpublished first, then public once online again
        assert client.post(f"{API}/sites/{site_id}/deactivate", headers=ALICE).status_code == 200
        assert client.post(f"{API}/sites/{site_id}/unpublish", headers=ALICE).status_code == 200
        _set_access(client, "Bars", ["everyone"])
        _publish_online(client, "Bars")
        assert _statuses(client, "Bars") == [200, 200, 200]


def test_a_secure_site_admits_a_group_and_cloud_users(settings: Settings) -> None:
    with sites_app(settings) as client:
        UserStore(app_engine(client).db).add("carol", PASSWORD)
        create_site(client, "Bars")
        create_group(client, ALICE, "Readers")
        assert add_members(client, ALICE, "Readers", ["carol"], [], "member") == [200]
        # `set-site-security Bars -s yes -a "Specific users" -g Readers`
        assert set_site_security_groups(client, ALICE, "Bars", ["Readers"], []) == ["Readers"]
        _publish_online(client, "Bars")
        assert _statuses(client, "Bars", CAROL) == [200, 200, 200]
        assert _statuses(client, "Bars", BOB) == [403, 403, 403]
        # `-a "Visitors"`: this server has no visitor users, so bob is still refused
        _set_access(client, "Bars", ["visitors"])
        assert _statuses(client, "Bars", BOB) == [403, 403, 403]
        assert _statuses(client, "Bars", CAROL) == [403, 403, 403]
        # `-a "Cloud users"`: any signed-in user (a secure site still, while online)
        _set_access(client, "Bars", ["cloud"])
        assert _statuses(client, "Bars", BOB) == [200, 200, 200]
        assert _statuses(client, "Bars") == [401, 401, 401]


def test_a_secure_sites_content_delivery_items_are_for_the_users_it_admits_too(settings: Settings) -> None:
    items = "/content/published/api/v1.1/items"
    with sites_app(settings) as client:
        _secure_bars_and_open(client)

        anonymous = client.get(f"{items}?site=Bars")
        assert anonymous.status_code == 401
        assert anonymous.headers["www-authenticate"] == 'Basic realm="sitejobs"'
        assert client.get(f"{items}/any-id?site=Bars").status_code == 401  # one item as much as the list
        assert client.get(f"{items}?site=Bars", headers=CAROL).status_code == 403
        for admitted in (BOB, ADMIN, ALICE):
            answer = client.get(f"{items}?site=Bars", headers=admitted)
            assert answer.status_code == 200, answer.text
            assert answer.headers["cache-control"] == "private"
        public = client.get(f"{items}?site=Open")  # a public site: anyone, cacheable as before
        assert public.status_code == 200
        assert public.headers.get("cache-control") != "private"
