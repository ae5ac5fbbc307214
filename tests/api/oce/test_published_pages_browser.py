"""Published sites of the real templates, opened in Debian's Chromium as a visitor would: every page of the site
loads with no failed request for a file the template has and no script error, the navigation menu shows a link
to each page of the site's top level, and every custom component renders (navigation menus, banners, footers).

The templates are the fixtures in shared/fixtures/oce-site-template (and, when it is set, the folder
SITEJOBS_EXTRA_TEMPLATES holds more of them, e.g. the toolkit's CafeSupremoLite and KnowledgeTemplate).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from sitejobs.engine.service import JobEngine
from sitejobs.jobs.builtin import default_registry
from sitejobs.settings import Settings
from sitejobs.sites.content.install import install_template
from sitejobs.sites.content.store import ContentStore
from sitejobs.sites.content.template import load_template
from tests.api.oce.browser import PageReport, chromium, live_server, load
from tests.api.oce.sites_client import API, TEMPLATES, basic_auth, poll_like_the_toolkit, prepare

ALICE = basic_auth("alice")
#: The templates opened in the browser, and the custom components each one's pages must show.
EXPECTED = {
    "StarterTemplate": {"StarterComponent", "IDCS-Login"},
    "BlogTemplate": {
        "Starter-Blog-Post-Summary",
        "Starter-Blog-Post-Header",
        "Starter-Blog-Post-Content",
        "Starter-Blog-Post-Sidebar",
    },
    "CafeSupremoLite": {"NavMenu_CafeSupremoLite"},
    "KnowledgeTemplate": {
        "Knowledge-NavBar",
        "Knowledge-Banner-overview",
        "Knowledge-Employee-overview",
        "Knowledge-Employee-Detail",
        "Knowledge-Banner-detail",
    },
}
#: What stays a placeholder: components that need the Content Management content API (not served here).
NEEDS_CONTENT = {"scs-contentlist", "scs-contentsearch", "scs-component", "scs-map"}
#: Components that render but show nothing here: they query the content GraphQL API, which is not served.
NOT_SERVED = {("Knowledge-Banner-detail", "empty")}
CONTENT_IDS = {"scs-contentitem", "scs-contentplaceholder"}
MENU_SELECTORS = "nav a, #topnav a, #navbar-list a, .navbar a, .scs-nav a"


def template_folder(name: str) -> Path:
    for root in (TEMPLATES, Path(os.environ.get("SITEJOBS_EXTRA_TEMPLATES", "/nonexistent"))):
        if (root / name / "template" / "structure.json").is_file():
            return root / name
    pytest.skip(f"the template {name} is neither in {TEMPLATES} nor in $SITEJOBS_EXTRA_TEMPLATES")


@pytest.fixture(params=list(EXPECTED))
def published_site(
    request: pytest.FixtureRequest, sqlite_settings: Settings, tmp_path: Path
) -> Iterator[tuple[str, Path, str]]:
    """(the site's URL, its template folder, the template's name) for a site made from the template,
    published and online, served by a live server (on SQLite: what is tested here is the page, not the store)."""
    name = request.param
    settings = sqlite_settings
    folder = template_folder(name)
    prepare(settings)
    engine = JobEngine.open(settings, default_registry(settings.jobs_module))
    try:
        install_template(ContentStore(engine.db, settings.content_dir), folder, name=name, owner="admin")
    finally:
        engine.close()
    with live_server(settings) as base, httpx.Client(base_url=base, headers=ALICE) as client:
        template = client.get(f"{API}/templates/name:{name}?links=none").json()
        site = f"{name}Site"
        _run(client, "/sites", {"name": site, "template": template["id"]})
        _run(client, f"/sites/name:{site}/publish", None)
        assert client.post(f"{API}/sites/name:{site}/activate").status_code == 200
        site_url = client.get(f"{API}/sites/name:{site}?links=none").json()["siteURL"]
        assert site_url == f"{base}/site/{site}/"
        yield site_url, folder, name


def _run(client: httpx.Client, path: str, body: dict[str, object] | None) -> None:
    response = client.post(
        f"{API}{path}", json=body, headers={"Prefer": "respond-async", "Content-Type": "application/json"}
    )
    assert response.status_code == 202, response.text
    poll_like_the_toolkit(client, response.headers["Location"], ALICE)


def _template_has(folder: Path, url: str) -> bool:
    """Whether the file a failed URL asked for is one the template ships (then it must have been served)."""
    name = Path(urlsplit(url).path).name
    return any(path.is_file() for path in folder.rglob(name)) if name else False


def _check(report: PageReport, folder: Path, page: dict[str, Any]) -> None:
    missing = [failure for failure in report.failed if _template_has(folder, failure.split(" ")[1])]
    assert missing == [], report
    assert report.errors == [], report
    not_rendered = {app: state for app, state in report.components.items() if state != "rendered"}
    assert {app: state for app, state in not_rendered.items() if (app, state) not in NOT_SERVED} == {}, report
    instances = page.get("componentInstances") or {}
    for slot_id, slot in (page.get("slots") or {}).items():
        if slot_id in report.slots and any(
            _shows(instances.get(i), instances) for i in slot.get("components") or ()
        ):
            assert report.slots[slot_id] > 0, (slot_id, report)
    assert {p.split(" ")[0] for p in report.placeholders} <= NEEDS_CONTENT, report


def _shows(instance: Any, instances: dict[str, Any], depth: int = 0) -> bool:
    """Whether a component instance has something to show that needs no content from the content API (a
    group or section layout: whether one of its components has)."""
    if not isinstance(instance, dict) or instance.get("data", {}).get("visible") is False or depth > 16:
        return False
    if instance.get("type") in NEEDS_CONTENT - {"scs-component"} or instance.get("id") in CONTENT_IDS:
        return False
    if instance.get("data", {}).get("contentPlaceholder") is True:
        return False
    if instance.get("type") in ("scs-componentgroup", "scs-sectionlayout"):
        children = instance.get("data", {}).get("components") or ()
        return any(_shows(instances.get(child), instances, depth + 1) for child in children)
    return not str(instance.get("id", "")).startswith("scs-sl-")


def test_every_page_renders_in_chromium_with_navigation_and_components(
    published_site: tuple[str, Path, str], tmp_path: Path
) -> None:
    site_url, folder, name = published_site
    site, _info = load_template(folder)
    pages = [entry for entry in site.structure if not entry.get("linkUrl")]
    root = next(entry for entry in site.structure if entry.get("parentId") is None)
    top_level = {
        entry["name"]
        for entry in site.structure
        if entry.get("parentId") == root["id"] and not entry.get("hideInNavigation")
    }
    shown: set[str] = set()
    with chromium() as browser:
        home = load(browser, site_url, tmp_path / f"{name}-home.png")
        _check(home, folder, site.pages[root["id"]])
        for entry in pages:
            report = load(browser, site_url + entry["pageUrl"])
            _check(report, folder, site.pages[entry["id"]])
            shown |= set(report.components)
        page = browser.new_page()
        try:
            page.goto(site_url)
            page.wait_for_function(
                "() => Array.from(document.querySelectorAll('.scs-custom-component[data-scs-app]'))"
                ".every(e => e.getAttribute('data-scs-state') === 'rendered')"
            )
            menu = {
                text.strip().lower()
                for text in page.eval_on_selector_all(MENU_SELECTORS, "els => els.map(e => e.textContent)")
            }
        finally:
            page.close()
    assert {title.lower() for title in top_level} <= menu, (top_level, menu)
    assert EXPECTED[name] <= shown, shown
