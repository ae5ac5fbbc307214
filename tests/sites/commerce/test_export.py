"""`sfcc-site-archive-export` on SQLite and PostgreSQL: the SFRA demo archive comes back out as equivalent
XML, import(export(store)) gives the same store, and an export that cannot be done fails whole, leaving
Impex/src/instance as it was."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import zipfile
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from lxml import etree  # type: ignore[import-untyped]
from sqlalchemy import delete
from starlette.testclient import TestClient

from sitejobs.engine.local import LocalExecutor
from sitejobs.engine.models import Execution
from sitejobs.engine.schema import metadata
from sitejobs.engine.service import JobEngine
from sitejobs.engine.states import State
from sitejobs.errors import InvalidParameter, UnknownProperty
from sitejobs.sites.commerce import (
    ExportDataUnitsConfiguration,
    export_site_archive,
    import_site_archive,
    schema,
)
from tests.api.conftest import V_SFCC_CI, app_engine, assert_fault, wait_for
from tests.sites.commerce.helpers import (
    DEMO,
    c14n,
    fixture_entries,
    instance_dir,
    rows,
    run_import,
    snapshot,
    unrevised,
    write_zip,
)
from tests.sites.commerce.strategies import site_archive
from tests.timing import deadline_after

JOB = "sfcc-site-archive-export"
MAPS = (
    "catalogs",
    "catalog_static_resources",
    "price_books",
    "inventory_lists",
    "libraries",
    "library_static_resources",
    "customer_lists",
)
EVERYTHING: dict[str, Any] = {
    "global_data": {"all": True},
    "sites": {"all": {"all": True}},
    **{name: {"all": True} for name in MAPS},
}
LIST_CONTAINERS = ("pricebook", "price-tables", "inventory-list", "records")


@pytest.fixture
def demo_store(engine: JobEngine, executor: LocalExecutor) -> JobEngine:
    write_zip(instance_dir(engine), "site.zip", fixture_entries())
    execution = run_import(engine, "site.zip")
    assert execution.state is State.SUCCEEDED, execution.exit_message
    return engine


def run_export(
    engine: JobEngine, data_units: dict[str, Any], export_file: str = "out.zip", **more: Any
) -> Execution:
    request = {"data_units": data_units, "export_file": export_file, "overwrite_export_file": False, **more}
    execution = engine.submit(JOB, request=request)
    deadline = deadline_after(120)
    while time.monotonic() < deadline:
        current = engine.get(execution.id)
        assert current is not None
        if current.is_terminal:
            return current
        time.sleep(0.05)
    raise AssertionError(f"export {execution.id} did not finish")


def listing(directory: Path) -> dict[str, bytes]:
    """Every file in `directory`, hidden ones too, with its bytes."""
    return {p.name: p.read_bytes() for p in directory.iterdir()} if directory.exists() else {}


# ---- equivalence with the demo archive ------------------------------------------------------------------------


def _objects(root: etree._Element) -> dict[tuple[str, ...], str]:
    """A file's elements, keyed by tag and attributes, as canonical XML: the children of the root, and of a
    price book's or inventory list's containers in place of the containers themselves."""
    found: dict[tuple[str, ...], str] = {}
    for child in root:
        if not isinstance(child.tag, str):
            continue
        if etree.QName(child).localname in LIST_CONTAINERS:
            found.update(_objects(child))
            continue
        key = (etree.QName(child).localname, *sorted(f"{k}={v}" for k, v in child.attrib.items()))
        found[key] = c14n(child)
    return found


def _ordered(root: etree._Element) -> list[str]:
    return [c14n(child) for child in root if isinstance(child.tag, str)]


def _parse(data: bytes) -> etree._Element:
    return etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))


@pytest.mark.usefixtures("executor")
def test_the_demo_archive_exports_to_equivalent_xml(demo_store: JobEngine) -> None:
    engine = demo_store
    execution = run_export(engine, EVERYTHING)
    assert execution.state is State.SUCCEEDED, execution.exit_message
    assert execution.percent == 100

    with zipfile.ZipFile(instance_dir(engine) / "out.zip") as archive:
        exported = {
            name.removeprefix("out/"): archive.read(name)
            for name in archive.namelist()
            if not name.endswith("/")
        }
    originals = {p.relative_to(DEMO).as_posix(): p.read_bytes() for p in DEMO.rglob("*.xml")}
    for path, data in originals.items():
        original = _parse(data)
        if path not in exported:  # only a file that holds nothing may be missing
            assert _ordered(original) == [], path
            continue
        copy = _parse(exported[path])
        assert (copy.tag, dict(copy.attrib)) == (original.tag, dict(original.attrib)), path
        if path.startswith(("catalogs/", "libraries/", "pricebooks/", "inventory-lists/", "meta/")):
            assert _objects(copy) == _objects(original), path  # same elements, whatever their order
        else:
            assert _ordered(copy) == _ordered(original), path  # documents: the same elements in order
    assert set(exported) <= set(originals)

    catalog = _parse(exported["catalogs/electronics-m-catalog/catalog.xml"])
    assert len(catalog.findall("{*}product")) == 159
    assert len(catalog.findall("{*}category-assignment")) == 127
    prices = _parse(exported["pricebooks/usd-m-list-prices.xml"])
    assert len(prices.findall(".//{*}price-table")) == len(
        rows(engine, "cc_price_tables", pricebook_id="usd-m-list-prices")
    )

    steps = {s["step_id"]: s for s in execution.steps or []}
    assert {"global_data", "catalogs/electronics-m-catalog", "libraries/RefArchSharedLibrary", "sites/RefArch",
            "price_books/usd-m-list-prices", "inventory_lists/inventory_m", "customer_lists/RefArch"} <= set(steps)  # fmt: skip
    assert all(s["state"] == "succeeded" for s in steps.values())
    log = engine.log_text(execution.id)
    [line] = [line for line in log.splitlines() if "INFO catalogs/electronics-m-catalog:" in line]
    assert "159 products" in line
    assert "127 category assignments" in line
    result = execution.result or {}
    assert result["files"] == len(exported)


@pytest.mark.usefixtures("executor")
def test_sfcc_ci_example_exports_just_what_it_names(demo_store: JobEngine) -> None:
    data_units = {"libraries": {"RefArchSharedLibrary": True}, "price_books": {"usd-m-list-prices": True}}
    execution = run_export(demo_store, data_units)
    assert execution.state is State.SUCCEEDED, execution.exit_message
    with zipfile.ZipFile(instance_dir(demo_store) / "out.zip") as archive:
        assert sorted(archive.namelist()) == [
            "out/",
            "out/libraries/RefArchSharedLibrary/library.xml",
            "out/pricebooks/usd-m-list-prices.xml",
        ]
    assert [s["step_id"] for s in execution.steps or []] == [
        "price_books/usd-m-list-prices",
        "libraries/RefArchSharedLibrary",
    ]
    assert {p["name"]: p["value"] for p in execution.parameters}["ExportFile"] == "out.zip"


@pytest.mark.usefixtures("executor")
def test_site_units_pick_their_files(demo_store: JobEngine) -> None:
    data_units = {
        "sites": {"RefArch": {"site_preferences": True, "campaigns_and_promotions": True}},
        "global_data": {"meta_data": True},
    }
    execution = run_export(demo_store, data_units)
    assert execution.state is State.SUCCEEDED, execution.exit_message
    with zipfile.ZipFile(instance_dir(demo_store) / "out.zip") as archive:
        assert sorted(n for n in archive.namelist() if not n.endswith("/")) == [
            "out/meta/system-objecttype-extensions.xml",
            "out/sites/RefArch/preferences.xml",
            "out/sites/RefArch/promotions.xml",
        ]


@pytest.mark.usefixtures("executor")
def test_b2c_tools_request_with_a_whole_site_as_true(demo_store: JobEngine) -> None:
    """b2c-tools sends no `overwrite_export_file` and allows `{"RefArch": true}` for a whole site."""
    execution = demo_store.submit(
        JOB, request={"export_file": "b2c.zip", "data_units": {"sites": {"RefArch": True}}}
    )
    assert {p["name"]: p["value"] for p in execution.parameters}["OverwriteExportFile"] == "false"
    deadline = deadline_after(60)
    while not (done := demo_store.get(execution.id)) or not done.is_terminal:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert done.state is State.SUCCEEDED, done.exit_message
    with zipfile.ZipFile(instance_dir(demo_store) / "b2c.zip") as archive:
        names = {n.removeprefix("b2c/") for n in archive.namelist()}
    expected = {p.relative_to(DEMO).as_posix() for p in (DEMO / "sites" / "RefArch").rglob("*.xml")}
    assert expected <= names
    assert not {n for n in names if n and not n.startswith("sites/RefArch/")}


# ---- import(export(store)) == store -----------------------------------------------------------------------------


class _Recorder:
    """What the import and export report to, kept for the assertions (a JobContext in a real run)."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.steps: list[str] = []

    def progress(self, percent: float | None = None, message: str | None = None) -> None:
        assert percent is None or 0 <= percent <= 100

    def log(self, message: str, level: str = "INFO") -> None:
        self.lines.append(message)

    def step(self, step_id: str, step_type_id: str | None = None) -> AbstractContextManager[Any]:
        self.steps.append(step_id)
        return nullcontext()


