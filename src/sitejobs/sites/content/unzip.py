"""Extracting a template zip without trusting it: every check of `zipcheck` before and while writing."""

from __future__ import annotations

from pathlib import Path

from sitejobs.errors import TemplateInvalid
from sitejobs.sites.content.zipcheck import (
    IGNORED_TOP,
    ZipLimits,
    check_entry,
    check_totals,
    entry_parts,
    inflate,
    open_zip,
)

__all__ = ["ZipLimits", "extract_zip"]


def extract_zip(path: Path, dest: Path, limits: ZipLimits | None = None) -> None:
    """Extract `path` into `dest` (created if need be; must be empty), or raise TemplateInvalid saying why not."""
    if dest.exists() and any(dest.iterdir()):
        raise ValueError(f"{dest} is not empty: a template is extracted into an empty folder")
    limits = limits or ZipLimits()

    def refuse(message: str) -> TemplateInvalid:
        return TemplateInvalid(f"{message} ('{path.name}')")

    with open_zip(path, TemplateInvalid) as archive:
        infos = archive.infolist()
        check_totals(path.name, infos, limits, TemplateInvalid)
        entries = []
        for info in infos:
            parts = entry_parts(info.filename, refuse)
            if parts[0] != IGNORED_TOP:
                check_entry(info, limits, refuse)
                entries.append((info, parts))
        dest.mkdir(parents=True, exist_ok=True)
        inflated = 0
        for info, parts in entries:
            target = dest.joinpath(*parts)
            try:
                if info.is_dir():
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                with target.open("wb") as out:
                    inflated = inflate(
                        archive,
                        info,
                        out.write,
                        limits,
                        inflated=inflated,
                        error=refuse,
                        unreadable=refuse,
                    )
            except OSError as exc:  # e.g. a file entry and a folder entry of the same name
                raise refuse(f"Entry '{info.filename}' cannot be extracted ({exc}).") from None
