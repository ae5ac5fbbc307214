"""The log writer thread: a full disk costs the lines that do not fit, never the thread or the runs waiting on it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import pytest

from sitejobs.engine.joblog import LogWriter


def test_a_full_disk_drops_lines_but_not_the_writer(
    tmp_path: Path, small_disk: Callable[[Path, int], Path], caplog: pytest.LogCaptureFixture
) -> None:
    logs = small_disk(tmp_path / "logs", 64 << 10)
    big, following = logs / "job" / "big.log", logs / "job" / "next.log"
    writer = LogWriter()
    try:
        with caplog.at_level(logging.WARNING, "sitejobs.engine.joblog"):
            for _ in range(20):
                writer.write(big, "x" * (16 << 10) + "\n")
            assert writer.close_file(big).wait(5)  # the run is answered rather than left waiting
        assert caplog.text.count("lines dropped") == 1
        big.unlink()  # room again
        writer.write(following, "the next run\n")
        assert writer.close_file(following).wait(5)
        assert following.read_text() == "the next run\n"
    finally:
        writer.stop()
