"""Every example of the README runs as written, in order, against a live `sitejobs dev` (what `make run`
starts) on a fresh data directory with no `../shared` templates: a broken example fails this test.

- ```sh blocks run in bash with `set -euo pipefail`; the variables one block sets are seen by the next ones
  (as in one terminal session). The working directory is a scratch folder, the CLI is the venv's.
- ```python blocks whose first line is `# NAME.py` are saved as NAME.py there (a later sh block uses them);
  other ```python blocks run with the venv's Python, with the shell's variables in their environment.
- Other blocks (``` and ```text: `make run`, synopses) are not run.
The README's URL (http://127.0.0.1:8080) is replaced with the test server's.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from sitejobs.settings import Settings
from tests.conftest import REPO, ServerProcess, free_port

README = REPO / "README.md"
README_URL = "http://127.0.0.1:8080"
BLOCK = re.compile(r"^```(\w*)[ \t]*\n(.*?)^```[ \t]*$", re.M | re.S)
FILE_HEADER = re.compile(r"#\s*([\w.-]+\.py)\s*$")


@dataclass(frozen=True)
class Block:
    lang: str
    code: str
    line: int  # where it starts in the README, for messages


def readme_blocks() -> list[Block]:
    text = README.read_text(encoding="utf-8")
    return [Block(m[1], m[2], text.count("\n", 0, m.start()) + 1) for m in BLOCK.finditer(text)]


def test_the_readme_opens_with_make_run_and_make_test() -> None:
    first = readme_blocks()[0]
    assert first.code.splitlines()[0].startswith("make run"), first.code
    assert first.code.splitlines()[1].startswith("make test"), first.code


def test_the_readme_examples_are_written_for_any_system() -> None:
    for block in readme_blocks():
        assert not re.search(r"^\s*open\s", block.code, re.M), f"README line {block.line}: macOS-only `open`"


@pytest.fixture
def server(tmp_path: Path) -> ServerProcess:
    settings = Settings(data_dir=tmp_path / "var")
    settings.ensure_dirs()
    port = free_port()
    process = ServerProcess(settings, "dev", "--port", str(port), port=port)
    try:
        yield process.start()  # type: ignore[misc]
    finally:
        process.kill()


@pytest.mark.timeout(900)  # some thirty CLI and curl runs, on a busy machine
def test_every_readme_example_runs_in_order(server: ServerProcess, tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    state = work / ".readme-state.sh"
    env = {
        **os.environ,
        # as a shell beside `make run` has it: the data dir only (the database is SQLite in it)
        "SITEJOBS_DATA_DIR": str(server.settings.data_dir),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "COLUMNS": "200",
    }
    ran = 0
    for block in readme_blocks():
        code = block.code.replace(README_URL, server.url)
        where = f"README.md line {block.line}"
        if block.lang == "sh":
            script = (
                f"set -a\n[ -f {state} ] && . {state}\nset -euo pipefail\n{code}\n"
                f"export -p | grep -v -E '^declare -x (PWD|OLDPWD|SHLVL|_)=' > {state}\n"
            )
            result = subprocess.run(
                ["bash", "-c", script], cwd=work, env=env, capture_output=True, text=True, timeout=300
            )
        elif block.lang == "python" and (header := FILE_HEADER.match(code.splitlines()[0])):
            (work / header[1]).write_text(code, encoding="utf-8")
            continue
        elif block.lang == "python":
            exported = subprocess.run(
                ["bash", "-c", f"set -a; [ -f {state} ] && . {state}; env -0"],
                env=env, capture_output=True, check=True,
            )  # fmt: skip
            variables = dict(
                item.split("=", 1) for item in exported.stdout.decode().split("\0") if "=" in item
            )
            result = subprocess.run(
                [sys.executable, "-"], input=code, cwd=work, env=variables, capture_output=True, text=True,
                timeout=300,
            )  # fmt: skip
        else:
            continue
        ran += 1
        assert result.returncode == 0, (
            f"{where} failed (exit {result.returncode}):\n{code}\n--- stdout\n{result.stdout}\n"
            f"--- stderr\n{result.stderr}\n--- server\n{server.log_text()[-3000:]}"
        )
        assert "Traceback" not in result.stderr, f"{where}:\n{result.stderr}"
    assert ran >= 6
