"""The Makefile's targets name the prerequisites they need (make reads each rule's prerequisites as it meets the
rule: a variable defined below it is empty there)."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from tests.conftest import REPO


def prerequisites(target: str) -> list[str]:
    """What make's database says `target` depends on (`make -p` prints it; `-n` runs no recipe)."""
    if shutil.which("make") is None:
        pytest.fail("make is not installed (apt-get install make)", pytrace=False)
    found = subprocess.run(
        ["make", "-p", "-n", "-f", "Makefile", target],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    ).stdout
    rule = re.search(rf"^{re.escape(target)}:(.*)$", found, re.M)
    assert rule, f"no rule for {target} in make's database"
    return rule.group(1).split()


@pytest.mark.parametrize(
    ("target", "needed"),
    [
        ("run", "/usr/share/javascript/marked/marked.umd.min.js"),
        ("test", "/usr/share/javascript/marked/marked.umd.min.js"),
        ("test", "/usr/bin/chromium"),
    ],
)
def test_targets_install_what_they_need(target: str, needed: str) -> None:
    assert needed in prerequisites(target)
