"""How fast `sfcc-site-archive-export` is against writing the same XML with lxml alone.

    python -m bench.bench_export [ARCHIVE.zip] [--products 100000] [--contents 20000] [--database-url URL]

Without ARCHIVE, one is generated with bench.gen_site_archive (kept in --work for the next run). The archive is
imported into a fresh store first (not timed here: bench.bench_import measures that), then:

* export: the real job, submitted to a JobEngine and run by its LocalExecutor, exporting everything
  (`global_data`, `sites`, every catalog, library, price book and inventory list) to a zip in Impex;
* lxml alone: the XML of that very archive written again with `lxml.etree.xmlfile` into a zip with the same
  compression: each file's root and containers (`<pricebook>`, `<price-tables>`, …) as `xf.element`, each
  object as `xf.write(element)`. The elements come from iterparse of the exported archive, which is not timed:
  only the writing (lxml's serialization and the zip's compression) is.

Rates are rows of the store per second and megabytes of XML per second; the ratio is export / lxml alone
(target >= 0.5). The lxml run is done before and after the export and averaged, so a change in the machine's
load shows. Peak RSS is the process's high-water mark.
"""

from __future__ import annotations

import os
import resource
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

from lxml import etree  # type: ignore[import-untyped]

from bench.bench_import import run_import
from bench.gen_site_archive import archive_for, archive_parser
from sitejobs.engine.local import LocalExecutor
from sitejobs.engine.service import JobEngine
from sitejobs.engine.states import State
from sitejobs.jobs.builtin import default_registry
from sitejobs.settings import Settings
from sitejobs.sites.commerce.exporter import COMPRESS_LEVEL
from sitejobs.sites.commerce.xmlstream import PARSER_OPTIONS

EXPORT_FILE = "bench-export.zip"
EVERYTHING = {
    "global_data": {"all": True},
    "sites": {"all": {"all": True}},
    **{name: {"all": True} for name in ("catalogs", "price_books", "inventory_lists", "libraries")},
}
CONTAINERS = frozenset({"pricebook", "price-tables", "inventory-list", "records"})


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_export(settings: Settings) -> tuple[float, float, dict[str, Any]]:
    engine = JobEngine.open(settings, default_registry(settings.jobs_module))
    (settings.impex_dir / "src" / "instance" / EXPORT_FILE).unlink(missing_ok=True)
    executor = LocalExecutor(engine, slots=1)
    executor.start()
    try:
        started, cpu = time.perf_counter(), time.process_time()
        request = {"data_units": EVERYTHING, "export_file": EXPORT_FILE, "overwrite_export_file": True}
        execution = engine.submit("sfcc-site-archive-export", request=request)
        while not (current := engine.get(execution.id)) or not current.is_terminal:
            time.sleep(0.02)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    finally:
        executor.stop()
        engine.close()
    if current.state is not State.SUCCEEDED:
        sys.exit(f"export failed: {current.exit_code} {current.exit_message}")
    return elapsed, cpu, dict(current.result or {})


def lxml_alone(source: Path, out: Path) -> tuple[float, float, int]:
    """Seconds and CPU seconds spent writing the XML of `source` again with lxml, and its XML bytes."""
    timed = cpu = 0.0
    size = 0
    with (
        zipfile.ZipFile(source) as archive,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL) as written,
    ):
        for info in archive.infolist():
            if not info.filename.endswith(".xml"):
                continue
            size += info.file_size
            with archive.open(info) as stream, written.open(info.filename, "w", force_zip64=True) as entry:
                seconds, cpu_seconds = _rewrite(stream, entry)
                timed += seconds
                cpu += cpu_seconds
    return timed, cpu, size


def _rewrite(stream: Any, entry: Any) -> tuple[float, float]:
    """One XML file written again; only the time spent in lxml's writer (and the zip below it) is counted."""
    timed = cpu = 0.0
    contexts: list[Any] = []  # the open xf.element contexts: the root, then the containers inside it
    depth = 0  # elements open in the parse
    t, c = time.perf_counter(), time.process_time()
    with etree.xmlfile(entry, encoding="utf-8") as xf:
        xf.write_declaration()
        timed, cpu = time.perf_counter() - t, time.process_time() - c
        for event, element in etree.iterparse(stream, events=("start", "end"), **PARSER_OPTIONS):
            t, c = time.perf_counter(), time.process_time()
            if event == "start":
                container = depth == 0 or etree.QName(element).localname in CONTAINERS
                if container and len(contexts) == depth:  # not inside an object
                    context = xf.element(element.tag, dict(element.attrib), nsmap=element.nsmap)
                    context.__enter__()
                    contexts.append(context)
                depth += 1
            else:
                depth -= 1
                if len(contexts) > depth:  # a container ends
                    contexts.pop().__exit__(None, None, None)
                elif len(contexts) == depth:  # an object of the innermost container
                    xf.write("\n" + "    " * depth)
                    xf.write(element, with_tail=False)
                    element.clear(keep_tail=False)
                    parent = element.getparent()
                    while element.getprevious() is not None:
                        del parent[0]
            timed, cpu = timed + time.perf_counter() - t, cpu + time.process_time() - c
    return timed, cpu


def main() -> None:
    args = archive_parser(__doc__.splitlines()[0], "var/bench-export").parse_args()
    archive = archive_for(args)
    seconds, _cpu, imported = run_import(archive, args.work, args.database_url)
    print(f"imported in {seconds:.1f} s: {imported.get('objects')}", flush=True)

    settings = Settings(data_dir=args.work / "data", database_url=args.database_url, poll_seconds=0.02)
    exported = settings.impex_dir / "src" / "instance" / EXPORT_FILE
    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs", flush=True)
    seconds, cpu, result = run_export(settings)
    rows = int(result["rows"])
    print(f"export from {args.database_url or 'SQLite'}: {seconds:.2f} s ({cpu:.2f} s CPU in this process), "
          f"{rows:,} rows, {result['files']} files, {result['bytes'] / 1e6:.1f} MB zip")  # fmt: skip
    print(f"peak RSS after export: {peak_rss_mb():.0f} MB", flush=True)

    again = args.work / "lxml-alone.zip"
    before, before_cpu, size = lxml_alone(exported, again)
    print(f"lxml alone: {before:.2f} s ({before_cpu:.2f} s CPU)", flush=True)
    after, after_cpu, _ = lxml_alone(exported, again)
    print(f"lxml alone again: {after:.2f} s ({after_cpu:.2f} s CPU)")
    print(f"load average: {os.getloadavg()[0]:.1f}")
    lxml_seconds, lxml_cpu = (before + after) / 2, (before_cpu + after_cpu) / 2
    megabytes = size / 1e6
    print(f"wall: export {rows / seconds:,.0f} rows/s ({megabytes / seconds:.1f} MB/s of XML), "
          f"lxml alone {rows / lxml_seconds:,.0f} rows/s ({megabytes / lxml_seconds:.1f} MB/s); "
          f"ratio export/lxml {lxml_seconds / seconds:.2f}")  # fmt: skip
    print(f"CPU:  export {megabytes / cpu:.1f} MB/s, lxml alone {megabytes / lxml_cpu:.1f} MB/s; "
          f"ratio {lxml_cpu / cpu:.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
