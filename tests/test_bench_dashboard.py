"""The dashboard benchmark still runs against the app as it is (it reads the app's services, which moved once
and left it broken unnoticed)."""

from __future__ import annotations

from bench.bench_dashboard import run


def test_the_dashboard_benchmark_measures_every_page() -> None:
    results = run(rows=2_000, runs=1, database_url=None)
    labels = [label for label, _ours, _bare in results]
    assert len(labels) == 9
    assert "workers + chart, non-admin." in labels
    assert all(ours[0] > 0 and bare[0] > 0 for _label, ours, bare in results)
