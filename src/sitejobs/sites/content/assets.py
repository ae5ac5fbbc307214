"""Copying a theme, components and content into the publish folder, and writing pages, without half files.

Files are copied only when the published copy differs in size or modification time (copies keep the source's
time), the quick check rsync makes, so a second publish of an unchanged theme reads no file contents. Every
write goes to a temporary name next to the target and is renamed over it, so a reader of the published site
sees the old file or the new one, never a part of either.
"""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path


def temporary_name(path: Path) -> Path:
    """Next to `path`, unique to this process, hidden from a listing of published pages."""
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def write_atomic(path: Path, data: bytes) -> None:
    temporary = temporary_name(path)
    try:
        with open(temporary, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def sync_tree(source: Path, target: Path) -> tuple[int, int]:
    """Copy the regular files below `source` to `target`; returns (copied, unchanged). Symlinks are skipped."""
    copied = unchanged = 0
    if not source.is_dir():
        return copied, unchanged
    for folder, _subfolders, names in os.walk(source):
        destination = target / Path(folder).relative_to(source)
        destination.mkdir(parents=True, exist_ok=True)
        for name in names:
            src = Path(folder) / name
            info = src.lstat()
            if not stat.S_ISREG(info.st_mode):
                continue
            dst = destination / name
            try:
                published = dst.stat()
                if published.st_size == info.st_size and published.st_mtime_ns == info.st_mtime_ns:
                    unchanged += 1
                    continue
            except FileNotFoundError:
                pass
            temporary = temporary_name(dst)
            try:
                shutil.copy2(src, temporary)
                os.replace(temporary, dst)
            except BaseException:
                temporary.unlink(missing_ok=True)
                raise
            copied += 1
    return copied, unchanged
