"""The site runtime's content queries in Debian's Chromium: a component's `contentClient.queryItems({q, orderBy,
offset, limit, totalResults})` (OCE's content SDK call, `runtime/files/renderer.js`) on a published page of
the Blog site answers the page of items Content Delivery would, counted in `totalResults`."""

from __future__ import annotations

from typing import Any

import httpx

from sitejobs.settings import Settings
from tests.api.oce.browser import chromium, live_server
from tests.api.oce.sites_client import API, basic_auth, prepare
from tests.api.oce.test_content_delivery import POST, _posts
from tests.api.oce.test_published_pages_browser import _run

ALICE = basic_auth("alice")
QUERY = """args => new Promise((resolve, reject) => require(['scs-components/comp/component-context'],
    context => context.caasApi.getContentClient().queryItems(args).then(resolve, e => reject(String(e)))))"""


def test_query_items_in_the_browser_pages_and_orders(sqlite_settings: Settings) -> None:
    prepare(sqlite_settings)
    posts = _posts()
    with live_server(sqlite_settings) as base, httpx.Client(base_url=base, headers=ALICE) as client:
        template = client.get(f"{API}/templates/name:BlogTemplate?links=none").json()
        _run(client, "/sites", {"name": "BlogSite", "template": template["id"]})
        _run(client, "/sites/name:BlogSite/publish", None)
        assert client.post(f"{API}/sites/name:BlogSite/activate").status_code == 200
        with chromium() as browser:
            page = browser.new_page()
            try:
                page.goto(f"{base}/site/BlogSite/", wait_until="load")
                page.wait_for_function("() => typeof require === 'function' && !!window.SCSRenderAPI")
                args = {
                    "q": f'type eq "{POST}"',
                    "orderBy": "name:desc",
                    "offset": 1,
                    "limit": 2,
                    "totalResults": True,
                }
                answer: dict[str, Any] = page.evaluate(QUERY, args)
                bad: str = page.evaluate(
                    "args => (" + QUERY + ")(args).then(() => 'answered', e => e)", {"q": 'type eq "unclosed'}
                )
            finally:
                page.close()
    assert [i["id"] for i in answer["items"]] == [i["id"] for i in reversed(posts)][1:3]
    assert answer["totalResults"] == len(posts)
    assert answer["offset"] == 1
    assert bad.startswith("Error: queryItems:")
    assert "'q'" in bad
