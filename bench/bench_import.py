"""How fast `sfcc-site-archive-import` is against a bare unzip + iterparse of the same archive.

    python -m bench.bench_import [ARCHIVE.zip] [--products 100000] [--contents 20000] [--database-url URL]

Without ARCHIVE, one is generated with bench.gen_site_archive (kept in --work for the next run). Both runs
happen in this process, one after the other:

* bare: for each XML entry, inflate it and `lxml.etree.iterparse` it (end events; each element cleared and
  its earlier siblings unlinked, the usual memory-flat loop), which is the least any streaming reader does;
* import: the real job, submitted to a JobEngine and run by its LocalExecutor, into a fresh store (SQLite in
  the work folder unless --database-url names another, e.g. PostgreSQL, whose site store is emptied first:
  give it a schema of its own, `postgresql+psycopg://…/db?options=-csearch_path%3Dbench`), until it has
  committed.

Rates are megabytes of uncompressed XML per second; the bare run is done before and after the import and
averaged, so a change in the machine's load shows. The ratio is import / bare (target >= 0.4). Peak RSS is
the process's high-water mark (`resource.getrusage`), printed after each run (target < 300 MB). CPU seconds
(`time.process_time`, all threads of this process) are printed too: on a shared machine they move less than
wall time; for PostgreSQL they leave out the server's own work.
"""

from __future__ import annotations

import os
import resource
import shutil
import sys
import time
import zipfile
from pathlib import Path

from lxml import etree  # type: ignore[import-untyped]

from bench.gen_site_archive import archive_for, archive_parser
from sitejobs.engine.db import is_sqlite
from sitejobs.engine.local import LocalExecutor
from sitejobs.engine.service import JobEngine
from sitejobs.engine.states import State
from sitejobs.jobs.builtin import default_registry
from sitejobs.settings import Settings
from sitejobs.sites.commerce import schema
from sitejobs.sites.commerce.xmlstream import PARSER_OPTIONS


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bare(archive: Path) -> tuple[float, float, int, int]:
    """Seconds, CPU seconds, XML bytes and elements for unzip + iterparse of every XML entry."""
    started, cpu = time.perf_counter(), time.process_time()
    size = elements = 0
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            if not info.filename.endswith(".xml"):
                continue
            size += info.file_size
            with zf.open(info) as stream:
                for _event, element in etree.iterparse(stream, events=("end",), **PARSER_OPTIONS):
                    element.clear(keep_tail=True)  # the usual memory-flat loop ("fast_iter")
                    while element.getprevious() is not None:
                        del element.getparent()[0]
                    elements += 1
    return time.perf_counter() - started, time.process_time() - cpu, size, elements


def run_import(archive: Path, work: Path, database_url: str | None) -> tuple[float, float, dict[str, object]]:
    data = work / "data"
    shutil.rmtree(data, ignore_errors=True)
    settings = Settings(data_dir=data, database_url=database_url, poll_seconds=0.02)
    engine = JobEngine.open(settings, default_registry(settings.jobs_module))
    if not is_sqlite(engine.db):  # the data folder is new, but a database server keeps what it had
        with engine.db.begin() as conn:
            conn.exec_driver_sql(f"TRUNCATE {', '.join(schema.TABLES)} CASCADE")
    instance = settings.impex_dir / "src" / "instance"
    instance.mkdir(parents=True, exist_ok=True)
    target = instance / archive.name
    if not target.exists():
        target.symlink_to(archive.resolve())
    executor = LocalExecutor(engine, slots=1)
    executor.start()
    try:
        started, cpu = time.perf_counter(), time.process_time()
        execution = engine.submit("sfcc-site-archive-import", request={"file_name": archive.name})
        while not (current := engine.get(execution.id)) or not current.is_terminal:
            time.sleep(0.02)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    finally:
        executor.stop()
        engine.close()
    if current.state is not State.SUCCEEDED:
        sys.exit(f"import failed: {current.exit_code} {current.exit_message}")
    return elapsed, cpu, dict(current.result or {})


def main() -> None:
    args = archive_parser(__doc__.splitlines()[0], "var/bench-import").parse_args()
    archive = archive_for(args)

    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs", flush=True)
    before, before_cpu, size, elements = bare(archive)
    print(f"bare unzip+iterparse: {before:.2f} s ({before_cpu:.2f} s CPU), {elements:,} elements", flush=True)
    print(f"peak RSS after bare: {peak_rss_mb():.0f} MB", flush=True)

    seconds, cpu, result = run_import(archive, args.work, args.database_url)
    print(f"import into {args.database_url or 'SQLite'}: {seconds:.2f} s ({cpu:.2f} s CPU in this process)")
    print(f"  {result.get('objects')}")
    print(f"peak RSS after import: {peak_rss_mb():.0f} MB", flush=True)

    after, after_cpu, _, _ = bare(archive)  # again, so that a change in the machine's load shows
    print(f"bare unzip+iterparse again: {after:.2f} s ({after_cpu:.2f} s CPU)")
    print(f"load average: {os.getloadavg()[0]:.1f}")
    megabytes = size / 1e6
    bare_rate, rate = megabytes / ((before + after) / 2), megabytes / seconds
    print(
        f"wall: bare {bare_rate:.1f} MB/s, import {rate:.1f} MB/s of XML; ratio import/bare {rate / bare_rate:.2f}"
    )
    bare_cpu = (before_cpu + after_cpu) / 2
    print(
        f"CPU:  bare {megabytes / bare_cpu:.1f} MB/s, import {megabytes / cpu:.1f} MB/s; ratio {bare_cpu / cpu:.2f}"
    )


if __name__ == "__main__":
    main()
