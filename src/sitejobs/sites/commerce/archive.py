"""Opening a site archive safely: the file name, the zip's entries, and every byte read from them.

Checks before anything is read: the name is a plain file name in Impex/src/instance; the file is a zip; no
entry is absolute, climbs out with `..`, is a symbolic link or encrypted; there are at most `max_entries`
entries; the declared sizes add up to at most `max_bytes`; no entry (nor the whole) expands more than
`max_ratio` times. The same limits are enforced again on the bytes actually inflated while streaming, so a
header that lies about sizes gets no further than one that tells the truth.
"""

from __future__ import annotations

import stat
import zipfile
import zlib
from collections.abc import Generator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from sitejobs.sites.area import leaves
from sitejobs.sites.commerce.errors import (
    ArchiveNotFound,
    InvalidArchive,
    InvalidFileName,
    OutsideArea,
    UnsafeArchive,
)
from sitejobs.sites.commerce.schema import PATH

GIB = 1 << 30
CHUNK = 256 * 1024
RATIO_FLOOR = 1 << 20  # below this many bytes an entry cannot amplify enough to matter
IGNORED_TOP = "__MACOSX"  # resource forks macOS adds to the zips it makes


@dataclass(frozen=True)
class ArchiveLimits:
    max_bytes: int = 4 * GIB
    max_ratio: float = 200.0
    max_entries: int = 100_000
    max_file_bytes: int = 256 << 20  # a non-XML file is held in memory whole


@dataclass(frozen=True)
class Entry:
    info: zipfile.ZipInfo
    name: str  # as the archive spells it, for messages
    path: str  # below the top folder, '/'-separated

    @property
    def size(self) -> int:
        return self.info.file_size

    @property
    def compressed(self) -> int:
        return self.info.compress_size


def instance_path(impex_dir: Path, file_name: str) -> Path:
    """Where `file_name` lives in Impex/src/instance; refuses anything but a plain file name."""
    if (
        not file_name
        or "/" in file_name
        or "\\" in file_name
        or ".." in file_name
        or "\x00" in file_name
        or file_name.strip() != file_name
    ):
        raise InvalidFileName(
            f"Invalid file name '{file_name}': give the plain name of a file in Impex/src/instance "
            "(no '/', '\\' or '..')."
        )
    return impex_dir / "src" / "instance" / file_name


def resolve_archive(impex_dir: Path, file_name: str) -> Path:
    """The archive `file_name` in Impex/src/instance; refuses anything but a plain, existing file name."""
    path = instance_path(impex_dir, file_name)
    if leaves(path, impex_dir):
        raise OutsideArea(f"'{file_name}' is a symbolic link that leads out of the Impex folder: refused.")
    if not path.is_file():
        raise ArchiveNotFound(f"File '{file_name}' does not exist in Impex/src/instance.")
    return path


