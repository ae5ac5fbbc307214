"""The real `sfcc-ci` (pinned in tests/clients/package-lock.json, installed by `make test`) against
`sitejobs serve --tls`: the deployment flow of issue 4, as a team runs it against a cloud sandbox.

sfcc-ci polls a `--sync` job every 5 s and reads what it polled only on the next tick, so each `--sync` call
takes about 10 s: the tests use as few as the flow allows. They test the client, not the store: SQLite only.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from lxml import etree  # type: ignore[import-untyped]

from sitejobs.engine.service import JobEngine
from sitejobs.engine.states import State
from sitejobs.jobs.builtin import default_registry
from sitejobs.settings import Settings
from tests.conftest import CLIENT_ID, CLIENT_SECRET, ServerProcess, until
from tests.sites.commerce.helpers import (
    DEMO,
    JOB,
    TOP,
    XML_LANG,
    children,
    fixture_entries,
    instance_dir,
    parse,
    rows,
    snapshot,
    write_zip,
)

CLIENTS = Path(__file__).resolve().parent
SFCC_CI = CLIENTS / "node_modules" / ".bin" / "sfcc-ci"
PINNED = json.loads((CLIENTS / "package.json").read_text())["dependencies"]["sfcc-ci"]
NODE_HELP = (
    "Node.js and npm are needed to run the real sfcc-ci: install Node.js 18 or newer with npm "
    "(`apt-get install nodejs npm`, or https://nodejs.org/en/download), then run `make test`."
)
EXPORT_DATA = '{"libraries":{"RefArchSharedLibrary":true},"price_books":{"usd-m-list-prices":true}}'
LIBRARY = "libraries/RefArchSharedLibrary/library.xml"
SAFE_XML = etree.XMLParser(resolve_entities=False, no_network=True)


@dataclass
class SfccCi:
    """Runs the installed sfcc-ci against one server, with its own HOME (where it keeps its token) and no
    `SFCC_*`/`DEBUG` variables but the two that point it at the server."""

    server: ServerProcess
    home: Path

    @property
    def instance(self) -> str:
        return f"127.0.0.1:{self.server.port}"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SFCC_", "DEBUG", "NODE_DEBUG"))}
        assert self.server.cafile is not None
        env.update(
            HOME=str(self.home),
            XDG_CONFIG_HOME=str(self.home / ".config"),
            NODE_EXTRA_CA_CERTS=str(self.server.cafile),
            SFCC_LOGIN_URL=self.instance,
            FORCE_COLOR="0",
        )
        return env

    def run(self, *args: str, on_instance: bool = True) -> subprocess.CompletedProcess[str]:
        command = [str(SFCC_CI), *args]
        if on_instance:
            command += ["-i", self.instance, "--selfsigned"]
        return subprocess.run(
            command, cwd=self.home, env=self.env(), capture_output=True, text=True, timeout=90, check=False
        )

    def ok(self, *args: str, on_instance: bool = True) -> str:
        """The standard output of a command that must succeed."""
        result = self.run(*args, on_instance=on_instance)
        assert result.returncode == 0, (args, result.stdout, result.stderr)
        assert "Error:" not in result.stderr, (args, result.stderr)
        return result.stdout

    def upload(self, archive: Path) -> None:
        assert f"{archive.name} uploaded to {self.instance}" in self.ok("instance:upload", str(archive))


def execution_id(output: str) -> str:
    found = re.search(r"Execution id is: (\S+)", output)
    assert found, output
    return found.group(1)


@pytest.fixture
def sfcc_ci(sqlite_settings: Settings, tmp_path: Path) -> Iterator[SfccCi]:
    """sfcc-ci authenticated (`client:auth`) against a fresh `sitejobs serve --tls`."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.fail(NODE_HELP, pytrace=False)
    manifest = CLIENTS / "node_modules" / "sfcc-ci" / "package.json"
    found = json.loads(manifest.read_text())["version"] if manifest.exists() else "nothing"
    if found != PINNED or not SFCC_CI.exists():
        pytest.fail(
            f"tests/clients holds {found}, not sfcc-ci {PINNED}: run `make test` "
            "(or `npm ci --prefix tests/clients`).",
            pytrace=False,
        )
    server = ServerProcess.https(sqlite_settings)
    home = tmp_path / "home"
    home.mkdir()
    try:
        server.start()
        client = SfccCi(server, home)
        assert "Authentication succeeded" in client.ok(
            "client:auth", CLIENT_ID, CLIENT_SECRET, on_instance=False
        )
        yield client
    finally:
        server.kill()


@pytest.fixture
def store(sqlite_settings: Settings) -> Iterator[JobEngine]:
    """The server's store, read from the test."""
    engine = JobEngine.open(sqlite_settings, default_registry(sqlite_settings.jobs_module))
    yield engine
    engine.close()


