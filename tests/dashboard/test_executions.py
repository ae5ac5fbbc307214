"""The executions table (visibility, filters, paging) and one execution's page and actions."""

from __future__ import annotations

import re

from starlette.testclient import TestClient

from sitejobs.dashboard.filters import PAGE_SIZE
from sitejobs.engine import store
from sitejobs.engine.states import State
from tests.conftest import CLIENT_ID, until
from tests.dashboard.conftest import row_ids, sign_in, ui_engine


def test_each_user_sees_their_own_executions_and_administrators_see_all(ui: TestClient) -> None:
    engine = ui_engine(ui)
    alices = engine.submit("hello-world", client_id="alice", owner="alice")
    bobs = engine.submit("hello-world", client_id="bob", owner="bob")
    ocapi = engine.submit("noop", client_id=CLIENT_ID)

    sign_in(ui, "alice")
    assert row_ids(ui.get("/ui/executions")) == [alices.id]
    assert ui.get(f"/ui/executions/{bobs.id}").status_code == 404
    assert ui.get(f"/ui/executions/{ocapi.id}").status_code == 404
    assert ui.get(f"/ui/executions/{alices.id}").status_code == 200

    sign_in(ui, "bob")
    assert row_ids(ui.get("/ui/executions")) == [bobs.id]

    sign_in(ui, "ada")
    assert row_ids(ui.get("/ui/executions")) == [ocapi.id, bobs.id, alices.id]
    assert ui.get(f"/ui/executions/{ocapi.id}").status_code == 200


def test_someone_elses_execution_cannot_be_acted_on(ui: TestClient) -> None:
    engine = ui_engine(ui)
    bobs = engine.submit("hello-world", client_id="bob", owner="bob")
    csrf = sign_in(ui, "alice")
    assert ui.post(f"/ui/executions/{bobs.id}/abort", data={"csrf": csrf}).status_code == 404
    current = engine.get(bobs.id)
    assert current is not None
    assert current.state is State.PENDING


def test_rows_carry_the_id_state_and_a_progress_bar(ui: TestClient) -> None:
    engine = ui_engine(ui)
    execution = engine.submit("hello-world", [("Seconds", "5")], client_id="ada")
    sign_in(ui, "ada")
    page = ui.get("/ui/executions").text
    row = re.search(rf'<tr data-execution-id="{execution.id}" data-state="pending">.*?</tr>', page, re.S)
    assert row, page
    assert '<progress value="0" max="100">' in row.group(0)


def test_filters_by_job_state_api_owner_and_time(ui: TestClient) -> None:
    engine = ui_engine(ui)
    hello = engine.submit("hello-world", client_id="alice")
    noop = engine.submit("noop", client_id=CLIENT_ID)
    aborted = engine.submit("noop", client_id="bob")
    engine.abort(aborted.id)
    sign_in(ui, "ada")

    assert row_ids(ui.get("/ui/executions?job=noop")) == [aborted.id, noop.id]
    assert row_ids(ui.get("/ui/executions?state=aborted")) == [aborted.id]
    assert row_ids(ui.get("/ui/executions?state=pending&job=noop")) == [noop.id]
    assert row_ids(ui.get("/ui/executions?owner=alice")) == [hello.id]
    assert row_ids(ui.get("/ui/executions?surface=ocapi")) == [aborted.id, noop.id, hello.id]
    assert row_ids(ui.get("/ui/executions?surface=oce")) == []
    assert row_ids(ui.get("/ui/executions?since=2000-01-01T00:00")) == [aborted.id, noop.id, hello.id]
    assert row_ids(ui.get("/ui/executions?until=2000-01-01T00:00")) == []


def test_bad_filters_are_a_400_page_not_a_crash(ui: TestClient) -> None:
    sign_in(ui, "ada")
    for query in ("state=sleeping", "surface=soap", "since=yesterday", "before=-3"):
        response = ui.get(f"/ui/executions?{query}")
        assert response.status_code == 400, query
        assert "text/html" in response.headers["content-type"]