def _clear(engine: JobEngine) -> None:
    with engine.db.begin() as conn:
        for table in reversed([t for t in metadata.sorted_tables if t.name in schema.TABLES]):
            conn.execute(delete(table))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(entries=site_archive())
def test_importing_an_export_gives_the_same_store(engine: JobEngine, entries: dict[str, bytes]) -> None:
    assume(entries)
    _clear(engine)
    instance = instance_dir(engine)
    write_zip(instance, "generated.zip", {f"generated/{path}": data for path, data in entries.items()})
    impex = engine.settings.impex_dir
    import_site_archive(engine.db, impex, "generated.zip", "merge", _Recorder())
    before = snapshot(engine)
    if not any(before.values()):
        return  # nothing stored: nothing to select
    config = ExportDataUnitsConfiguration.model_validate(EVERYTHING)
    export_site_archive(engine.db, impex, "again.zip", config, _Recorder(), overwrite=True)

    import_site_archive(engine.db, impex, "again.zip", "merge", _Recorder())
    assert snapshot(engine) == before  # onto the store itself: nothing changes, not even a revision

    _clear(engine)
    assert not any(snapshot(engine).values())
    import_site_archive(engine.db, impex, "again.zip", "merge", _Recorder())
    assert unrevised(snapshot(engine)) == unrevised(before)  # a new import's revision, the same objects


