"""Replacing a folder of files in one step, so a failed copy never leaves a half-written folder."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from sitejobs.sites.area import leaves


def replace_folder(source: Path, target: Path, on_file: Callable[[int, int], None] | None = None) -> None:
    """Copy the files of `source` into a temporary sibling of `target`, then put it in `target`'s place.
    `on_file(done, total)` is called after each file (a job reports its progress with it). A symbolic link that
    leads out of `source` is not followed: its target is not copied."""
    files = [p for p in source.rglob("*") if p.is_file() and not leaves(p, source)] if source.is_dir() else []
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        for index, path in enumerate(files, 1):
            destination = staging / path.relative_to(source)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, destination)
            if on_file is not None:
                on_file(index, len(files))
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
