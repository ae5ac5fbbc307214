"""Extracting a template zip without trusting it.

Refused before a byte is written: absolute names, `..`, symbolic links, encrypted entries, more than
`max_entries` entries, declared sizes over `max_bytes`, and entries (or the whole) that expand more than
`max_ratio` times. While inflating, the bytes actually produced are counted against the same limits, so a
central directory that lies about sizes stops at the same point as one that tells the truth.
"""

from __future__ import annotations

import stat
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from sitejobs.errors import TemplateInvalid

CHUNK = 256 * 1024
RATIO_FLOOR = 1 << 20  # below this many bytes an entry cannot amplify enough to matter
IGNORED_TOP = "__MACOSX"  # resource forks macOS adds to the zips it makes


@dataclass(frozen=True)
class ZipLimits:
    max_bytes: int = 1 << 30
    max_ratio: float = 200.0
    max_entries: int = 50_000


def extract_zip(path: Path, dest: Path, limits: ZipLimits | None = None) -> None:
    """Extract `path` into `dest` (created if need be; must be empty), or raise TemplateInvalid saying why not."""
    if dest.exists() and any(dest.iterdir()):
        raise ValueError(f"{dest} is not empty: a template is extracted into an empty folder")
    limits = limits or ZipLimits()
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError) as exc:
        raise TemplateInvalid(f"'{path.name}' is not a zip archive ({exc}).") from None
    with archive:
        entries = _checked_entries(path.name, archive.infolist(), limits)
        dest.mkdir(parents=True, exist_ok=True)
        inflated = 0
        for info, parts in entries:
            target = dest.joinpath(*parts)
            try:
                if info.is_dir():
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                inflated = _inflate(path.name, archive, info, target, inflated, limits)
            except OSError as exc:  # e.g. a file entry and a folder entry of the same name
                raise TemplateInvalid(
                    f"Entry '{info.filename}' of '{path.name}' cannot be extracted ({exc})."
                ) from None


def _checked_entries(
    name: str, infos: list[zipfile.ZipInfo], limits: ZipLimits
) -> list[tuple[zipfile.ZipInfo, list[str]]]:
    if len(infos) > limits.max_entries:
        raise TemplateInvalid(
            f"'{name}' has {len(infos)} entries; at most {limits.max_entries} are accepted."
        )
    declared = sum(i.file_size for i in infos)
    if declared > limits.max_bytes:
        raise TemplateInvalid(
            f"'{name}' expands to {declared} bytes; at most {limits.max_bytes} are accepted."
        )
    compressed = max(sum(i.compress_size for i in infos), 1)
    if declared > RATIO_FLOOR and declared > limits.max_ratio * compressed:
        raise TemplateInvalid(
            f"'{name}' expands {declared / compressed:.0f} times; at most {limits.max_ratio:g} is accepted."
        )
    entries = []
    for info in infos:
        parts = _entry_parts(info.filename)
        if parts[0] == IGNORED_TOP:
            continue
        if info.flag_bits & 0x1:
            raise TemplateInvalid(f"Entry '{info.filename}' of '{name}' is encrypted.")
        if stat.S_ISLNK(info.external_attr >> 16):
            raise TemplateInvalid(f"Entry '{info.filename}' of '{name}' is a symbolic link.")
        if info.file_size > RATIO_FLOOR and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            raise TemplateInvalid(
                f"Entry '{info.filename}' of '{name}' expands more than {limits.max_ratio:g} times."
            )
        entries.append((info, parts))
    return entries


def _entry_parts(filename: str) -> list[str]:
    normalized = filename.replace("\\", "/")
    if "\x00" in filename or normalized.startswith("/") or (len(filename) > 1 and filename[1] == ":"):
        raise TemplateInvalid(f"Entry '{filename}' has an absolute path; the zip was refused.")
    parts = [p for p in PurePosixPath(normalized).parts if p not in ("", ".")]
    if ".." in parts:
        raise TemplateInvalid(f"Entry '{filename}' climbs out of the zip with '..'; the zip was refused.")
    if not parts:
        raise TemplateInvalid(f"Entry '{filename}' has no name.")
    return parts


def _inflate(
    name: str, archive: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, inflated: int, limits: ZipLimits
) -> int:
    """Write one entry to `target`, counting real bytes; returns the running total of inflated bytes."""
    got = 0
    try:
        with archive.open(info) as stream, target.open("wb") as out:
            while chunk := stream.read(CHUNK):
                got += len(chunk)
                inflated += len(chunk)
                if got > info.file_size:
                    raise TemplateInvalid(
                        f"Entry '{info.filename}' of '{name}' inflates past its declared size."
                    )
                if inflated > limits.max_bytes:
                    raise TemplateInvalid(f"'{name}' expands past {limits.max_bytes} bytes.")
                if got > RATIO_FLOOR and got > limits.max_ratio * max(info.compress_size, 1):
                    raise TemplateInvalid(
                        f"Entry '{info.filename}' of '{name}' expands more than {limits.max_ratio:g} times."
                    )
                out.write(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
        raise TemplateInvalid(f"Entry '{info.filename}' of '{name}' cannot be read: {exc}") from None
    return inflated
