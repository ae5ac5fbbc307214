"""Reading what translators send back, safely: a zip of small JSON files, held in memory under limits.

Refused before a byte is inflated: a file that is not a zip, more than `max_entries` entries, declared sizes
above `max_bytes` in all or `max_file_bytes` for one file, a declared expansion above `max_ratio`, entries
that are absolute, climb out with `..`, are symbolic links, encrypted, duplicated, or not `.json`. The same
limits are enforced again on the bytes actually inflated, so a header that lies about sizes gets no further.
"""

from __future__ import annotations

import stat
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import orjson

from sitejobs.errors import InvalidTranslationZip, SitejobsError, UnsafeZip

MIB = 1 << 20
CHUNK = 64 * 1024
RATIO_FLOOR = MIB  # below this many bytes an entry cannot amplify enough to matter
IGNORED = ("__MACOSX/",)  # resource forks macOS adds to the zips it makes
IGNORED_NAMES = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})


@dataclass(frozen=True)
class ZipLimits:
    max_bytes: int = 256 * MIB  # all of it is held in memory while validating
    max_file_bytes: int = 16 * MIB
    max_ratio: float = 200.0
    max_entries: int = 50_000


def read_json_entries(path: Path, limits: ZipLimits) -> dict[str, bytes]:
    """Every file of the zip by its normalized name ('site/fr/10.json'), as raw bytes (decoding is the caller's)."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError) as exc:
        raise InvalidTranslationZip(f"'{path.name}' is not a zip file ({exc}).") from None
    with archive:
        infos = archive.infolist()
        _check_totals(path.name, infos, limits)
        wanted: list[tuple[str, zipfile.ZipInfo]] = []
        seen: set[str] = set()
        for info in infos:
            name = _normalized(info.filename)
            if name.startswith(IGNORED) or name.rsplit("/", 1)[-1] in IGNORED_NAMES:
                continue
            _check_entry(info, name, limits)
            if name in seen:
                raise InvalidTranslationZip(f"Entry '{info.filename}' appears twice in the zip.")
            seen.add(name)
            if not info.is_dir():
                wanted.append((name, info))
        inflated = 0
        files: dict[str, bytes] = {}
        for name, info in wanted:
            data = _read(archive, info, limits, inflated)
            inflated += len(data)
            files[name] = data
        return files


def _check_totals(file_name: str, infos: list[zipfile.ZipInfo], limits: ZipLimits) -> None:
    if len(infos) > limits.max_entries:
        raise UnsafeZip(f"'{file_name}' has {len(infos)} entries; at most {limits.max_entries} are accepted.")
    declared = sum(i.file_size for i in infos)
    if declared > limits.max_bytes:
        raise UnsafeZip(
            f"'{file_name}' expands to {declared} bytes; at most {limits.max_bytes} are accepted."
        )
    compressed = max(sum(i.compress_size for i in infos), 1)
    if declared > RATIO_FLOOR and declared > limits.max_ratio * compressed:
        raise UnsafeZip(
            f"'{file_name}' expands {declared / compressed:.0f} times; at most {limits.max_ratio:g} is accepted."
        )


def _normalized(name: str) -> str:
    """The entry's '/'-separated path; refuses absolute names and climbing out with `..`."""
    slashed = name.replace("\\", "/")
    if "\x00" in name or slashed.startswith("/") or (len(name) > 1 and name[1] == ":"):
        raise UnsafeZip(f"Entry '{name}' has an absolute path.")
    parts = [p for p in slashed.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise UnsafeZip(f"Entry '{name}' climbs out of the zip with '..'.")
    if not parts:
        raise InvalidTranslationZip(f"Entry '{name}' has no name.")
    return "/".join(parts) + ("/" if slashed.endswith("/") else "")


def _check_entry(info: zipfile.ZipInfo, name: str, limits: ZipLimits) -> None:
    if info.flag_bits & 0x1:
        raise UnsafeZip(f"Entry '{info.filename}' is encrypted.")
    if stat.S_ISLNK(info.external_attr >> 16):
        raise UnsafeZip(f"Entry '{info.filename}' is a symbolic link.")
    if info.is_dir():
        return
    if not name.lower().endswith(".json"):
        raise InvalidTranslationZip(
            f"Entry '{info.filename}' is not a JSON file: a translation zip holds only .json files."
        )
    if info.file_size > limits.max_file_bytes:
        raise UnsafeZip(
            f"Entry '{info.filename}' has {info.file_size} bytes; at most {limits.max_file_bytes} are accepted."
        )
    if info.file_size > RATIO_FLOOR and info.file_size > limits.max_ratio * max(info.compress_size, 1):
        raise UnsafeZip(
            f"Entry '{info.filename}' expands {info.file_size / max(info.compress_size, 1):.0f} times; "
            f"at most {limits.max_ratio:g} is accepted."
        )


def _read(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: ZipLimits, inflated: int) -> bytes:
    """The entry's bytes, counted as they inflate against its declared size and the limits."""
    chunks: list[bytes] = []
    got = 0
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(CHUNK):
                got += len(chunk)
                if got > info.file_size:
                    raise UnsafeZip(f"Entry '{info.filename}' inflates past its declared size.")
                if inflated + got > limits.max_bytes:
                    raise UnsafeZip(f"The zip expands past {limits.max_bytes} bytes (at '{info.filename}').")
                if got > RATIO_FLOOR and got > limits.max_ratio * max(info.compress_size, 1):
                    raise UnsafeZip(f"Entry '{info.filename}' expands more than {limits.max_ratio:g} times.")
                chunks.append(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
        raise InvalidTranslationZip(f"Entry '{info.filename}' cannot be read: {exc}") from None
    if got != info.file_size:
        raise InvalidTranslationZip(f"Entry '{info.filename}' is shorter than its declared size.")
    return b"".join(chunks)


def site_of_translation_zip(path: Path, limits: ZipLimits | None = None) -> str | None:
    """The `siteId` that `site/job.json` names (None when the file is no translation zip of a site)."""
    try:
        entries = read_json_entries(path, limits or ZipLimits())
        job = orjson.loads(entries["site/job.json"])
    except (SitejobsError, KeyError, orjson.JSONDecodeError):
        return None
    site_id = job.get("siteId") if isinstance(job, dict) else None
    return site_id if isinstance(site_id, str) else None
