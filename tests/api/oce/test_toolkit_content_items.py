"""`cec describe-site` of an enterprise site (site.js `describeSite`), replayed call by call: the site, the three
item counts through the Content Management items API (serverRest.js `queryItems` / `_queryAllItems` /
`_queryItems`), the site metadata, siteinfo.json, the site folder, structure.json, the theme's layouts and the
page files; and the items API's own paging, ordering and filtering."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import quote

from starlette.testclient import TestClient

from sitejobs.settings import Settings
from tests.api.oce.sites_client import API, basic_auth, sites_app
from tests.api.oce.test_toolkit_enterprise_sites import setup_enterprise
from tests.api.oce.toolkit_calls import CM, IDC, create_enterprise_site, make_repository, rows
from tests.api.oce.toolkit_docs import DOCS, find_file, read_file

ALICE = basic_auth("alice")
BOB = basic_auth("bob")
ADMIN = basic_auth("admin")
DESCRIBE_EXPAND = "ownedBy,createdBy,lastModifiedBy,members,repository,channel,vanityDomain,siteCategory"
BLOG_EXPORT = (
    Path(__file__).parents[3].parent
    / "shared/fixtures/oce-site-template/BlogTemplate/template/assets/contenttemplate/export.zip"
)


def blog_items() -> dict[str, dict[str, Any]]:
    """The BlogTemplate's content items, read from the fixture itself (not through the server's code)."""
    found = {}
    with zipfile.ZipFile(BLOG_EXPORT) as archive:
        for name in archive.namelist():
            parts = name.split("/")
            wanted = len(parts) == 4 and parts[1] == "ContentItems" and parts[2] != "VariationSets"
            if wanted and parts[3].endswith(".json"):
                item = json.loads(archive.read(name))
                found[item["id"]] = item
    return found


def _query_items(client: TestClient, auth: dict[str, str], query: str) -> dict[str, Any]:
    """`_queryItems`: node-fetch percent-encodes the raw `q` (spaces, quotes) as a URL parser does."""
    response = client.get(f"{CM}/items?{quote(query, safe='=&:,!$()*+;/?@')}", headers=auth)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def query_items(client: TestClient, auth: dict[str, str], q: str, limit: int) -> dict[str, Any]:
    """serverRest.js `queryItems({q, limit, showTotal: false})`: one item ordered by id to learn the total
    (the answer's `limit`), then, unless that already answers it, the page asked for."""
    first = _query_items(client, auth, f"q={q}&orderBy=id&limit=1&offset=0")
    if not first["items"] or first["limit"] == limit:
        return first
    return _query_items(client, auth, f"q={q}&orderBy=id&limit={limit}&offset=0")


def describe_site(client: TestClient, auth: dict[str, str], name: str) -> dict[str, Any]:
    """What `cec describe-site NAME` prints for an enterprise site, by the calls it makes."""
    response = client.get(f"{API}/sites/name:{name}?links=none&expand={DESCRIBE_EXPAND}", headers=auth)
    assert response.status_code == 200, response.text
    site = response.json()
    channel, repository = site["channel"]["id"], site["repository"]["id"]
    master = query_items(client, auth, f'channels co "{channel}" AND languageIsMaster eq "true"', 1)
    total = query_items(client, auth, f'channels co "{channel}"', 1)
    other = query_items(client, auth, f'repositoryId ne "{repository}" AND channels co "{channel}"', 1)
    metadata = client.get(
        f"{IDC}?IdcService=SCS_GET_SITE_METADATA&item=fFolderGUID:{site['id']}&IsJson=1", headers=auth
    ).json()
    assert metadata["LocalData"]["StatusCode"] == "0"
    used = client.get(
        f"{IDC}?IdcService=SCS_GET_SITE_COMPS_CONTENT_USED&item=fFolderGUID:{site['id']}&IsJson=1",
        headers=auth,
    ).json()
    assert used["LocalData"]["StatusCode"] == "0"
    siteinfo_file = find_file(client, auth, site["id"], "siteinfo.json")
    assert siteinfo_file is not None
    siteinfo = read_file(client, auth, siteinfo_file["id"])
    children = client.get(f"{DOCS}/folders/{site['id']}/items?limit=10000", headers=auth).json()["items"]
    structure_file = find_file(client, auth, site["id"], "structure.json")
    assert structure_file is not None
    pages = read_file(client, auth, structure_file["id"])["pages"]
    layouts = client.get(
        f"{IDC}?IdcService=SCS_BROWSE_LAYOUTS&theme={site['themeName']}&layoutCount=-1&IsJson=1", headers=auth
    ).json()
    pages_folder = find_file(client, auth, site["id"], "pages")
    assert pages_folder is not None
    page_files = client.get(f"{DOCS}/folders/{pages_folder['id']}/items?limit=10000", headers=auth).json()
    by_name = {f["name"]: f["id"] for f in page_files["items"]}
    page_layouts = {
        page["id"]: read_file(client, auth, by_name[f"{page['id']}.json"])["properties"]["pageLayout"]
        for page in pages
    }
    return {
        "Total master items": master["limit"],
        "Total items": total["limit"],
        "Total items from other repositories": other["limit"],
        "Total pages": len(pages),
        "Total page translations": sum(1 for c in children if c["name"].endswith("_structure.json")),
        "Site channel token": site["channel"]["channelTokens"][0]["token"],
        "siteinfo": siteinfo,
        "theme layouts": [layout["properties"]["pageLayout"] for layout in layouts],
        "page layouts": page_layouts,
        "components used": rows(used, "ComponentsUsed"),
    }


def test_describe_site_counts_the_items_of_the_site_channel(settings: Settings) -> None:
    expected = blog_items()
    masters = [i for i in expected.values() if i.get("languageIsMaster", True)]
    assert len(expected) > 1
    with sites_app(settings) as client:
        setup_enterprise(client)
        create_enterprise_site(client, ALICE, "BlogSite", "BlogTemplate", "AcmeRepo", "Acme L10N", "en-US")
        described = describe_site(client, ALICE, "BlogSite")
        assert described["Total master items"] == len(masters)
        assert described["Total items"] == len(expected)
        assert described["Total items from other repositories"] == 0
        assert described["Total pages"] > 1
        assert set(described["page layouts"].values()) <= set(described["theme layouts"])
        # the items the channel holds are exactly the template's, in the site's repository
        site = client.get(f"{API}/sites/name:BlogSite?links=none&expand=channel", headers=ALICE).json()
        listed = _query_items(client, ALICE, f'q=channels co "{site["channel"]["id"]}"&limit=500')
        assert {i["id"] for i in listed["items"]} == set(expected)
        assert {i["repositoryId"] for i in listed["items"]} == {site["repository"]["id"]}
        one = next(iter(expected.values()))
        read = client.get(f"{CM}/items/{one['id']}", headers=ALICE).json()
        assert (read["name"], read["type"]) == (one["name"], one["type"])
        # bob may not see the site, so neither its items
        assert query_items(client, BOB, f'channels co "{site["channel"]["id"]}"', 1)["limit"] == 0
        assert client.get(f"{CM}/items/{one['id']}", headers=BOB).status_code == 404
        # a second site of the template in another repository: its items are other items, counted apart
        make_repository(client, ADMIN, "OtherRepo")
        create_enterprise_site(client, ALICE, "BlogTwo", "BlogTemplate", "OtherRepo", "Acme L10N", "en-US")
        assert describe_site(client, ALICE, "BlogTwo")["Total items"] == len(expected)
        assert describe_site(client, ALICE, "BlogSite")["Total items from other repositories"] == 0
        everything = _query_items(client, ALICE, "limit=1&totalResults=true")
        assert everything["totalResults"] == 2 * len(expected)


def test_items_pages_orders_and_filters(settings: Settings) -> None:
    expected = blog_items()
    with sites_app(settings) as client:
        setup_enterprise(client)
        create_enterprise_site(client, ALICE, "BlogSite", "BlogTemplate", "AcmeRepo", "Acme L10N", "en-US")
        by_name = sorted(expected.values(), key=lambda i: (i["name"].casefold(), i["id"]))
        seen: list[str] = []
        offset = 0
        while True:  # `_queryAllItems`: pages of `limit` at growing offsets, ordered
            page = _query_items(client, ALICE, f"orderBy=name:asc&limit=7&offset={offset}&totalResults=true")
            assert page["count"] == len(page["items"]) <= 7
            assert page["offset"] == offset
            assert page["totalResults"] == page["limit"] == len(expected)
            seen += [i["id"] for i in page["items"]]
            if not page["hasMore"]:
                break
            offset += 7
        assert seen == [i["id"] for i in by_name]
        newest = _query_items(client, ALICE, "orderBy=updatedDate:desc&limit=1")["items"][0]
        assert newest["updatedDate"]["value"] == max(i["updatedDate"]["value"] for i in expected.values())
        posts = [i for i in expected.values() if i["type"] == "Starter-Blog-Post"]
        found = _query_items(client, ALICE, 'q=type eq "Starter-Blog-Post" AND NOT name co "zzz"&limit=100')
        assert sorted(i["id"] for i in found["items"]) == sorted(i["id"] for i in posts)
        assert found["limit"] == len(posts)
        either = _query_items(client, ALICE, f'q=(id eq "{posts[0]["id"]}" OR id eq "{posts[1]["id"]}")')
        assert either["limit"] == 2
        for bad in ('q=nofield eq "x"', "limit=0", "offset=-1", "orderBy=size:asc", 'q=name eq "x'):
            response = client.get(f"{CM}/items?{quote(bad, safe='=&:')}", headers=ALICE)
            assert response.status_code == 400, (bad, response.text)
