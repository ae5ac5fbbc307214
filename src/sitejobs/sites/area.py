"""Whether a path, once every symbolic link on the way is followed, is still inside its area (the Impex folder,
the content folder). A job never reads or writes through a link that leads out of its area."""

from __future__ import annotations

import os
from pathlib import Path


def leaves(path: Path, area: Path) -> bool:
    """True when `path` (existing or not) resolves to somewhere outside `area`."""
    real_area = os.path.realpath(area)
    real = os.path.realpath(path)
    return real != real_area and not real.startswith(real_area.rstrip(os.sep) + os.sep)


def links_leaving(folder: Path) -> list[Path]:
    """The symbolic links below `folder` that lead out of it (relative paths, sorted)."""
    found = []
    for current, subfolders, names in os.walk(folder):
        for name in [*subfolders, *names]:
            path = Path(current) / name
            if path.is_symlink() and leaves(path, folder):
                found.append(path.relative_to(folder))
    return sorted(found)
