"""The `sitejobs` command as a user runs it: a subprocess on the same store the server uses."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from sqlalchemy import select
from starlette.testclient import TestClient

from sitejobs.auth.schema import clients
from sitejobs.cli import app as cli_app
from sitejobs.engine.local import LocalExecutor
from sitejobs.engine.models import Outcome
from sitejobs.engine.service import JobEngine
from sitejobs.engine.states import TERMINAL, State
from sitejobs.jobs.builtin import default_registry
from sitejobs.server import create_app
from sitejobs.settings import Settings
from tests.conftest import FIXTURES, REPO, cli_env, store_db, token_for
from tests.conftest import sitejobs_cli as sitejobs
from tests.timing import deadline_after

V = "/dw/data/v23_2"


def _words(text: str) -> str:
    """Output with the console's line wrapping undone, for matching messages."""
    return " ".join(text.split())


def assert_clear_failure(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert result.returncode != 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr + result.stdout, result.stderr
    message = _words(result.stderr)
    assert message.startswith("error:"), result.stderr
    for needle in needles:
        assert needle in message, result.stderr


def _execution_id(stdout: str) -> int:
    match = re.search(r"execution (\d+) of ", stdout)
    assert match, stdout
    return int(match.group(1))


def _listed_ids(stdout: str) -> list[int]:
    return [int(m) for m in re.findall(r"^\W*(\d+)\s*│", stdout, re.M)]


def _finish(engine: JobEngine, job_id: str, state: State, code: str, *, params: Any = None) -> int:
    """An execution ended as `state`, through the engine's worker side (no job runs)."""
    submitted = engine.submit(job_id, params)
    [claimed] = engine.claim("test-worker", 1, job_ids=[job_id])
    assert claimed.id == submitted.id
    assert engine.finish_future(claimed, "test-worker", Outcome(state, code, f"{code} message")).result()
    return submitted.id


@pytest.fixture
def plain_settings(tmp_path: Path) -> Settings:
    """SQLite only: for commands whose behaviour does not depend on the store's backend."""
    return Settings(data_dir=tmp_path / "data", poll_seconds=0.05, lease_seconds=3.0, reap_seconds=0.5)


@pytest.fixture
def plain_engine(plain_settings: Settings) -> Iterator[JobEngine]:
    engine = JobEngine.open(plain_settings, default_registry(plain_settings.jobs_module))
    yield engine
    engine.close()


# ---- clients ---------------------------------------------------------------------------------------------------


def stored_clients_text(settings: Settings) -> str:
    """Every stored client row, as text: what a secret must never appear in."""
    with store_db(settings) as db, db.connect() as conn:
        return repr(conn.execute(select(clients)).all())


def test_clients_add_all_then_the_token_works(plain_settings: Settings) -> None:
    result = sitejobs(plain_settings, "clients", "add", "cli-client", "--secret", "cli-secret-1", "--all")
    assert result.returncode == 0, result.stderr
    assert "cli-client" in result.stdout
    assert "cli-secret-1" not in stored_clients_text(plain_settings)
    with TestClient(create_app(plain_settings, executor=False)) as client:
        client.headers["Authorization"] = f"Bearer {token_for(client, 'cli-client', 'cli-secret-1')}"
        started = client.post(f"{V}/jobs/noop/executions")
        assert started.status_code == 202, started.text
        assert started.json()["client_id"] == "cli-client"
        assert client.get(f"{V}/jobs/noop/executions/{started.json()['id']}").status_code == 200
        search = client.post(f"{V}/job_execution_search", json={"query": {"match_all_query": {}}})
        assert search.json()["total"] == 1


def test_clients_add_with_a_permissions_file(plain_settings: Settings, tmp_path: Path) -> None:
    permissions = tmp_path / "ocapi-settings.json"
    permissions.write_text(
        json.dumps(
            {
                "_v": "23.2",
                "clients": [
                    {"client_id": "someone-else", "resources": [{"resource_id": "/**", "methods": ["get"]}]},
                    {
                        "client_id": "poster",
                        "resources": [
                            {
                                "resource_id": "/jobs/*/executions",
                                "methods": ["post"],
                                "read_attributes": "(**)",
                                "write_attributes": "(**)",
                            }
                        ],
                    },
                ],
            }
        )
    )
    result = sitejobs(plain_settings, "clients", "add", "poster", "--secret", "poster-secret", "--permissions",
                      str(permissions))  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "poster-secret" not in stored_clients_text(plain_settings)
    with TestClient(create_app(plain_settings, executor=False)) as client:
        client.headers["Authorization"] = f"Bearer {token_for(client, 'poster', 'poster-secret')}"
        started = client.post(f"{V}/jobs/noop/executions")
        assert started.status_code == 202, started.text
        read = client.get(f"{V}/jobs/noop/executions/{started.json()['id']}")
        assert read.status_code == 403
        assert read.json()["fault"]["type"] == "ClientAccessForbiddenException"


def test_clients_add_refuses_bad_input(plain_settings: Settings, tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.json"
    garbage.write_text("{not json")
    both = sitejobs(plain_settings, "clients", "add", "c", "--secret", "secret-1", "--all", "--permissions",
                    str(garbage))  # fmt: skip
    assert_clear_failure(both, "--permissions", "--all")
    assert_clear_failure(
        sitejobs(
            plain_settings, "clients", "add", "c", "--secret", "secret-1", "--permissions", str(garbage)
        ),
        "not valid JSON",
    )
    assert "'c'" not in stored_clients_text(plain_settings)
    assert not plain_settings.resolved_clients_file.exists()


def test_clients_list_and_remove(plain_settings: Settings) -> None:
    for client_id in ("first-bot", "second-bot"):
        added = sitejobs(plain_settings, "clients", "add", client_id, "--secret", "bot-secret")
        assert added.returncode == 0, added.stderr
    listed = sitejobs(plain_settings, "clients", "list")
    assert "first-bot" in listed.stdout
    assert "/jobs/*/executions post" in listed.stdout  # the job resources, as the default grants
    removed = sitejobs(plain_settings, "clients", "remove", "first-bot")
    assert removed.returncode == 0, removed.stderr
    listed = sitejobs(plain_settings, "clients", "list")
    assert "first-bot" not in listed.stdout
    assert "second-bot" in listed.stdout
    assert_clear_failure(sitejobs(plain_settings, "clients", "remove", "first-bot"), "no client 'first-bot'")


def test_keys_rotate_and_list(plain_settings: Settings) -> None:
    kids = []
    for _ in range(2):  # the first makes the first key on a new store, the second replaces it
        rotated = sitejobs(plain_settings, "keys", "rotate")
        assert rotated.returncode == 0, rotated.stderr
        found = re.search(r"new signing key ([0-9a-f]{16})", rotated.stdout)
        assert found, rotated.stdout
        kids.append(found.group(1))
    listed = sitejobs(plain_settings, "keys", "list").stdout
    assert re.findall(r"[0-9a-f]{16}", listed) == [kids[1], kids[0]]  # newest first
    assert re.search(rf"{kids[1]}\W+\S+\W+signing", listed), listed
    assert re.search(rf"{kids[0]}\W+\S+\W+\d{{4}}-", listed), listed  # the old one verifies until a time
    refused = sitejobs(plain_settings, "keys", "rotate", env={"SITEJOBS_TOKEN_SECRET": "s" * 32})
    assert_clear_failure(refused, "SITEJOBS_TOKEN_SECRET")


def test_serve_refuses_an_unreadable_clients_file(plain_settings: Settings) -> None:
    plain_settings.data_dir.mkdir(parents=True)
    (plain_settings.data_dir / "clients.json").write_text("{not json")
    assert_clear_failure(sitejobs(plain_settings, "serve", "--port", "1"), "clients.json", "not valid JSON")


def _leaf_commands(group: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """(name, command) of every command under a (typer's own click) group, subcommands as `clients add`."""
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            yield from _leaf_commands(command, f"{prefix}{name} ")
        else:
            yield prefix + name, command


def test_every_command_takes_the_data_files_and_database_options() -> None:
    commands = dict(_leaf_commands(typer.main.get_command(cli_app)))
    assert {"serve", "worker", "dev", "clients add", "keys rotate", "templates add", "run"} <= set(commands)
    storeless = {"demo archive", "demo template"}  # they only write the demo content to a file
    for name, command in commands.items():
        if name in storeless:
            continue
        options = {o for p in command.params for o in p.opts}
        assert {"--data-dir", "--files-dir", "--database"} <= options, name


def test_files_dir_holds_what_nodes_share(plain_settings: Settings, tmp_path: Path) -> None:
    shared = tmp_path / "shared-files"
    template = FIXTURES / "oce-site-template" / "StarterTemplate"
    added = sitejobs(plain_settings, "templates", "add", str(template), "--files-dir", str(shared))
    assert added.returncode == 0, added.stderr
    assert (shared / "content" / "templates" / "StarterTemplate").is_dir()
    assert not (plain_settings.data_dir / "content" / "templates" / "StarterTemplate").exists()
    assert (plain_settings.data_dir / "sitejobs.db").is_file()  # the node's own: SQLite stays in the data dir
    with_env = sitejobs(plain_settings, "templates", "list", env={"SITEJOBS_FILES_DIR": str(shared)})
    assert "StarterTemplate" in with_env.stdout


# ---- run -------------------------------------------------------------------------------------------------------


def test_run_wait_ends_ok(settings: Settings, engine: JobEngine) -> None:
    result = sitejobs(settings, "run", "hello-world", "-p", "Seconds=1", "--wait")
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"^OK\b", result.stdout, re.M), result.stdout
    execution = engine.get(_execution_id(result.stdout))
    assert execution is not None
    assert execution.state is State.SUCCEEDED
    assert execution.parameters == [{"name": "Seconds", "value": "1"}]
    assert execution.client_id == "cli"


def test_run_wait_exits_1_when_the_job_fails(settings: Settings, engine: JobEngine) -> None:
    result = sitejobs(settings, "run", "hello-world", "-p", "Seconds=1", "-p", "Fail=true", "--wait")
    assert result.returncode == 1, result.stdout + result.stderr
    assert re.search(r"^ERROR HELLO_FAILED", result.stdout, re.M), result.stdout
    execution = engine.get(_execution_id(result.stdout))
    assert execution is not None
    assert execution.state is State.FAILED


def test_run_refuses_bad_parameters_clearly(plain_settings: Settings) -> None:
    assert_clear_failure(sitejobs(plain_settings, "run", "hello-world", "-p", "Nope=1"), "Nope")
    engine = JobEngine.open(plain_settings, default_registry(plain_settings.jobs_module))
    try:
        assert engine.count_by_state() == {}
    finally:
        engine.close()


# ---- status, list, abort ---------------------------------------------------------------------------------------


def test_status_and_status_json(plain_settings: Settings, plain_engine: JobEngine) -> None:
    """Reading one row: SQLite only (the store's own tests cover both backends)."""
    settings = plain_settings
    execution_id = _finish(plain_engine, "hello-world", State.SUCCEEDED, "OK", params=[("Seconds", "2")])
    table = sitejobs(settings, "status", str(execution_id))
    assert table.returncode == 0, table.stderr
    for needle in (str(execution_id), "hello-world", "OK", "finished", "succeeded", "Seconds=2"):
        assert needle in table.stdout, table.stdout

    as_json = sitejobs(settings, "status", str(execution_id), "--json")
    assert as_json.returncode == 0, as_json.stderr
    doc = json.loads(as_json.stdout)
    assert doc["_type"] == "job_execution"
    assert doc["id"] == str(execution_id)
    assert (doc["job_id"], doc["status"], doc["execution_status"]) == ("hello-world", "OK", "finished")
    assert doc["exit_status"] == {"_type": "status", "code": "OK", "message": "OK message", "status": "ok"}
    assert doc["parameters"] == [{"_type": "job_execution_parameter", "name": "Seconds", "value": "2"}]


def test_status_of_a_bad_or_unknown_id(plain_settings: Settings, plain_engine: JobEngine) -> None:
    assert_clear_failure(sitejobs(plain_settings, "status", "abc"), "'abc' is not an execution id")
    missing = sitejobs(plain_settings, "status", "987654")
    assert missing.returncode == 1
    assert "no execution 987654" in _words(missing.stderr)


def test_list_filters_by_job_and_status(settings: Settings, engine: JobEngine) -> None:
    ok = [_finish(engine, "hello-world", State.SUCCEEDED, "OK") for _ in range(2)]
    _finish(engine, "hello-world", State.FAILED, "HELLO_FAILED")
    _finish(engine, "noop", State.SUCCEEDED, "OK")
    pending = engine.submit("hello-world").id

    result = sitejobs(settings, "list", "--job", "hello-world", "--status", "OK")
    assert result.returncode == 0, result.stderr
    assert _listed_ids(result.stdout) == sorted(ok, reverse=True), result.stdout
    assert "noop" not in result.stdout
    assert pending not in _listed_ids(result.stdout)


def test_abort_a_pending_execution(settings: Settings, engine: JobEngine) -> None:
    execution_id = engine.submit("hello-world").id
    result = sitejobs(settings, "abort", str(execution_id))
    assert result.returncode == 0, result.stderr
    assert "aborted" in result.stdout
    execution = engine.get(execution_id)
    assert execution is not None
    assert execution.state is State.ABORTED
    assert engine.claim("w", 5) == []  # nothing left to run


# ---- logs ------------------------------------------------------------------------------------------------------


def _run_to_the_end(engine: JobEngine, execution_id: int, timeout: float = 30) -> None:
    deadline = deadline_after(timeout)
    while time.monotonic() < deadline:
        current = engine.get(execution_id)
        if current is not None and current.state in TERMINAL:
            return
        time.sleep(0.05)
    pytest.fail(f"execution {execution_id} did not end within {timeout} s")


def test_logs_prints_the_jobs_lines(plain_settings: Settings, plain_engine: JobEngine) -> None:
    settings, engine = plain_settings, plain_engine
    execution_id = engine.submit("hello-world", [("Seconds", "1")]).id
    runner = LocalExecutor(engine, kind="test")
    runner.start()
    try:
        _run_to_the_end(engine, execution_id)
    finally:
        runner.stop()
    result = sitejobs(settings, "logs", str(execution_id))
    assert result.returncode == 0, result.stderr
    assert "Hello, world: working for 1 s" in result.stdout
    assert "1 of 1 s done" in result.stdout
    assert f"execution {execution_id} finished" in result.stdout


def test_logs_follow_returns_when_the_execution_ends(settings: Settings, engine: JobEngine) -> None:
    execution_id = engine.submit("hello-world", [("Seconds", "2")]).id
    env = {**os.environ, **cli_env(settings)}
    follower = subprocess.Popen(
        [sys.executable, "-m", "sitejobs", "logs", str(execution_id), "--follow"],
        env=env,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        time.sleep(0.5)
        assert follower.poll() is None, follower.communicate()  # still waiting for lines
        runner = LocalExecutor(engine, kind="test")
        runner.start()
        try:
            stdout, stderr = follower.communicate(timeout=60)
        finally:
            runner.stop()
    finally:
        if follower.poll() is None:
            follower.kill()
            follower.wait()
    assert follower.returncode == 0, stderr
    execution = engine.get(execution_id)
    assert execution is not None
    assert execution.state in TERMINAL  # it returned because the execution ended
    assert "Hello, world: working for 2 s" in stdout
    assert "2 of 2 s done" in stdout
    # every line, the last included, is in the file before the execution is recorded as finished
    assert f"execution {execution_id} finished" in stdout


# ---- custom jobs modules ---------------------------------------------------------------------------------------


def test_a_jobs_module_may_not_claim_the_system_prefix(plain_settings: Settings) -> None:
    env = {"SITEJOBS_JOBS_MODULE": "tests.jobs.bad_jobs"}
    for args in (("run", "hello-world"), ("serve", "--port", "0")):
        result = sitejobs(plain_settings, *args, env=env, timeout=60)
        assert_clear_failure(result, "sfcc-my-import", "reserved")


def test_a_missing_jobs_module_is_a_clear_error(plain_settings: Settings) -> None:
    result = sitejobs(
        plain_settings, "run", "hello-world", env={"SITEJOBS_JOBS_MODULE": "tests.jobs.no_such_module"}
    )
    assert_clear_failure(result, "tests.jobs.no_such_module")


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://sitejobs:secret-pw@127.0.0.1:1/nowhere",  # nothing listens there
        "postgresql://sitejobs@no-such-host.invalid/x",
        "bogus://x",
        "not a url at all",
    ],
)
@pytest.mark.parametrize("command", [("list",), ("serve", "--port", "1")])
def test_a_wrong_database_url_is_one_clear_line(
    sqlite_settings: Settings, url: str, command: tuple[str, ...]
) -> None:
    result = sitejobs(sqlite_settings, *command, "--database", url, timeout=60)
    assert_clear_failure(result, "cannot use the database")
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "secret-pw" not in result.stderr
