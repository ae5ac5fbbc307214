"""Who sees a published site: only an online site is served (an offline, never-online or trashed one is a 404
for every file of it), and its root URL shows the home page, whatever the home page's file is called."""

from __future__ import annotations

import json
from pathlib import Path

from starlette.testclient import TestClient

from sitejobs.settings import Settings
from sitejobs.sites.content.install import install_template
from sitejobs.sites.content.store import ContentStore
from tests.api.conftest import app_engine
from tests.api.oce.sites_client import (
    API,
    basic_auth,
    bring_online,
    create_site,
    poll_like_the_toolkit,
    sites_app,
    start,
)
from tests.sites.content.helpers import STARTER, copy_template

ALICE = basic_auth("alice")
THEME_FILE = "_themesdelivery/StarterTheme/designs/default/design.css"


def _publish(client: TestClient, name: str) -> None:
    poll_like_the_toolkit(client, start(client, f"/sites/name:{name}/publish", None, ALICE), ALICE)


def _statuses(client: TestClient, name: str) -> list[int]:
    return [client.get(f"/site/{name}/{path}").status_code for path in ("", "index.html", THEME_FILE)]


def test_only_an_online_site_is_served(settings: Settings) -> None:
    with sites_app(settings) as client:
        create_site(client, "Bars")
        _publish(client, "Bars")
        never_online = client.get("/site/Bars/index.html")
        assert never_online.status_code == 404
        assert never_online.json()["o:errorCode"] == "OCE-SITEMGMT-009901"
        assert _statuses(client, "Bars") == [404, 404, 404]

        bring_online(client, "Bars", ALICE)
        assert _statuses(client, "Bars") == [200, 200, 200]
        assert client.get("/site/bars/index.html").status_code == 404  # the folder is the exact name

        assert client.post(f"{API}/sites/name:Bars/deactivate", headers=ALICE).status_code == 200
        assert _statuses(client, "Bars") == [404, 404, 404]

        assert client.delete(f"{API}/sites/name:Bars", headers=ALICE).status_code == 204
        assert _statuses(client, "Bars") == [404, 404, 404]
        assert client.post(f"{API}/sites/name:Bars/undelete", headers=ALICE).status_code == 200
        bring_online(client, "Bars", ALICE)
        assert _statuses(client, "Bars") == [200, 200, 200]
        assert client.get("/site/NoSuchSite/index.html").status_code == 404


def test_the_root_url_shows_the_home_page_when_no_page_is_index_html(
    settings: Settings, tmp_path: Path
) -> None:
    template = copy_template(STARTER, tmp_path)
    structure_file = template / "template" / "structure.json"
    structure = json.loads(structure_file.read_text())
    [home] = [page for page in structure["pages"] if page["parentId"] is None]
    assert home["pageUrl"] == "index.html"
    home["pageUrl"] = "home.html"
    structure_file.write_text(json.dumps(structure))
    with sites_app(settings) as client:
        store = ContentStore(app_engine(client).db, settings.content_dir)
        install_template(store, template, name="HomeHtmlTemplate", owner="admin")
        site_url = "/site/HomeFirst/"
        create_site(client, "HomeFirst", "HomeHtmlTemplate")
        site = client.get(f"{API}/sites/name:HomeFirst?links=none", headers=ALICE).json()
        assert site["siteURL"].endswith(site_url)
        _publish(client, "HomeFirst")
        bring_online(client, "HomeFirst", ALICE)
        root = client.get(site_url)
        assert root.status_code == 200
        assert root.headers["content-type"].startswith("text/html")
        assert root.text == client.get(f"{site_url}home.html").text
        assert "<title>" in root.text
        redirected = client.get(site_url.rstrip("/"), follow_redirects=False)
        assert redirected.status_code in (307, 308)
