"""No job reads or writes through a symbolic link that leads out of the Impex folder (issue 13, item 6): an
archive outside the data directory, linked into Impex/src/instance, is not imported; an export never lands
outside through a linked Impex/src/instance."""

from __future__ import annotations

from pathlib import Path

import pytest

from sitejobs.engine.service import JobEngine
from sitejobs.engine.states import State
from tests.sites.commerce.helpers import fixture_entries, instance_dir, rows, run_import, run_job, write_zip


@pytest.mark.usefixtures("executor")
def test_an_import_does_not_follow_a_link_out_of_the_impex_folder(engine: JobEngine, tmp_path: Path) -> None:
    outside = write_zip(tmp_path / "elsewhere", "secret.zip", fixture_entries())
    instance = instance_dir(engine)
    instance.mkdir(parents=True, exist_ok=True)
    (instance / "linked.zip").symlink_to(outside)

    execution = run_import(engine, "linked.zip")

    assert execution.state is State.FAILED
    assert execution.exit_code == "OUTSIDE_AREA", execution.exit_message
    assert "Impex" in (execution.exit_message or "")
    assert rows(engine, "cc_products") == []


@pytest.mark.usefixtures("executor")
def test_a_link_inside_the_impex_folder_is_still_followed(engine: JobEngine) -> None:
    instance = instance_dir(engine)
    write_zip(engine.settings.impex_dir / "archive", "site.zip", fixture_entries("catalogs"))
    instance.mkdir(parents=True, exist_ok=True)
    (instance / "linked.zip").symlink_to(engine.settings.impex_dir / "archive" / "site.zip")
    execution = run_import(engine, "linked.zip")
    assert execution.state is State.SUCCEEDED, execution.exit_message


@pytest.mark.usefixtures("executor")
def test_an_export_does_not_write_through_a_linked_instance_folder(engine: JobEngine, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    src = engine.settings.impex_dir / "src"
    src.mkdir(parents=True, exist_ok=True)
    (src / "instance").symlink_to(outside, target_is_directory=True)

    request = {"data_units": {"global_data": {"meta_data": True}}, "export_file": "out.zip"}
    execution = run_job(engine, "sfcc-site-archive-export", request)

    assert execution.state is State.FAILED
    assert execution.exit_code == "OUTSIDE_AREA", execution.exit_message
    assert list(outside.iterdir()) == []
