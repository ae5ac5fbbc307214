"""The workers page (live workers, slots, the last hour's chart, counting what the user may see) and the sites
page."""

from __future__ import annotations

import re

import httpx
from starlette.testclient import TestClient

from sitejobs.engine.local import LocalExecutor
from sitejobs.engine.models import Execution, Outcome
from sitejobs.engine.service import JobEngine
from sitejobs.engine.states import State
from sitejobs.sites.content.install import install_template
from tests.conftest import FIXTURES, until, wait_for
from tests.dashboard.conftest import USERS, row_ids, server_state, sign_in, ui_engine
from tests.sites.content.helpers import make_site


def test_workers_page_shows_the_embedded_worker_with_its_slots_and_the_hours_chart(
    ui_running: TestClient,
) -> None:
    ui = ui_running
    engine = ui_engine(ui)
    ok = engine.submit("noop")
    bad = engine.submit("hello-world", [("Seconds", "0"), ("Fail", "true")])
    until(engine, ok.id, lambda e: e.is_terminal, 30, "noop")
    until(engine, bad.id, lambda e: e.state is State.FAILED, 30, "the failing job")
    executor = server_state(ui).executor
    assert isinstance(executor, LocalExecutor)
    wait_for(
        lambda: any(w["id"] == executor.worker_id for w in engine.live_workers()),
        30,
        "the worker's heartbeat",
    )
    sign_in(ui, "ada")  # an administrator: the counts are of every execution
    page = ui.get("/ui/workers").text
    row = re.search(rf'<tr data-worker-id="{re.escape(executor.worker_id)}">.*?</tr>', page, re.S)
    assert row, page
    assert "<td>embedded</td>" in row.group(0)
    assert f"/ {executor.slots}</td>" in row.group(0)
    assert "2 finished, 1 failed" in page
    assert page.count('<rect class="ok"') == 60
    assert len(re.findall(r'<rect class="failed"', page)) == 1


def _run_by_hand(engine: JobEngine, execution: Execution, worker: str, ends: State | None) -> None:
    """Run `execution` as worker `worker` would, through the engine: claimed, and ended in `ends` (or left
    running when None)."""
    claimed = engine.claim_one(worker, execution.id)
    assert claimed is not None
    if ends is not None:
        assert engine.finish_future(claimed, worker, Outcome(ends, ends.value.upper(), "done")).result()


def _workers_figures(ui: TestClient, name: str) -> tuple[str, dict[str, str]]:
    """The chart's summary line and each worker's busy/slots cell, as `name` sees them."""
    sign_in(ui, name)
    page = ui.get("/ui/workers").text
    summary = re.search(r"([0-9]+ finished, [0-9]+ failed)", page)
    assert summary, page
    cells = {
        worker: re.findall(r"<td>(.*?)</td>", row, re.S)[4].strip()
        for worker, row in re.findall(r'<tr data-worker-id="([^"]+)">(.*?)</tr>', page, re.S)
    }
    return summary.group(1), cells


def test_a_non_administrator_counts_only_the_executions_they_may_see(ui: TestClient) -> None:
    engine = ui_engine(ui)
    content = server_state(ui).content
    harbour = make_site(content, "Harbour", "alice")
    content.share(harbour.id, "bob", "viewer")
    for worker in ("w1", "w2"):
        engine.heartbeat(worker, [], kind="celery", pid=1, hostname="node")
    _run_by_hand(engine, engine.submit("noop", client_id="alice"), "w1", State.SUCCEEDED)
    _run_by_hand(engine, engine.submit("noop", client_id="alice"), "w1", State.FAILED)
    site_job = engine.submit("oce-refresh-site", request={"target_site": harbour.id}, client_id="alice")
    _run_by_hand(engine, site_job, "w1", State.SUCCEEDED)  # alice's, on a site shared with bob
    _run_by_hand(
        engine, engine.submit("noop", client_id="test-client"), "w2", State.FAILED
    )  # an OCAPI client's
    _run_by_hand(engine, engine.submit("noop", client_id="alice"), "w1", None)
    _run_by_hand(engine, engine.submit("noop", client_id="bob"), "w2", None)

    assert _workers_figures(ui, "ada") == ("4 finished, 2 failed", {"w1": "1 / 1", "w2": "1 / 1"})
    assert _workers_figures(ui, "alice") == ("3 finished, 1 failed", {"w1": "1 / 1", "w2": "0 / 1"})
    assert _workers_figures(ui, "bob") == ("1 finished, 0 failed", {"w1": "0 / 1", "w2": "1 / 1"})
    assert "Counting the executions you may see" in ui.get("/ui/workers").text


def _wait_site_job(ui: TestClient, response: httpx.Response, auth: tuple[str, str]) -> None:
    assert response.status_code == 202, response.text
    location = response.headers["location"]

    def done() -> bool:
        return bool(ui.get(location, auth=auth).json().get("progress") == "succeeded")

    wait_for(done, 60, f"{location} to succeed")


def test_sites_page_lists_the_content_sites_a_user_may_see_with_pages_languages_and_link(
    ui_running: TestClient,
) -> None:
    ui = ui_running
    content = server_state(ui).content
    template = install_template(content, FIXTURES / "oce-site-template" / "StarterTemplate", owner="alice")
    alice = ("alice", USERS["alice"][0])
    async_ = {"Prefer": "respond-async"}
    api = "/sites/management/api/v1/sites"
    created = ui.post(api, json={"name": "Harbour", "template": template["id"]}, auth=alice, headers=async_)
    _wait_site_job(ui, created, alice)
    published = ui.post(f"{api}/name:Harbour/publish", auth=alice, headers=async_)
    _wait_site_job(ui, published, alice)
    publish_id = int(published.headers["location"].rsplit("/", 1)[1])
    assert ui.post(f"{api}/name:Harbour/activate", auth=alice).status_code == 200  # served once online

    sign_in(ui, "bob")
    assert 'data-site="Harbour"' not in ui.get("/ui/sites").text
    assert publish_id not in row_ids(ui.get("/ui/executions"))
    site = content.site("name:Harbour")
    assert site is not None
    content.share(site.id, "bob", "viewer")
    page = ui.get("/ui/sites").text
    row = re.search(r'<tr data-site="Harbour">.*?</tr>', page, re.S)
    assert row, page
    cells = re.findall(r"<td>(.*?)</td>", row.group(0), re.S)
    assert cells[1] == "alice"
    assert int(cells[3]) > 0  # pages
    assert "en" in cells[4]
    assert 'href="/site/Harbour/"' in row.group(0)
    assert "shown to administrators" in page  # not the Commerce store
    assert ui.get("/site/Harbour/").status_code == 200
    # the site's jobs are bob's to see now, on the executions page and one by one
    assert publish_id in row_ids(ui.get("/ui/executions"))
    assert publish_id in row_ids(ui.get("/ui/executions?surface=oce"))
    assert ui.get(f"/ui/executions/{publish_id}").status_code == 200
