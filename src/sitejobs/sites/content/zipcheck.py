"""The checks every zip a user hands the content side must pass (a template, a translators' zip).

Refused before a byte is inflated: absolute names, `..`, symbolic links, encrypted entries, too many entries,
declared sizes over the limit, and entries (or the whole) that expand more than `max_ratio` times. While
inflating, the bytes actually produced are counted against the same limits, so a central directory that lies
about sizes stops at the same point as one that tells the truth. Each caller names the error it raises.
"""

from __future__ import annotations

import stat
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sitejobs.errors import SitejobsError

CHUNK = 64 * 1024
RATIO_FLOOR = 1 << 20  # below this many bytes an entry cannot amplify enough to matter
IGNORED_TOP = "__MACOSX"  # resource forks macOS adds to the zips it makes

Error = Callable[[str], SitejobsError]


@dataclass(frozen=True)
class ZipLimits:
    max_bytes: int = 1 << 30
    max_ratio: float = 200.0
    max_entries: int = 50_000
    #: The largest one file may be (None: only `max_bytes` applies).
    max_file_bytes: int | None = None


def open_zip(path: Path, error: Error) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError) as exc:
        raise error(f"'{path.name}' is not a zip archive ({exc}).") from None


def check_totals(name: str, infos: list[zipfile.ZipInfo], limits: ZipLimits, error: Error) -> None:
    max_entries, max_bytes, max_ratio = limits.max_entries, limits.max_bytes, limits.max_ratio
    if len(infos) > max_entries:
        raise error(f"'{name}' has {len(infos)} entries; at most {max_entries} are accepted.")
    declared = sum(i.file_size for i in infos)
    if declared > max_bytes:
        raise error(f"'{name}' expands to {declared} bytes; at most {max_bytes} are accepted.")
    compressed = max(sum(i.compress_size for i in infos), 1)
    if declared > RATIO_FLOOR and declared > max_ratio * compressed:
        raise error(f"'{name}' expands {declared / compressed:.0f} times; at most {max_ratio:g} is accepted.")


def entry_parts(filename: str, error: Error) -> list[str]:
    """The entry's path segments; refuses absolute names and climbing out with `..`."""
    slashed = filename.replace("\\", "/")
    if "\x00" in filename or slashed.startswith("/") or (len(filename) > 1 and filename[1] == ":"):
        raise error(f"Entry '{filename}' has an absolute path; the zip was refused.")
    parts = [p for p in slashed.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise error(f"Entry '{filename}' climbs out of the zip with '..'; the zip was refused.")
    if not parts:
        raise error(f"Entry '{filename}' has no name.")
    return parts


def check_entry(info: zipfile.ZipInfo, limits: ZipLimits, error: Error) -> None:
    max_ratio = limits.max_ratio
    if info.flag_bits & 0x1:
        raise error(f"Entry '{info.filename}' is encrypted.")
    if stat.S_ISLNK(info.external_attr >> 16):
        raise error(f"Entry '{info.filename}' is a symbolic link.")
    if info.file_size > RATIO_FLOOR and info.file_size > max_ratio * max(info.compress_size, 1):
        raise error(
            f"Entry '{info.filename}' expands {info.file_size / max(info.compress_size, 1):.0f} times; "
            f"at most {max_ratio:g} is accepted."
        )
    if limits.max_file_bytes is not None and info.file_size > limits.max_file_bytes:
        raise error(
            f"Entry '{info.filename}' has {info.file_size} bytes; at most {limits.max_file_bytes} are accepted."
        )


def inflate(
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    write: Callable[[bytes], object],
    limits: ZipLimits,
    *,
    inflated: int,
    error: Error,
    unreadable: Error,
) -> int:
    """Hand the entry's bytes to `write` as they inflate, counted against its declared size and the limits;
    returns the running total of inflated bytes. `unreadable` is raised for a damaged entry."""
    max_bytes, max_ratio = limits.max_bytes, limits.max_ratio
    got = 0
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(CHUNK):
                got += len(chunk)
                inflated += len(chunk)
                if got > info.file_size:
                    raise error(f"Entry '{info.filename}' inflates past its declared size.")
                if inflated > max_bytes:
                    raise error(f"The zip expands past {max_bytes} bytes (at '{info.filename}').")
                if got > RATIO_FLOOR and got > max_ratio * max(info.compress_size, 1):
                    raise error(f"Entry '{info.filename}' expands more than {max_ratio:g} times.")
                write(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
        raise unreadable(f"Entry '{info.filename}' cannot be read: {exc}") from None
    if got != info.file_size:
        raise unreadable(f"Entry '{info.filename}' is shorter than its declared size.")
    return inflated
