"""`sitejobs run --body`, `list --json`, the sentence a run ends with, and `abort` of an execution that ended."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from sitejobs.cli_format import end_sentence
from sitejobs.engine.models import Execution
from sitejobs.engine.service import JobEngine
from sitejobs.engine.states import State
from sitejobs.jobs.builtin import default_registry
from sitejobs.settings import Settings
from tests.test_cli import assert_clear_failure, sitejobs


@pytest.fixture
def plain_settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", poll_seconds=0.05, lease_seconds=3.0, reap_seconds=0.5)


@pytest.fixture
def plain_engine(plain_settings: Settings) -> Iterator[JobEngine]:
    engine = JobEngine.open(plain_settings, default_registry(plain_settings.jobs_module))
    yield engine
    engine.close()


def test_run_takes_a_system_jobs_body_inline_or_from_a_file(
    plain_settings: Settings, plain_engine: JobEngine, tmp_path: Path
) -> None:
    inline = sitejobs(
        plain_settings,
        "run",
        "sfcc-site-archive-export",
        "--body",
        '{"data_units":{"global_data":{"meta_data":true}},"export_file":"a.zip"}',
    )
    assert inline.returncode == 0, inline.stderr
    body = tmp_path / "body.json"
    body.write_text(json.dumps({"site_scope": ["DemoStore"]}))
    from_file = sitejobs(plain_settings, "run", "sfcc-search-index-product-full-update", "--body", f"@{body}")
    assert from_file.returncode == 0, from_file.stderr
    listed = json.loads(sitejobs(plain_settings, "list", "--json").stdout)
    assert [d["job_id"] for d in listed] == [
        "sfcc-search-index-product-full-update",
        "sfcc-site-archive-export",
    ]
    stored = plain_engine.get(int(listed[0]["id"]))
    assert stored is not None
    assert stored.request == {"site_scope": ["DemoStore"]}


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "must be a JSON object"),
        ("@/no/such/file.json", "cannot read the body file"),
        ('{"site_scope": ["RefArch"], "colour": 1}', "colour"),
    ],
)
def test_a_bad_body_is_one_clear_line(
    plain_settings: Settings, plain_engine: JobEngine, body: str, says: str
) -> None:
    result = sitejobs(plain_settings, "run", "sfcc-search-index-product-full-update", "--body", body)
    assert_clear_failure(result, says)
    assert plain_engine.count_by_state() == {}


def test_abort_of_an_execution_that_ended_exits_non_zero(
    plain_settings: Settings, plain_engine: JobEngine
) -> None:
    finished = sitejobs(plain_settings, "run", "noop", "--wait")
    assert finished.returncode == 0, finished.stderr
    result = sitejobs(plain_settings, "abort", "1")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "has already ended" in " ".join(result.stderr.split())
    assert "nothing to abort" in " ".join(result.stderr.split())


def _ended(state: State, code: str | None, message: str | None) -> Execution:
    return Execution(
        id=7, job_id="hello-world", state=state, client_id=None, owner=None, parameters=[], request=None,
        is_restart=False, attempt=1, created_at=0, modified_at=0, start_time=0, end_time=1, percent=100,
        message=None, steps=None, exit_code=code, exit_message=message, result=None, lease_owner=None,
        lease_expires_at=None,
    )  # fmt: skip


def test_the_end_of_a_run_reads_as_a_sentence() -> None:
    assert end_sentence(_ended(State.SUCCEEDED, "OK", "OK")) == "OK: execution 7 of hello-world finished."
    assert (
        end_sentence(_ended(State.FAILED, "HELLO_FAILED", "Failed on request."))
        == "ERROR HELLO_FAILED: execution 7 of hello-world failed: Failed on request."
    )
    assert end_sentence(_ended(State.ABORTED, "ABORTED", None)) == (
        "ERROR ABORTED: execution 7 of hello-world was aborted."
    )