class SiteArchive:
    """A validated zip with one top folder; `chunks(entry)` streams an entry under the limits."""

    def __init__(self, path: Path, limits: ArchiveLimits) -> None:
        self.limits = limits
        self.file_name = path.name
        try:
            self._zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError) as exc:
            raise InvalidArchive(f"'{path.name}' is not a zip archive ({exc}).") from None
        try:
            self.top, self.entries = self._validate(self._zip.infolist())
        except BaseException:
            self._zip.close()
            raise
        self.compressed_total = sum(e.compressed for e in self.entries)
        self._inflated = 0

    def __enter__(self) -> SiteArchive:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self._zip.close()

    # ---- checks on the central directory -------------------------------------------------------------------

    def _validate(self, infos: list[zipfile.ZipInfo]) -> tuple[str, list[Entry]]:
        limits = self.limits
        if len(infos) > limits.max_entries:
            raise UnsafeArchive(
                f"'{self.file_name}' has {len(infos)} entries; at most {limits.max_entries} are accepted."
            )
        declared = sum(i.file_size for i in infos)
        if declared > limits.max_bytes:
            raise UnsafeArchive(
                f"'{self.file_name}' expands to {declared} bytes; at most {limits.max_bytes} are accepted."
            )
        compressed = sum(i.compress_size for i in infos)
        if declared > RATIO_FLOOR and declared > limits.max_ratio * max(compressed, 1):
            raise UnsafeArchive(
                f"'{self.file_name}' expands {declared / max(compressed, 1):.0f} times; "
                f"at most {limits.max_ratio:g} is accepted."
            )
        tops: set[str] = set()
        entries: list[Entry] = []
        seen: set[str] = set()
        for info in infos:
            name = info.filename
            parts = _checked_parts(name)
            if parts[0] == IGNORED_TOP:
                continue
            _check_entry(info, name, limits)
            if name in seen:
                raise InvalidArchive(f"Entry '{name}' appears twice in the archive.")
            seen.add(name)
            tops.add(parts[0])
            if info.is_dir():
                continue
            if len(parts) < 2:
                raise InvalidArchive(
                    f"Entry '{name}' is not inside a folder: a site archive holds one top folder."
                )
            path = "/".join(parts[1:])
            if len(path) > PATH:
                raise InvalidArchive(f"Entry '{name}' has a path longer than {PATH} characters.")
            entries.append(Entry(info, name, path))
        if len(tops) != 1:
            found = ", ".join(sorted(tops)) or "none"
            raise InvalidArchive(
                f"A site archive holds exactly one top folder; '{self.file_name}' has {found}."
            )
        return tops.pop(), entries

    # ---- streaming -----------------------------------------------------------------------------------------

    def chunks(self, entry: Entry) -> Generator[bytes, None, None]:
        """The entry's bytes, inflated in chunks, counted against the declared size and the limits."""
        limits = self.limits
        got = 0
        try:
            with self._zip.open(entry.info) as stream:
                while True:
                    chunk = stream.read(CHUNK)
                    if not chunk:
                        break
                    got += len(chunk)
                    self._inflated += len(chunk)
                    if got > entry.size:
                        raise UnsafeArchive(f"Entry '{entry.name}' inflates past its declared size.")
                    if self._inflated > limits.max_bytes:
                        raise UnsafeArchive(
                            f"'{self.file_name}' expands past {limits.max_bytes} bytes (at '{entry.name}')."
                        )
                    if got > RATIO_FLOOR and got > limits.max_ratio * max(entry.compressed, 1):
                        raise UnsafeArchive(
                            f"Entry '{entry.name}' expands more than {limits.max_ratio:g} times."
                        )
                    yield chunk
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
            raise InvalidArchive(f"Entry '{entry.name}' cannot be read: {exc}") from None
        if got != entry.size:
            raise InvalidArchive(f"Entry '{entry.name}' is shorter than its declared size.")

    def read(self, entry: Entry) -> bytes:
        """A whole entry, for the non-XML files kept as they are."""
        if entry.size > self.limits.max_file_bytes:
            raise UnsafeArchive(
                f"Entry '{entry.name}' has {entry.size} bytes; files other than XML may have at most "
                f"{self.limits.max_file_bytes}."
            )
        return b"".join(self.chunks(entry))


def _checked_parts(name: str) -> list[str]:
    """The path components of an entry name; refuses absolute names and climbing out with `..`."""
    normalized = name.replace("\\", "/")
    if "\x00" in name or normalized.startswith("/") or (len(name) > 1 and name[1] == ":"):
        raise UnsafeArchive(f"Entry '{name}' has an absolute path.")
    parts = [p for p in normalized.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise UnsafeArchive(f"Entry '{name}' climbs out of the archive with '..'.")
    if not parts:
        raise InvalidArchive(f"Entry '{name}' has no name.")
    return parts


def _check_entry(info: zipfile.ZipInfo, name: str, limits: ArchiveLimits) -> None:
    if info.flag_bits & 0x1:
        raise UnsafeArchive(f"Entry '{name}' is encrypted.")
    if stat.S_ISLNK(info.external_attr >> 16):
        raise UnsafeArchive(f"Entry '{name}' is a symbolic link.")
    if info.file_size > RATIO_FLOOR and info.file_size > limits.max_ratio * max(info.compress_size, 1):
        raise UnsafeArchive(
            f"Entry '{name}' expands {info.file_size / max(info.compress_size, 1):.0f} times; "
            f"at most {limits.max_ratio:g} is accepted."
        )