def test_the_table_is_paged_newest_first(ui: TestClient) -> None:
    engine = ui_engine(ui)
    new = [
        store.NewExecution("noop", [], None, client_id="ada", owner=None, singleton=False)
        for _ in range(PAGE_SIZE + 7)
    ]
    created = engine.writer.run(lambda c: store.insert_executions(c, new))
    ids = sorted((e.id for e in created), reverse=True)
    sign_in(ui, "ada")
    first = ui.get("/ui/executions")
    assert row_ids(first) == ids[:PAGE_SIZE]
    older = re.search(r'<a rel="next" href="([^"]+)"', first.text)
    assert older
    second = ui.get(older.group(1).replace("&amp;", "&"))
    assert row_ids(second) == ids[PAGE_SIZE:]
    assert 'rel="next"' not in second.text


def test_a_non_administrator_gets_full_pages_of_their_own_among_many_others(ui: TestClient) -> None:
    engine = ui_engine(ui)
    new = [
        store.NewExecution(
            "noop", [], None, client_id="alice" if i % 5 == 0 else "bob", owner=None, singleton=False
        )
        for i in range(600)
    ]
    created = engine.writer.run(lambda c: store.insert_executions(c, new))
    alices = sorted((e.id for e in created if e.client_id == "alice"), reverse=True)
    sign_in(ui, "alice")
    assert row_ids(ui.get("/ui/executions")) == alices[:PAGE_SIZE]


def test_the_execution_page_shows_parameters_timeline_links_and_error(ui: TestClient) -> None:
    engine = ui_engine(ui)
    execution = engine.submit("hello-world", [("Seconds", "7")], client_id="ada")
    engine.abort(execution.id)
    sign_in(ui, "ada")
    page = ui.get(f"/ui/executions/{execution.id}").text
    assert "<th>Seconds</th><td><code>7</code></td>" in page
    assert "submitted" in page
    assert "finished: aborted" in page
    assert f"/s/-/dw/data/v23_2/jobs/hello-world/executions/{execution.id}" in page
    assert "OCAPI exit_status" in page
    assert "ABORTED" in page


def test_delete_and_restart_from_the_execution_page(ui: TestClient) -> None:
    engine = ui_engine(ui)
    execution = engine.submit("hello-world", client_id="ada")
    engine.abort(execution.id)
    csrf = sign_in(ui, "ada")
    restarted = ui.post(f"/ui/executions/{execution.id}/restart", data={"csrf": csrf}, follow_redirects=False)
    assert restarted.status_code == 303
    again = int(restarted.headers["location"].rsplit("/", 1)[1])
    assert again != execution.id
    second = engine.get(again)
    assert second is not None
    assert second.is_restart
    assert second.state is State.PENDING
    # a pending execution's record cannot be deleted: the engine says why, the page shows it
    refused = ui.post(f"/ui/executions/{again}/delete", data={"csrf": csrf})
    assert refused.status_code == 400
    assert "abort it first" in refused.text
    deleted = ui.post(f"/ui/executions/{execution.id}/delete", data={"csrf": csrf}, follow_redirects=False)
    assert deleted.status_code == 303
    assert engine.get(execution.id) is None
    assert ui.get(f"/ui/executions/{execution.id}").status_code == 404


def test_pause_resume_and_abort_a_running_job(ui_running: TestClient) -> None:
    ui = ui_running
    engine = ui_engine(ui)
    execution = engine.submit("hello-world", [("Seconds", "60")], client_id="alice")
    until(engine, execution.id, lambda e: e.state is State.RUNNING, 30, "the run to start")
    csrf = sign_in(ui, "alice")
    page = ui.get(f"/ui/executions/{execution.id}").text
    assert "action-pause" in page
    assert "action-resume" not in page

    def act(action: str) -> None:
        response = ui.post(
            f"/ui/executions/{execution.id}/{action}", data={"csrf": csrf}, follow_redirects=False
        )
        assert response.status_code == 303, response.text

    act("pause")
    until(engine, execution.id, lambda e: e.state is State.PAUSED, 30, "the pause")
    assert "action-resume" in ui.get(f"/ui/executions/{execution.id}").text
    act("resume")
    until(engine, execution.id, lambda e: e.state is State.RUNNING, 30, "the resume")
    act("abort")
    until(engine, execution.id, lambda e: e.state is State.ABORTED, 30, "the abort")
    page = ui.get(f"/ui/executions/{execution.id}").text
    assert "pause requested" in page
    assert "finished: aborted" in page
