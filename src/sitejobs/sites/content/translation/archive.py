"""Reading what translators send back, safely: a zip of small JSON files, held in memory under limits.

Refused before a byte is inflated: a file that is not a zip, more than `max_entries` entries, declared sizes
above `max_bytes` in all or `max_file_bytes` for one file, a declared expansion above `max_ratio`, entries
that are absolute, climb out with `..`, are symbolic links, encrypted, duplicated, or not `.json`. The same
limits are enforced again on the bytes actually inflated, so a header that lies about sizes gets no further.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import orjson

from sitejobs.errors import InvalidTranslationZip, SitejobsError, UnsafeZip
from sitejobs.sites.content.zipcheck import (
    IGNORED_TOP,
    ZipLimits,
    check_entry,
    check_totals,
    entry_parts,
    inflate,
    open_zip,
)

__all__ = ["LIMITS", "ZipLimits", "read_json_entries", "site_of_translation_zip"]

MIB = 1 << 20
IGNORED_NAMES = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})


#: All of a translators' zip is held in memory while it is judged.
LIMITS = ZipLimits(max_bytes=256 * MIB, max_file_bytes=16 * MIB)


def read_json_entries(path: Path, limits: ZipLimits) -> dict[str, bytes]:
    """Every file of the zip by its normalized name ('site/fr/10.json'), as raw bytes (decoding is the caller's)."""
    with open_zip(path, InvalidTranslationZip) as archive:
        infos = archive.infolist()
        check_totals(path.name, infos, limits, UnsafeZip)
        wanted: list[tuple[str, zipfile.ZipInfo]] = []
        seen: set[str] = set()
        for info in infos:
            parts = entry_parts(info.filename, UnsafeZip)
            name = "/".join(parts) + ("/" if info.filename.endswith(("/", "\\")) else "")
            if parts[0] == IGNORED_TOP or parts[-1] in IGNORED_NAMES:
                continue
            check_entry(info, limits, UnsafeZip)
            if not info.is_dir():
                _check_file(info, name)
            if name in seen:
                raise InvalidTranslationZip(f"Entry '{info.filename}' appears twice in the zip.")
            seen.add(name)
            if not info.is_dir():
                wanted.append((name, info))
        inflated = 0
        files: dict[str, bytes] = {}
        for name, info in wanted:
            chunks: list[bytes] = []
            inflated = inflate(
                archive,
                info,
                chunks.append,
                limits,
                inflated=inflated,
                error=UnsafeZip,
                unreadable=InvalidTranslationZip,
            )
            files[name] = b"".join(chunks)
        return files


def _check_file(info: zipfile.ZipInfo, name: str) -> None:
    if not name.lower().endswith(".json"):
        raise InvalidTranslationZip(
            f"Entry '{info.filename}' is not a JSON file: a translation zip holds only .json files."
        )


def site_of_translation_zip(path: Path, limits: ZipLimits | None = None) -> str | None:
    """The `siteId` that `site/job.json` names (None when the file is no translation zip of a site)."""
    try:
        entries = read_json_entries(path, limits or LIMITS)
        job = orjson.loads(entries["site/job.json"])
    except (SitejobsError, KeyError, orjson.JSONDecodeError):
        return None
    site_id = job.get("siteId") if isinstance(job, dict) else None
    return site_id if isinstance(site_id, str) else None
