"""OCE `GET /sites/management/api/v1/sites/_status/{id}?links=none` (the toolkit's poll, HTTP Basic) over
HTTP vs a bare Starlette route returning the same bytes. Same uvicorn settings; the ratio of medians over
`rounds` alternating runs is printed. Target: >= 0.8.

    .venv/bin/python -m bench.bench_oce_status [--rounds 3] [--duration 5]
"""

from __future__ import annotations

import base64
import subprocess
import sys
import time
from pathlib import Path

import httpx

from bench.bare_server import REPO_ROOT
from bench.sitejobs_server import sitejobs_server
from bench.versus_bare import main_for, versus_bare

TEMPLATE = REPO_ROOT.parent / "shared" / "fixtures" / "oce-site-template" / "StarterTemplate"
USER, PASSWORD = "bench-user", "bench-password"
API = "/sites/management/api/v1"


def _cli(data_dir: Path, *args: str) -> None:
    env = {"SITEJOBS_DATA_DIR": str(data_dir), "PATH": "/usr/bin:/bin"}
    subprocess.run(
        [sys.executable, "-m", "sitejobs", *args], env=env, check=True, capture_output=True, cwd=REPO_ROOT
    )


def run(rounds: int = 3, duration_s: float = 5.0) -> dict[str, float]:
    auth = {"Authorization": "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()}
    # The per-user rate limit would answer most of this load with 429: lift it for the measurement.
    with sitejobs_server(SITEJOBS_OCE_RATE_PER_SECOND="1e9", SITEJOBS_OCE_RATE_BURST="1000000000") as server:
        _cli(server.data_dir, "users", "add", USER, "--password", PASSWORD)
        _cli(server.data_dir, "templates", "add", str(TEMPLATE))
        template = httpx.get(
            f"{server.url}{API}/templates/name:StarterTemplate?links=none", headers=auth
        ).json()
        started = httpx.post(
            f"{server.url}{API}/sites",
            json={"name": "BenchSite", "template": template["id"]},
            headers={**auth, "Prefer": "respond-async"},
        )
        status_url = started.headers["Location"] + "?links=none"
        deadline = time.monotonic() + 60
        while True:
            body = httpx.get(status_url, headers=auth).content
            if b'"completed":true' in body or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        return versus_bare(status_url, body, auth, rounds, duration_s)


def main() -> None:
    main_for(__doc__, "OCE _status GET", run)


if __name__ == "__main__":
    main()
