"""A `sitejobs serve` subprocess for benchmarks: its own data directory, a client, a token."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.bare_server import REPO_ROOT, free_port, stop

CLIENT_ID, CLIENT_SECRET = "bench-client", "bench-secret"


@dataclass(frozen=True)
class Server:
    url: str
    port: int
    pid: int
    token: str
    data_dir: Path

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@contextlib.contextmanager
def sitejobs_server(database_url: str | None = None, **env: str) -> Iterator[Server]:
    """Start `python -m sitejobs serve` (uvloop + httptools, one process) and stop it afterwards."""
    data_dir = Path(tempfile.mkdtemp(prefix="sitejobs-bench-"))
    environ = dict(os.environ, SITEJOBS_DATA_DIR=str(data_dir), **env)
    if database_url:
        environ["SITEJOBS_DATABASE_URL"] = database_url
    subprocess.run(
        [sys.executable, "-m", "sitejobs", "clients", "add", CLIENT_ID, "--secret", CLIENT_SECRET, "--all"],
        env=environ,
        check=True,
        capture_output=True,
        cwd=REPO_ROOT,
    )
    port = free_port()
    log = (data_dir / "server.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "sitejobs", "serve", "--port", str(port), "--no-access-log"],
        env=environ,
        stdout=log,
        stderr=log,
        cwd=REPO_ROOT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(url + "/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("sitejobs did not start: " + (data_dir / "server.log").read_text())
            time.sleep(0.2)
        response = httpx.post(
            url + "/dwsso/oauth2/access_token",
            data={"grant_type": "client_credentials"},
            auth=(CLIENT_ID, CLIENT_SECRET),
        )
        response.raise_for_status()
        yield Server(url, port, proc.pid, response.json()["access_token"], data_dir)
    finally:
        stop(proc, 20.0)
        log.close()
        shutil.rmtree(data_dir, ignore_errors=True)
