"""Importing a site archive into the store, all or nothing: every write of an import is in one transaction.

Reading streams each XML file (one step per file, progress from the compressed bytes read) and turns it into
writes, in archive order. On SQLite, which has one writer, the writes are spooled to a temporary file and
applied once the whole archive has been read without error, so the write lock (which the engine's own
progress and heartbeat writes wait for) is held only while writing. On PostgreSQL they are applied while
reading, on a second thread, in a transaction that commits at the end.
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from collections.abc import Generator
from contextlib import AbstractContextManager, closing
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Engine

from sitejobs.engine.db import is_sqlite, write_transaction
from sitejobs.sites.commerce import schema
from sitejobs.sites.commerce.apply import Applier
from sitejobs.sites.commerce.archive import ArchiveLimits, Entry, SiteArchive, resolve_archive
from sitejobs.sites.commerce.plan import Mode, Plan
from sitejobs.sites.commerce.revisions import next_revision
from sitejobs.sites.commerce.staging import Staging
from sitejobs.sites.commerce.streaming_apply import StreamingApplier
from sitejobs.sites.commerce.units import Unit, reader_for
from sitejobs.sites.commerce.xmlstream import XmlStream

READ_SHARE = 90.0  # percent of the progress bar for reading; the rest is for writing
REPORT_SECONDS = 1.0
SQLITE_CACHE_KIB = 64 * 1024
FOLDER_UNITS = ("catalog.xml", "library.xml", "site.xml")


class Reporter(Protocol):
    """What the import reports to: a JobContext."""

    def progress(self, percent: float | None = None, message: str | None = None) -> None: ...

    def log(self, message: str, level: str = "INFO") -> None: ...

    def step(self, step_id: str, step_type_id: str | None = None) -> AbstractContextManager[Any]: ...


def unit_name(path: str) -> str:
    """The step id of a file: `catalogs/electronics-m-catalog`, `sites/RefArch/promotions`, `jobs`."""
    folder, _, leaf = path.rpartition("/")
    if folder and leaf.lower() in FOLDER_UNITS:
        return folder
    return path[:-4] if path.lower().endswith(".xml") else path


class _Progress:
    """Percent of the archive's compressed bytes read, reported at most once a second."""

    def __init__(self, reporter: Reporter, total: int) -> None:
        self.reporter = reporter
        self.total = max(total, 1)
        self.done = 0.0
        self._last = 0.0

    def advance(self, compressed: float, message: str) -> None:
        self.done += compressed
        now = time.monotonic()
        if now - self._last >= REPORT_SECONDS:
            self._last = now
            self.reporter.progress(READ_SHARE * min(self.done / self.total, 1.0), message)

    def chunks(self, archive: SiteArchive, entry: Entry, message: str) -> Generator[bytes, None, None]:
        share = entry.compressed / max(entry.size, 1)
        with closing(archive.chunks(entry)) as chunks:
            for chunk in chunks:
                yield chunk
                self.advance(len(chunk) * share, message)


def import_site_archive(
    db: Engine,
    impex_dir: Path,
    file_name: str,
    mode: Mode,
    reporter: Reporter,
    *,
    limits: ArchiveLimits | None = None,
    scratch_dir: Path | None = None,
) -> dict[str, Any]:
    """Import `file_name` from Impex/src/instance; raises a SiteImportError (nothing changed) when it cannot."""
    path = resolve_archive(impex_dir, file_name)
    with SiteArchive(path, limits or ArchiveLimits()) as archive:
        reporter.log(
            f"Reading '{file_name}' (mode {mode}): {len(archive.entries)} files in folder '{archive.top}'"
        )
        revision = next_revision(db)
        if is_sqlite(db):  # one writer: read it all first, then hold the write lock only to write
            with Staging(scratch_dir) as staging:
                objects, xml_files, other_files = _read(archive, Plan(mode, staging, revision), reporter)
                rows = _write_spooled(db, staging, reporter)
        else:  # write while reading, in one transaction that commits at the end
            with StreamingApplier(db) as applier:
                objects, xml_files, other_files = _read(archive, Plan(mode, applier, revision), reporter)
                with reporter.step("store", "ImportSiteArchive.store"):
                    reporter.progress(READ_SHARE, f"Committing {applier.count} changes to the store")
                    rows = applier.commit()
                    reporter.log(f"Store written in one transaction: {_changes(rows)}")
    summary = ", ".join(f"{n} {what}" for what, n in sorted(objects.items()))
    reporter.log(f"Imported '{file_name}' (mode {mode}): {summary or 'nothing'}")
    reporter.progress(100, f"Imported {xml_files} XML files and {other_files} other files")
    return {
        "file_name": file_name,
        "mode": mode,
        "xml_files": xml_files,
        "other_files": other_files,
        "objects": dict(sorted(objects.items())),
        "rows": dict(sorted(rows.items())),
    }


def _changes(rows: Counter[str]) -> str:
    return ", ".join(f"{n} {what}" for what, n in sorted(rows.items()) if n) or "no changes"


def _read(archive: SiteArchive, plan: Plan, reporter: Reporter) -> tuple[Counter[str], int, int]:
    progress = _Progress(reporter, archive.compressed_total)
    objects: Counter[str] = Counter()
    xml_files = other_files = 0
    reporter.progress(0, f"Reading {archive.file_name}")
    for entry in archive.entries:
        name = unit_name(entry.path)
        if not entry.path.lower().endswith(".xml"):
            _keep_file(archive, entry, plan)
            other_files += 1
            progress.advance(entry.compressed, f"Reading {name}")
            continue
        with (
            reporter.step(name, f"ImportSiteArchive.{entry.path.split('/')[0]}"),
            closing(progress.chunks(archive, entry, f"Reading {name}")) as chunks,  # the entry's file now
        ):
            stream = XmlStream(entry.name, chunks)
            unit = Unit(stream, entry.path, plan)
            reader_for(unit)(unit)
            counted = ", ".join(f"{n} {what}" for what, n in unit.counts.items()) or "no objects"
            reporter.log(f"{name}: {counted} ({stream.root.tag})")
        objects.update(unit.counts)
        xml_files += 1
    if other_files:
        reporter.log(f"Kept {other_files} files other than XML as they are")
        objects["other files"] = other_files
    plan.finish()
    return objects, xml_files, other_files


def _keep_file(archive: SiteArchive, entry: Entry, plan: Plan) -> None:
    if plan.deleting:
        plan.delete(schema.files.name, {"path": entry.path})
        return
    content = archive.read(entry)
    row = {
        "path": entry.path,
        "size": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
        "content": content,
    }
    plan.upsert(schema.files.name, row)


def _write_spooled(db: Engine, staging: Staging, reporter: Reporter) -> Counter[str]:
    reporter.progress(READ_SHARE, f"Writing {staging.count} changes to the store")
    with reporter.step("store", "ImportSiteArchive.store"):
        with write_transaction(db) as conn:
            conn.exec_driver_sql(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")  # room for the indexes filled
            try:
                # No progress from in here: it would wait for the write lock this transaction holds.
                rows = Applier(conn).run(staging)
            finally:
                conn.exec_driver_sql("PRAGMA cache_size=-2000")
        reporter.log(f"Store written in one transaction: {_changes(rows)}")
    return rows
