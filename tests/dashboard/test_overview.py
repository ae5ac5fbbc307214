"""The workers page (live workers, slots, the last hour's chart) and the sites page."""

from __future__ import annotations

import re

from starlette.testclient import TestClient

from sitejobs.engine.states import State
from tests.conftest import until, wait_for
from tests.dashboard.conftest import server_state, sign_in, ui_engine


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
    wait_for(
        lambda: any(w["id"] == executor.worker_id for w in engine.live_workers()),
        30,
        "the worker's heartbeat",
    )
    sign_in(ui, "alice")
    page = ui.get("/ui/workers").text
    row = re.search(rf'<tr data-worker-id="{re.escape(executor.worker_id)}">.*?</tr>', page, re.S)
    assert row, page
    assert "<td>embedded</td>" in row.group(0)
    assert f"/ {executor.slots}</td>" in row.group(0)
    assert "2 finished, 1 failed" in page
    assert page.count('<rect class="ok"') == 60
    assert len(re.findall(r'<rect class="failed"', page)) == 1
