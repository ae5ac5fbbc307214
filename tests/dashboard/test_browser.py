"""The dashboard in a real Chromium (Debian's, driven by Playwright) against a live `sitejobs serve`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from bench.chromium import CHROMIUM, MISSING, launch
from playwright.sync_api import Browser, Page, expect, sync_playwright

from sitejobs.settings import Settings
from tests.conftest import ServerProcess
from tests.dashboard.conftest import USERS, add_users

pytestmark = pytest.mark.slow
TIMEOUT_MS = 30_000


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    data = tmp_path_factory.mktemp("ui") / "data"
    settings = Settings(data_dir=data, poll_seconds=0.05, lease_seconds=3.0, reap_seconds=0.5, workers=4)
    add_users(settings)
    process = ServerProcess(settings).start()
    yield process
    process.kill()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(MISSING, pytrace=False)
    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright:
        found = launch(playwright)
        yield found
        found.close()


def signed_in(browser: Browser, server: ServerProcess, name: str) -> Page:
    page = browser.new_context(base_url=server.url).new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto("/ui/executions")
    expect(page).to_have_url(re.compile(r"/ui/login"))
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", USERS[name][0])
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(r"/ui/executions$"))
    return page


def start_from_form(page: Page, seconds: int) -> int:
    page.goto("/ui/jobs/hello-world")
    page.fill("input[name=Seconds]", str(seconds))
    page.click("form.job-form button[type=submit]")
    expect(page).to_have_url(re.compile(r"/ui/executions/[0-9]+$"))
    return int(page.url.rsplit("/", 1)[1])


def mark(page: Page) -> None:
    """Tag the loaded document: the tag survives only as long as the page is not reloaded."""
    page.evaluate("window.__notReloaded = true")


def not_reloaded(page: Page) -> bool:
    return bool(page.evaluate("window.__notReloaded === true"))


def test_a_job_started_from_its_form_appears_and_runs_to_100_live(
    browser: Browser, server: ServerProcess
) -> None:
    page = signed_in(browser, server, "alice")
    watcher = page.context.new_page()
    watcher.set_default_timeout(TIMEOUT_MS)
    watcher.goto("/ui/executions")
    mark(watcher)
    execution_id = start_from_form(page, 3)

    row = watcher.locator(f'tr[data-execution-id="{execution_id}"]')
    expect(row).to_have_count(1)  # it appeared without a reload
    expect(row).to_have_attribute("data-state", re.compile("pending|running"))
    expect(row.locator("progress")).to_have_attribute("max", "100")
    expect(row).to_have_attribute("data-state", "succeeded")
    expect(row.locator("progress")).to_have_attribute("value", "100")
    assert not_reloaded(watcher)


def test_abort_a_running_job(browser: Browser, server: ServerProcess) -> None:
    page = signed_in(browser, server, "alice")
    execution_id = start_from_form(page, 60)
    expect(page.locator("#state")).to_have_attribute("data-state", "running")
    page.click("button.action-abort")
    expect(page.locator("#state")).to_have_attribute("data-state", "aborted")
    page.goto("/ui/executions")
    expect(page.locator(f'tr[data-execution-id="{execution_id}"]')).to_have_attribute("data-state", "aborted")


def test_the_log_tails_live(browser: Browser, server: ServerProcess) -> None:
    page = signed_in(browser, server, "alice")
    start_from_form(page, 4)
    mark(page)
    log = page.locator("#log")
    expect(log).to_contain_text("2 of 4 s done")
    expect(log).to_contain_text("4 of 4 s done")
    expect(page.locator("#state")).to_have_attribute("data-state", "succeeded")
    assert log.inner_text().count("1 of 4 s done") == 1  # each line once
    assert not_reloaded(page)


def test_a_second_user_cannot_see_the_first_users_job(browser: Browser, server: ServerProcess) -> None:
    bob = signed_in(browser, server, "bob")  # watching live before the job exists
    mark(bob)
    ada = signed_in(browser, server, "ada")
    alice = signed_in(browser, server, "alice")
    execution_id = start_from_form(alice, 1)
    # the administrator's page, fed by the same stream of changes, sees it appear and end...
    expect(ada.locator(f'tr[data-execution-id="{execution_id}"]')).to_have_attribute(
        "data-state", "succeeded"
    )
    # ...and the page of a later execution of bob's own shows that bob's stream is live, yet without alice's
    own = signed_in(browser, server, "bob")
    own_id = start_from_form(own, 1)
    expect(bob.locator(f'tr[data-execution-id="{own_id}"]')).to_have_attribute("data-state", "succeeded")
    expect(bob.locator(f'tr[data-execution-id="{execution_id}"]')).to_have_count(0)
    assert not_reloaded(bob)
    response = bob.goto(f"/ui/executions/{execution_id}")
    assert response is not None
    assert response.status == 404


def test_a_wrong_csrf_token_is_refused_and_nothing_changes(browser: Browser, server: ServerProcess) -> None:
    page = signed_in(browser, server, "alice")
    execution_id = start_from_form(page, 4)
    expect(page.locator("#state")).to_have_attribute("data-state", "running")
    page.evaluate("document.querySelectorAll('input[name=csrf]').forEach(i => { i.value = 'forged' })")
    with page.expect_response(lambda r: r.url.endswith(f"/{execution_id}/abort")) as answer:
        page.click("button.action-abort")
    assert answer.value.status == 403
    page.goto(f"/ui/executions/{execution_id}")
    expect(page.locator("#state")).to_have_attribute("data-state", "succeeded")  # ran to its end, unaborted


def test_a_copied_session_cookie_is_refused_after_sign_out(browser: Browser, server: ServerProcess) -> None:
    page = signed_in(browser, server, "alice")
    thief = browser.new_context(base_url=server.url)
    thief.add_cookies(page.context.cookies())
    watching = thief.new_page()
    watching.set_default_timeout(TIMEOUT_MS)
    watching.goto("/ui/executions")
    expect(watching).to_have_url(re.compile(r"/ui/executions$"))  # the copy works while the session lasts
    page.click("form.signout button[type=submit]")
    expect(page).to_have_url(re.compile(r"/ui/login$"))
    # the page open on the copy is sent to sign in by its live stream, and the copy opens nothing more
    expect(watching).to_have_url(re.compile(r"/ui/login\?next="))
    again = thief.new_page()
    again.goto("/ui/executions")
    expect(again).to_have_url(re.compile(r"/ui/login\?next="))
    expect(again.locator("input[name=password]")).to_have_count(1)
    thief.close()


def test_screens_render_without_errors(browser: Browser, server: ServerProcess, tmp_path: Path) -> None:
    page = signed_in(browser, server, "ada")
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    for path in ("/ui/executions", "/ui/jobs", "/ui/sites", "/ui/workers"):
        response = page.goto(path)
        assert response is not None, path
        assert response.status == 200, path
    expect(page.locator("svg.chart rect.ok")).to_have_count(60)
    assert errors == []
