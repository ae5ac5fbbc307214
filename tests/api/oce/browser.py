"""Published sites in a real browser: a live server, Debian's Chromium driven by Playwright, and what a page
did once loaded (failed requests, script errors, the state of each custom component); screenshots too.

    python -m tests.api.oce.browser URL [URL ...] --out DIR     # a full-page PNG of each page

Chromium is Debian's (/usr/bin/chromium), never a downloaded one.
"""

from __future__ import annotations

import argparse
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, Route, sync_playwright

from sitejobs.server import create_app
from sitejobs.settings import Settings
from tests.timing import deadline_after

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: How long a page may take to load and render its components (a bound, not a measurement).
RENDER_TIMEOUT_MS = 30_000


@dataclass
class PageReport:
    """What loading one page did."""

    url: str
    failed: list[str] = field(default_factory=list)  # "404 http://…" or "failed http://… (reason)"
    external: list[str] = field(default_factory=list)  # requests off this machine, refused unsent
    errors: list[str] = field(default_factory=list)  # uncaught script errors
    components: dict[str, str] = field(default_factory=dict)  # custom component folder -> its state
    component_errors: dict[str, str] = field(default_factory=dict)
    slots: dict[str, int] = field(default_factory=dict)  # slot id -> how many components show in it
    placeholders: list[str] = field(default_factory=list)  # components left unrendered: "type component"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def live_server(settings: Settings) -> Iterator[str]:
    """The whole server (its workers included) on a free loopback port; yields its base URL."""
    port = free_port()
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = deadline_after(30)
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@contextmanager
def chromium() -> Iterator[Browser]:
    if not CHROMIUM.is_file():
        pytest.fail("Debian's Chromium is missing: apt-get install chromium (make test installs it)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def _settled(page: Page) -> None:
    """Wait until every custom component has rendered or failed."""
    page.wait_for_function(
        """() => Array.from(document.querySelectorAll('.scs-custom-component[data-scs-app]'))
                 .every(e => ['rendered', 'failed'].includes(e.getAttribute('data-scs-state')))""",
        timeout=RENDER_TIMEOUT_MS,
    )


def load(browser: Browser, url: str, screenshot: Path | None = None) -> PageReport:
    """Open `url` as a visitor would, wait for its components, and say what happened."""
    report = PageReport(url)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    local = urlsplit(url).netloc

    def only_local(route: Route) -> None:
        if urlsplit(route.request.url).netloc == local or route.request.url.startswith("data:"):
            route.continue_()
        else:
            report.external.append(route.request.url)
            route.abort()

    try:
        page.route("**/*", only_local)
        page.on("pageerror", lambda error: report.errors.append(str(error)))
        page.on(
            "response",
            lambda response: (
                report.failed.append(f"{response.status} {response.url}") if response.status >= 400 else None
            ),
        )
        page.on(
            "requestfailed",
            lambda request: (
                report.failed.append(f"failed {request.url} ({request.failure})")
                if request.url not in report.external
                else None
            ),
        )
        page.goto(url, wait_until="load", timeout=RENDER_TIMEOUT_MS)
        _settled(page)
        page.wait_for_load_state("networkidle", timeout=RENDER_TIMEOUT_MS)
        states: list[dict[str, Any]] = page.eval_on_selector_all(
            ".scs-custom-component[data-scs-app]",
            """els => els.map(e => ({app: e.getAttribute('data-scs-app'),
                                     state: e.getAttribute('data-scs-state'),
                                     error: e.getAttribute('data-scs-error') || '',
                                     text: e.innerText.trim()}))""",
        )
        for state in states:
            empty = state["state"] == "rendered" and not state["text"]
            report.components[state["app"]] = "empty" if empty else state["state"]
            if state["error"]:
                report.component_errors[state["app"]] = state["error"]
        report.slots = page.eval_on_selector_all(
            ".scs-slot[id]",
            """els => Object.fromEntries(els.map(e => [e.id,
                   Array.from(e.querySelectorAll('.scs-col > div[id]'))
                        .filter(c => c.innerText.trim() || c.querySelector('img, iframe, hr, .scs-spacer')).length]))""",
        )
        report.placeholders = page.eval_on_selector_all(
            ".scs-component-placeholder",
            "els => els.map(e => e.dataset.scsType + ' ' + e.dataset.scsComponent)",
        )
        if screenshot is not None:
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(screenshot), full_page=True)
    finally:
        page.close()
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description="Full-page screenshots of published pages.")
    parser.add_argument("urls", nargs="+")
    parser.add_argument("--out", type=Path, default=Path("screenshots"))
    args = parser.parse_args()
    with chromium() as browser:
        for number, url in enumerate(args.urls, 1):
            path = args.out / f"{number:02d}-{url.rstrip('/').rsplit('/', 1)[-1] or 'index'}.png"
            report = load(browser, url, path)
            print(path, "components:", report.components, "failed:", report.failed, "errors:", report.errors)


if __name__ == "__main__":
    main()