# ---- refusals: a fault at submission, or ERROR with nothing written ------------------------------------------------


@pytest.mark.usefixtures("executor")
def test_an_existing_file_is_not_overwritten_unless_asked(demo_store: JobEngine) -> None:
    instance = instance_dir(demo_store)
    (instance / "out.zip").write_bytes(b"precious")
    before = listing(instance)
    data_units = {"catalogs": {"electronics-m-catalog": True}}

    refused = run_export(demo_store, data_units)
    assert (refused.state, refused.exit_code) == (State.FAILED, "EXPORT_FILE_EXISTS")
    assert "'out.zip' exists already" in (refused.exit_message or "")
    assert listing(instance) == before

    replaced = run_export(demo_store, data_units, overwrite_export_file=True)
    assert replaced.state is State.SUCCEEDED, replaced.exit_message
    with zipfile.ZipFile(instance / "out.zip") as archive:
        assert "out/catalogs/electronics-m-catalog/catalog.xml" in archive.namelist()
    assert set(listing(instance)) == set(before)  # nothing beside it


@pytest.mark.usefixtures("executor")
@pytest.mark.parametrize(
    ("data_units", "text"),
    [
        ({"libraries": {"NoSuchLibrary": True}}, "libraries.NoSuchLibrary"),
        ({"catalogs": {"electronics-m-catalog": True, "nope": True}}, "catalogs.nope"),
        ({"sites": {"SiteGenesis": {"content": True}}}, "site 'SiteGenesis'"),
        ({"price_books": {"eur-list-prices": True}}, "price_books.eur-list-prices"),
        ({"inventory_lists": {"inventory_x": True}}, "inventory_lists.inventory_x"),
        ({"customer_lists": {"Other": True}}, "customer_lists.Other"),
    ],
)
def test_a_unit_naming_what_is_not_stored_fails_and_writes_nothing(
    demo_store: JobEngine, data_units: dict[str, Any], text: str
) -> None:
    instance = instance_dir(demo_store)
    before = listing(instance)
    execution = run_export(demo_store, data_units)
    assert (execution.state, execution.exit_code) == (State.FAILED, "DATA_UNIT_NOT_FOUND")
    assert text in (execution.exit_message or ""), execution.exit_message
    assert listing(instance) == before


