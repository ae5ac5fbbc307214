"""`sitejobs products search` as a user runs it, on the store a server built the index in (both backends)."""

from __future__ import annotations

import json

import pytest

from sitejobs.engine.local import LocalExecutor
from sitejobs.engine.service import JobEngine
from sitejobs.engine.states import State
from sitejobs.settings import Settings
from tests.conftest import sitejobs_cli as sitejobs
from tests.sites.commerce.helpers import fixture_entries, instance_dir, run_import, run_job, write_zip
from tests.test_cli import _words, assert_clear_failure

FULL = "sfcc-search-index-product-full-update"
ZUNES = {"microsoft-zune16M", "microsoft-zune120M"}


@pytest.fixture
def demo(engine: JobEngine) -> JobEngine:
    executor = LocalExecutor(engine, slots=2)
    executor.start()
    try:
        write_zip(instance_dir(engine), "site.zip", fixture_entries())
        assert run_import(engine, "site.zip").state is State.SUCCEEDED
    finally:
        executor.stop()
    return engine


def build(engine: JobEngine) -> None:
    executor = LocalExecutor(engine, slots=1)
    executor.start()
    try:
        execution = run_job(engine, FULL, {"site_scope": ["RefArch"]})
    finally:
        executor.stop()
    assert execution.state is State.SUCCEEDED, execution.exit_message


def test_search_prints_ranked_products(settings: Settings, demo: JobEngine) -> None:
    never = sitejobs(settings, "products", "search", "RefArch", "zune")
    assert_clear_failure(never, "index of site 'RefArch' was never built", FULL)
    build(demo)

    table = sitejobs(settings, "products", "search", "RefArch", "zune")
    assert table.returncode == 0, table.stderr
    rows = [line for line in table.stdout.splitlines() if "│" in line and "Zune" in line]
    assert [line.split("│")[1].strip() for line in rows] == ["1", "2"]
    assert {line.split("│")[2].strip() for line in rows} == ZUNES
    assert "2 of 2 products of RefArch matching 'zune' (locale x-default)" in _words(table.stdout)

    as_json = sitejobs(settings, "products", "search", "RefArch", "walk*", "--json", "--locale", "en_US")
    assert as_json.returncode == 0, as_json.stderr
    document = json.loads(as_json.stdout)
    assert (document["site_id"], document["locale"], document["query"]) == ("RefArch", "en-US", "walk*")
    assert document["total"] == len(document["hits"]) >= 2
    assert all("Walkman" in hit["name"] for hit in document["hits"][:2])  # in their names: first
    assert document["hits"] == sorted(document["hits"], key=lambda hit: -hit["score"])

    limited = json.loads(
        sitejobs(settings, "products", "search", "RefArch", "camera", "--json", "--limit", "3").stdout
    )
    assert len(limited["hits"]) == 3
    assert limited["total"] > 3

    none = sitejobs(settings, "products", "search", "RefArch", "xylophone")
    assert none.returncode == 0
    assert "No product of RefArch matches 'xylophone'" in _words(none.stdout)

    assert_clear_failure(sitejobs(settings, "products", "search", "Elsewhere", "zune"), "No site 'Elsewhere'")
