"""Mistakes a newcomer makes, each answered by one clear line and a non-zero exit, never a traceback, and never
an empty store made as a side effect."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from sitejobs.settings import Settings
from tests.conftest import ServerProcess, free_port
from tests.test_cli import assert_clear_failure, sitejobs


@pytest.fixture
def plain_settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", poll_seconds=0.05, lease_seconds=3.0, reap_seconds=0.5)


@pytest.mark.parametrize("command", [("list",), ("status", "1"), ("logs", "1"), ("abort", "1")])
def test_read_commands_on_a_mistyped_data_dir_say_so_and_create_nothing(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    typo = tmp_path / "vra"
    result = sitejobs(Settings(data_dir=typo), *command)
    assert_clear_failure(result, "no sitejobs store", str(typo), "--data-dir")
    assert not typo.exists()


def test_an_unreachable_database_is_one_line(plain_settings: Settings) -> None:
    port = free_port()  # nothing listens there
    url = f"postgresql://nobody@127.0.0.1:{port}/nothing"
    for command in (("list",), ("run", "noop"), ("serve", "--port", str(free_port()))):
        result = sitejobs(plain_settings, *command, env={"SITEJOBS_DATABASE_URL": url}, timeout=60)
        assert_clear_failure(result, "cannot use the database", f"127.0.0.1:{port}")
        assert len(result.stderr.strip().splitlines()) <= 3, result.stderr  # one line, wrapped at most


def test_an_unusable_data_dir_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    settings = Settings(data_dir=blocker / "data")
    for command in (("run", "noop"), ("serve", "--port", str(free_port()))):
        assert_clear_failure(sitejobs(settings, *command), "cannot use the data directory")


def test_a_port_in_use_is_one_line(plain_settings: Settings) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = sitejobs(plain_settings, "serve", "--port", str(port))
    assert_clear_failure(result, f"port {port}", "already in use")


def test_a_bad_tls_file_is_one_line(plain_settings: Settings, tmp_path: Path) -> None:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert.write_text("-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n")
    key.write_text("garbage")
    result = sitejobs(
        plain_settings, "serve", "--port", str(free_port()), "--cert", str(cert), "--key", str(key)
    )
    assert_clear_failure(result, "cannot use the TLS certificate", str(cert))


def test_the_server_writes_an_access_log_unless_told_not_to(plain_settings: Settings) -> None:
    plain_settings.ensure_dirs()
    for flag, logged in (((), True), (("--no-access-log",), False)):
        port = free_port()
        server = ServerProcess(plain_settings, "serve", "--port", str(port), *flag, port=port).start()
        try:
            httpx.get(f"{server.url}/healthz?marker=access-log-check", timeout=10)
            server.terminate()
            assert ("/healthz?marker=access-log-check" in server.log_text()) is logged, server.log_text()
        finally:
            server.kill()


def test_the_module_runs_without_a_store(tmp_path: Path) -> None:
    """`sitejobs demo archive` needs no store, and makes none."""
    dest = tmp_path / "out" / "demo.zip"
    result = subprocess.run(
        [sys.executable, "-m", "sitejobs", "demo", "archive", str(dest)],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert dest.is_file()
    assert not (tmp_path / "var").exists()
