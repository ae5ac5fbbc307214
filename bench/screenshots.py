"""Screenshots of the dashboard's main pages, taken from the real UI (a `sitejobs serve` with a few jobs, a
content site and an imported site archive) in Debian's Chromium, into docs/screenshots/*.png.

    .venv/bin/python -m bench.screenshots [--out docs/screenshots]
"""

from __future__ import annotations

import argparse
import io
import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import httpx
from playwright.sync_api import Page, ViewportSize, expect, sync_playwright

from bench.bare_server import REPO_ROOT
from bench.chromium import launch
from bench.sitejobs_server import Server, sitejobs_server

USER, PASSWORD = "dev-user", "dev-password"
API = "/sites/management/api/v1"
FIXTURES = REPO_ROOT.parent / "shared" / "fixtures"
TEMPLATE = FIXTURES / "oce-site-template" / "StarterTemplate"
ARCHIVE = FIXTURES / "sfcc-site-archive" / "demo_data_sfra"
VIEWPORT = ViewportSize(width=1280, height=800)


def _cli(server: Server, *args: str) -> None:
    env = {"SITEJOBS_DATA_DIR": str(server.data_dir), "PATH": "/usr/bin:/bin"}
    subprocess.run(
        [sys.executable, "-m", "sitejobs", *args], env=env, check=True, capture_output=True, cwd=REPO_ROOT
    )


def _archive(folder: Path) -> Path:
    """The fixture archive's libraries, price books and inventory lists, zipped as Business Manager would."""
    path = folder / "demo_data_sfra.zip"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for file in sorted(ARCHIVE.rglob("*")):
            rel = file.relative_to(ARCHIVE).as_posix()
            if file.is_file() and rel.startswith(("libraries", "pricebooks", "inventory-lists", "catalogs")):
                zf.writestr(f"demo_data_sfra/{rel}", file.read_bytes())
    path.write_bytes(buffer.getvalue())
    return path


def _content_site(server: Server) -> None:
    auth = (USER, PASSWORD)
    template = httpx.get(f"{server.url}{API}/templates/name:StarterTemplate?links=none", auth=auth).json()
    for name in ("Marketing", "Support"):
        started = httpx.post(
            f"{server.url}{API}/sites",
            json={"name": name, "template": template["id"]},
            auth=auth,
            headers={"Prefer": "respond-async"},
        )
        _wait(started.headers["Location"] + "?links=none", auth)
    published = httpx.post(
        f"{server.url}{API}/sites/name:Marketing/publish", auth=auth, headers={"Prefer": "respond-async"}
    )
    _wait(published.headers["Location"] + "?links=none", auth)


def _wait(status_url: str, auth: tuple[str, str]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if httpx.get(status_url, auth=auth).json().get("progress") in ("succeeded", "failed"):
            return
        time.sleep(0.2)


def _start(page: Page, seconds: int, fail: bool = False) -> int:
    page.goto("/ui/jobs/hello-world")
    page.fill("input[name=Seconds]", str(seconds))
    if fail:
        page.check("input[name=Fail]")
    page.click("form.job-form button[type=submit]")
    expect(page).to_have_url(re.compile(r"/ui/executions/[0-9]+$"))
    return int(page.url.rsplit("/", 1)[1])


def take(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    shots: list[Path] = []
    with sitejobs_server() as server, sync_playwright() as playwright:
        _cli(server, "users", "add", USER, "--password", PASSWORD, "--admin")
        _cli(server, "templates", "add", str(TEMPLATE))
        _content_site(server)
        browser = launch(playwright)
        page = browser.new_context(base_url=server.url, viewport=VIEWPORT).new_page()
        page.set_default_timeout(60_000)
        expect.set_options(timeout=120_000)

        def shot(name: str) -> None:
            path = out / f"{name}.png"
            page.screenshot(path=str(path), full_page=False)
            shots.append(path)

        page.goto("/ui/login")
        page.fill("input[name=username]", USER)
        shot("login")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")

        page.goto("/ui/jobs")
        page.set_input_files("input[name=archive]", str(_archive(server.data_dir)))
        page.click("form[action$='/impex'] button[type=submit]")
        expect(page.locator("#state")).to_have_attribute("data-state", "succeeded")
        _start(page, 1, fail=True)
        _start(page, 2)
        aborted = _start(page, 60)
        expect(page.locator("#state")).to_have_attribute("data-state", "running")
        page.click("button.action-abort")
        expect(page.locator("#state")).to_have_attribute("data-state", "aborted")
        _start(page, 40)
        _start(page, 25)
        page.wait_for_timeout(4500)
        shot("execution")

        page.goto("/ui/executions")
        expect(page.locator(f'tr[data-execution-id="{aborted}"]')).to_have_count(1)
        page.wait_for_timeout(1500)
        shot("executions")
        page.goto("/ui/jobs/hello-world")
        shot("job-form")
        page.goto("/ui/sites")
        shot("sites")
        page.goto("/ui/workers")
        shot("workers")
        browser.close()
    return shots


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    for path in take(args.out):
        print(path)


if __name__ == "__main__":
    main()
