"""`make bench`: every benchmark in turn, each printing its figures and its ratio against its baseline."""

from __future__ import annotations

import subprocess
import sys

BENCHMARKS = [
    ["bench.bench_status"],
    ["bench.bench_oce_status"],
    ["bench.bench_submit"],
    ["bench.bench_engine"],
    ["bench.bench_celery"],
    ["bench.bench_celery", "--split-cores", "--pairs", "6", "-n", "1500"],
    ["bench.bench_search"],
    ["bench.bench_import"],
    ["bench.bench_export"],
    ["bench.bench_oce_shaping"],
    ["bench.bench_publish"],
    ["bench.bench_auth_flood"],
    ["bench.bench_dashboard"],
]


def main() -> int:
    failed = 0
    for args in BENCHMARKS:
        print(f"== {' '.join(args)}", flush=True)
        failed += subprocess.call([sys.executable, "-m", *args]) != 0
    return failed


if __name__ == "__main__":
    sys.exit(main())
