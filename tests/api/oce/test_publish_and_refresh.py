"""Published sites open in a browser with every link resolving; incremental publish renders only what changed;
refresh shows each page's status, pageable and filterable."""

from __future__ import annotations

import copy
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.html  # type: ignore[import-untyped]
import orjson
import pytest
from sqlalchemy import select, update
from starlette.testclient import TestClient

from sitejobs.engine.runner import EngineSink, run_execution
from sitejobs.engine.states import State
from sitejobs.jobs.oce import publishing
from sitejobs.settings import Settings
from sitejobs.sites.content import schema
from sitejobs.sites.content.store import ContentStore
from tests.api.conftest import app_engine
from tests.api.oce.sites_client import (
    API,
    basic_auth,
    bring_online,
    create_site,
    create_site_in_process,
    poll_like_the_toolkit,
    sites_app,
    start,
)

ALICE = basic_auth("alice")


def _publish(client: TestClient, site: str, body: dict[str, str] | None = None) -> dict[str, object]:
    location = start(client, f"/sites/name:{site}/publish", body, ALICE)
    poll_like_the_toolkit(client, location, ALICE)
    return dict(client.get(location, headers=ALICE).json())


def _crawl(client: TestClient, start_url: str) -> tuple[set[str], set[str]]:
    """Every page and file reachable by relative links from `start_url` over HTTP: (fetched, broken)."""
    seen: set[str] = set()
    broken: set[str] = set()
    queue = [start_url]
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code != 200:
            broken.add(url)
            continue
        if not response.headers.get("content-type", "").startswith("text/html"):
            continue
        for _element, _attribute, link, _pos in lxml.html.document_fromstring(response.content).iterlinks():
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or not parts.path or link.startswith("#"):
                continue
            queue.append(urlsplit(urljoin(url, link)).path)
    return seen, broken


def test_every_link_of_a_published_site_resolves_over_http(settings: Settings) -> None:
    with sites_app(settings) as client:
        for template in ("StarterTemplate", "BlogTemplate"):
            name = f"Site{template}"
            create_site(client, name, template)
            _publish(client, name, {"type": "full"})
            bring_online(client, name, ALICE)
            fetched, broken = _crawl(client, f"/site/{name}/index.html")
            # The Starter layouts link a favicon the template does not ship (the renderer reports it).
            assert {u for u in broken if not u.endswith("favicon.ico")} == set(), broken
            pages = [u for u in fetched if u.endswith(".html")]
            assert len(pages) >= 2, fetched
            home = lxml.html.document_fromstring(client.get(f"/site/{name}/index.html").content)
            assert home.findtext(".//title")


def test_incremental_publish_renders_only_changed_pages(settings: Settings) -> None:
    with sites_app(settings) as client:
        create_site(client, "Incremental")
        _publish(client, "Incremental", {"type": "full"})
        engine = app_engine(client)
        store = ContentStore(engine.db, settings.content_dir)
        site = store.site("name:Incremental")
        assert site is not None
        out = store.published_dir("Incremental")
        pages = sorted(p for p in out.glob("**/*.html") if not p.relative_to(out).parts[0].startswith("_"))
        assert len(pages) == 9

        def stamps() -> dict[str, int]:
            return {str(p.relative_to(out)): p.stat().st_mtime_ns for p in pages}

        first = stamps()
        _publish(client, "Incremental")  # nothing changed: nothing rendered
        assert stamps() == first
        with engine.db.begin() as conn:  # an edit of one page's title
            row = conn.execute(
                select(schema.pages.c.document).where(
                    schema.pages.c.site_id == site.id, schema.pages.c.page_id == 110
                )
            ).scalar_one()
            document = orjson.loads(row)
            document["properties"]["title"] = "Themes, edited"
            conn.execute(
                update(schema.pages)
                .where(schema.pages.c.site_id == site.id, schema.pages.c.page_id == 110)
                .values(document=orjson.dumps(document).decode())
            )
        _publish(client, "Incremental")
        changed = {name for name, stamp in stamps().items() if stamp != first[name]}
        assert changed == {"developing-templates/themes.html"}
        assert "Themes, edited" in (out / "developing-templates/themes.html").read_text()
        _publish(client, "Incremental", {"type": "full"})
        assert all(stamp != first[name] for name, stamp in stamps().items())


def test_refresh_pages_child_collection(settings: Settings) -> None:
    with sites_app(settings) as client:
        create_site(client, "Refreshing")
        _publish(client, "Refreshing")
        bring_online(client, "Refreshing", ALICE)  # its pages are served (and checked below) once online
        location = start(client, "/sites/name:Refreshing/refresh", None, ALICE)
        poll_like_the_toolkit(client, location, ALICE)
        status = client.get(f"{location}?links=none&expand=pages", headers=ALICE).json()
        assert status["action"] == "refresh"
        assert status["pageCount"] == status["completedCount"] == 9
        assert status["pendingCount"] == status["processingCount"] == status["failedCount"] == 0
        assert status["pages"]["count"] == 9
        assert status["pages"]["hasMore"] is False
        assert {p["status"] for p in status["pages"]["items"]} == {"complete"}
        first = client.get(f"{location}/pages?limit=4&offset=0", headers=ALICE).json()
        rest = client.get(f"{location}/pages?limit=4&offset=4", headers=ALICE).json()
        assert (first["count"], first["hasMore"], rest["count"], rest["hasMore"]) == (4, True, 4, True)
        urls = [p["pageUrl"] for p in first["items"] + rest["items"]]
        assert len(set(urls)) == 8
        failed = client.get(f'{location}/pages?q=status eq "failed"', headers=ALICE).json()
        assert failed["items"] == []
        complete = client.get(f'{location}/pages?q=status eq "complete"&limit=250', headers=ALICE).json()
        assert complete["count"] == 9
        for item in complete["items"]:
            assert client.get(urlsplit(item["pageUrl"]).path).status_code == 200
        assert client.get(
            f"{API}/sites/_status/{location.rsplit('/', 1)[1]}?links=none", headers=ALICE
        ).json()["completed"]


def test_refresh_writes_once_per_batch_and_polls_write_nothing(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(publishing, "REFRESH_BATCHES", 3)
    with sites_app(settings, executor=False) as client:
        engine = app_engine(client)
        create_site_in_process(client, engine, "Batches")
        location = start(client, "/sites/name:Batches/refresh", None, ALICE)
        [execution] = engine.claim("counting", 1)
        reports: list[dict[str, Any]] = []

        class Counting(EngineSink):
            def report(self, execution_id: int, **kw: Any) -> State:
                reports.append(copy.deepcopy(kw))  # the job goes on changing its result
                return super().report(execution_id, **kw)

        outcome = run_execution(execution, engine, Counting(engine, "counting"))
        assert outcome is not None
        assert outcome.state is State.SUCCEEDED
        # 9 pages in batches of 3: one write per batch, and the finish.
        assert len(reports) == 3
        assert [r["result"]["completedCount"] for r in reports] == [0, 3, 6]
        commits = engine.writer.commits
        for _ in range(20):
            assert client.get(f"{location}?expand=pages", headers=ALICE).status_code == 200
        assert engine.writer.commits == commits
