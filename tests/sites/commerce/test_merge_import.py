"""MERGE imports against the store, on generated archives: into an empty store a merge is the plain import of
the archive, and merging the same archive again changes nothing."""

from __future__ import annotations

from hypothesis import HealthCheck, assume, given, settings

from sitejobs.engine.service import JobEngine
from sitejobs.sites.commerce import import_site_archive
from tests.sites.commerce.helpers import instance_dir, snapshot, unrevised, write_zip
from tests.sites.commerce.strategies import site_archive
from tests.sites.commerce.test_export import _clear, _Recorder

PROPERTY = settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _import(engine: JobEngine, entries: dict[str, bytes], mode: str) -> None:
    write_zip(instance_dir(engine), "generated.zip", {f"generated/{p}": data for p, data in entries.items()})
    import_site_archive(engine.db, engine.settings.impex_dir, "generated.zip", mode, _Recorder())  # type: ignore[arg-type]


@PROPERTY
@given(entries=site_archive())
def test_merging_into_an_empty_store_is_importing_the_archive(
    engine: JobEngine, entries: dict[str, bytes]
) -> None:
    assume(entries)
    _clear(engine)
    _import(engine, entries, "replace")  # each object written whole, as the archive has it
    written = snapshot(engine)
    _clear(engine)
    _import(engine, entries, "merge")
    assert unrevised(snapshot(engine)) == unrevised(written)


@PROPERTY
@given(entries=site_archive(), again=site_archive())
def test_merging_an_archive_twice_is_merging_it_once(
    engine: JobEngine, entries: dict[str, bytes], again: dict[str, bytes]
) -> None:
    assume(entries and again)
    _clear(engine)
    _import(engine, entries, "merge")
    _import(engine, again, "merge")  # onto a store that holds something else too
    once = snapshot(engine)
    _import(engine, again, "merge")
    assert snapshot(engine) == once  # revisions too: what did not change keeps its own