@pytest.mark.parametrize(
    ("request_document", "fault", "where"),
    [
        ({"data_units": {"global_data": {"meta_data": True, "metadata": True}}}, UnknownProperty, "global_data.metadata"),
        ({"data_units": {"sites": {"RefArch": {"contents": True}}}}, UnknownProperty, "sites.RefArch.contents"),
        ({"data_units": {"catalog": {"x": True}}}, UnknownProperty, "data_units.catalog"),
        ({"data_units": {"libraries": {"x": "true"}}}, InvalidParameter, "libraries.x"),
        ({"data_units": {"global_data": {"all": 1}}}, InvalidParameter, "global_data.all"),
        ({"data_units": {"libraries": {"x": False}}}, InvalidParameter, "selects no data unit"),
        ({"data_units": {"libraries": {"x": True}}, "export_file": "../out.zip"}, InvalidParameter, "'..'"),
        ({"data_units": {"libraries": {"x": True}}, "export_file": "/tmp/out.zip"}, InvalidParameter, "'/'"),
        ({"data_units": {"libraries": {"x": True}}, "export_file": "a..zip"}, InvalidParameter, "'..'"),
        ({"data_units": {"libraries": {"x": True}}, "export_file": ".zip"}, InvalidParameter, "a name before"),
        ({"data_units": {"libraries": {"x": True}}, "overwrite_export_file": "no"}, InvalidParameter, "overwrite"),
        ({"data_units": {"libraries": {"x": True}}, "compress": True}, UnknownProperty, "compress"),
    ],
)  # fmt: skip
def test_bad_requests_are_faults_at_submission(
    engine: JobEngine, request_document: dict[str, Any], fault: type[Exception], where: str
) -> None:
    document = {"export_file": "out.zip", **request_document}
    with pytest.raises(fault, match=where.replace(".", r"\.")):
        engine.submit(JOB, request=document)
    assert sum(engine.count_by_state().values()) == 0  # nothing was submitted


@pytest.mark.usefixtures("executor")
def test_every_data_unit_of_the_configuration_is_accepted(demo_store: JobEngine) -> None:
    schema_ = ExportDataUnitsConfiguration.model_json_schema()
    definitions = schema_["$defs"]
    global_units = dict.fromkeys(definitions["ExportGlobalDataConfiguration"]["properties"], True)
    site_units = dict.fromkeys(definitions["ExportSitesConfiguration"]["properties"], True)
    assert {"meta_data", "custom_types", "preferences", "users", "static_resources"} <= set(global_units)
    assert {"site_preferences", "content", "slots", "url_rules", "all"} <= set(site_units)
    data_units = {
        "global_data": global_units,
        "sites": {"RefArch": site_units},
        **{m: {"all": True} for m in MAPS},
    }
    assert set(data_units) == set(schema_["properties"])
    execution = run_export(demo_store, data_units)
    assert execution.state is State.SUCCEEDED, execution.exit_message


@pytest.mark.usefixtures("executor")
def test_a_failure_mid_way_leaves_no_file(demo_store: JobEngine) -> None:
    """A store row that cannot be written (here a damaged price book header) fails the export after other
    files were written: no archive, no partial file, hidden or not."""
    with demo_store.db.begin() as conn:
        conn.execute(
            schema.pricebooks.update()
            .where(schema.pricebooks.c.pricebook_id == "usd-m-sale-prices")
            .values(xml="<header")
        )
    instance = instance_dir(demo_store)
    before = listing(instance)
    execution = run_export(demo_store, EVERYTHING)
    assert execution.state is State.FAILED
    steps = execution.steps or []
    assert [s["state"] for s in steps][-1] == "failed"
    assert any(s["state"] == "succeeded" for s in steps)  # files were written before it failed
    assert listing(instance) == before


