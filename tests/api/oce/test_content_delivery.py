"""Published sites' content queries as Content Delivery answers them: `GET /content/published/api/v1.1/items`
(the site runtime's `queryItems`, `runtime/files/renderer.js`) and content lists (their `queryString`,
`sortOrder`, `firstItem`, `maxResults`, applied at publish): `q`, `orderBy`, `offset`, `limit`,
`totalResults`, only for a site that is online."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from starlette.testclient import TestClient

from sitejobs.settings import Settings
from sitejobs.sites.content.content_items import ContentItems
from tests.api.oce.sites_client import (
    API,
    basic_auth,
    bring_online,
    create_site,
    sites_app,
    start,
    wait_status,
)
from tests.api.oce.test_toolkit_content_items import blog_items
from tests.api.oce.test_toolkit_enterprise_sites import setup_enterprise
from tests.api.oce.toolkit_calls import create_enterprise_site
from tests.sites.content.helpers import BLOG

DELIVERY = "/content/published/api/v1.1"
ALICE = basic_auth("alice")
POST = "Starter-Blog-Post"
CATEGORY = "starter-blog-post_category"


def _items(client: TestClient, query: str, status: int = 200) -> dict[str, Any]:
    response = client.get(f"{DELIVERY}/items?{quote(query, safe='=&:,')}")  # anyone: no credentials
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


def _posts() -> list[dict[str, Any]]:
    return sorted(
        (i for i in blog_items().values() if i["type"] == POST), key=lambda i: (i["name"].casefold(), i["id"])
    )


def _publish(client: TestClient, name: str) -> None:
    wait_status(client, start(client, f"/sites/name:{name}/publish", None, ALICE), ALICE)
    bring_online(client, name, ALICE)


def test_delivery_pages_orders_and_filters_the_items_of_an_online_site(settings: Settings) -> None:
    posts = _posts()
    assert len(posts) >= 3
    with sites_app(settings) as client:
        create_site(client, "Blog", "BlogTemplate")
        q = f'type eq "{POST}"'
        _items(client, f"site=Blog&q={q}", 404)  # not published, not online
        _publish(client, "Blog")
        first = _items(client, f"site=Blog&q={q}&orderBy=name:desc&limit=2&offset=1&totalResults=true")
        assert [i["id"] for i in first["items"]] == [i["id"] for i in reversed(posts)][1:3]
        assert (first["count"], first["offset"], first["totalResults"]) == (2, 1, len(posts))
        assert first["hasMore"] is (len(posts) > 3)
        # a field of the items, named as Content Delivery names it (hyphens and all)
        category = posts[0]["fields"][CATEGORY]
        same = [i["id"] for i in posts if i["fields"][CATEGORY] == category]
        found = _items(
            client, f'site=Blog&q=(type eq "{POST}" AND fields.{CATEGORY} eq "{category}")&limit=100'
        )
        assert sorted(i["id"] for i in found["items"]) == sorted(same)
        one = client.get(f"{DELIVERY}/items/{posts[0]['id']}?site=Blog")
        assert one.json()["name"] == posts[0]["name"]
        assert "repositoryId" not in one.json()  # a standard site has no repository
        _items(client, 'site=Blog&q=type eq "x', 400)
        _items(client, "site=Blog&orderBy=size", 400)
        # taken offline: it delivers nothing
        assert client.post(f"{API}/sites/name:Blog/deactivate", headers=ALICE).status_code == 200
        _items(client, f"site=Blog&q={q}", 404)


def test_an_enterprise_site_delivers_by_its_channel_token(settings: Settings) -> None:
    with sites_app(settings) as client:
        setup_enterprise(client)
        create_enterprise_site(client, ALICE, "BlogE", "BlogTemplate", "AcmeRepo", "Acme L10N", "en-US")
        site = client.get(f"{API}/sites/name:BlogE?links=none&expand=channel", headers=ALICE).json()
        token = site["channel"]["channelTokens"][0]["token"]
        _items(client, f"channelToken={token}", 404)
        _publish(client, "BlogE")
        body = _items(client, f"channelToken={token}&limit=500")
        assert body["limit"] == len(blog_items())
        assert {i["repositoryId"] for i in body["items"]} == {site["repository"]["id"]}
        assert {c["id"] for i in body["items"] for c in i["channels"]["data"]} == {site["channel"]["id"]}
        _items(client, "channelToken=nosuchtoken", 404)


def test_a_content_list_shows_the_items_its_settings_ask_for() -> None:
    """The Blog's post list (`contentTypes`, `sortOrder`, `maxResults`), with `firstItem` and a `queryString`."""
    content = ContentItems.load(BLOG / "template")
    posts = _posts()
    base = {"contentTypes": [POST], "sortOrder": "name:asc", "maxResults": 2}
    assert [i["id"] for i in content.query(base)] == [i["id"] for i in posts[:2]]
    assert [i["id"] for i in content.query({**base, "firstItem": 1})] == [i["id"] for i in posts[1:3]]
    newest = max(posts, key=lambda i: (i["updatedDate"]["value"], i["id"]))
    assert (
        content.query({**base, "sortOrder": "updateddate:desc", "maxResults": 1})[0]["updatedDate"]
        == newest["updatedDate"]
    )
    picked = content.query({**base, "maxResults": 100, "queryString": f'name eq "{posts[-1]["name"]}"'})
    assert [i["id"] for i in picked] == [posts[-1]["id"]]
    assert content.query({**base, "queryString": 'name eq "unclosed'}) == []
    assert content.query({**base, "contentTypes": ["NoSuchType"]}) == []
