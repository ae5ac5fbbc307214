"""Exporting the store as a site archive in Impex/src/instance: the data units of an OCAPI export configuration,
one step each, streamed into a zip.

The archive is written to a file without a name (Linux's O_TMPFILE; elsewhere a hidden temporary name beside
the target) and named only once whole: by a hard link, which fails if the name is taken, or by a rename over
the old file when overwriting is asked for. So the target is either the whole new archive or untouched, and a
failed, aborted or killed export leaves nothing behind. Everything is read in one read transaction, so the
archive is one consistent picture of the store while imports go on.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import time
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import Connection, Engine

from sitejobs.engine.db import read_snapshot
from sitejobs.sites.area import leaves
from sitejobs.sites.commerce.archive import instance_path
from sitejobs.sites.commerce.dataunits import ExportDataUnitsConfiguration
from sitejobs.sites.commerce.errors import ExportFileExists, InvalidFileName, OutsideArea
from sitejobs.sites.commerce.importer import Reporter
from sitejobs.sites.commerce.selection import Selection, select_units
from sitejobs.sites.commerce.writers import FileWriter

REPORT_SECONDS = 1.0
LOGGED_PATHS = 10  # a step's log line names its files when it has at most this many
COMPRESS_LEVEL = 6  # zlib's default: what unzip tools and Commerce Cloud's own archives use


class _Progress:
    """Percent of the rows to write written, reported at most once a second."""

    def __init__(self, reporter: Reporter, total: int) -> None:
        self.reporter = reporter
        self.total = max(total, 1)
        self.done = 0
        self.step = ""
        self._last = time.monotonic()

    def advance(self, rows: int) -> None:
        self.done += rows
        now = time.monotonic()
        if now - self._last >= REPORT_SECONDS:
            self._last = now
            percent = 100 * min(self.done / self.total, 1.0)
            self.reporter.progress(percent, f"Writing {self.step}: {self.done} of {self.total} rows")


def export_site_archive(
    db: Engine,
    impex_dir: Path,
    export_file: str,
    data_units: ExportDataUnitsConfiguration,
    reporter: Reporter,
    *,
    overwrite: bool = False,
) -> dict[str, Any]:
    """Write the archive `export_file` to Impex/src/instance; raises a SiteExportError (or InvalidFileName),
    leaving no file behind, when it cannot."""
    top = archive_folder(export_file)
    target = instance_path(impex_dir, export_file)
    if not overwrite and (target.exists() or target.is_symlink()):
        raise _exists(export_file)
    target.parent.mkdir(parents=True, exist_ok=True)
    if leaves(target.parent, impex_dir):
        raise OutsideArea(
            "Impex/src/instance is a symbolic link that leads out of the Impex folder: refused."
        )
    with read_snapshot(db) as conn:
        selection = select_units(conn, data_units)
        reporter.log(
            f"Exporting to '{export_file}': {len(selection.steps)} data units, "
            f"{len(selection.files)} files, {selection.rows} rows"
        )
        progress = _Progress(reporter, selection.rows)
        reporter.progress(0, f"Exporting {len(selection.steps)} data units")
        with _Unnamed(target) as output:
            units = _write(conn, selection, output.handle, top, progress)
            output.publish(overwrite)
    size = target.stat().st_size
    files = sum(len(step.paths) for step in selection.steps)
    reporter.log(f"Exported {files} files ({selection.rows} rows) to '{export_file}', {size} bytes")
    reporter.progress(100, f"Exported {files} files to '{export_file}'")
    return {"export_file": export_file, "files": files, "rows": progress.done, "bytes": size, "units": units}


def archive_folder(export_file: str) -> str:
    """The archive's top folder: the export file's name without `.zip`, as Commerce Cloud names it.
    Raises InvalidFileName for a name that is not a plain file name in Impex/src/instance."""
    instance_path(Path(), export_file)
    folder = export_file[:-4] if export_file.lower().endswith(".zip") else export_file
    if not folder:
        raise InvalidFileName(f"Invalid file name '{export_file}': the archive needs a name before '.zip'.")
    return folder


def _write(
    conn: Connection, selection: Selection, handle: BinaryIO, top: str, progress: _Progress
) -> dict[str, dict[str, int]]:
    reporter = progress.reporter
    writer = FileWriter(conn, progress.advance)
    units: dict[str, dict[str, int]] = {}
    with zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL) as archive:
        archive.mkdir(top)  # the top folder, even when the configuration selects nothing stored
        for step in selection.steps:
            progress.step = step.id
            with reporter.step(step.id, f"ExportSiteArchive.{step.group}"):
                counts: Counter[str] = Counter()
                for path in step.paths:
                    with archive.open(f"{top}/{path}", "w", force_zip64=True) as entry:
                        counts.update(writer.write(selection.files[path], entry))
                counts["files"] = len(step.paths)
                written = ", ".join(f"{n} {what}" for what, n in counts.items())
                named = f" ({', '.join(step.paths)})" if 0 < len(step.paths) <= LOGGED_PATHS else ""
                reporter.log(f"{step.id}: {written}{named}")
                units[step.id] = dict(counts)
    return units


class _Unnamed:
    """The archive's file while it is written: unnamed, or under a hidden temporary name where the file
    system cannot make unnamed files; named `target` by `publish`, removed on close otherwise."""

    def __init__(self, target: Path) -> None:
        self.target = target
        self.temporary: Path | None = None
        descriptor = _unnamed_file(target.parent)
        if descriptor is None:
            self.temporary = self._hidden()
            descriptor = os.open(self.temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        self.handle: BinaryIO = os.fdopen(descriptor, "wb")

    def _hidden(self) -> Path:
        return self.target.with_name(f".{self.target.name}.{secrets.token_hex(4)}.part")

    def publish(self, overwrite: bool) -> None:
        """Give the whole, synced file its name, at once."""
        self.handle.flush()
        os.fsync(self.handle.fileno())
        if self.temporary is None:
            unnamed = f"/proc/self/fd/{self.handle.fileno()}"
            if not overwrite:
                self._link(unnamed)
                return _sync_directory(self.target.parent)
            self.temporary = self._hidden()
            self._link(unnamed, self.temporary)
        if overwrite:
            os.replace(self.temporary, self.target)
        else:
            self._link(self.temporary)
        _sync_directory(self.target.parent)

    def _link(self, source: str | Path, name: Path | None = None) -> None:
        # A directory descriptor makes Python call linkat(), which follows /proc/self/fd/N to the open file
        # (plain link() would try to link the symbolic link itself).
        directory = os.open(self.target.parent, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.link(source, (name or self.target).name, dst_dir_fd=directory, follow_symlinks=True)
        except FileExistsError:
            raise _exists(self.target.name) from None
        finally:
            os.close(directory)

    def __enter__(self) -> _Unnamed:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.handle.close()
        if self.temporary is not None:
            self.temporary.unlink(missing_ok=True)


def _unnamed_file(directory: Path) -> int | None:
    """A file without a name in `directory`, which disappears with the process unless linked; None where
    the system or the file system has none."""
    flag = getattr(os, "O_TMPFILE", None)
    if flag is None or not Path("/proc/self/fd").is_dir():
        return None
    try:
        return os.open(directory, flag | os.O_WRONLY, 0o644)
    except OSError:
        return None


def _sync_directory(directory: Path) -> None:
    """Make a new name durable too (best effort: not every file system allows it)."""
    with contextlib.suppress(OSError):
        descriptor = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def _exists(export_file: str) -> ExportFileExists:
    return ExportFileExists(
        f"The export file '{export_file}' exists already in Impex/src/instance; it was left as it is "
        "(set overwrite_export_file to replace it)."
    )