CHILD = """
import contextlib, json, resource, signal, sys
from pathlib import Path
from sitejobs.engine.db import create_store_engine
from sitejobs.sites.commerce import ExportDataUnitsConfiguration, export_site_archive

class Reporter:
    def progress(self, percent=None, message=None): pass
    def log(self, message, level="INFO"): pass
    def step(self, step_id, step_type_id=None): return contextlib.nullcontext()

url, impex, limit, units = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]), json.loads(sys.argv[4])
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
config = ExportDataUnitsConfiguration.model_validate(units)
try:
    export_site_archive(create_store_engine(url), impex, "full.zip", config, Reporter())
except OSError as exc:
    sys.exit(f"export failed: {exc}")
"""


@pytest.mark.usefixtures("executor")
def test_a_full_disk_fails_the_export_and_leaves_nothing(demo_store: JobEngine, database_url: str) -> None:
    """The disk fills up (a file size limit on the exporting process) half-way through the archive."""
    instance = instance_dir(demo_store)
    before = listing(instance)
    impex = demo_store.settings.impex_dir
    done = subprocess.run(
        [sys.executable, "-c", CHILD, database_url, str(impex), str(100_000), json.dumps(EVERYTHING)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[3],
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    assert done.returncode == 1, done.stderr
    assert "export failed: [Errno 27] File too large" in done.stderr
    assert listing(instance) == before


# ---- over the OCAPI surface, as sfcc-ci does it ---------------------------------------------------------------


def test_sfcc_ci_starts_an_export_and_polls_it(api: TestClient) -> None:
    engine = app_engine(api)
    write_zip(instance_dir(engine), "site.zip", fixture_entries("libraries", "pricebooks"))
    imported = api.post(
        f"{V_SFCC_CI}/jobs/sfcc-site-archive-import/executions", json={"file_name": "site.zip"}
    )
    assert imported.status_code == 202, imported.text
    wait_for(api, f"{V_SFCC_CI}/jobs/sfcc-site-archive-import/executions/{imported.json()['id']}")

    body = {
        "data_units": {
            "libraries": {"RefArchSharedLibrary": True},
            "price_books": {"usd-m-list-prices": True},
        },
        "export_file": "out.zip",
        "overwrite_export_file": False,
    }  # what `sfcc-ci instance:export --data '…' --file out.zip --sync` posts
    started = api.post(f"{V_SFCC_CI}/jobs/{JOB}/executions", json=body)
    assert started.status_code == 202, started.text
    doc = wait_for(api, f"{V_SFCC_CI}/jobs/{JOB}/executions/{started.json()['id']}")
    assert doc["status"] == "OK", doc
    assert doc["exit_status"]["code"] == "OK"
    assert {p["name"] for p in doc["parameters"]} == {"ExportFile", "OverwriteExportFile", "DataUnits"}

    download = api.get("/on/demandware.servlet/webdav/Sites/impex/src/instance/out.zip")
    assert download.status_code == 200
    out = instance_dir(engine) / "downloaded.zip"
    out.write_bytes(download.content)
    with zipfile.ZipFile(out) as archive:
        library = _parse(archive.read("out/libraries/RefArchSharedLibrary/library.xml"))
    original = _parse((DEMO / "libraries/RefArchSharedLibrary/library.xml").read_bytes())
    assert _objects(library) == _objects(original)

    again = api.post(f"{V_SFCC_CI}/jobs/{JOB}/executions", json=body)  # the file is there now
    failed = wait_for(api, f"{V_SFCC_CI}/jobs/{JOB}/executions/{again.json()['id']}")
    assert (failed["status"], failed["exit_status"]["code"]) == ("ERROR", "EXPORT_FILE_EXISTS")

    unknown = api.post(f"{V_SFCC_CI}/jobs/{JOB}/executions", json={**body, "data_units": {"librarys": {}}})
    fault = assert_fault(unknown, 400, "UnknownPropertyException", version=None)
    assert "librarys" in fault["message"]
