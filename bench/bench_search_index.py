"""How fast the product search index is built, updated and searched, on a generated site archive.

    python -m bench.bench_search_index [--products 100000] [--database-url URL] [--work var/bench-search]

The archive comes from bench.gen_site_archive (site BenchSite, whose catalog assigns every product; one
product in ten is offline) and is imported with the real job into a fresh store (SQLite in the work folder
unless --database-url names another). Then, each the real job run by a LocalExecutor in this process:

* full: `sfcc-search-index-product-full-update` of BenchSite; products and index rows per second;
* delta, nothing changed: what finding the changes costs when there are none;
* delta after a merge import that renames 1% of the products;
* search: median latency of a few queries through `search_products` (20 hits each).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

from bench.bench_import import peak_rss_mb, run_import
from bench.gen_site_archive import NS, generate
from sitejobs.engine.local import LocalExecutor
from sitejobs.engine.service import JobEngine
from sitejobs.engine.states import State
from sitejobs.jobs.builtin import default_registry
from sitejobs.settings import Settings
from sitejobs.sites.commerce.search_index import search_products

SITE = "BenchSite"
QUERIES = ("digital camera", "wireless speaker", "zoom lens battery", "port*")


def run_job(engine: JobEngine, job_id: str, request: dict[str, Any]) -> tuple[float, dict[str, Any]]:
    started = time.perf_counter()
    execution = engine.submit(job_id, request=request)
    while not (current := engine.get(execution.id)) or not current.is_terminal:
        time.sleep(0.02)
    elapsed = time.perf_counter() - started
    if current.state is not State.SUCCEEDED:
        sys.exit(f"{job_id} failed: {current.exit_code} {current.exit_message}")
    return elapsed, dict(current.result or {})


def renaming_archive(path: Path, products: int) -> Path:
    """A merge archive that renames every hundredth product."""
    body = "".join(
        f"<product product-id='bench-{i:07d}'><display-name xml:lang='x-default'>Renamed bench product {i}"
        "</display-name><online-flag>true</online-flag></product>\n"
        for i in range(0, products, 100)
    )
    xml = f"<?xml version='1.0' encoding='UTF-8'?>\n<catalog catalog-id='bench-master' xmlns='{NS}/catalog/2006-10-31'>\n{body}</catalog>\n"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("renames/catalogs/bench-master/catalog.xml", xml)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--work", type=Path, default=Path("var/bench-search"))
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    archive = args.work / f"site-{args.products}.zip"
    if not archive.exists():
        print(f"generating {archive} …", flush=True)
        generate(archive, args.products, contents=10)
    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs", flush=True)
    seconds, _cpu, _result = run_import(archive, args.work, args.database_url)
    print(f"import of {args.products:,} products: {seconds:.1f} s", flush=True)

    settings = Settings(data_dir=args.work / "data", database_url=args.database_url, poll_seconds=0.02)
    engine = JobEngine.open(settings, default_registry(settings.jobs_module))
    executor = LocalExecutor(engine, slots=1)
    executor.start()
    scope = {"site_scope": [SITE]}
    try:
        seconds, result = run_job(engine, "sfcc-search-index-product-full-update", scope)
        summary = result["sites"][SITE]
        rows = summary["products"] * len(summary["locales"])
        print(
            f"full update: {seconds:.2f} s for {summary['products']:,} products ({summary['findable']:,} findable), "
            f"{summary['products'] / seconds:,.0f} products/s, {rows / seconds:,.0f} index rows/s",
            flush=True,
        )
        seconds, result = run_job(engine, "sfcc-search-index-product-delta-update", scope)
        print(f"delta update, nothing changed: {seconds:.2f} s", flush=True)

        instance = settings.impex_dir / "src" / "instance"
        renaming_archive(instance / "renames.zip", args.products)
        run_job(engine, "sfcc-site-archive-import", {"file_name": "renames.zip"})
        seconds, result = run_job(engine, "sfcc-search-index-product-delta-update", scope)
        changed = result["sites"][SITE]["reindexed"]
        print(f"delta update, {changed:,} products renamed: {seconds:.2f} s", flush=True)

        for query in QUERIES:
            timings, total = [], 0
            for _ in range(20):
                started = time.perf_counter()
                total = search_products(engine.db, SITE, query, limit=20).total
                timings.append(time.perf_counter() - started)
            print(f"search '{query}': {total:,} matches, median {statistics.median(timings) * 1000:.1f} ms")
    finally:
        executor.stop()
        engine.close()
    print(f"peak RSS: {peak_rss_mb():.0f} MB; load average: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
