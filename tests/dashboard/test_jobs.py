"""Starting jobs from forms generated from their parameter schema; uploading and importing a site archive."""

from __future__ import annotations

import io
import re
import zipfile

from starlette.testclient import TestClient

from sitejobs.engine.states import State
from tests.conftest import until
from tests.dashboard.conftest import row_ids, sign_in, ui_engine
from tests.sites.commerce.helpers import fixture_entries


def test_the_form_follows_the_parameter_schema(ui: TestClient) -> None:
    sign_in(ui, "alice")
    page = ui.get("/ui/jobs/hello-world").text
    seconds = re.search(r'<input type="number" name="Seconds"[^>]*>', page, re.S)
    assert seconds, page
    assert 'value="3"' in seconds.group(0)
    assert 'min="0"' in seconds.group(0)
    assert 'step="1"' in seconds.group(0)
    assert re.search(r'<input type="checkbox" name="Fail" value="true"\s*>', page)


def test_starting_a_job_from_its_form_submits_it_as_the_user(ui: TestClient) -> None:
    engine = ui_engine(ui)
    csrf = sign_in(ui, "alice")
    response = ui.post(
        "/ui/jobs/hello-world", data={"Seconds": "4", "Fail": "true", "csrf": csrf}, follow_redirects=False
    )
    assert response.status_code == 303
    execution = engine.get(int(response.headers["location"].rsplit("/", 1)[1]))
    assert execution is not None
    assert execution.parameters == [{"name": "Seconds", "value": "4"}, {"name": "Fail", "value": "true"}]
    assert execution.client_id == "alice"
    assert row_ids(ui.get("/ui/executions")) == [execution.id]


def test_a_bad_parameter_shows_the_form_again_with_the_reason_and_starts_nothing(ui: TestClient) -> None:
    engine = ui_engine(ui)
    csrf = sign_in(ui, "alice")
    response = ui.post("/ui/jobs/hello-world", data={"Seconds": "soon", "csrf": csrf})
    assert response.status_code == 400
    assert 'role="alert"' in response.text
    assert "Seconds" in response.text
    assert 'value="soon"' in response.text
    assert sum(engine.count_by_state().values()) == 0


def test_system_jobs_take_a_json_document_and_only_administrators_start_them(ui: TestClient) -> None:
    engine = ui_engine(ui)
    sign_in(ui, "alice")
    assert ui.get("/ui/jobs/sfcc-site-archive-import").status_code == 403
    csrf = sign_in(ui, "ada")
    form = ui.get("/ui/jobs/sfcc-site-archive-import").text
    assert '<textarea name="request"' in form
    assert "&#34;mode&#34;: &#34;merge&#34;" in form
    bad = ui.post("/ui/jobs/sfcc-site-archive-import", data={"request": "{not json", "csrf": csrf})
    assert bad.status_code == 400
    wrong = ui.post(
        "/ui/jobs/sfcc-site-archive-import", data={"request": '{"mode": "sideways"}', "csrf": csrf}
    )
    assert wrong.status_code == 400
    assert sum(engine.count_by_state().values()) == 0
    ok = ui.post(
        "/ui/jobs/sfcc-site-archive-import",
        data={"request": '{"file_name": "a.zip", "mode": "replace"}', "csrf": csrf},
        follow_redirects=False,
    )
    assert ok.status_code == 303
    execution = engine.get(int(ok.headers["location"].rsplit("/", 1)[1]))
    assert execution is not None
    assert execution.request == {"file_name": "a.zip", "mode": "replace"}


def _archive() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in fixture_entries("libraries", "pricebooks", "inventory-lists").items():
            zf.writestr(name, data)
    return buffer.getvalue()


def test_upload_a_site_archive_import_it_and_see_the_store_counts(ui_running: TestClient) -> None:
    ui = ui_running
    engine = ui_engine(ui)
    csrf = sign_in(ui, "ada")
    archive = _archive()
    response = ui.post(
        "/ui/impex",
        data={"mode": "merge", "csrf": csrf},
        files={"archive": ("demo.zip", archive, "application/zip")},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    assert (engine.settings.impex_dir / "src" / "instance" / "demo.zip").read_bytes() == archive
    execution_id = int(response.headers["location"].rsplit("/", 1)[1])
    done = until(engine, execution_id, lambda e: e.is_terminal, 120, "the import")
    assert done.state is State.SUCCEEDED, done.exit_message
    assert done.request == {"file_name": "demo.zip", "mode": "merge"}
    sites = ui.get("/ui/sites").text
    assert "<code>RefArchSharedLibrary</code>" in sites
    assert re.search(r"<code>inventory_m</code></td><td>[1-9][0-9]*</td>", sites), sites


def test_an_upload_that_is_not_an_archive_or_has_no_csrf_token_is_refused(ui: TestClient) -> None:
    engine = ui_engine(ui)
    csrf = sign_in(ui, "ada")
    files = {"archive": ("notes.txt", b"hello", "text/plain")}
    assert ui.post("/ui/impex", data={"mode": "merge", "csrf": csrf}, files=files).status_code == 400
    zipped = {"archive": ("x.zip", b"PK", "application/zip")}
    assert ui.post("/ui/impex", data={"mode": "merge", "csrf": "no"}, files=zipped).status_code == 403
    assert ui.post("/ui/impex", data={"mode": "upward", "csrf": csrf}, files=zipped).status_code == 400
    assert not (engine.settings.impex_dir / "src" / "instance" / "x.zip").exists()
    assert sum(engine.count_by_state().values()) == 0
    sign_in(ui, "alice")
    assert ui.post("/ui/impex", data={"mode": "merge", "csrf": csrf}, files=zipped).status_code in (403,)