def test_upload_import_run_and_read_the_log(
    sfcc_ci: SfccCi, store: JobEngine, sqlite_settings: Settings, tmp_path: Path
) -> None:
    archive = write_zip(tmp_path / "work", "site.zip", fixture_entries())
    sfcc_ci.upload(archive)
    assert (instance_dir(store) / "site.zip").read_bytes() == archive.read_bytes()

    imported = sfcc_ci.ok("instance:import", "site.zip", "--sync")
    assert f'Job "{JOB}" finished. Status is: finished (OK)' in imported
    import_log = sfcc_ci.ok("job:status", JOB, execution_id(imported), "-l")
    assert "Imported 'site.zip' (mode merge)" in import_log

    ran = sfcc_ci.ok("job:run", "hello-world", "Seconds=1", "--sync")
    assert 'Job "hello-world" finished. Status is: finished (OK)' in ran
    hello = execution_id(ran)
    status = sfcc_ci.ok("job:status", "hello-world", hello)
    assert f"Status of job execution {hello} (hello-world): finished (OK)" in status
    log = sfcc_ci.ok("job:status", "hello-world", hello, "-l")
    assert "Hello, world: working for 1 s" in log
    assert "1 of 1 s done" in log
    document = json.loads(sfcc_ci.ok("job:status", "hello-world", hello, "-j"))
    assert document["exit_status"]["status"] == "ok"
    assert document["parameters"] == [{"name": "Seconds", "value": "1"}]

    # what was imported is in the store: every product, with its name; every content asset
    for catalog_xml in sorted(DEMO.glob("catalogs/*/catalog.xml")):
        catalog_id = catalog_xml.parent.name
        products = children(parse(f"catalogs/{catalog_id}/catalog.xml"), "product")
        assert len(rows(store, "cc_products", catalog_id=catalog_id)) == len(products)
    names = {
        p.get("product-id"): n.text
        for p in children(parse("catalogs/electronics-m-catalog/catalog.xml"), "product")
        for n in children(p, "display-name")
        if n.get(XML_LANG) == "x-default"
    }
    product_id, name = next(iter(names.items()))
    stored = rows(store, "cc_products", product_id=product_id)
    assert [r["names"]["x-default"] for r in stored] == [name]
    assets = {c.get("content-id") for c in children(parse(LIBRARY), "content")}  # one id appears twice
    assert {
        r["content_id"] for r in rows(store, "cc_content_assets", library_id="RefArchSharedLibrary")
    } == assets


def test_a_failing_import_makes_sync_failfast_exit_non_zero(
    sfcc_ci: SfccCi, store: JobEngine, tmp_path: Path
) -> None:
    catalog = "catalogs/electronics-m-catalog/catalog.xml"
    whole = (DEMO / catalog).read_bytes()
    entries = {**fixture_entries("sites/RefArch", "pricebooks"), f"{TOP}/{catalog}": whole[: len(whole) // 2]}
    sfcc_ci.upload(write_zip(tmp_path / "work", "broken.zip", entries))
    before = snapshot(store)

    result = sfcc_ci.run("instance:import", "broken.zip", "--sync", "--failfast")
    assert result.returncode != 0, result.stdout
    assert f'Job "{JOB}" finished. Status is: finished (ERROR)' in result.stdout
    assert "Job ended with error" in result.stderr
    document = json.loads(sfcc_ci.ok("job:status", JOB, execution_id(result.stdout), "-j"))
    assert document["exit_status"]["status"] == "error"
    assert catalog in document["exit_status"]["message"]
    assert "line" in document["exit_status"]["message"]
    assert snapshot(store) == before  # the sites and price books read before the broken file were not kept


def test_instance_export(
    sfcc_ci: SfccCi, store: JobEngine, sqlite_settings: Settings, tmp_path: Path
) -> None:
    """Fails until `sfcc-site-archive-export` (issue 4, part 4) lands."""
    sfcc_ci.upload(write_zip(tmp_path / "work", "site.zip", fixture_entries()))
    started = json.loads(sfcc_ci.ok("instance:import", "site.zip", "-j"))
    finished = until(store, int(started["id"]), lambda e: e.is_terminal, 60, "the import")
    assert finished.state is State.SUCCEEDED, finished.exit_message

    exported = sfcc_ci.ok("instance:export", "--data", EXPORT_DATA, "--file", "out.zip", "--sync")
    assert 'Job "sfcc-site-archive-export" finished. Status is: finished (OK)' in exported
    out = instance_dir(store) / "out.zip"
    with zipfile.ZipFile(out) as zf:
        inside = {name.partition("/")[2]: name for name in zf.namelist()}  # below the archive's top folder
        assert LIBRARY in inside, sorted(inside)
        library = zf.read(inside[LIBRARY])
    written = {c.get("content-id") for c in children(etree.fromstring(library, SAFE_XML), "content")}
    assert written == {c.get("content-id") for c in children(parse(LIBRARY), "content")}
